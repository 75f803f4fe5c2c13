"""Shortlists (private to a buyer organisation) and watchlists (private to a user)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update

from catalog import services
from catalog.lists.models import (
    NOTE_MAX,
    SHORTLIST_NAME_MAX,
    Notification,
    Shortlist,
    ShortlistItem,
    Watch,
    WatchSubject,
)
from catalog.models import Solution, SolutionStatus
from catalog.plain_text import multi_line, one_line
from registry import audit
from registry.access import require_role, require_same_organisation
from registry.database import db, utcnow
from registry.exceptions import NotVisible, RuleViolation
from registry.models import Organisation, Role, User

MAX_SHORTLISTS = 50
MAX_ITEMS = 100
MAX_WATCHES = 500

# --- shortlists ----------------------------------------------------------------------------


def shortlists_of(actor: User | None) -> list[Shortlist]:
    """The actor's organisation's shortlists, newest change first (buyers only)."""
    actor = require_role(actor, Role.BUYER)
    return list(
        db.session.scalars(
            select(Shortlist)
            .where(Shortlist.organisation_id == actor.organisation_id)
            .order_by(Shortlist.updated_at.desc(), Shortlist.id.desc())
        )
    )


def get_shortlist(actor: User | None, shortlist_id: int) -> Shortlist:
    """A shortlist of the actor's organisation; any other answers 404."""
    actor = require_role(actor, Role.BUYER)
    shortlist = db.session.get(Shortlist, shortlist_id) if 0 < shortlist_id < 2**31 else None
    if shortlist is None:
        raise NotVisible()
    require_same_organisation(actor, shortlist.organisation_id)
    return shortlist


def _clean_name(actor: User, name: str, exclude: Shortlist | None = None) -> str:
    cleaned = one_line(name)
    if not cleaned:
        raise RuleViolation("Give the shortlist a name.", "name")
    if len(cleaned) > SHORTLIST_NAME_MAX:
        raise RuleViolation(f"Use at most {SHORTLIST_NAME_MAX} characters.", "name")
    clash = db.session.scalar(
        select(Shortlist.id).where(
            Shortlist.organisation_id == actor.organisation_id,
            Shortlist.name == cleaned,
            Shortlist.id != (exclude.id if exclude else -1),
        )
    )
    if clash is not None:
        raise RuleViolation("Your organisation already has a shortlist with this name.", "name")
    return cleaned


def create_shortlist(actor: User | None, name: str) -> Shortlist:
    """Start an empty shortlist for the actor's organisation."""
    actor = require_role(actor, Role.BUYER)
    cleaned = _clean_name(actor, name)
    if len(shortlists_of(actor)) >= MAX_SHORTLISTS:
        raise RuleViolation(f"An organisation keeps at most {MAX_SHORTLISTS} shortlists.", "name")
    shortlist = Shortlist(
        organisation_id=actor.organisation_id,
        name=cleaned,
        updated_at=utcnow(),
        created_by_id=actor.id,
    )
    db.session.add(shortlist)
    db.session.flush()
    audit.record(actor, "shortlist.created", shortlist, summary=f"Shortlist “{cleaned}” created")
    return shortlist


def rename_shortlist(actor: User | None, shortlist: Shortlist, name: str) -> Shortlist:
    """Rename one of the organisation's shortlists."""
    actor = require_role(actor, Role.BUYER)
    require_same_organisation(actor, shortlist.organisation_id)
    shortlist.name = _clean_name(actor, name, exclude=shortlist)
    shortlist.updated_at = utcnow()
    audit.record(actor, "shortlist.renamed", shortlist, summary=f"Renamed “{shortlist.name}”")
    db.session.flush()
    return shortlist


def delete_shortlist(actor: User | None, shortlist: Shortlist) -> None:
    """Delete a shortlist and its items."""
    actor = require_role(actor, Role.BUYER)
    require_same_organisation(actor, shortlist.organisation_id)
    audit.record(actor, "shortlist.deleted", shortlist, summary=f"Deleted “{shortlist.name}”")
    db.session.delete(shortlist)
    db.session.flush()


def add_to_shortlist(
    actor: User | None, shortlist: Shortlist, solution_id: int, note: str = ""
) -> ShortlistItem:
    """Add a published solution with a note; adding it again replaces the note."""
    actor = require_role(actor, Role.BUYER)
    require_same_organisation(actor, shortlist.organisation_id)
    solution = (
        db.session.scalar(services.public_solutions().where(Solution.id == solution_id))
        if 0 < solution_id < 2**31
        else None
    )
    if solution is None:
        raise RuleViolation("This solution is not in the catalog.", "solution_id")
    cleaned = multi_line(note)
    if len(cleaned) > NOTE_MAX:
        raise RuleViolation(f"Keep the note under {NOTE_MAX} characters.", "note")
    item = next((i for i in shortlist.items if i.solution_id == solution.id), None)
    if item is None:
        if len(shortlist.items) >= MAX_ITEMS:
            raise RuleViolation(f"A shortlist holds at most {MAX_ITEMS} solutions.")
        item = ShortlistItem(solution_id=solution.id, note=cleaned, added_by_id=actor.id)
        shortlist.items.append(item)
    else:
        item.note = cleaned
    shortlist.updated_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        "shortlist.item_added",
        shortlist,
        summary=f"“{solution.name}” on “{shortlist.name}”",
        data={"solution_id": solution.id},
    )
    return item


def remove_from_shortlist(actor: User | None, shortlist: Shortlist, solution_id: int) -> None:
    """Take a solution off a shortlist (nothing happens if it is not on it)."""
    actor = require_role(actor, Role.BUYER)
    require_same_organisation(actor, shortlist.organisation_id)
    item = next((i for i in shortlist.items if i.solution_id == solution_id), None)
    if item is None:
        return
    shortlist.items.remove(item)
    shortlist.updated_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        "shortlist.item_removed",
        shortlist,
        summary=f"Solution {solution_id} removed from “{shortlist.name}”",
        data={"solution_id": solution_id},
    )


def is_in_catalog(solution: Solution) -> bool:
    """Whether a shortlisted solution is still offered (published, vendor active)."""
    return solution.status is SolutionStatus.PUBLISHED and solution.vendor.is_active


# --- watchlists ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Followed:
    """A followed item as the watchlist shows it."""

    watch: Watch
    name: str
    endpoint: str
    values: dict[str, object]


def resolve_subject(actor: User | None, kind: str, target: str) -> tuple[WatchSubject, int]:
    """The public subject a follow form names: a solution or vendor id, or a norm code."""
    from registry.norms.services import find_norm

    if kind not in {k.value for k in WatchSubject}:
        raise NotVisible()
    subject = WatchSubject(kind)
    target = target.strip()[:40]
    if subject is WatchSubject.NORM:
        return subject, find_norm(actor, target).id
    if not (target.isascii() and target.isdigit()) or len(target) > 10:
        raise NotVisible()
    if subject is WatchSubject.SOLUTION:
        solution = services.get_listed_solution(int(target))
        if solution.status is not SolutionStatus.PUBLISHED:
            raise NotVisible()
        return subject, solution.id
    return subject, services.get_public_vendor(int(target)).id


def _watch_of(actor: User, kind: WatchSubject, subject_id: int) -> Watch | None:
    """The actor's watch of this subject, if any."""
    return db.session.scalar(
        select(Watch).where(
            Watch.user_id == actor.id,
            Watch.subject_kind == kind,
            Watch.subject_id == subject_id,
        )
    )


def follow(actor: User | None, kind: WatchSubject, subject_id: int) -> Watch:
    """Follow a subject (following it again changes nothing)."""
    actor = require_role(actor, Role.VENDOR, Role.BUYER, Role.EVALUATOR, Role.AUTHORITY)
    existing = _watch_of(actor, kind, subject_id)
    if existing is not None:
        return existing
    count = len(db.session.scalars(select(Watch.id).where(Watch.user_id == actor.id)).all())
    if count >= MAX_WATCHES:
        raise RuleViolation(f"You can follow at most {MAX_WATCHES} items.")
    watch = Watch(user_id=actor.id, subject_kind=kind, subject_id=subject_id)
    db.session.add(watch)
    db.session.flush()
    return watch


def unfollow(actor: User | None, kind: WatchSubject, subject_id: int) -> None:
    """Stop following a subject (nothing happens if the actor did not follow it)."""
    actor = require_role(actor, Role.VENDOR, Role.BUYER, Role.EVALUATOR, Role.AUTHORITY)
    watch = _watch_of(actor, kind, subject_id)
    if watch is not None:
        db.session.delete(watch)
        db.session.flush()


def is_following(actor: User | None, kind: str, subject_id: int) -> bool:
    """Whether the actor follows the subject (for templates: Follow or Unfollow)."""
    if actor is None:
        return False
    return _watch_of(actor, WatchSubject(kind), subject_id) is not None


def followed_items(actor: User | None) -> list[Followed]:
    """What the actor follows, with names and links, by kind then name."""
    from registry.norms.models import Norm

    actor = require_role(actor, Role.VENDOR, Role.BUYER, Role.EVALUATOR, Role.AUTHORITY)
    watches = db.session.scalars(
        select(Watch).where(Watch.user_id == actor.id).order_by(Watch.id)
    ).all()
    items: list[Followed] = []
    for watch in watches:
        if watch.subject_kind is WatchSubject.SOLUTION:
            solution = db.session.get(Solution, watch.subject_id)
            if solution is not None:
                items.append(
                    Followed(
                        watch,
                        solution.name,
                        "catalog.solution",
                        {"solution_id": solution.id},
                    )
                )
        elif watch.subject_kind is WatchSubject.VENDOR:
            vendor = db.session.get(Organisation, watch.subject_id)
            if vendor is not None:
                items.append(
                    Followed(watch, vendor.name, "catalog.vendor", {"organisation_id": vendor.id})
                )
        else:
            norm = db.session.get(Norm, watch.subject_id)
            if norm is not None:
                items.append(
                    Followed(watch, f"{norm.code}: {norm.title}", "norms.norm", {"code": norm.code})
                )
    order = list(WatchSubject)
    return sorted(items, key=lambda i: (order.index(i.watch.subject_kind), i.name.casefold()))


def recent_notifications(actor: User | None, limit: int = 30) -> list[Notification]:
    """The actor's latest notifications, newest first."""
    actor = require_role(actor, Role.VENDOR, Role.BUYER, Role.EVALUATOR, Role.AUTHORITY)
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == actor.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(user: User) -> int:
    """How many of the user's notifications are not marked as read (the header's count)."""
    count = db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )
    return int(count or 0)


def mark_notifications_read(actor: User | None) -> int:
    """Mark every unread notification of the actor as read; returns how many were unread."""
    actor = require_role(actor, Role.VENDOR, Role.BUYER, Role.EVALUATOR, Role.AUTHORITY)
    marked = unread_count(actor)
    if marked == 0:
        raise RuleViolation("You have no unread notification.")
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    audit.record(
        actor,
        "notifications.read",
        object_type="user",
        object_id=actor.id,
        summary=f"{marked} notification{'' if marked == 1 else 's'} marked as read",
    )
    db.session.flush()
    return marked
