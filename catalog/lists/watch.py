"""Telling the people who follow a solution, a vendor or a norm that something happened to it.

Each watcher gets one in-app notification (see "My watchlist") and one e-mail per event, even
when they follow several of the subjects concerned. Everything is written in the caller's
transaction: mail leaves only if it commits (registry.mail).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, current_app, has_request_context, url_for
from sqlalchemy import or_, select

from catalog.lists.models import NOTICE_TEXT_MAX, Notification, Watch, WatchSubject
from registry import events
from registry.database import db
from registry.mail import send_mail
from registry.models import User
from registry.public_address import public_url

# How a label action reads in a notice.
LABEL_ACTIONS = {
    "issued": "was issued",
    "suspended": "was suspended",
    "reinstated": "was reinstated",
    "revoked": "was revoked",
    "expired": "has expired",
    "amended": "was amended (what it certifies changed)",
    "recertification_due": "is due for re-certification",
    "remediation": "has a disclosed vulnerability under remediation",
    "remediated": "no longer has a vulnerability under remediation",
    "reduced": "was reduced (a lower level or a narrower scope)",
    "withdrawn": "was withdrawn (its suspension ended unresolved)",
    "terminated": "was ended by its vendor",
    "surveillance": "had a surveillance activity recorded",
}


def site_path(endpoint: str, **values: Any) -> str:
    """A path on this site, also outside a request (CLI commands such as expiring labels)."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context():
        return url_for(endpoint, **values)


def _absolute(link: str) -> str:
    return public_url(link)


def notify_watchers(
    subjects: Iterable[tuple[WatchSubject, int]], event_text: str, link: str = ""
) -> list[User]:
    """Notify (in-app and by mail) every active user who follows one of `subjects`, once each.

    The notice is filed under the first subject in `subjects` that the user follows.
    """
    wanted = [(WatchSubject(kind), subject_id) for kind, subject_id in subjects]
    if not wanted:
        return []
    watches = db.session.scalars(
        select(Watch)
        .where(
            or_(
                *(
                    (Watch.subject_kind == kind) & (Watch.subject_id == subject_id)
                    for kind, subject_id in wanted
                )
            )
        )
        .order_by(Watch.user_id, Watch.id)
    ).all()
    rank = {subject: position for position, subject in enumerate(wanted)}
    first_subject: dict[int, tuple[WatchSubject, int]] = {}
    for watch in watches:
        subject = (watch.subject_kind, watch.subject_id)
        current = first_subject.get(watch.user_id)
        if current is None or rank[subject] < rank[current]:
            first_subject[watch.user_id] = subject
    text = event_text[:NOTICE_TEXT_MAX]
    notified: list[User] = []
    for user_id, (kind, subject_id) in sorted(first_subject.items()):
        user = db.session.get(User, user_id)
        if user is None or not user.is_active or not user.organisation.is_active:
            continue
        db.session.add(
            Notification(
                user_id=user.id,
                subject_kind=kind,
                subject_id=subject_id,
                text=text,
                link=link[:200],
            )
        )
        body = f"Hello {user.full_name},\n\n{text}\n"
        if link:
            body += f"\nMore: {_absolute(link)}\n"
        body += (
            "\nYou receive this because you follow it on the SafeTech Registry. "
            "Stop following it from your watchlist.\n"
        )
        send_mail(user.email, f"SafeTech Registry: {text}"[:150], body)
        notified.append(user)
    return notified


def notify_label_event(
    *,
    number: str,
    action: str,
    solution_id: int,
    solution_name: str,
    vendor_id: int,
    norm_id: int,
    norm_label: str,
    level: str,
    reason: str = "",
    link: str = "",
) -> list[User]:
    """Tell the followers of the solution, its vendor or the norm that a label changed status."""
    happened = LABEL_ACTIONS.get(action, f"changed ({action})")
    text = f"Label {number} ({norm_label}, {level}) of {solution_name} {happened}."
    if reason and action != "issued":
        text += f" Reason: {reason}"
    return notify_watchers(
        [
            (WatchSubject.SOLUTION, solution_id),
            (WatchSubject.VENDOR, vendor_id),
            (WatchSubject.NORM, norm_id),
        ],
        text,
        link,
    )


def _on_norm_version_published(norm: Any, version: Any, previous: Any = None, **_: Any) -> None:
    text = f"Norm {norm.code} ({norm.title}): version {version.number} is published"
    if previous is not None:
        text += (
            f"; it supersedes version {previous.number}, whose labels need re-certification"
            f" after {previous.transition_date}"
        )
    link = site_path("norms.version", code=norm.code, number=version.number)
    notify_watchers([(WatchSubject.NORM, norm.id)], text + ".", link)


def init_app(app: Flask) -> None:
    """Listen to the registry's events that followers care about."""
    events.subscribe(app, "norm.version_published", _on_norm_version_published)
