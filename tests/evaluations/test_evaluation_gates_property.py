"""Property: whatever the order of the steps and whoever takes them, nobody decides an
evaluation they assigned, evaluated or recorded a consensus on, and no evaluator is assigned
without an approval and an accreditation valid today whose scope covers the norm."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from evaluations.bodies.models import ApprovalStatus
from evaluations.impartiality.models import DecisionReview
from evaluations.models import Assignment, Decision, Evaluation
from evaluations.services.assignment import assign_evaluator, declare_conflict
from evaluations.services.decision import decide
from evaluations.services.replacement import remove_assignment
from evaluations.services.scores import consolidation, resolve_disagreement, submit_scores
from registry import dates
from registry.database import db, utcnow
from registry.exceptions import RuleViolation
from registry.models import OrganisationKind, User
from tests.catalog import solution_builders
from tests.evaluations import scheme_builders
from tests.evaluations.evaluation_builders import AGREE, Cast, make_cast, score_all, submitted
from tests.norms import norm_builders

HARSH = {"ONVIF-S": "pass", "EXPORT": "1", "MASK": "4"}


@dataclasses.dataclass
class World:
    """Officers (two of them barred) and evaluators (only some of them qualified)."""

    cast: Cast
    officers: list[User]
    evaluators: list[User]
    qualified: set[int]
    barred_officers: set[int]


_worlds: dict[int, World] = {}
serial = itertools.count()


def _world(create_user: Callable[..., User]) -> World:
    cast = make_cast(create_user)
    norm = cast.version.norm
    today = dates.today()
    interested = create_user(cast.authority.organisation, full_name="Interested Officer")
    scheme_builders.confirm_declarations(interested)
    scheme_builders.declare_interest(interested, cast.vendor.organisation)
    stale = create_user(cast.authority.organisation, full_name="Stale Officer")
    scheme_builders.confirm_declarations(stale, utcnow() - dt.timedelta(days=400))
    other_norm = norm_builders.published(cast.authority, "PROP-OTHER").norm
    unqualified = []
    for name in ("Expired", "Withdrawn", "Elsewhere", "Unapproved"):
        person = create_user(kind=OrganisationKind.EVALUATION_BODY, full_name=f"{name} Lab")
        scheme_builders.approve(
            person, ApprovalStatus.PENDING if name == "Unapproved" else ApprovalStatus.APPROVED
        )
        scheme_builders.confirm_declarations(person)
        body = person.organisation
        if name == "Expired":
            scheme_builders.accredit(body, norm, valid_until=today - dt.timedelta(days=1))
        elif name == "Withdrawn":
            scheme_builders.accredit(body, norm, withdrawn=True)
        else:
            scheme_builders.accredit(body, other_norm if name == "Elsewhere" else norm)
        unqualified.append(person)
    db.session.commit()
    qualified = [cast.evaluator, cast.second_evaluator, cast.third_evaluator]
    return World(
        cast=cast,
        officers=[cast.authority, cast.deputy, cast.assigner, interested, stale],
        evaluators=qualified + unqualified,
        qualified={u.id for u in qualified},
        barred_officers={interested.id, stale.id},
    )


officer = st.integers(0, 4)
evaluator = st.integers(0, 6)
step = st.one_of(
    st.tuples(st.just("app_review"), officer),
    st.tuples(st.just("assign"), officer, evaluator, st.booleans()),
    st.tuples(st.just("declare"), evaluator),
    st.tuples(st.just("score"), evaluator, st.booleans()),
    st.tuples(st.just("resolve"), officer),
    st.tuples(st.just("review"), officer, st.booleans()),
    st.tuples(st.just("decide"), officer, st.booleans()),
    st.tuples(st.just("remove"), officer, evaluator),
)


def _assignment(evaluation: Evaluation, user: User) -> Assignment | None:
    return next((a for a in evaluation.assignments if a.evaluator_id == user.id), None)


def _act(world: World, evaluation: Evaluation, action: tuple[Any, ...]) -> None:
    kind, *args = action
    if kind == "app_review":
        scheme_builders.review_application(evaluation, world.officers[args[0]])
    elif kind == "assign":
        reason = "Only this lab is free." if args[2] else ""
        assign_evaluator(
            world.officers[args[0]], evaluation, world.evaluators[args[1]].id, None, reason
        )
    elif kind in ("declare", "score", "remove"):
        person = world.evaluators[args[-1] if kind == "remove" else args[0]]
        assignment = _assignment(evaluation, person)
        if assignment is None:
            return
        if kind == "declare":
            declare_conflict(person, assignment, False, "")
        elif kind == "score":
            score_all(world.cast, assignment, AGREE if args[1] else HARSH)
            submit_scores(person, assignment)
        else:
            remove_assignment(world.officers[args[0]], assignment, "Silent for weeks.")
    elif kind == "resolve":
        for code in consolidation(evaluation).raw_disagreements:
            criterion = next(c for c in world.cast.version.criteria if c.code == code)
            resolve_disagreement(world.officers[args[0]], evaluation, criterion.id, "3", "Met.")
    elif kind == "review":
        scheme_builders.review(
            evaluation, world.officers[args[0]], None if args[1] else Decision.REJECTED.value
        )
    else:
        certify = args[1] and evaluation.computed_level is not None
        decide(
            world.officers[args[0]],
            evaluation,
            Decision.CERTIFIED.value if certify else Decision.REJECTED.value,
            evaluation.computed_level if certify else None,
            "Decided on the consolidated scores.",
            public_statement="Meets the norm." if certify else "",
        )


def _check(world: World, evaluation: Evaluation) -> None:
    db.session.expire_all()
    for assignment in evaluation.assignments:
        assert assignment.evaluator_id in world.qualified
        assert assignment.assigned_by_id not in world.barred_officers
    if evaluation.decided_by_id is None:
        return
    decider = evaluation.decided_by_id
    assert decider not in world.barred_officers
    assert decider not in {a.assigned_by_id for a in evaluation.assignments}
    assert decider not in {a.evaluator_id for a in evaluation.assignments}
    assert decider not in {r.resolved_by_id for r in evaluation.resolutions}
    if evaluation.decision is Decision.CERTIFIED:
        reviewers = db.session.scalars(
            select(DecisionReview.reviewer_id).where(DecisionReview.evaluation_id == evaluation.id)
        ).all()
        assert set(reviewers) - {decider}


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=4, max_size=20))
def test_no_one_decides_what_they_took_part_in_nor_assigns_outside_a_scope(
    app: Flask, create_user: Callable[..., User], steps: list[tuple[Any, ...]]
) -> None:
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        world = _worlds.get(id(app)) or _worlds.setdefault(id(app), _world(create_user))
        solution = solution_builders.published(
            world.cast.vendor, name=f"Property unit {next(serial)}"
        )
        cast = dataclasses.replace(world.cast, solution_id=solution.id)
        evaluation = submitted(cast, reviewed=False)
        for action in steps:
            try:
                _act(world, evaluation, action)
            except RuleViolation:
                db.session.rollback()
            else:
                db.session.commit()
            _check(world, evaluation)
