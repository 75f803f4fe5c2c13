"""The order form: a quantity and a note for the vendor."""

from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from procurement.calls.orders.services import NOTE_MAX
from registry.forms import BoundedIntegerField, InputForm


class OrderForm(InputForm):
    """A buyer's order on its contract line."""

    quantity = BoundedIntegerField(
        "Quantity to order",
        validators=[InputRequired(message="Give a whole number of units."), NumberRange(min=1)],
        description="Units beyond your firm quantity are taken from your optional quantity.",
    )
    note = TextAreaField(
        "Note for the vendor (optional)",
        validators=[Optional(), Length(max=NOTE_MAX)],
        description="Delivery address, contact or timing; sent to the vendor with the order.",
    )
