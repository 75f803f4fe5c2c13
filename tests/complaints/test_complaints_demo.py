"""The complaints demo: an appeal upheld (a revoked label reinstated, its history naming the
appeal), a complaint dismissed, a complaint under handling; loading it twice changes nothing."""

from __future__ import annotations

from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from complaints.models import CaseKind, CaseStatus, ComplaintCase, Outcome
from evaluations.models import LabelStatus
from registry.database import db


def _cases() -> list[ComplaintCase]:
    db.session.expire_all()
    return list(db.session.scalars(select(ComplaintCase).order_by(ComplaintCase.id)))


def test_the_demo_has_an_upheld_appeal_a_dismissed_and_an_open_complaint(
    runner: FlaskCliRunner, client: FlaskClient
) -> None:
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    appeal, dismissed, open_case = _cases()
    assert appeal.kind is CaseKind.APPEAL and appeal.outcome is Outcome.UPHELD
    assert appeal.label is not None and appeal.label.status is LabelStatus.VALID
    actions = [event.action for event in appeal.label.events]
    assert actions[-2:] == ["revoked", "reinstated"]
    assert appeal.reference in appeal.label.events[-1].reason
    page = client.get(f"/labels/{appeal.label.number}").get_data(as_text=True)
    assert appeal.reference in page
    assert dismissed.kind is CaseKind.COMPLAINT and dismissed.outcome is Outcome.DISMISSED
    assert open_case.status is CaseStatus.UNDER_HANDLING and open_case.handler is not None
    # The handler took no part in the revocation (the reinstatement is theirs).
    assert appeal.handler_id not in {e.actor_id for e in appeal.label.events[:-1]}

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert db.session.scalar(select(func.count(ComplaintCase.id))) == 3
