"""Publish a version of the certification agreement; a vendor's signatory accepts it.

The version in force is the highest-numbered one whose effective date has come. A version
published with a later effective date can be accepted ahead of time; once accepted, it also
counts for the version in force (a later version supersedes the earlier one).

Without any published version, no vendor can apply: an application is always made under terms
the vendor accepted.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, func, select

from evaluations.agreement.models import AgreementAcceptance, AgreementVersion
from registry import audit
from registry.access import require_role
from registry.database import db
from registry.dates import today
from registry.exceptions import AccessDenied, RuleViolation
from registry.mail import send_mail
from registry.models import Organisation, OrganisationKind, OrganisationStatus, Role, User
from registry.public_address import public_url

TEXT_MIN = 20
TEXT_MAX = 50_000
AGREEMENT_PATH = "/agreement"


def current_version(on: dt.date | None = None) -> AgreementVersion | None:
    """The version in force on a day (today by default), or None if none is yet."""
    day = on or today()
    return db.session.scalar(
        select(AgreementVersion)
        .where(AgreementVersion.effective_on <= day)
        .order_by(AgreementVersion.number.desc())
        .limit(1)
    )


def latest_version() -> AgreementVersion | None:
    """The newest published version, in force or not yet."""
    return db.session.scalar(
        select(AgreementVersion).order_by(AgreementVersion.number.desc()).limit(1)
    )


def version_by_number(number: int) -> AgreementVersion | None:
    """A published version by its number."""
    return db.session.scalar(select(AgreementVersion).where(AgreementVersion.number == number))


def all_versions() -> list[AgreementVersion]:
    """Every published version, newest first."""
    return list(
        db.session.scalars(select(AgreementVersion).order_by(AgreementVersion.number.desc()))
    )


def acceptance_of(organisation_id: int, version: AgreementVersion) -> AgreementAcceptance | None:
    """The organisation's acceptance of exactly this version, if any."""
    return db.session.scalar(
        select(AgreementAcceptance).where(
            AgreementAcceptance.organisation_id == organisation_id,
            AgreementAcceptance.version_id == version.id,
        )
    )


def accepted_number(organisation_id: int) -> int | None:
    """The highest version number the organisation accepted, or None."""
    number: int | None = db.session.scalar(
        select(func.max(AgreementVersion.number))
        .join(AgreementAcceptance, AgreementAcceptance.version_id == AgreementVersion.id)
        .where(AgreementAcceptance.organisation_id == organisation_id)
    )
    return number


def refusal(organisation_id: int) -> str:
    """Why the organisation may not apply under the agreement today; empty when it may."""
    version = current_version()
    if version is None:
        return (
            "No certification agreement is published yet: applications open once the "
            "authority publishes its terms."
        )
    accepted = accepted_number(organisation_id)
    if accepted is None or accepted < version.number:
        return (
            f"Your organisation has not accepted the certification agreement in force "
            f"(version {version.number}). An administrator of your organisation accepts it on "
            f"the certification agreement page ({AGREEMENT_PATH}) before any application."
        )
    return ""


def require_accepted(organisation_id: int) -> None:
    """Refuse an application unless the organisation accepted the version in force."""
    reason = refusal(organisation_id)
    if reason:
        raise RuleViolation(reason)


def _checked(value: str | None, field: str, label: str) -> str:
    text = (value or "").strip()
    if len(text) < TEXT_MIN:
        raise RuleViolation(f"{label} must be at least {TEXT_MIN} characters.", field)
    if len(text) > TEXT_MAX:
        raise RuleViolation(f"{label} must be at most {TEXT_MAX} characters.", field)
    return text


def vendor_admins() -> list[User]:
    """The active administrators of active vendor organisations: the signatories."""
    return list(
        db.session.scalars(
            select(User)
            .join(Organisation, User.organisation_id == Organisation.id)
            .where(
                Organisation.kind == OrganisationKind.VENDOR,
                Organisation.status == OrganisationStatus.ACTIVE,
                User.is_active.is_(True),
                User.is_org_admin.is_(True),
            )
            .order_by(User.id)
        )
    )


def publish_version(
    actor: User | None, terms: str, mark_rules: str, effective_on: dt.date | None
) -> AgreementVersion:
    """Publish the next version; vendor administrators are told to accept it."""
    user = require_role(actor, Role.AUTHORITY)
    terms = _checked(terms, "terms", "The terms")
    mark_rules = _checked(mark_rules, "mark_rules", "The rules for the mark")
    day = effective_on or today()
    if day < today():
        raise RuleViolation("The effective date cannot be in the past.", "effective_on")
    latest = latest_version()
    if latest is not None and day < latest.effective_on:
        raise RuleViolation(
            f"The effective date cannot be before that of version {latest.number} "
            f"({latest.effective_on.isoformat()}).",
            "effective_on",
        )
    version = AgreementVersion(
        number=(latest.number + 1) if latest is not None else 1,
        terms=terms,
        mark_rules=mark_rules,
        effective_on=day,
        published_by_id=user.id,
    )
    db.session.add(version)
    db.session.flush()
    audit.record(
        user,
        "agreement.publish",
        version,
        summary=f"Certification agreement version {version.number} published, "
        f"in force from {day.isoformat()}",
        data={"number": version.number, "effective_on": day.isoformat()},
    )
    link = public_url(AGREEMENT_PATH)
    for admin in vendor_admins():
        send_mail(
            admin.email,
            f"Certification agreement version {version.number}: please accept it",
            f"Hello {admin.full_name},\n\nThe authority published version {version.number} of "
            f"the certification agreement, in force from {day.isoformat()}. Your organisation "
            f"must accept it before its next application for evaluation. Read and accept it "
            f"here:\n\n{link}\n",
        )
    return version


def accept_version(actor: User | None, version_id: int, address: str) -> AgreementAcceptance:
    """An administrator of a vendor organisation accepts the newest version for it."""
    user = require_role(actor, Role.VENDOR)
    if not user.is_org_admin:
        raise AccessDenied("Only an administrator of your organisation can sign the agreement.")
    latest = latest_version()
    if latest is None or latest.id != version_id:
        raise RuleViolation(
            "This is not the newest version of the agreement: reload the page and read it."
        )
    if acceptance_of(user.organisation_id, latest) is not None:
        raise RuleViolation(f"Your organisation already accepted version {latest.number}.")
    acceptance = AgreementAcceptance(
        organisation_id=user.organisation_id,
        version_id=latest.id,
        user_id=user.id,
        address=(address or "unknown")[:64],
    )
    db.session.add(acceptance)
    db.session.flush()
    audit.record(
        user,
        "agreement.accept",
        acceptance,
        summary=f"{user.organisation.name} accepted certification agreement version "
        f"{latest.number} ({user.email}, from {acceptance.address})",
        data={"number": latest.number, "address": acceptance.address},
        organisation_id=user.organisation_id,
    )
    for member in user.organisation.users:
        if member.is_active and member.is_org_admin:
            send_mail(
                member.email,
                f"Certification agreement version {latest.number} accepted",
                f"Hello {member.full_name},\n\n{user.full_name} ({user.email}) accepted version "
                f"{latest.number} of the certification agreement for "
                f"{user.organisation.name} on {acceptance.accepted_at:%Y-%m-%d %H:%M} UTC.\n\n"
                f"{public_url(AGREEMENT_PATH)}\n",
            )
    return acceptance


def organisation_acceptances(organisation_id: int) -> list[AgreementAcceptance]:
    """The organisation's acceptances, newest version first."""
    return list(
        db.session.scalars(
            select(AgreementAcceptance)
            .join(AgreementVersion)
            .where(AgreementAcceptance.organisation_id == organisation_id)
            .order_by(AgreementVersion.number.desc())
        )
    )


def acceptances_query() -> Select[AgreementAcceptance]:
    """Every acceptance, newest first (the authority's paginated list)."""
    return select(AgreementAcceptance).order_by(AgreementAcceptance.id.desc())
