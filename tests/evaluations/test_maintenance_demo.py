"""The maintenance demo: an approved minor change, a refused one, a major one; idempotent."""

from __future__ import annotations

from collections import Counter

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from evaluations.labels.certified import scope_versions
from evaluations.models import LabelScope, MaintenanceRequest
from registry.database import db


def _state() -> tuple[Counter[str], int]:
    statuses = Counter(r.status.value for r in db.session.scalars(select(MaintenanceRequest)))
    return statuses, db.session.scalar(select(func.count(LabelScope.id))) or 0


def test_the_demo_shows_each_outcome_and_runs_twice(app: Flask, runner: FlaskCliRunner) -> None:
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        first = _state()
        requests = {r.status.value: r for r in db.session.scalars(select(MaintenanceRequest))}
        approved, refused = requests["approved"], requests["refused"]
        assert len(scope_versions(approved.label)) == 2
        assert approved.version.version in scope_versions(approved.label)
        assert refused.version.version not in scope_versions(refused.label)
        assert requests["major"].version.version not in scope_versions(requests["major"].label)
    assert first[0] == Counter({"approved": 1, "refused": 1, "major": 1})
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        assert _state() == first
