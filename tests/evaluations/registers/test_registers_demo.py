"""The registers' demo: a trainee evaluator waiting for approval with an open declaration, an
expired accreditation, three risks (one review overdue), two committee meetings; idempotent."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from evaluations.bodies.models import Accreditation, ApprovalStatus, EvaluatorApproval
from evaluations.bodies.services import AccreditationState, accreditation_state
from evaluations.impartiality.declarations import open_declarations
from evaluations.impartiality.models import (
    CommitteeMeeting,
    DeclarationConfirmation,
    ImpartialityRisk,
    InterestDeclaration,
)
from evaluations.impartiality.register import review_overdue
from evaluations.registers_demo import EXPIRED_CERTIFICATE, TRAINEE_EMAIL
from registry.database import db
from registry.models import User

COUNTED = (
    Accreditation,
    EvaluatorApproval,
    ImpartialityRisk,
    CommitteeMeeting,
    InterestDeclaration,
    DeclarationConfirmation,
    User,
)


def _counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in COUNTED
    }


def test_the_registers_demo_adds_its_entries_once(app: Flask, runner: FlaskCliRunner) -> None:
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    trainee = db.session.scalar(select(User).where(User.email == TRAINEE_EMAIL))
    assert trainee is not None
    approval = db.session.scalar(
        select(EvaluatorApproval).where(EvaluatorApproval.user_id == trainee.id)
    )
    assert approval is not None and approval.status is ApprovalStatus.PENDING
    assert [d.vendor.name for d in open_declarations(trainee)]
    expired = db.session.scalar(
        select(Accreditation).where(Accreditation.certificate_number == EXPIRED_CERTIFICATE)
    )
    assert expired is not None and accreditation_state(expired) is AccreditationState.EXPIRED
    risks = db.session.scalars(select(ImpartialityRisk)).all()
    assert len(risks) == 3 and sum(review_overdue(risk) for risk in risks) == 1
    assert len(db.session.scalars(select(CommitteeMeeting)).all()) == 2
    before = _counts()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    db.session.expire_all()
    assert _counts() == before
