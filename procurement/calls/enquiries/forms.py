"""Forms of a call's questions, answers and corrigenda."""

from __future__ import annotations

from wtforms import DateField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from procurement.calls.enquiries.services import ANSWER_MAX, QUESTION_MAX
from procurement.calls.limits import DESCRIPTION_MAX
from registry.forms import InputForm


class QuestionForm(InputForm):
    """A vendor's question on a call."""

    question = TextAreaField(
        "Your question",
        validators=[InputRequired(message="Write your question."), Length(max=QUESTION_MAX)],
        description=(
            "The answer is published to every vendor and on the public page, without your "
            "organisation's name or yours."
        ),
    )


class AnswerForm(InputForm):
    """The authority's answer to one question."""

    answer = TextAreaField(
        "Answer",
        validators=[InputRequired(message="Write the answer."), Length(max=ANSWER_MAX)],
        description="Published at once to every vendor and on the public call page.",
    )


class CorrigendumForm(InputForm):
    """A change to a call, published to every vendor."""

    description = TextAreaField(
        "What changes",
        validators=[InputRequired(message="Say what changes."), Length(max=DESCRIPTION_MAX)],
        description="In words a vendor understands: which document, which requirement, why.",
    )
    deadline = DateField(
        "New deadline for offers",
        validators=[Optional()],
        description=(
            "Offers close at 12:00 UTC on this date. Leave empty to extend by the minimum."
        ),
    )
