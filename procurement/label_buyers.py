"""Buyers are told when a label of a solution they hold a contract for, or shortlisted, loses
standing (suspended, reduced, revoked, withdrawn, ended by the vendor).

Followers of the solution, its vendor or its norm are told by the catalog's watchlist; this adds
every active member of a buyer organisation with a contract line under an award of an offer for
the solution, or with the solution on one of its shortlists, who does not follow it already: a
portal notice (their watchlist's notifications) and a mail. Registered at init as a listener of
the labels' events (evaluations.labels.events), which sit in a lower layer.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import or_, select

from catalog.lists.models import (
    NOTICE_TEXT_MAX,
    Notification,
    Shortlist,
    ShortlistItem,
    Watch,
    WatchSubject,
)
from catalog.lists.watch import site_path
from catalog.models import Solution
from evaluations.labels.events import ACTION_TEXT, add_label_listener
from evaluations.models import Label
from procurement.calls.models import Award, ContractLine, Offer
from registry.database import db
from registry.mail import send_mail
from registry.models import User
from registry.public_address import public_url

# The label events a buyer must hear of.
TOLD_ACTIONS = frozenset({"suspended", "reduced", "revoked", "withdrawn", "terminated"})


def buyer_organisations(solution_id: int) -> list[int]:
    """Organisations with a contract line for the solution or the solution on a shortlist."""
    contracted = select(ContractLine.buyer_id).join(Award, Award.id == ContractLine.award_id)
    contracted = contracted.join(Offer, Offer.id == Award.offer_id).where(
        Offer.solution_id == solution_id
    )
    shortlisted = (
        select(Shortlist.organisation_id)
        .join(ShortlistItem, ShortlistItem.shortlist_id == Shortlist.id)
        .where(ShortlistItem.solution_id == solution_id)
    )
    return sorted(set(db.session.scalars(contracted)) | set(db.session.scalars(shortlisted)))


def _followers(label: Label) -> set[int]:
    subjects = [
        (WatchSubject.SOLUTION, label.solution_id),
        (WatchSubject.VENDOR, label.vendor_id),
        (WatchSubject.NORM, label.norm_version.norm_id),
    ]
    return set(
        db.session.scalars(
            select(Watch.user_id).where(
                or_(*((Watch.subject_kind == k) & (Watch.subject_id == i) for k, i in subjects))
            )
        )
    )


def tell_buyers(label: Label, action: str, reason: str) -> list[User]:
    """Notify the buyers of the label's solution of a loss of standing; the users told."""
    if action not in TOLD_ACTIONS:
        return []
    organisations = buyer_organisations(label.solution_id)
    if not organisations:
        return []
    solution = db.session.get(Solution, label.solution_id)
    name = solution.name if solution else "a solution"
    text = (
        f"Label {label.number} ({label.level}) of {name}, which you hold a contract for or "
        f"shortlisted: {ACTION_TEXT.get(action, action).lower()}. Reason: {reason}"
    )[:NOTICE_TEXT_MAX]
    link = site_path("labels.label_page", number=label.number)
    already = _followers(label)
    told = []
    users = db.session.scalars(
        select(User).where(User.organisation_id.in_(organisations)).order_by(User.id)
    )
    for user in users:
        if user.id in already or not user.is_active or not user.organisation.is_active:
            continue
        db.session.add(
            Notification(
                user_id=user.id,
                subject_kind=WatchSubject.SOLUTION,
                subject_id=label.solution_id,
                text=text,
                link=link[:200],
            )
        )
        send_mail(
            user.email,
            f"SafeTech Registry: label {label.number} {ACTION_TEXT.get(action, action).lower()}"[
                :150
            ],
            f"Hello {user.full_name},\n\n{text}\n\nMore: {public_url(link)}\n\n"
            "You receive this because your organisation holds a contract for this solution or "
            "has it on a shortlist.\n",
        )
        told.append(user)
    db.session.flush()
    return told


def register(app: Flask) -> None:
    """Tell buyers of every label event that takes standing away."""
    add_label_listener(app, tell_buyers)
