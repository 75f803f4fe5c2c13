"""The buyer's mandate form and the open-call form's legal basis field."""

from __future__ import annotations

from wtforms import BooleanField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from procurement.calls.legal.models import SIGNATORY_MAX, LegalBasis
from registry.arguments import MAX_ID
from registry.forms import BoundedIntegerField, InputForm, NameField

LEGAL_BASIS_CHOICES = [SelectChoice(basis.value, basis.label) for basis in LegalBasis]


class MandateForm(InputForm):
    """What a buyer's signatory signs: the mandate's terms and the signatory's statement."""

    signatory_name = NameField(
        "Name of the signatory",
        validators=[InputRequired(), Length(max=SIGNATORY_MAX)],
        description="The person who signed the mandate for your organisation.",
    )
    signatory_capacity = StringField(
        "Capacity of the signatory",
        validators=[InputRequired(), Length(max=SIGNATORY_MAX)],
        description="For example: Mayor, or Deputy mayor by delegation of the council.",
    )
    firm_quantity = BoundedIntegerField(
        "Firm quantity",
        validators=[InputRequired(message="Give a whole number."), NumberRange(1, MAX_ID)],
        description="What your organisation commits to buy under the framework agreement.",
    )
    maximum_quantity = BoundedIntegerField(
        "Maximum quantity",
        validators=[InputRequired(message="Give a whole number."), NumberRange(1, MAX_ID)],
        description="The firm quantity plus the optional quantity you may order.",
    )
    signed = BooleanField(
        "The signatory signed this mandate for my organisation",
        validators=[DataRequired(message="Confirm that the signatory signed the mandate.")],
        description=(
            "The mandate entrusts the authority with the procedure and the award for these "
            "quantities. It can be withdrawn until the call opens; from then on it binds."
        ),
    )
