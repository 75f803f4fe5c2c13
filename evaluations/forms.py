"""Forms of the evaluation workflow; the services do the checks that need the database."""

from __future__ import annotations

from flask_wtf.file import MultipleFileField
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from registry.forms import InputForm

TEXT_MAX = 5000
# A label event's reason (public statement, or the reason of a status change).
PUBLIC_STATEMENT_MAX = 2000


def _text(label: str, required: bool = True, description: str = "") -> TextAreaField:
    validators = [InputRequired() if required else Optional(), Length(max=TEXT_MAX)]
    return TextAreaField(label, validators=validators, description=description)


class ApplyForm(InputForm):
    """A vendor picks one of its published solutions and a norm version in force."""

    solution_id = SelectField("Solution", coerce=int, validators=[InputRequired()])
    product_version_id = SelectField(
        "Version to evaluate",
        coerce=int,
        validators=[InputRequired()],
        description="The label will certify this version; later versions join it by maintenance.",
    )
    version_id = SelectField("Norm version", coerce=int, validators=[InputRequired()])


class NoteForm(InputForm):
    """The vendor's note to the evaluators."""

    vendor_note = _text("Note to the evaluators", required=False)


class EvidenceForm(InputForm):
    """Evidence files, for a criterion or for the application in general."""

    file = MultipleFileField(
        "Files",
        description="Choose one file or several (up to 10) for the same criterion.",
    )
    criterion_id = SelectField("For criterion", coerce=str, validate_choice=True)
    description = StringField("Short description", validators=[Optional(), Length(max=300)])


class ReturnForm(InputForm):
    """The authority asks the vendor for more information."""

    request_text = _text("What the vendor must provide")


class RespondForm(InputForm):
    """The vendor answers a return request."""

    response_text = _text("Your answer")


class AssignForm(InputForm):
    """The authority assigns an evaluator with an optional due date."""

    evaluator_id = SelectField("Evaluator", coerce=int, validators=[InputRequired()])
    due_date = DateField(
        "Due date",
        validators=[Optional()],
        description="Optional. Format: YYYY-MM-DD.",
    )
    same_body_reason = _text(
        "Reason for a second evaluator of the same body",
        required=False,
        description="Required only when an evaluator of the same body already evaluates it.",
    )


class ApplicationReviewForm(InputForm):
    """The officer records that the application is complete and in scope."""

    note = _text(
        "Review note",
        description="What you checked: the evidence is complete and the solution is in the "
        "norm's scope. To ask for more, return the application instead.",
    )


class RemoveAssignmentForm(InputForm):
    """The authority removes an evaluator who has not submitted, with the reason."""

    reason = _text("Reason for the removal")


class DecisionReviewForm(InputForm):
    """A second officer's review of the scored evaluation before the decision."""

    outcome = RadioField(
        "Do you agree with the consolidated result?",
        choices=[SelectChoice("agree", "Agree"), SelectChoice("disagree", "Disagree")],
        validators=[InputRequired()],
    )
    recommended_decision = RadioField(
        "Recommended decision",
        choices=[SelectChoice("certified", "Certify"), SelectChoice("rejected", "Reject")],
        validators=[InputRequired()],
    )
    recommended_level = SelectField("Recommended level", coerce=str, validate_choice=False)
    note = _text("Review note")


class DeclareForm(InputForm):
    """The evaluator's conflict-of-interest declaration."""

    has_conflict = RadioField(
        "Do you have a conflict of interest with this vendor or solution?",
        choices=[
            SelectChoice("no", "No, I have no conflict of interest"),
            SelectChoice("yes", "Yes, I have a conflict"),
        ],
        validators=[InputRequired()],
    )
    note = _text("Details (required when you declare a conflict)", required=False)


class ResolveForm(InputForm):
    """The consensus value of one flagged criterion and the note that records it."""

    criterion_id = HiddenField(validators=[InputRequired()])
    value = StringField("Consensus value", validators=[InputRequired(), Length(max=10)])
    note = _text("Consensus note")
    outside_reason = _text(
        "Reason for a value outside the evaluators' scores",
        required=False,
        description="Required only when the consensus is outside the evaluators' scores.",
    )


class DecideForm(InputForm):
    """Certify at a level or reject: an internal rationale, and a public statement to certify."""

    decision = RadioField(
        "Decision",
        choices=[SelectChoice("certified", "Certify"), SelectChoice("rejected", "Reject")],
        validators=[InputRequired()],
    )
    level = SelectField("Level", coerce=str, validate_choice=False)
    public_statement = TextAreaField(
        "Public statement — shown on the label page and in the decision log",
        validators=[Optional(), Length(max=PUBLIC_STATEMENT_MAX)],
        description=(
            "Required when you certify. Anyone can read it, on the label page, in the decision "
            "log, its JSON and its feed; write nothing confidential here."
        ),
    )
    rationale = _text(
        "Internal rationale — seen by the authority, the vendor and the evaluators only",
        description="Never published: it stays on this evaluation.",
    )
    level_reason = _text(
        "Reason for a lower level (internal, kept with the rationale)",
        required=False,
        description="Required when you certify below the computed level.",
    )


class LabelReasonForm(InputForm):
    """The reason of a label's suspension, reinstatement or revocation: it is public."""

    reason = TextAreaField(
        "Public reason — shown on the label page and in the decision log",
        validators=[InputRequired(), Length(max=PUBLIC_STATEMENT_MAX)],
        description=(
            "Required. Anyone can read it, and the vendor is e-mailed it; write nothing "
            "confidential here."
        ),
    )


class MaintenanceForm(InputForm):
    """The vendor declares a new version for a label's scope (choices set by the view)."""

    version_id = SelectField("New version", coerce=int, validators=[InputRequired()])
    impact_analysis = _text(
        "Impact analysis",
        description="What changed between the certified version and this one, and why it "
        "keeps the certified properties.",
    )
    touched = SelectMultipleField(
        "Criteria the change touches",
        coerce=str,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description="Tick at least one; the reviewing evaluator scores these criteria only.",
    )
    security_relevant = RadioField(
        "Is the change security relevant?",
        choices=[SelectChoice("no", "No"), SelectChoice("yes", "Yes")],
        validators=[InputRequired()],
    )


def _optional_int(value: object) -> int | None:
    """An id from a select whose first option is blank."""
    if value in ("", None):
        return None
    return int(str(value))


class RouteForm(InputForm):
    """The authority routes a maintenance request: minor (a delta review) or major."""

    kind = RadioField(
        "Route as",
        choices=[
            SelectChoice("minor", "Minor change: one evaluator reviews the touched criteria"),
            SelectChoice("major", "Major change: a new evaluation is required"),
        ],
        validators=[InputRequired()],
    )
    evaluator_id = SelectField(
        "Evaluator (minor change)",
        coerce=_optional_int,
        validators=[Optional()],
    )
    due_date = DateField(
        "Review due date (minor change)",
        validators=[Optional()],
        description="Required for a minor change. Format: YYYY-MM-DD.",
    )
    note = _text(
        "Note", required=False, description="Required for a major change: the vendor reads it."
    )


class MaintenanceDecisionForm(InputForm):
    """The authority approves or refuses a reviewed maintenance request."""

    decision = RadioField(
        "Decision",
        choices=[
            SelectChoice("approve", "Approve: the version joins the certified scope"),
            SelectChoice("refuse", "Refuse: the scope stays as it is"),
        ],
        validators=[InputRequired()],
    )
    reason = _text("Reason", description="The vendor and the evaluator read it.")


class ReviewSummaryForm(InputForm):
    """The evaluator's summary when submitting a maintenance review."""

    summary = _text("Review summary", description="What you checked and what you found.")
