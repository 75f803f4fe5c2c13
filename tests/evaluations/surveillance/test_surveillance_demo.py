"""The surveillance demo: programmes, a done attestation, a re-test assigned to a demo
evaluator, an overdue attestation on the list to suspend; seeding twice changes nothing."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from evaluations.surveillance import lists
from evaluations.surveillance.models import (
    ActivityKind,
    ActivityResult,
    ActivityStatus,
    SurveillanceActivity,
    SurveillanceProgramme,
)
from registry.database import db
from registry.demo import DEMO_DOMAIN, EVALUATION_BODIES


def _counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count(SurveillanceActivity.id))) or 0,
        db.session.scalar(select(func.count(SurveillanceProgramme.id))) or 0,
    )


def test_the_demo_shows_each_kind_of_surveillance_once(app: Flask, runner: FlaskCliRunner) -> None:
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        activities = db.session.scalars(
            select(SurveillanceActivity).order_by(SurveillanceActivity.id)
        ).all()
        shown = [(a.kind, a.status, a.result) for a in activities]
        assert shown == [
            (ActivityKind.ATTESTATION, ActivityStatus.DONE, ActivityResult.CONFORMING),
            (ActivityKind.RETEST, ActivityStatus.OPEN, None),
            (ActivityKind.ATTESTATION, ActivityStatus.OVERDUE, None),
        ]
        retest = activities[1]
        assert retest.evaluator is not None
        assert retest.evaluator.email == f"{EVALUATION_BODIES[0][1]}@{DEMO_DOMAIN}"
        assert [row.activity.id for row in lists.labels_to_suspend()] == [activities[2].id]
        before = _counts()
        assert before[1] >= 1
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        assert _counts() == before
