"""The authority's eligibility decision on an opened offer, and the forms of the evidence asked
of the provisional winner."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, TextAreaField
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


class EvidenceRequestForm(InputForm):
    """What the authority asks of the provisional winner, and by when."""

    asked_for = TextAreaField(
        "Documents asked",
        validators=[InputRequired(message="Say which documents you ask."), Length(max=REASON_MAX)],
        description="E.g. an extract of the criminal record, a certificate of tax and social "
        "security payments, the evidence of the selection criteria. Sent to the vendor.",
    )
    due_on = DateField(
        "Deadline",
        validators=[InputRequired(message="Give the deadline, e.g. 2027-01-15.")],
        description="The vendor uploads until 23:59 that day, local time.",
    )


EVIDENCE_DECISIONS = (SelectChoice("accept", "Accept"), SelectChoice("reject", "Reject"))


class EvidenceDecisionForm(InputForm):
    """Accept or reject the provisional winner's evidence, and why."""

    decision = SelectField(
        "Decision",
        choices=list(EVIDENCE_DECISIONS),
        validators=[
            InputRequired(message="Choose the decision."),
            AnyOf([choice.value for choice in EVIDENCE_DECISIONS], message="Choose the decision."),
        ],
        description="A rejected offer is excluded from the award; the next-ranked offer is "
        "then asked.",
    )
    reason = TextAreaField(
        "Reason",
        validators=[InputRequired(message="Give the reason."), Length(max=REASON_MAX)],
        description="Sent to the vendor, and kept in the audit log.",
    )


class EvidenceUploadForm(InputForm):
    """One supporting document."""

    file = FileField("Document", validators=[FileRequired("Choose a file to upload.")])
