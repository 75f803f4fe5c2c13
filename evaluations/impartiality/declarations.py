"""Declarations of interests (ISO/IEC 17065 4.2, 5.2): each authority user and evaluator names
the vendors they have an interest in, ends a declaration when the interest ends, and confirms at
least every IMPARTIALITY_DECLARATION_MONTHS that their declarations are complete and current.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Select, func, select

from evaluations.impartiality.models import DeclarationConfirmation, InterestDeclaration
from evaluations.labels.dates import add_months
from registry import audit
from registry.access import require_role
from registry.database import db, utcnow
from registry.dates import today
from registry.exceptions import NotVisible, RuleViolation
from registry.models import Organisation, OrganisationKind, OrganisationStatus, Role, User

STAFF_ROLES = (Role.AUTHORITY, Role.EVALUATOR)
MAX_NATURE = 2000


def confirmation_months() -> int:
    """How many months a confirmation of one's declarations stays current."""
    return int(current_app.config.get("IMPARTIALITY_DECLARATION_MONTHS", 12))


def open_declarations(user: User) -> list[InterestDeclaration]:
    """The person's declarations not ended, the newest first."""
    return list(
        db.session.scalars(
            select(InterestDeclaration)
            .where(InterestDeclaration.user_id == user.id, InterestDeclaration.ended_at.is_(None))
            .order_by(InterestDeclaration.declared_at.desc(), InterestDeclaration.id.desc())
        )
    )


def ended_declarations(user: User) -> list[InterestDeclaration]:
    """The person's ended declarations, the latest ended first."""
    return list(
        db.session.scalars(
            select(InterestDeclaration)
            .where(InterestDeclaration.user_id == user.id, InterestDeclaration.ended_at.isnot(None))
            .order_by(InterestDeclaration.ended_at.desc(), InterestDeclaration.id.desc())
        )
    )


def last_confirmation(user: User) -> DeclarationConfirmation | None:
    """The person's newest confirmation, if any."""
    return db.session.scalar(
        select(DeclarationConfirmation)
        .where(DeclarationConfirmation.user_id == user.id)
        .order_by(DeclarationConfirmation.confirmed_at.desc(), DeclarationConfirmation.id.desc())
        .limit(1)
    )


def due_on(confirmation: DeclarationConfirmation | None) -> dt.date | None:
    """The last day the confirmation stays current; None when there was none (due now)."""
    if confirmation is None:
        return None
    return add_months(confirmation.confirmed_at.date(), confirmation_months())


def is_current(user: User, on: dt.date | None = None) -> bool:
    """Whether the person confirmed their declarations within the period, as of ``on``."""
    last_day = due_on(last_confirmation(user))
    return last_day is not None and (on or today()) <= last_day


def has_open_interest(user: User, vendor_id: int) -> bool:
    """Whether the person declared an interest in the vendor that is not ended."""
    return (
        db.session.scalar(
            select(InterestDeclaration.id)
            .where(
                InterestDeclaration.user_id == user.id,
                InterestDeclaration.vendor_id == vendor_id,
                InterestDeclaration.ended_at.is_(None),
            )
            .limit(1)
        )
        is not None
    )


def vendor_choices() -> list[Organisation]:
    """The vendors one may declare an interest in (every vendor that is not a refused one)."""
    return list(
        db.session.scalars(
            select(Organisation)
            .where(
                Organisation.kind == OrganisationKind.VENDOR,
                Organisation.status != OrganisationStatus.REJECTED,
            )
            .order_by(Organisation.name)
        )
    )


def declare_interest(actor: User, vendor_id: int, nature: str) -> InterestDeclaration:
    """The actor declares an interest in a vendor (employment, shares, family, consultancy...)."""
    require_role(actor, *STAFF_ROLES)
    vendor = db.session.get(Organisation, vendor_id)
    if vendor is None or vendor.kind is not OrganisationKind.VENDOR:
        raise RuleViolation("Choose a vendor from the list.", "vendor")
    nature = (nature or "").strip()
    if not nature:
        raise RuleViolation("Say what the interest is.", "nature")
    if len(nature) > MAX_NATURE:
        raise RuleViolation(f"Keep the description to {MAX_NATURE} characters.", "nature")
    if has_open_interest(actor, vendor.id):
        raise RuleViolation(
            f"You already have an open declaration about {vendor.name}; end it first to "
            "describe the interest anew.",
            "vendor",
        )
    declaration = InterestDeclaration(user_id=actor.id, vendor_id=vendor.id, nature=nature)
    db.session.add(declaration)
    audit.record(
        actor,
        "interest.declared",
        declaration,
        summary=f"{actor.full_name} declared an interest in {vendor.name}",
        data={"vendor_id": vendor.id, "nature": nature[:500]},
    )
    return declaration


def own_declaration(actor: User, declaration_id: int) -> InterestDeclaration:
    """One of the actor's own declarations; anyone else's is NotVisible (404)."""
    require_role(actor, *STAFF_ROLES)
    declaration = db.session.get(InterestDeclaration, declaration_id)
    if declaration is None or declaration.user_id != actor.id:
        raise NotVisible()
    return declaration


def end_declaration(actor: User, declaration: InterestDeclaration, note: str) -> None:
    """The actor ends one of their declarations: the interest is over (say how)."""
    require_role(actor, *STAFF_ROLES)
    if declaration.user_id != actor.id:
        raise NotVisible()
    if declaration.ended_at is not None:
        raise RuleViolation("This declaration is already ended.")
    note = (note or "").strip()
    if not note:
        raise RuleViolation("Say how the interest ended.", "note")
    if len(note) > MAX_NATURE:
        raise RuleViolation(f"Keep the note to {MAX_NATURE} characters.", "note")
    declaration.ended_at = utcnow()
    declaration.end_note = note
    audit.record(
        actor,
        "interest.ended",
        declaration,
        summary=f"{actor.full_name} ended their declared interest in {declaration.vendor.name}",
        data={"vendor_id": declaration.vendor_id, "note": note[:500]},
    )


def confirm_declarations(actor: User) -> DeclarationConfirmation:
    """The actor states that their declarations are complete and current."""
    require_role(actor, *STAFF_ROLES)
    count = len(open_declarations(actor))
    confirmation = DeclarationConfirmation(user_id=actor.id, open_declarations=count)
    db.session.add(confirmation)
    db.session.flush()
    audit.record(
        actor,
        "interest.confirmed",
        confirmation,
        summary=f"{actor.full_name} confirmed their declarations of interests ({count} open)",
        data={"open_declarations": count},
    )
    return confirmation


# --- the authority's overview -------------------------------------------------------------


@dataclass(frozen=True)
class StaffStanding:
    """One staff member's declarations as the authority's overview shows them."""

    user: User
    last_confirmed: dt.datetime | None
    due: dt.date | None
    overdue: bool
    open_vendors: list[str]


def staff_statement() -> Select[User]:
    """The active authority users and evaluators, by organisation then name."""
    return (
        select(User)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(
            Organisation.kind.in_([OrganisationKind.AUTHORITY, OrganisationKind.EVALUATION_BODY]),
            Organisation.status == OrganisationStatus.ACTIVE,
            User.is_active.is_(True),
        )
        .order_by(Organisation.kind, Organisation.name, User.full_name, User.id)
    )


def standing_of(users: list[User], on: dt.date | None = None) -> list[StaffStanding]:
    """Each person's last confirmation, its due day, whether overdue, and open declarations."""
    day = on or today()
    ids = [user.id for user in users]
    latest = dict(
        db.session.execute(
            select(DeclarationConfirmation.user_id, func.max(DeclarationConfirmation.confirmed_at))
            .where(DeclarationConfirmation.user_id.in_(ids))
            .group_by(DeclarationConfirmation.user_id)
        ).all()
    )
    vendors: dict[int, list[str]] = {}
    for user_id, name in db.session.execute(
        select(InterestDeclaration.user_id, Organisation.name)
        .join(Organisation, InterestDeclaration.vendor_id == Organisation.id)
        .where(InterestDeclaration.user_id.in_(ids), InterestDeclaration.ended_at.is_(None))
        .order_by(Organisation.name)
    ):
        vendors.setdefault(user_id, []).append(name)
    months = confirmation_months()
    rows = []
    for user in users:
        confirmed = latest.get(user.id)
        due = add_months(confirmed.date(), months) if confirmed is not None else None
        rows.append(
            StaffStanding(
                user=user,
                last_confirmed=confirmed,
                due=due,
                overdue=due is None or due < day,
                open_vendors=vendors.get(user.id, []),
            )
        )
    return rows
