"""Forms of declarations of interests, the impartiality risk register and the committee."""

from __future__ import annotations

from wtforms import DateField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from evaluations.impartiality.register import RISK_SOURCES
from registry.forms import InputForm, NameField

LEVELS = [SelectChoice("", "— choose —")] + [SelectChoice(str(n), str(n)) for n in range(1, 6)]


class DeclareInterestForm(InputForm):
    """An interest in one vendor."""

    vendor = SelectField("Vendor", choices=[], validators=[InputRequired()])
    nature = TextAreaField(
        "Nature of the interest",
        validators=[InputRequired(), Length(max=2000)],
        description="e.g. former employee until 2025, shares held, a relative works there.",
    )


class EndDeclarationForm(InputForm):
    """How an interest ended."""

    note = TextAreaField("How the interest ended", validators=[InputRequired(), Length(max=2000)])


class RiskForm(InputForm):
    """An impartiality risk."""

    title = NameField("Title", validators=[InputRequired(), Length(max=200)])
    source = SelectField(
        "Source of the threat",
        choices=[SelectChoice("", "— choose —")]
        + [SelectChoice(key, text) for key, text in RISK_SOURCES.items()],
        validators=[InputRequired()],
    )
    description = TextAreaField("Description", validators=[InputRequired(), Length(max=10000)])
    likelihood = SelectField(
        "Likelihood", choices=LEVELS, validators=[InputRequired()], description="1 (rare) to 5"
    )
    impact = SelectField(
        "Impact", choices=LEVELS, validators=[InputRequired()], description="1 (minor) to 5"
    )
    treatment = TextAreaField("Treatment", validators=[Optional(), Length(max=10000)])
    owner = SelectField("Owner", choices=[], validators=[Optional()])
    review_due_on = DateField("Next review due", validators=[Optional()])


class MeetingForm(InputForm):
    """A meeting of the impartiality committee."""

    held_on = DateField("Held on", validators=[InputRequired()])
    attendees = TextAreaField(
        "Attendees", validators=[InputRequired(), Length(max=10000)], description="One per line."
    )
    minutes = TextAreaField("Minutes", validators=[InputRequired(), Length(max=10000)])
    decisions = TextAreaField("Decisions", validators=[Optional(), Length(max=10000)])
