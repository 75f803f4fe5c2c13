"""The modification form: the legal ground, the new terms (any of them) and a description."""

from __future__ import annotations

from decimal import Decimal

from wtforms import DateField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from procurement.calls.modifications.models import ModificationGround
from procurement.calls.modifications.services import DESCRIPTION_MAX
from procurement.forms import parse_decimal
from registry.forms import BoundedIntegerField, InputForm

# A unit price the database holds (Numeric(14, 2)): below a trillion, to the cent.
PRICE_LIMIT = Decimal("1000000000000")


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
    unit_price = StringField(
        "New unit price (optional)",
        validators=[Optional(), Length(max=30)],
        description="In EUR, e.g. 890.00. Leave empty to keep the unit price in force.",
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

    def validate_unit_price(self, field: StringField) -> None:
        """A price above zero, to the cent, that the database can hold."""
        price = parse_decimal(field.data)
        if price is None:
            raise ValidationError("Give the price as a number, e.g. 890.00.")
        if price <= 0 or price >= PRICE_LIMIT or price != price.quantize(Decimal("0.01")):
            raise ValidationError(
                "Give a price above zero and below 1,000,000,000,000.00, to the cent."
            )

    def price(self) -> Decimal | None:
        """The new unit price, or None to keep the one in force."""
        return parse_decimal(self.unit_price.data) if (self.unit_price.data or "").strip() else None
