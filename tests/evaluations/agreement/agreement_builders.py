"""Helpers for tests that apply for evaluation: the certification agreement, published and
accepted through the real services."""

from __future__ import annotations

from sqlalchemy import select

from evaluations.agreement.models import AgreementVersion
from evaluations.agreement.services import (
    accept_version,
    accepted_number,
    current_version,
    latest_version,
    publish_version,
)
from registry.database import db
from registry.models import Organisation, OrganisationKind, User

TERMS = "## Terms\n\nThe vendor keeps to the scheme's rules and tells the authority of changes."
MARK_RULES = "- Use the mark only while the label is valid.\n- Do not change the artwork."
ADDRESS = "192.0.2.10"


def _any_authority() -> User:
    found = db.session.scalar(
        select(User)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(Organisation.kind == OrganisationKind.AUTHORITY, User.is_active.is_(True))
        .order_by(User.id)
        .limit(1)
    )
    assert found is not None, "publishing the agreement needs an authority user"
    return found


def published(authority: User | None = None, terms: str = TERMS) -> AgreementVersion:
    """A version in force: the one there is, or a new one published today."""
    return current_version() or publish_version(
        authority or _any_authority(), terms, MARK_RULES, None
    )


def accepted(vendor: User, authority: User | None = None) -> AgreementVersion:
    """The vendor's organisation has accepted the newest version (published if there is none).

    Idempotent: an organisation that already accepted it is left as it is. Commits.
    """
    published(authority)
    latest = latest_version()
    assert latest is not None
    if (accepted_number(vendor.organisation_id) or 0) < latest.number:
        signatory = vendor if vendor.is_org_admin else _admin_of(vendor)
        accept_version(signatory, latest.id, ADDRESS)
    db.session.commit()
    return latest


def _admin_of(vendor: User) -> User:
    admin = next((u for u in vendor.organisation.users if u.is_org_admin and u.is_active), None)
    assert admin is not None, "accepting the agreement needs an administrator of the vendor"
    return admin
