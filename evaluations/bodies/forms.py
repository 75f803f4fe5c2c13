"""Forms of the register of evaluation bodies: accreditations, proposals, decisions."""

from __future__ import annotations

from typing import Any

from wtforms import DateField, FieldList, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from registry.forms import InputForm

SCOPE_ROWS = 6


class ScopeRowForm(InputForm):
    """One row of a scope: a technology category, and optionally one of its norms."""

    class Meta(InputForm.Meta):
        """A row inside the accreditation form, whose own token covers it."""

        csrf = False

    category = SelectField("Technology category", choices=[], validate_choice=False)
    norm = SelectField("Norm", choices=[], validate_choice=False)


class AccreditationForm(InputForm):
    """An accreditation: who issued it, against which standard, its dates and its scope."""

    accreditation_body = StringField(
        "Accreditation body",
        validators=[InputRequired(), Length(max=200)],
        description="Who accredited the evaluation body, e.g. COFRAC.",
    )
    standard = StringField(
        "Standard",
        validators=[InputRequired(), Length(max=200)],
        description="e.g. ISO/IEC 17025:2017",
    )
    certificate_number = StringField(
        "Certificate number", validators=[InputRequired(), Length(max=100)]
    )
    valid_from = DateField("Valid from", validators=[InputRequired()])
    valid_until = DateField("Valid until", validators=[InputRequired()])
    scope = FieldList(FormField(ScopeRowForm), min_entries=SCOPE_ROWS, max_entries=40)

    def scope_rows(self) -> list[tuple[int, int | None]]:
        """The rows that name a category, as (category id, norm id or None)."""
        rows: list[tuple[int, int | None]] = []
        for entry in self.scope:
            category, norm = entry.form.category.data, entry.form.norm.data
            if category and str(category).isdigit():
                rows.append((int(category), int(norm) if norm and str(norm).isdigit() else None))
            elif norm:
                rows.append((0, None))  # a norm without its category: the service says so
        return rows


def scope_data(rows: list[tuple[int, int | None]]) -> list[dict[str, Any]]:
    """Rows to prefill the form with, then blank rows up to at least two free ones."""
    filled = [{"category": str(c), "norm": str(n) if n else ""} for c, n in rows]
    blanks = max(SCOPE_ROWS - len(filled), 2)
    return filled + [{"category": "", "norm": ""}] * blanks


class WithdrawForm(InputForm):
    """An early end, with its reason."""

    reason = TextAreaField("Reason", validators=[InputRequired(), Length(max=4000)])


class ProposeEvaluatorForm(InputForm):
    """A body's statement of the competence of the member it proposes."""

    qualifications = TextAreaField(
        "Qualifications",
        validators=[InputRequired(), Length(max=4000)],
        description="Degrees and certifications relevant to evaluating security solutions.",
    )
    training = TextAreaField(
        "Training",
        validators=[InputRequired(), Length(max=4000)],
        description="Training on the norms and methods this registry evaluates against.",
    )
    experience = TextAreaField(
        "Experience",
        validators=[InputRequired(), Length(max=4000)],
        description="Evaluations done, years in the field, technologies.",
    )


class DecisionNoteForm(InputForm):
    """The authority's note with an approval (optional) or a refusal (required)."""

    note = TextAreaField("Note", validators=[Optional(), Length(max=4000)])
