"""The demo agreement: version 1, accepted by every demo vendor; seeding twice changes nothing."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from evaluations.agreement.demo import seed_demo_agreement
from evaluations.agreement.models import AgreementAcceptance, AgreementVersion
from registry.database import db
from registry.demo import seed_demo
from registry.models import Organisation, OrganisationKind


def _counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count(AgreementVersion.id))) or 0,
        db.session.scalar(select(func.count(AgreementAcceptance.id))) or 0,
    )


def test_every_demo_vendor_accepts_version_one_once(app: Flask) -> None:
    with app.test_request_context():
        seed_demo()
        seed_demo_agreement()
        db.session.commit()
        vendors = db.session.scalar(
            select(func.count(Organisation.id)).where(Organisation.kind == OrganisationKind.VENDOR)
        )
        assert _counts() == (1, vendors)
        seed_demo_agreement()
        db.session.commit()
        assert _counts() == (1, vendors)
