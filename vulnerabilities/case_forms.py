"""Forms of the case pages: each step of a case the vendor or the authority may take."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from registry.forms import InputForm
from vulnerabilities.cases import SUMMARY_MAX, VEX_TEXT
from vulnerabilities.models import CVE_MAX, CWE_MAX, VECTOR_MAX, VexJustification

VERSIONS_HINT = "Tick the declared versions of the solution this statement covers."


def _text(label: str, required: bool = True, description: str = "") -> TextAreaField:
    validators = [InputRequired() if required else Optional(), Length(max=SUMMARY_MAX)]
    return TextAreaField(label, validators=validators, description=description)


def _versions(label: str) -> SelectMultipleField:
    return SelectMultipleField(
        label,
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description=VERSIONS_HINT,
    )


class StartAnalysisForm(InputForm):
    """The report is acknowledged and analysed."""

    note = _text("Note", required=False, description="Optional: what the analysis will look at.")


class ConfirmCaseForm(InputForm):
    """The vulnerability is real: analysis, affected versions, scores and identifiers."""

    analysis = _text("Analysis", description="What is vulnerable and why (kept internal).")
    versions = _versions("Affected versions")
    cvss_v3_vector = StringField(
        "CVSS v3.1 vector",
        validators=[Optional(), Length(max=VECTOR_MAX)],
        description="For example CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H. "
        "Give this one, the v4.0 one, or both.",
    )
    cvss_v4_vector = StringField(
        "CVSS v4.0 vector",
        validators=[Optional(), Length(max=VECTOR_MAX)],
        description="For example CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N.",
    )
    cve_id = StringField(
        "CVE id", validators=[Optional(), Length(max=CVE_MAX)], description="If one is assigned."
    )
    cwe_id = StringField(
        "CWE id", validators=[Optional(), Length(max=CWE_MAX)], description="For example CWE-306."
    )
    summary = _text(
        "Public summary",
        required=False,
        description="Shown on the public advisory once the embargo ends: no exploit details.",
    )


class NotAffectedForm(InputForm):
    """A VEX statement: the solution is not affected, and why."""

    justification = SelectField(
        "Justification",
        choices=[SelectChoice("", "— choose —")]
        + [SelectChoice(j.value, VEX_TEXT[j]) for j in VexJustification],
        validators=[InputRequired()],
    )
    analysis = _text("Analysis of the vendor", description="Why the justification holds.")
    versions = _versions("Versions not affected")


class FixedForm(InputForm):
    """The version that fixes the vulnerability (choices set by the view)."""

    fixed_version = SelectField("Fixed in version", coerce=int, validators=[InputRequired()])
    note = _text("Note", required=False)


class RejectForm(InputForm):
    """The authority closes a report that is no vulnerability of this solution."""

    reason = _text("Reason for rejecting", description="The vendor reads it; it is never public.")
    confirm = BooleanField(
        "I understand that the case is closed for good and never published.",
        validators=[InputRequired("Tick the box to confirm.")],
    )


class EmbargoForm(InputForm):
    """The authority moves or lifts the embargo."""

    embargo_until = DateField(
        "Embargo until",
        validators=[Optional()],
        description="Format: YYYY-MM-DD. Leave empty to lift the embargo.",
    )
    reason = _text("Reason for the change")


class RescoreForm(InputForm):
    """New CVSS vectors for an open case, and why they changed."""

    cvss_v3_vector = StringField(
        "New CVSS v3.1 vector", validators=[Optional(), Length(max=VECTOR_MAX)]
    )
    cvss_v4_vector = StringField(
        "New CVSS v4.0 vector", validators=[Optional(), Length(max=VECTOR_MAX)]
    )
    note = _text(
        "Why the scores change",
        description="Kept in the case's history; a new severity moves the fix deadline.",
    )
