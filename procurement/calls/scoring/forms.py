"""Forms of the award criteria: the authority's score on its own criteria, and the
explanation procedure of an abnormally low price."""

from __future__ import annotations

from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange

from procurement.calls.scoring.low_price import TEXT_MAX
from procurement.calls.scoring.services import REASON_MAX
from registry.forms import BoundedIntegerField, InputForm


class OwnScoreForm(InputForm):
    """The authority's score of one offer on one of its own criteria."""

    score = BoundedIntegerField(
        "Score (0 to 100)",
        validators=[
            InputRequired(message="Give a whole score from 0 to 100."),
            NumberRange(0, 100, message="Give a whole score from 0 to 100."),
        ],
    )
    reason = TextAreaField(
        "Reason",
        validators=[
            InputRequired(message="Say why the offer gets this score."),
            Length(max=REASON_MAX),
        ],
        description="Shown with the score to the authority and kept in the audit log.",
    )


class LowPriceRequestForm(InputForm):
    """The authority asks a vendor to explain an abnormally low price."""

    question = TextAreaField(
        "What the vendor must explain",
        validators=[
            InputRequired(message="Write what the vendor must explain."),
            Length(max=TEXT_MAX),
        ],
        description=(
            "E.g. how the price covers the licences, support and updates over the contract. "
            "The vendor is told by mail and answers on its offer's page."
        ),
    )


class LowPriceAnswerForm(InputForm):
    """The vendor's explanation of its price."""

    answer = TextAreaField(
        "Your explanation",
        validators=[InputRequired(message="Write your explanation."), Length(max=TEXT_MAX)],
        description="You answer once; the authority then accepts it or rejects the offer.",
    )


class LowPriceDecisionForm(InputForm):
    """The authority's decision on the explanation."""

    decision = SelectField(
        "Decision",
        choices=[
            SelectChoice("accepted", "Accept the explanation: the offer stays in the ranking"),
            SelectChoice("rejected", "Reject the offer: it is excluded from the ranking"),
        ],
        validators=[InputRequired(message="Choose a decision.")],
    )
    reason = TextAreaField(
        "Reason",
        validators=[InputRequired(message="Give the reason."), Length(max=TEXT_MAX)],
        description="Sent to the vendor.",
    )
