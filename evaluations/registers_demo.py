"""Demo entries of the registers a certification body keeps (idempotent, adds only what is missing).

- A trainee evaluator of the first demo evaluation body, proposed by the body's administrator
  and waiting for the authority's approval (never assigned while pending); the trainee has an
  open declaration of interests about a demo vendor.
- An expired accreditation of the second demo evaluation body, beside its valid one.
- Three impartiality risks, one of them past its review date, and two committee meetings.

The evaluations' demo (which runs first) gives the demo bodies their valid accreditations and
approves the evaluators it assigns; nothing here touches those rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from evaluations.bodies.models import Accreditation, EvaluatorApproval
from evaluations.bodies.services import (
    AccreditationData,
    Competence,
    propose_evaluator,
    record_accreditation,
)
from evaluations.impartiality.declarations import declare_interest, has_open_interest
from evaluations.impartiality.models import CommitteeMeeting, ImpartialityRisk
from evaluations.impartiality.register import MeetingData, RiskData, add_risk, record_meeting
from registry import services
from registry.database import db
from registry.dates import today
from registry.demo import (
    AUTHORITY_EMAIL,
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    DEPUTY_EMAIL,
    EVALUATION_BODIES,
    VENDORS,
    DemoAccount,
    demo_totp_secret,
)
from registry.models import Organisation, TechnologyCategory, User

TRAINEE_EMAIL = f"trainee.{EVALUATION_BODIES[0][1]}@{DEMO_DOMAIN}"
EXPIRED_CERTIFICATE = "DEMO-1-0999"
# The vendor the trainee declares an interest in: the last demo vendor.
DECLARED_VENDOR = VENDORS[-1][0]

RISKS = [
    (
        "Fees from a single large vendor",
        "financial",
        "One vendor's evaluation fees could become a large share of the authority's income.",
        2,
        4,
        "Fees are set by the published schedule; the committee reviews the share each year.",
        120,
    ),
    (
        "Evaluators re-evaluating their own advice",
        "self_review",
        "An evaluation body that advised a vendor on its design could evaluate the same design.",
        3,
        4,
        "Bodies declare consultancy per vendor; their evaluators declare their interests.",
        60,
    ),
    (
        "Long familiarity with a vendor's team",
        "familiarity",
        "The same officer deciding on one vendor's solutions year after year.",
        3,
        2,
        "Rotate the deciding officer every two years.",
        -14,  # its review is overdue
    ),
]

MEETINGS = [
    (
        200,
        "Chair (consumer association)\nTwo vendor representatives\nOne buyer representative\n"
        "The authority's quality manager",
        "The committee reviewed the risk register and the declarations of interests of the staff.",
        "Keep the rotation of deciding officers; ask for the fee share per vendor each year.",
    ),
    (
        20,
        "Chair (consumer association)\nOne vendor representative\nTwo buyer representatives\n"
        "The authority's quality manager",
        "The committee reviewed the appeals of the year and the risk of familiarity.",
        "Review the familiarity risk again; no change to the decision procedure.",
    ),
]


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _organisation(name: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def _trainee(authority: User) -> list[Any]:
    """The trainee evaluator, proposed and pending, with an open declaration."""
    body = _organisation(EVALUATION_BODIES[0][0])
    admin = _user(f"{EVALUATION_BODIES[0][1]}@{DEMO_DOMAIN}")
    if body is None or admin is None:
        return []
    trainee = _user(TRAINEE_EMAIL)
    if trainee is None:
        trainee = services.create_user(None, body, TRAINEE_EMAIL, "Camille Trainee", DEMO_PASSWORD)
        trainee.totp_secret = demo_totp_secret(TRAINEE_EMAIL)
        db.session.flush()
    if (
        db.session.scalar(
            select(EvaluatorApproval.id).where(EvaluatorApproval.user_id == trainee.id)
        )
        is None
    ):
        propose_evaluator(
            admin,
            trainee,
            Competence(
                "MSc in information security; ISO/IEC 17025 internal auditor course.",
                "The authority's training on the video analytics and access control norms.",
                "Two years as an assistant on eight evaluations of access control systems.",
            ),
        )
    vendor = _organisation(DECLARED_VENDOR)
    if vendor is not None and not has_open_interest(trainee, vendor.id):
        declare_interest(trainee, vendor.id, "Worked for this vendor as an intern until last year.")
    return [
        DemoAccount(
            "evaluator",
            body.name,
            TRAINEE_EMAIL,
            DEMO_PASSWORD,
            trainee.totp_secret,
        )
    ]


def _expired_accreditation(authority: User) -> None:
    body = _organisation(EVALUATION_BODIES[-1][0])
    category = db.session.scalar(
        select(TechnologyCategory).order_by(TechnologyCategory.position).limit(1)
    )
    if body is None or category is None:
        return
    if db.session.scalar(
        select(Accreditation.id).where(Accreditation.certificate_number == EXPIRED_CERTIFICATE)
    ):
        return
    day = today()
    record_accreditation(
        authority,
        body,
        AccreditationData(
            accreditation_body="COFRAC",
            standard="ISO/IEC 17025:2005",
            certificate_number=EXPIRED_CERTIFICATE,
            valid_from=day.replace(year=day.year - 6, month=1, day=1),
            valid_until=day.replace(year=day.year - 1, month=1, day=1) - dt.timedelta(days=1),
            scope=[(category.id, None)],
        ),
    )


def _risks(authority: User, owner: User) -> None:
    day = today()
    for title, source, description, likelihood, impact, treatment, review_in in RISKS:
        if db.session.scalar(select(ImpartialityRisk.id).where(ImpartialityRisk.title == title)):
            continue
        add_risk(
            authority,
            RiskData(
                title=title,
                source=source,
                description=description,
                likelihood=likelihood,
                impact=impact,
                treatment=treatment,
                owner_id=owner.id,
                review_due_on=day + dt.timedelta(days=review_in),
            ),
        )


def _meetings(authority: User) -> None:
    day = today()
    for days_ago, attendees, minutes, decisions in MEETINGS:
        if db.session.scalar(
            select(CommitteeMeeting.id).where(CommitteeMeeting.minutes == minutes)
        ):
            continue
        record_meeting(
            authority,
            MeetingData(
                held_on=day - dt.timedelta(days=days_ago),
                attendees=attendees,
                minutes=minutes,
                decisions=decisions,
            ),
        )


def seed_demo_registers() -> list[Any]:
    """Add the missing demo entries of the registers; the caller commits."""
    authority = _user(AUTHORITY_EMAIL)
    if authority is None:
        return []
    accounts = _trainee(authority)
    _expired_accreditation(authority)
    _risks(authority, _user(DEPUTY_EMAIL) or authority)
    _meetings(authority)
    db.session.flush()
    return accounts
