"""Forms of the standstill: a review request, the authority's answer, a buyer's signature."""

from __future__ import annotations

from wtforms import DateField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from procurement.calls.standstill.services import GROUNDS_MAX, SIGNATORY_MAX
from registry.forms import InputForm, NameField


class ReviewForm(InputForm):
    """A bidder's grounds for asking that the award be reviewed."""

    grounds = TextAreaField(
        "Grounds",
        validators=[InputRequired(message="Give the grounds."), Length(max=GROUNDS_MAX)],
        description="What in the award you contest, and why. The authority answers in writing.",
    )


class AnswerForm(InputForm):
    """The authority's answer to a review request."""

    decision = SelectField(
        "Decision",
        choices=[
            SelectChoice("dismissed", "Dismiss: the award stands"),
            SelectChoice("upheld", "Uphold: the award is to be reconsidered, nothing is signed"),
        ],
        validators=[InputRequired(message="Choose a decision.")],
    )
    answer = TextAreaField(
        "Reasons",
        validators=[InputRequired(message="Give the reasons."), Length(max=GROUNDS_MAX)],
        description="Sent to the vendor that asked.",
    )


class SignForm(InputForm):
    """The buyer's record of its contract's signature."""

    signatory_name = NameField(
        "Signatory's name",
        validators=[InputRequired(message="Give the signatory's name."), Length(max=SIGNATORY_MAX)],
    )
    capacity = NameField(
        "Capacity",
        validators=[InputRequired(message="Give the capacity."), Length(max=SIGNATORY_MAX)],
        description="e.g. Mayor, by delegation of the council of 3 March.",
    )
    signed_on = DateField(
        "Date of signature",
        validators=[InputRequired(message="Give the date of signature.")],
        description="The day the contract was signed, not before the standstill ends.",
    )
