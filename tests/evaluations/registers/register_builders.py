"""Objects of the registers a certification body keeps, made through their real services."""

from __future__ import annotations

import datetime as dt
import secrets

import pyotp
from sqlalchemy import select

from evaluations.bodies import services
from evaluations.bodies.models import Accreditation, EvaluatorApproval
from registry.database import db
from registry.dates import today
from registry.models import Organisation, TechnologyCategory, User
from registry.passwords import hash_password
from tests.support import PASSWORD

COMPETENCE = services.Competence(
    "MSc in information security.",
    "The norms' training course.",
    "Three years of evaluations of access control systems.",
)


def member_of(organisation: Organisation, name: str = "Evaluator", *, admin: bool = False) -> User:
    """A new member of an organisation, with a second factor set up."""
    user = User(
        organisation=organisation,
        email=f"member-{secrets.token_hex(4)}@example.org",
        full_name=name,
        password_hash=hash_password(PASSWORD),
        is_org_admin=admin,
        totp_secret=pyotp.random_base32(),
    )
    db.session.add(user)
    db.session.flush()
    return user


def first_category() -> TechnologyCategory:
    """The first technology category of the reference data."""
    category = db.session.scalar(
        select(TechnologyCategory).order_by(TechnologyCategory.position).limit(1)
    )
    assert category is not None
    return category


def accreditation(
    authority: User,
    body: Organisation,
    *,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    scope: list[tuple[int, int | None]] | None = None,
    certificate: str | None = None,
) -> Accreditation:
    """An accreditation the authority records, valid a year around today by default."""
    day = today()
    return services.record_accreditation(
        authority,
        body,
        services.AccreditationData(
            accreditation_body="COFRAC",
            standard="ISO/IEC 17025:2017",
            certificate_number=certificate or f"1-{secrets.token_hex(3)}",
            valid_from=valid_from or day - dt.timedelta(days=180),
            valid_until=valid_until or day + dt.timedelta(days=180),
            scope=scope if scope is not None else [(first_category().id, None)],
        ),
    )


def proposed(body_admin: User, member: User) -> EvaluatorApproval:
    """The body's administrator proposes the member for approval."""
    return services.propose_evaluator(body_admin, member, COMPETENCE)
