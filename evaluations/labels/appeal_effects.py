"""What an upheld appeal or complaint does to a label: reinstatement names the case.

A suspended or revoked label becomes valid again (unless it has expired meanwhile); the
label's history records the reinstatement with the case reference in its reason, so the public
page shows which appeal reinstated it.
"""

from __future__ import annotations

from evaluations.labels import status_changes
from evaluations.models import Label, LabelStatus
from registry.access import require_role
from registry.dates import today
from registry.exceptions import RuleViolation
from registry.models import Role, User

REINSTATABLE = (LabelStatus.SUSPENDED, LabelStatus.REVOKED)


def can_reinstate(label: Label) -> bool:
    """Whether an upheld case can make this label valid again."""
    return label.status in REINSTATABLE and label.expires_on >= today()


def reinstate_on_appeal(actor: User | None, label: Label, reference: str, reasons: str) -> Label:
    """Make a suspended or revoked label valid again on an upheld case ``reference``."""
    actor = require_role(actor, Role.AUTHORITY)
    if label.expires_on < today():
        raise RuleViolation(f"Label {label.number} expired on {label.expires_on}; it stays so.")
    reason = f"Reinstated on appeal {reference}: {reasons.strip()}"
    return status_changes._change_status(
        actor,
        label,
        "reinstated",
        REINSTATABLE,
        LabelStatus.VALID,
        reason[: status_changes.MAX_REASON_LENGTH],
    )
