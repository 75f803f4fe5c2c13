"""Property: whatever a vendor edits and the authority decides, a label certifies the last
approved facts, the record holds them, the credential verifies and the audit chain holds.

The vendor also fills in or clears the data-protection features (free text, not certified): a
published solution that is privacy-sensitive must describe them, so neither an edit nor an
approval may leave the record without them."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog import services
from catalog.changes import (
    approve_change,
    certified_state,
    pending_request,
    refuse_change,
    withdraw_change,
)
from catalog.models import Solution
from evaluations.labels.certified import certified_facts, comparable_facts
from evaluations.labels.views import verify_bytes
from evaluations.models import Label
from registry import audit
from registry.database import db, utcnow
from registry.exceptions import RuleViolation
from registry.models import User
from tests.catalog import solution_builders
from tests.evaluations.labels.label_builders import LabelWorld, issued_label, make_world

NAMES = ["Harbour Watch", "Harbour Watch Pro", "Quay Sentinel"]
STANDARDS = ["ONVIF Profile S", "IEC 62443-4-2", "OASIS CAP 1.2"]
CATEGORIES = ["video-analysis", "cybersecurity", "public-alert"]
FLAGS = ["privacy_sensitive", "uses_biometrics", "uses_facial_recognition"]

edit = st.one_of(
    st.tuples(st.just("name"), st.sampled_from(NAMES)),
    st.tuples(st.just("standards"), st.lists(st.sampled_from(STANDARDS), max_size=3, unique=True)),
    st.tuples(st.just("primary_category"), st.sampled_from(CATEGORIES)),
    st.tuples(st.sampled_from(FLAGS), st.booleans()),
)
FEATURES = ["", "Blurs faces before storage."]
step = st.one_of(
    st.tuples(st.just("edit"), st.tuples(edit, st.sampled_from(FEATURES))),
    st.tuples(st.sampled_from(["approve", "refuse", "withdraw"]), st.none()),
)
serial = itertools.count(1)
_worlds: dict[int, LabelWorld] = {}


@dataclass
class Model:
    """The last approved certified state and the pending proposal, as the rules say."""

    approved: dict[str, Any]
    pending: dict[str, Any] | None = None
    prefix: str = ""
    features: str = ""  # the record's data-protection features


def _wanted(model: Model, name: str, value: Any) -> dict[str, Any]:
    """The certified state the vendor's form asks for: the record with one field changed."""
    wanted = dict(model.approved)
    wanted[name] = f"{model.prefix} {value}" if name == "name" else value
    # Biometrics and facial recognition are privacy-sensitive whatever box was ticked.
    wanted["privacy_sensitive"] = any(wanted[flag] for flag in FLAGS)
    return wanted


def _edit(
    vendor: User, solution: Solution, model: Model, change: tuple[str, Any], features: str
) -> None:
    wanted = _wanted(model, *change)
    changed = {key: wanted[key] for key in wanted if wanted[key] != model.approved[key]}
    # Refused: an incomplete record as asked or as kept, or a second pending request.
    incomplete = not features and (
        wanted["privacy_sensitive"] or model.approved["privacy_sensitive"]
    )
    expected_refusal = incomplete or bool(changed and model.pending is not None)
    data = solution_builders.complete_data(
        name=wanted["name"],
        primary_category=wanted["primary_category"],
        activities=wanted["activities"],
        standards=wanted["standards"],
        privacy_sensitive=wanted["privacy_sensitive"],
        uses_biometrics=wanted["uses_biometrics"],
        uses_facial_recognition=wanted["uses_facial_recognition"],
        privacy_features=features,
        change_reason="The product was renamed and its claims revised.",
    )
    try:
        services.update_solution(vendor, solution, data)
        db.session.commit()
    except RuleViolation:
        db.session.rollback()
        assert expected_refusal
        return
    assert not expected_refusal
    model.features = features
    if changed:
        model.pending = changed


def _decide(world: LabelWorld, solution: Solution, model: Model, action: str) -> None:
    request = pending_request(solution.id)
    assert (request is None) == (model.pending is None)
    if request is None or model.pending is None:
        return
    if action == "approve":
        proposed = {**model.approved, **model.pending}
        try:
            approve_change(world.authority, request, "Checked against the evaluation report.")
        except RuleViolation:
            db.session.rollback()
            assert proposed["privacy_sensitive"] and not model.features
            return
        model.approved = proposed
    elif action == "refuse":
        refuse_change(world.authority, request, "The evaluation did not cover this.")
    else:
        withdraw_change(world.vendor, request)
    model.pending = None
    db.session.commit()


def _check(label: Label, solution: Solution, model: Model) -> None:
    db.session.expire_all()
    assert comparable_facts(certified_facts(label)) == model.approved
    assert certified_state(solution) == model.approved
    verdict = verify_bytes(label.credential.encode("utf-8"), utcnow())
    assert verdict.ok, verdict.message
    subject = json.loads(label.credential)["credentialSubject"]
    assert subject["name"] == model.approved["name"]
    report = audit.verify_chain()
    assert report.ok, report.problem


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, max_size=8))
def test_label_and_record_hold_the_last_approved_facts(
    app: Flask, create_user: Callable[..., User], steps: list[tuple[str, Any]]
) -> None:
    with app.test_request_context():
        # One world per test run (the app and its database), a new certified solution per example.
        world = _worlds.get(id(app)) or _worlds.setdefault(id(app), make_world(create_user))
        prefix = f"Unit{next(serial)}"
        label = issued_label(world, solution_name=f"{prefix} {NAMES[0]}")
        solution = label.solution
        model = Model(approved=certified_state(solution), prefix=prefix)
        _check(label, solution, model)
        for action, argument in steps:
            if action == "edit":
                _edit(world.vendor, solution, model, *argument)
            else:
                _decide(world, solution, model, action)
            _check(label, solution, model)
