"""Demo complaints and appeals (idempotent: nothing is added once any case exists).

- An appeal upheld: a demo label is revoked (two officers), its vendor appeals, an appeals
  officer who took no part in the revocation upholds the appeal and the label is reinstated;
  its history shows the appeal's reference.
- A complaint about the use of a label's mark, dismissed with reasons.
- A complaint about the authority, under handling.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from complaints import effects, services
from complaints.models import ComplaintCase, Outcome, Subject
from evaluations.labels.revocation import (
    confirm_revocation,
    propose_revocation,
    respond_to_revocation,
)
from evaluations.models import Label, LabelEvent, LabelStatus
from registry.database import db
from registry.dates import today
from registry.demo import (
    AUTHORITY_EMAIL,
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    DEPUTY_EMAIL,
    DemoAccount,
    demo_totp_secret,
)
from registry.models import User
from registry.services import create_user

APPEALS_EMAIL = f"appeals@{DEMO_DOMAIN}"
DEMO_MARK = "Demo:"


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _appeals_officer(authority: User) -> User:
    """A third authority officer, who takes part in no demo decision and handles the cases."""
    officer = _user(APPEALS_EMAIL)
    if officer is None:
        officer = create_user(
            None, authority.organisation, APPEALS_EMAIL, "Authority appeals officer", DEMO_PASSWORD
        )
    if officer.totp_secret is None:
        officer.totp_secret = demo_totp_secret(APPEALS_EMAIL)
    return officer


def _untouched_labels() -> list[Label]:
    """Valid labels with nothing but their issue in their history, newest first."""
    touched = select(LabelEvent.label_id).where(LabelEvent.action != "issued")
    return list(
        db.session.scalars(
            select(Label)
            .where(
                Label.status == LabelStatus.VALID,
                Label.expires_on >= today(),
                Label.id.not_in(touched),
            )
            .order_by(Label.id.desc())
        )
    )


def seed_demo_complaints() -> list[Any]:
    """The three demo cases; running it twice changes nothing."""
    authority = _user(AUTHORITY_EMAIL)
    deputy = _user(DEPUTY_EMAIL)
    if authority is None or deputy is None:
        return []
    officer = _appeals_officer(authority)
    account = DemoAccount(
        "authority",
        authority.organisation.name,
        APPEALS_EMAIL,
        DEMO_PASSWORD,
        officer.totp_secret,
    )
    if db.session.scalar(select(ComplaintCase.id).limit(1)) is not None:
        return [account]
    labels = _untouched_labels()
    if len(labels) < 2:
        return [account]
    _upheld_appeal(authority, deputy, officer, labels[0])
    _dismissed_complaint(authority, officer, labels[1])
    _complaint_under_handling(authority, officer)
    db.session.flush()
    return [account]


def _upheld_appeal(authority: User, deputy: User, officer: User, label: Label) -> None:
    proposal = propose_revocation(
        authority,
        label,
        f"{DEMO_MARK} a buyer reported that the delivered model differs from the certified one.",
    )
    vendor = next(u for u in label.vendor.users if u.is_active)
    # The vendor answered the notice, so the second officer may confirm before its deadline.
    respond_to_revocation(
        vendor, proposal, f"{DEMO_MARK} the delivered model is the certified one."
    )
    confirm_revocation(deputy, proposal)
    case, _ = services.file_appeal(
        vendor,
        label=label,
        description="The delivered model is the certified one: the buyer's unit carried a "
        "reseller's sticker over the model plate. Serial numbers and the delivery note attached "
        "to our letter show it.",
    )
    services.acknowledge(authority, case, "Received with the vendor's delivery records.")
    services.assign_handler(authority, case, officer)
    services.decide(
        officer,
        case,
        Outcome.UPHELD,
        "The serial numbers match the certified configuration; the revocation rested on a "
        "misidentified unit. The label is reinstated.",
        [effects.REINSTATEMENT],
    )


def _dismissed_complaint(authority: User, officer: User, label: Label) -> None:
    case, _ = services.file_complaint(
        None,
        subject=Subject.MARK_USE,
        label_number=label.number,
        description="The vendor's brochure shows the label next to a product line that, I "
        "believe, was never certified.",
        contact_name="Claire Martin",
        contact_email=f"claire.martin@{DEMO_DOMAIN}",
        consent=True,
    )
    services.acknowledge(authority, case)
    services.assign_handler(authority, case, officer)
    services.decide(
        officer,
        case,
        Outcome.DISMISSED,
        "The brochure names the certified model and its certified versions only; the other "
        "products shown carry no mark. The use of the mark follows the rules.",
    )


def _complaint_under_handling(authority: User, officer: User) -> None:
    case, _ = services.file_complaint(
        None,
        subject=Subject.AUTHORITY,
        description="My question about the fees of a re-evaluation has had no answer for three "
        "weeks.",
        contact_name="Yannick Le Goff",
        contact_email=f"yannick.legoff@{DEMO_DOMAIN}",
        consent=True,
    )
    services.acknowledge(authority, case)
    handler = next(u for u in services.eligible_handlers(case) if u.id == officer.id)
    services.assign_handler(authority, case, handler)
