"""The maintenance demo: an approved minor change, a refused one, a major one, and a pending
change of certified facts; every demo label certifies a version; idempotent."""

from __future__ import annotations

import json
from collections import Counter

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from catalog.models import SolutionChangeRequest
from evaluations.labels.certified import scope_versions
from evaluations.models import Label, LabelScope, MaintenanceRequest
from registry.database import db


def _state() -> tuple[Counter[str], int, list[str]]:
    statuses = Counter(r.status.value for r in db.session.scalars(select(MaintenanceRequest)))
    changes = [r.status.value for r in db.session.scalars(select(SolutionChangeRequest))]
    return statuses, db.session.scalar(select(func.count(LabelScope.id))) or 0, changes


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
    assert first[2] == ["pending"]
    with app.app_context():
        # The pending change asks for one more standard; the label still states the old list.
        change = db.session.scalars(select(SolutionChangeRequest)).one()
        assert "EN 62676-4" in json.loads(change.proposed)["standards"]
        assert "EN 62676-4" not in change.solution.standard_codes
        # Every demo label was issued for a declared version: none has an empty scope.
        assert all(scope_versions(label) for label in db.session.scalars(select(Label)))
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        assert _state() == first
