"""The authority's eligibility decision on an opened offer."""

from __future__ import annotations

from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length

from procurement.calls.limits import REASON_MAX
from registry.forms import InputForm

DECISIONS = (SelectChoice("not_eligible", "Not eligible"), SelectChoice("eligible", "Eligible"))


class EligibilityDecisionForm(InputForm):
    """Eligible or not, for the award, and why."""

    decision = SelectField(
        "Decision",
        choices=list(DECISIONS),
        validators=[
            InputRequired(message="Choose the decision."),
            AnyOf([choice.value for choice in DECISIONS], message="Choose the decision."),
        ],
        description="Replaces the eligibility recorded at the deadline, for the award.",
    )
    reason = TextAreaField(
        "Reason",
        validators=[InputRequired(message="Give the reason."), Length(max=REASON_MAX)],
        description="Sent to the vendor, and kept in the audit log.",
    )
