"""Forms of the records pages: legal holds and evaluators' reports."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from evaluations.records.models import HoldTarget
from registry.forms import InputForm, NameField

TEXT_MAX = 5000


class HoldForm(InputForm):
    """Place a legal hold on an evaluation, a label or a solution's records."""

    target_type = SelectField(
        "Records of",
        choices=[
            SelectChoice(HoldTarget.EVALUATION.value, "An evaluation (its number)"),
            SelectChoice(HoldTarget.LABEL.value, "A label (its number, e.g. STR-2026-00001)"),
            SelectChoice(HoldTarget.SOLUTION.value, "A solution (its number)"),
        ],
        validators=[InputRequired()],
    )
    target = StringField("Number", validators=[InputRequired(), Length(max=40)])
    reason = TextAreaField("Reason", validators=[InputRequired(), Length(max=TEXT_MAX)])
    reference = StringField(
        "Reference of the proceedings", validators=[InputRequired(), Length(max=200)]
    )
    back_to_evaluation = HiddenField()


class ReleaseForm(InputForm):
    """Release a legal hold, saying why."""

    reason = TextAreaField(
        "Reason for the release", validators=[InputRequired(), Length(max=TEXT_MAX)]
    )


class TestReportForm(InputForm):
    """One test report (PDF) on the evaluator's assignment."""

    title = NameField("Title", validators=[InputRequired(), Length(max=200)])
    file = FileField("Report (PDF)", validators=[FileRequired("Choose a PDF file.")])


class SignedReportForm(InputForm):
    """The evaluation report, signed by re-entering the evaluator's password."""

    title = NameField("Title", validators=[InputRequired(), Length(max=200)])
    file = FileField("Evaluation report (PDF)", validators=[FileRequired("Choose a PDF file.")])
    password = PasswordField(
        "Your password, to sign",
        validators=[InputRequired()],
        description="Signing records the file's SHA-256, your name and the time.",
    )
