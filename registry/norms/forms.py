"""Forms of the authority's norm pages; the services repeat every business check."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from registry.forms import BoundedIntegerField, InputForm, NameField
from registry.norms.models import (
    MAX_VALIDITY_MONTHS,
    MAX_WEIGHT,
    MIN_VALIDITY_MONTHS,
    MIN_WEIGHT,
    CriterionKind,
)
from registry.norms.rules import MAX_LEVELS, MAX_STANDARDS

KIND_CHOICES = [
    SelectChoice(
        CriterionKind.PASS_FAIL.value,
        "Pass/fail — always mandatory: failing it fails the evaluation",
    ),
    SelectChoice(CriterionKind.SCORED.value, "Scored 0–5 — counts in the weighted percent"),
]


class NormForm(InputForm):
    """A new norm: code, title, category, description."""

    code = StringField(
        "Code",
        validators=[InputRequired(), Length(min=2, max=40)],
        description="Capital letters, digits and hyphens, e.g. VA-INTEROP. It never changes.",
        render_kw={"autocapitalize": "characters", "spellcheck": "false"},
    )
    title = NameField("Title", validators=[InputRequired(), Length(max=200)])
    category_id = SelectField("Technology category", coerce=int, validators=[InputRequired()])
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=5000)],
        description="What the norm is for and who it concerns. Plain text.",
    )


class NormDetailsForm(InputForm):
    """A norm's editable details (the code is fixed)."""

    title = NameField("Title", validators=[InputRequired(), Length(max=200)])
    category_id = SelectField("Technology category", coerce=int, validators=[InputRequired()])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])


class WithdrawForm(InputForm):
    """Withdrawing a norm needs a reason."""

    reason = TextAreaField(
        "Reason for the withdrawal", validators=[InputRequired(), Length(max=2000)]
    )


class VersionSettingsForm(InputForm):
    """A draft's label validity, levels, referenced standards and change note.

    Level rows `level_<n>_name` / `level_<n>_minimum` are added below for n = 1..MAX_LEVELS.
    """

    validity_months = BoundedIntegerField(
        "Label validity (months)",
        validators=[InputRequired(), NumberRange(MIN_VALIDITY_MONTHS, MAX_VALIDITY_MONTHS)],
        description=f"How long a label issued under this version is valid: "
        f"{MIN_VALIDITY_MONTHS} to {MAX_VALIDITY_MONTHS} months (usually 24 or 36).",
    )
    standards = TextAreaField(
        "Referenced standards",
        validators=[Optional(), Length(max=8000)],
        description=f"One per line, at most {MAX_STANDARDS}, "
        "e.g. “ONVIF Profile S” or “IEC 62443-3-3:2013”.",
        render_kw={"rows": 6},
    )
    change_note = TextAreaField(
        "Change note",
        validators=[Optional(), Length(max=2000)],
        description="What changed from the previous version, for readers of the norm.",
    )

    def level_rows(self) -> list[tuple[Any, Any]]:
        """The (name field, minimum field) pairs, in order."""
        return [
            (getattr(self, f"level_{n}_name"), getattr(self, f"level_{n}_minimum"))
            for n in range(1, MAX_LEVELS + 1)
        ]

    def levels(self) -> list[tuple[str, int]]:
        """The filled-in level rows as (name, minimum percent); a half-filled row counts."""
        return [
            (name.data or "", minimum.data)
            for name, minimum in self.level_rows()
            if name.data or minimum.data is not None
        ]

    def standards_list(self) -> list[str]:
        """The referenced standards, one per non-empty line."""
        return [line for line in (self.standards.data or "").splitlines() if line.strip()]


for _n in range(1, MAX_LEVELS + 1):
    setattr(
        VersionSettingsForm,
        f"level_{_n}_name",
        NameField(f"Level {_n} name", validators=[Optional(), Length(max=60)]),
    )
    setattr(
        VersionSettingsForm,
        f"level_{_n}_minimum",
        BoundedIntegerField(
            f"Level {_n} minimum (%)", validators=[Optional(), NumberRange(1, 100)]
        ),
    )


class SectionForm(InputForm):
    """A section's title."""

    title = NameField("Section title", validators=[InputRequired(), Length(max=200)])


class MoveForm(InputForm):
    """Move something one place up or down."""

    direction = HiddenField(validators=[InputRequired()])

    @property
    def offset(self) -> int:
        """-1 for up, +1 for down, 0 for anything else."""
        return {"up": -1, "down": 1}.get(self.direction.data or "", 0)


class CriterionForm(InputForm):
    """One criterion."""

    section_id = SelectField("Section", coerce=int, validators=[InputRequired()])
    code = StringField(
        "Code",
        validators=[InputRequired(), Length(max=40)],
        description="Unique within this version, e.g. ONVIF-S or PRIV-2. Keep a criterion's "
        "code across versions so that comparisons match it.",
        render_kw={"autocapitalize": "characters", "spellcheck": "false"},
    )
    title = NameField("Title", validators=[InputRequired(), Length(max=200)])
    guidance = TextAreaField(
        "Guidance for vendors and evaluators",
        validators=[Optional(), Length(max=5000)],
        description="What is checked, how, and what evidence convinces.",
        render_kw={"rows": 6},
    )
    kind = SelectField("Kind", choices=KIND_CHOICES, validators=[InputRequired()])
    mandatory = BooleanField(
        "Mandatory (scored criteria): a score of 0 fails the evaluation whatever the percent"
    )
    weight = BoundedIntegerField(
        "Weight",
        default=1,
        validators=[InputRequired(), NumberRange(MIN_WEIGHT, MAX_WEIGHT)],
        description=f"A whole number from {MIN_WEIGHT} to {MAX_WEIGHT}: its share of the "
        "weighted percent.",
    )
    evidence_required = BooleanField("The vendor must attach evidence for this criterion")


class PublishForm(InputForm):
    """Publishing a draft; the transition date is asked when a version is in force."""

    transition_date = DateField(
        "Transition date",
        validators=[Optional()],
        description="After this date, labels issued under the version in force show "
        "“re-certification due”. Today or later.",
    )
    confirm = BooleanField(
        "I understand that a published version can never be changed",
        validators=[InputRequired(message="Tick the box to confirm.")],
    )
