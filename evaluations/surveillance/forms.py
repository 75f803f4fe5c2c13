"""The surveillance forms: programme, attestation, assignment, results, suspension."""

from __future__ import annotations

from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from evaluations.surveillance.services import MAX_DAYS, MAX_INTERVAL_MONTHS, NOTES_MAX
from registry.forms import BoundedIntegerField, InputForm


class ProgrammeForm(InputForm):
    """A norm's surveillance programme."""

    attestation_enabled = BooleanField("Ask the vendor for a periodic attestation")
    interval_months = BoundedIntegerField(
        "Attestation interval (months)",
        validators=[
            InputRequired("Give the interval in months."),
            NumberRange(1, MAX_INTERVAL_MONTHS, f"1 to {MAX_INTERVAL_MONTHS} months."),
        ],
    )
    retest_percent = BoundedIntegerField(
        "Share of valid labels re-tested each year (percent)",
        validators=[InputRequired("Give a percentage."), NumberRange(0, 100, "0 to 100.")],
    )
    days_to_complete = BoundedIntegerField(
        "Days allowed to complete an activity",
        validators=[InputRequired("Give a number of days."), NumberRange(1, MAX_DAYS)],
    )


class AttestForm(InputForm):
    """The vendor's attestation."""

    changed = RadioField(
        "Since the certification",
        choices=[
            SelectChoice("no", "Nothing relevant to the certification has changed."),
            SelectChoice(
                "yes", "Something changed (say what below; then declare a maintenance request)."
            ),
        ],
        validators=[InputRequired("Choose one.")],
    )
    statement = TextAreaField(
        "What changed (or any remark)", validators=[Optional(), Length(max=NOTES_MAX)]
    )
    confirm = BooleanField(
        "I attest this on behalf of the vendor.",
        validators=[DataRequired("Tick the box to attest.")],
    )


class AssignRetestForm(InputForm):
    """The authority assigns a re-test to an evaluator."""

    evaluator_id = SelectField("Evaluator", coerce=int, validators=[InputRequired()])


class RetestResultForm(InputForm):
    """The assigned evaluator's result."""

    passed = RadioField(
        "Result",
        choices=[
            SelectChoice("pass", "Pass: still conforms"),
            SelectChoice("fail", "Fail: no longer conforms"),
        ],
        validators=[InputRequired("Choose the result.")],
    )
    report = TextAreaField(
        "Re-test report",
        validators=[InputRequired("Write the report."), Length(min=3, max=NOTES_MAX)],
    )


class ReviewResultForm(InputForm):
    """The authority concludes a complaint review."""

    result = RadioField(
        "Result",
        choices=[
            SelectChoice("conforming", "Conforming"),
            SelectChoice("nonconforming", "Nonconforming"),
        ],
        validators=[InputRequired("Choose the result.")],
    )
    notes = TextAreaField(
        "What the review found (internal)",
        validators=[InputRequired("Write the findings."), Length(min=3, max=NOTES_MAX)],
    )


class SuspendForm(InputForm):
    """Suspend one label of the list, with the prepared reason."""

    reason = TextAreaField(
        "Reason (published in the decision log)",
        validators=[InputRequired("Give a reason."), Length(min=3, max=2000)],
    )
    confirm = BooleanField(
        "I confirm: the label stops counting as certification until it is reinstated.",
        validators=[DataRequired("Tick the box to confirm.")],
    )
