"""The impartiality risk register and the committee's records (ISO/IEC 17065 4.2, 5.2).

The authority lists the threats to its impartiality with their likelihood and impact (each 1 to
5, the rating is their product), their treatment, an owner and a review date; a review past its
date is flagged. The impartiality committee's meetings are recorded with their attendees,
minutes and decisions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, select

from evaluations.impartiality.models import CommitteeMeeting, ImpartialityRisk, RiskStatus
from registry import audit
from registry.access import require_role
from registry.database import db, utcnow
from registry.dates import today
from registry.exceptions import RuleViolation
from registry.mail import send_mail
from registry.models import Organisation, OrganisationKind, Role, User
from registry.public_address import public_url

RISK_SOURCES = {
    "self_interest": "Self-interest",
    "self_review": "Self-review",
    "familiarity": "Familiarity",
    "intimidation": "Intimidation",
    "financial": "Financial",
    "commercial_pressure": "Commercial pressure",
    "other": "Other",
}
SCALE = range(1, 6)
MAX_TEXT = 10000
MAX_TITLE = 200


@dataclass(frozen=True)
class RiskData:
    """What the authority records of a risk."""

    title: str
    source: str
    description: str
    likelihood: int | None
    impact: int | None
    treatment: str
    owner_id: int | None
    review_due_on: dt.date | None


@dataclass(frozen=True)
class MeetingData:
    """What the authority records of a committee meeting."""

    held_on: dt.date | None
    attendees: str
    minutes: str
    decisions: str


def rating(risk: ImpartialityRisk) -> int:
    """The risk's rating: likelihood times impact (1 to 25)."""
    return risk.likelihood * risk.impact


def review_overdue(risk: ImpartialityRisk, on: dt.date | None = None) -> bool:
    """Whether an open risk's review date has passed."""
    return (
        risk.status is RiskStatus.OPEN
        and risk.review_due_on is not None
        and risk.review_due_on < (on or today())
    )


def risks_statement(status: RiskStatus | None = None) -> Select[ImpartialityRisk]:
    """The register, open risks first, the earliest review first."""
    statement = select(ImpartialityRisk)
    if status is not None:
        statement = statement.where(ImpartialityRisk.status == status)
    return statement.order_by(
        ImpartialityRisk.status.desc(),
        ImpartialityRisk.review_due_on.is_(None),
        ImpartialityRisk.review_due_on,
        ImpartialityRisk.id,
    )


def meetings_statement() -> Select[CommitteeMeeting]:
    """The committee's meetings, the latest first."""
    return select(CommitteeMeeting).order_by(
        CommitteeMeeting.held_on.desc(), CommitteeMeeting.id.desc()
    )


def authority_users() -> list[User]:
    """The active authority users, who may own a risk."""
    return list(
        db.session.scalars(
            select(User)
            .join(Organisation, User.organisation_id == Organisation.id)
            .where(Organisation.kind == OrganisationKind.AUTHORITY, User.is_active.is_(True))
            .order_by(User.full_name)
        )
    )


def _text(value: str, field: str, what: str, limit: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise RuleViolation(f"Give {what}.", field)
    if len(text) > limit:
        raise RuleViolation(f"Keep {what} to {limit} characters.", field)
    return text


def _level(value: int | None, field: str, what: str) -> int:
    if value is None or value not in SCALE:
        raise RuleViolation(f"Rate the {what} from 1 (lowest) to 5 (highest).", field)
    return value


def _apply(risk: ImpartialityRisk, data: RiskData) -> User | None:
    risk.title = _text(data.title, "title", "a title", MAX_TITLE)
    if data.source not in RISK_SOURCES:
        raise RuleViolation("Choose the source of the threat from the list.", "source")
    risk.source = data.source
    risk.description = _text(data.description, "description", "a description", MAX_TEXT)
    risk.likelihood = _level(data.likelihood, "likelihood", "likelihood")
    risk.impact = _level(data.impact, "impact", "impact")
    risk.treatment = _text(data.treatment, "treatment", "the treatment", MAX_TEXT, False)
    owner = None
    if data.owner_id is not None:
        owner = db.session.get(User, data.owner_id)
        if owner is None or owner.role is not Role.AUTHORITY or not owner.is_active:
            raise RuleViolation("Choose the owner among the authority's users.", "owner")
    risk.owner_id = owner.id if owner else None
    risk.review_due_on = data.review_due_on
    risk.updated_at = utcnow()
    return owner


def _facts(risk: ImpartialityRisk) -> dict[str, object]:
    return {
        "title": risk.title,
        "source": risk.source,
        "likelihood": risk.likelihood,
        "impact": risk.impact,
        "rating": rating(risk),
        "owner_id": risk.owner_id,
        "review_due_on": risk.review_due_on.isoformat() if risk.review_due_on else None,
    }


def _tell_owner(actor: User, owner: User | None, risk: ImpartialityRisk) -> None:
    if owner is None or owner.id == actor.id:
        return
    send_mail(
        owner.email,
        f"Impartiality risk for you to treat: {risk.title}",
        f"Hello {owner.full_name},\n\n{actor.full_name} made you the owner of the impartiality "
        f"risk “{risk.title}” (rated {rating(risk)})."
        + (
            f" Its next review is due on {risk.review_due_on.isoformat()}."
            if risk.review_due_on
            else ""
        )
        + f"\n\n{public_url(f'/impartiality/risks/{risk.id}')}",
    )


def add_risk(actor: User, data: RiskData) -> ImpartialityRisk:
    """The authority adds a risk to the register."""
    require_role(actor, Role.AUTHORITY)
    risk = ImpartialityRisk(status=RiskStatus.OPEN)
    owner = _apply(risk, data)
    db.session.add(risk)
    audit.record(
        actor,
        "impartiality_risk.added",
        risk,
        summary=f"Impartiality risk “{risk.title}” rated {rating(risk)}",
        data=_facts(risk),
    )
    _tell_owner(actor, owner, risk)
    return risk


def update_risk(actor: User, risk: ImpartialityRisk, data: RiskData) -> None:
    """The authority revises a risk: its rating, treatment, owner or next review."""
    require_role(actor, Role.AUTHORITY)
    if risk.status is RiskStatus.CLOSED:
        raise RuleViolation("A closed risk cannot be changed; add a new one.")
    before_owner = risk.owner_id
    before = _facts(risk)
    owner = _apply(risk, data)
    audit.record(
        actor,
        "impartiality_risk.updated",
        risk,
        summary=f"Impartiality risk “{risk.title}” rated {rating(risk)}",
        data={"before": before, "after": _facts(risk)},
    )
    if risk.owner_id != before_owner:
        _tell_owner(actor, owner, risk)


def close_risk(actor: User, risk: ImpartialityRisk) -> None:
    """The authority closes a risk that no longer threatens its impartiality."""
    require_role(actor, Role.AUTHORITY)
    if risk.status is RiskStatus.CLOSED:
        raise RuleViolation("This risk is already closed.")
    risk.status = RiskStatus.CLOSED
    risk.updated_at = utcnow()
    audit.record(
        actor,
        "impartiality_risk.closed",
        risk,
        summary=f"Impartiality risk “{risk.title}” closed",
        data=_facts(risk),
    )


def record_meeting(actor: User, data: MeetingData) -> CommitteeMeeting:
    """The authority records a meeting of the impartiality committee."""
    require_role(actor, Role.AUTHORITY)
    if data.held_on is None:
        raise RuleViolation("Give the day of the meeting.", "held_on")
    if data.held_on > today():
        raise RuleViolation("Record a meeting once it is held.", "held_on")
    meeting = CommitteeMeeting(
        held_on=data.held_on,
        attendees=_text(data.attendees, "attendees", "the attendees", MAX_TEXT),
        minutes=_text(data.minutes, "minutes", "the minutes", MAX_TEXT),
        decisions=_text(data.decisions, "decisions", "the decisions", MAX_TEXT, False),
        recorded_by_id=actor.id,
    )
    db.session.add(meeting)
    audit.record(
        actor,
        "committee_meeting.recorded",
        meeting,
        summary=f"Impartiality committee meeting of {meeting.held_on.isoformat()} recorded",
        data={"held_on": meeting.held_on.isoformat()},
    )
    return meeting
