"""The modification form: the legal ground, the new terms (any of them) and a description."""

from __future__ import annotations

from wtforms import DateField, DecimalField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from procurement.calls.modifications.models import ModificationGround
from procurement.calls.modifications.services import DESCRIPTION_MAX
from registry.forms import BoundedIntegerField, InputForm


class ModificationForm(InputForm):
    """The authority's modification of a contract line."""

    ground = SelectField(
        "Legal ground (Directive 2014/24/EU)",
        choices=[SelectChoice(g.value, g.label) for g in ModificationGround],
        validators=[InputRequired(message="Choose the legal ground of the modification.")],
    )
    maximum = BoundedIntegerField(
        "New maximum quantity (optional)",
        validators=[Optional(), NumberRange(min=1, message="Give at least one unit.")],
        description="Leave empty to keep the maximum in force.",
    )
    unit_price = DecimalField(
        "New unit price (optional)",
        places=2,
        validators=[Optional(), NumberRange(min=0.01, message="Give a price above zero.")],
        description="Leave empty to keep the unit price in force.",
    )
    end = DateField(
        "New last day of ordering (optional)",
        validators=[Optional()],
        description="Leave empty to keep the framework's end.",
    )
    description = TextAreaField(
        "Description",
        validators=[
            InputRequired(message="Describe the modification and why its ground applies."),
            Length(max=DESCRIPTION_MAX),
        ],
        description="Published with the contract's amendment.",
    )
