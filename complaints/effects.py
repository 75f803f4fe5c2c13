"""The effects a handler may give an upheld case, applied in the decision's transaction.

- reinstatement: a suspended or revoked label becomes valid again, its history naming the case;
- suspension: the label concerned is suspended (`status_changes.suspend_label`);
- re-evaluation: the case records that a new evaluation is required and the vendor is told;
- surveillance review: a complaint-triggered surveillance review of the label is opened
  (`evaluations.surveillance.services.open_complaint_review`), due by the norm's programme.
"""

from __future__ import annotations

from complaints.models import ComplaintCase
from evaluations.labels import appeal_effects, status_changes
from evaluations.labels.status_changes import LIVE_STATUSES
from evaluations.models import LabelStatus
from evaluations.surveillance.services import open_complaint_review
from registry.mail import send_mail
from registry.models import User

REINSTATEMENT = "reinstatement"
SUSPENSION = "suspension"
RE_EVALUATION = "re_evaluation"
SURVEILLANCE_REVIEW = "surveillance_review"

EFFECT_TEXT = {
    REINSTATEMENT: "Reinstatement of the label",
    SUSPENSION: "Suspension of the label",
    RE_EVALUATION: "A new evaluation is required",
    SURVEILLANCE_REVIEW: "A surveillance review of the label",
}


def refusal(case: ComplaintCase, effect: str) -> str:
    """Why ``effect`` cannot apply to ``case`` now, or "" when it can."""
    label = case.label
    if effect not in EFFECT_TEXT:
        return "Choose effects from the list."
    if effect == RE_EVALUATION:
        return "" if case.evaluation is not None else "This case concerns no evaluation."
    if label is None:
        return "This case concerns no label."
    if effect == REINSTATEMENT and not appeal_effects.can_reinstate(label):
        return f"Label {label.number} is {label.status.value}: it cannot be reinstated."
    if effect == SUSPENSION and label.status is not LabelStatus.VALID:
        return f"Label {label.number} is {label.status.value}: only a valid label is suspended."
    if effect == SURVEILLANCE_REVIEW and label.status not in LIVE_STATUSES:
        return f"Label {label.number} is {label.status.value}: only a live label is surveilled."
    return ""


def available(case: ComplaintCase) -> list[tuple[str, str]]:
    """The effects the case's handler may choose now, as (value, text)."""
    return [(name, text) for name, text in EFFECT_TEXT.items() if not refusal(case, name)]


def apply(actor: User, case: ComplaintCase, effect: str, reasons: str) -> str:
    """Apply one effect; returns what the case's history says of it."""
    label = case.label
    if effect == REINSTATEMENT and label is not None:
        appeal_effects.reinstate_on_appeal(actor, label, case.reference, reasons)
        return f"Label {label.number} reinstated on {case.reference}."
    if effect == SUSPENSION and label is not None:
        status_changes.suspend_label(actor, label, f"Suspended on {case.reference}: {reasons}")
        return f"Label {label.number} suspended on {case.reference}."
    if effect == RE_EVALUATION and case.evaluation is not None:
        evaluation = case.evaluation
        subject = f"{case.reference}: a new evaluation is required"
        body = (
            f"Following {case.reference}, a new evaluation of {evaluation.solution.name} "
            f"against {evaluation.norm_version.norm.code} is required. Apply again from your "
            "evaluations page."
        )
        for member in evaluation.vendor.users:
            if member.is_active:
                send_mail(member.email, subject, f"Hello {member.full_name},\n\n{body}")
        return f"A new evaluation of {evaluation.solution.name} is required; the vendor was told."
    if effect == SURVEILLANCE_REVIEW and label is not None:
        activity = open_complaint_review(actor, label, reasons, case.reference)
        return (
            f"A surveillance review of label {label.number} is open on {case.reference}, "
            f"due {activity.due_on.isoformat()}."
        )
    raise ValueError(f"effect {effect!r} does not apply")
