"""The label demo data: labels in every status, also without the evaluation workflow's demo."""

from __future__ import annotations

from collections import Counter

from flask import Flask
from sqlalchemy import select

from catalog.demo import seed_demo_solutions
from evaluations.labels.demo import MIN_LABELS, seed_demo_labels
from evaluations.labels.revocation import pending_revocations
from evaluations.models import Label
from registry.database import db
from registry.demo import seed_demo
from registry.norms.demo import seed_norms


def _statuses() -> Counter[str]:
    return Counter(label.status.value for label in db.session.scalars(select(Label)))


def test_the_demo_makes_labels_in_every_status_and_runs_twice(app: Flask) -> None:
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        # Only the lower packages' demo data: the labels seeder certifies solutions itself.
        for load in (seed_demo, seed_norms, seed_demo_solutions, seed_demo_labels):
            load()
            db.session.commit()
        first = _statuses()
        waiting = [(p.proposed_by.email, p.label.status.value) for p in pending_revocations()]
        levels = {label.level for label in db.session.scalars(select(Label))}
        seed_demo_labels()
        db.session.commit()
    assert sum(first.values()) >= MIN_LABELS
    assert first["suspended"] == 2 and first["revoked"] == 1 and first["expired"] == 3
    assert first["valid"] >= 15
    # Revocation takes two officers: one confirmed (the revoked label), one waiting for deputy@.
    assert waiting == [("authority@demo.example", "valid")]
    assert levels >= {"Certified", "Advanced"}
    assert _statuses() == first
    assert len(pending_revocations()) == 1
