"""The demo data obeys the rules the portal enforces on real data."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from evaluations.models import Evaluation, Label, LabelEvent
from procurement.calls.limits import DEADLINE_TIME
from procurement.calls.models import JointCall
from registry.database import db


def test_the_demo_keeps_dates_deadlines_and_reasons_lawful(
    app: Flask, runner: FlaskCliRunner
) -> None:
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        labels = db.session.scalars(select(Label)).all()
        assert labels
        for label in labels:
            published = label.norm_version.published_at
            assert published is not None
            # No label before its norm version existed.
            assert label.issued_at >= published, label.number
            assert label.valid_from >= published.date(), label.number
            decided = label.evaluation.decided_at
            assert decided is not None and published <= decided <= label.issued_at, label.number
        for evaluation in db.session.scalars(select(Evaluation)):
            published_at = evaluation.norm_version.published_at
            if evaluation.decided_at is not None:
                assert published_at is not None and evaluation.decided_at >= published_at
        # Offers close at the configured hour on every demo call.
        for call in db.session.scalars(select(JointCall)):
            assert call.deadline.timetz() == DEADLINE_TIME, call.title
            assert call.opened_at < call.deadline
        # Reasons cite only processes the portal has: surveillance only in its own events.
        for event in db.session.scalars(select(LabelEvent)):
            if event.action != "surveillance":
                assert "surveillance" not in (event.reason or "").lower(), event.reason
