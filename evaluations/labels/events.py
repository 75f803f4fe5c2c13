"""A label's history: what every change of a label records.

Each change writes a LabelEvent and an audit entry, logs the change for the search index and
tells the vendor.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, has_app_context

from catalog.models import Solution
from catalog.search.index import enqueue_solution_change
from evaluations.agreement.mark import stop_using_notice
from evaluations.labels.facts import verification_url
from evaluations.models import Label, LabelEvent
from registry import audit
from registry.database import db
from registry.mail import send_mail
from registry.models import Organisation, User

ACTION_TEXT = {
    "issued": "Issued",
    "suspended": "Suspended",
    "reinstated": "Reinstated",
    "revoked": "Revoked",
    "expired": "Expired",
    "amended": "Amended",
    "remediation": "Vulnerability under remediation",
    "remediated": "Remediation complete",
    "surveillance": "Surveillance",
    "reduced": "Reduced",
    "withdrawn": "Withdrawn (suspension ended unresolved)",
    "terminated": "Certification ended by the vendor",
}

AUDIT_ACTIONS = {
    "issued": "label.issue",
    "suspended": "label.suspend",
    "reinstated": "label.reinstate",
    "revoked": "label.revoke",
    "expired": "label.expire",
    "amended": "label.amend",
    "remediation": "label.remediation",
    "remediated": "label.remediated",
    "surveillance": "label.surveillance",
    "reduced": "label.reduce",
    "withdrawn": "label.withdraw",
    "terminated": "label.terminate",
}
# Callbacks (label, action, reason) a higher layer registers to tell more people of a change.
LABEL_LISTENERS = "evaluations.label_listeners"


def add_label_listener(app: Flask, listener: Callable[[Label, str, str], object]) -> None:
    """Call `listener(label, action, reason)` after every label event."""
    app.extensions.setdefault(LABEL_LISTENERS, []).append(listener)


# Changes after which the vendor's mail tells it to stop using the mark.
STOP_USING_MARK_ACTIONS = frozenset({"suspended", "revoked", "expired", "withdrawn", "terminated"})


def record_event(
    actor: User | None, label: Label, action: str, from_status: str | None, reason: str
) -> LabelEvent:
    """Write a label's event and audit entries, log the index change, tell the vendor."""
    # A public entry: the decision log publishes every field it hashes, so it holds public
    # facts only (the actor by role; the reason is the public one). Who acted is recorded
    # next to it in an ordinary entry, which stays internal.
    entry = audit.record(
        actor,
        AUDIT_ACTIONS[action],
        label,
        summary=f"Label {label.number} {action}: {reason}"[:2000],
        data={
            "label": label.number,
            "action": action,
            "from_status": from_status,
            "to_status": label.status.value,
            "reason": reason,
            "solution_id": label.solution_id,
        },
        organisation_id=label.vendor_id,
        public=True,
    )
    if actor is not None:
        audit.record(
            actor,
            f"{AUDIT_ACTIONS[action]}.officer",
            label,
            summary=f"Label {label.number} {action} by {actor.email} (public entry #{entry.seq})",
            data={"public_entry": entry.seq},
            organisation_id=label.vendor_id,
        )
    event = LabelEvent(
        label_id=label.id,
        action=action,
        from_status=from_status,
        to_status=label.status.value,
        reason=reason,
        at=entry.at,
        actor_id=actor.id if actor is not None else None,
        audit_hash=entry.hash,
        audit_seq=entry.seq,
    )
    db.session.add(event)
    db.session.flush()
    # The search index shows label facts: log the change in this same transaction.
    enqueue_solution_change(label.solution_id, f"label.{action}")
    _notify_vendor(label, action, reason)
    for listener in current_app.extensions.get(LABEL_LISTENERS, []) if has_app_context() else []:
        listener(label, action, reason)
    return event


def _stop_using_mark(label: Label, action: str) -> str:
    """The notice to stop using the mark when the label stops being valid (or nothing)."""
    notice = stop_using_notice(label) if action in STOP_USING_MARK_ACTIONS else ""
    return f"\n{notice}\n" if notice else ""


def _notify_vendor(label: Label, action: str, reason: str) -> None:
    vendor = db.session.get(Organisation, label.vendor_id)
    if vendor is None:
        return
    solution = db.session.get(Solution, label.solution_id)
    url = verification_url(label.number)
    subject = f"Label {label.number}: {ACTION_TEXT.get(action, action).lower()}"
    body = (
        f"The label {label.number} ({label.level}) of {solution.name if solution else 'your'} "
        f"solution is now {label.status.value.upper()}.\n\nReason: {reason}\n\n"
        f"Verification page: {url}\n"
    )
    body += _stop_using_mark(label, action)
    for member in vendor.users:
        if member.is_active:
            send_mail(member.email, subject, f"Hello {member.full_name},\n\n{body}")
