"""Issuing labels at the same time: distinct sequential numbers, and one label per evaluation."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from evaluations.labels.issuing import issue_label
from evaluations.models import Evaluation, Label, LabelCounter
from registry import audit, dates
from registry.database import db
from registry.exceptions import RuleViolation
from registry.models import User
from tests.evaluations.labels.label_builders import LabelWorld, certified_evaluation, make_world


@pytest.fixture
def world(app: Flask, create_user: Callable[..., User]) -> Iterator[LabelWorld]:
    """People and a published norm version."""
    with app.test_request_context():
        yield make_world(create_user)


def _issue_in_thread(
    app: Flask, authority_id: int, evaluation_id: int, outcomes: list[str], start: threading.Barrier
) -> None:
    # Each thread is its own "worker": its own app context, hence its own session.
    with app.test_request_context():
        start.wait(timeout=30)
        try:
            actor = db.session.get(User, authority_id)
            evaluation = db.session.get(Evaluation, evaluation_id)
            assert evaluation is not None
            label = issue_label(actor, evaluation, public_statement="Meets the norm.")
            db.session.commit()
            outcomes.append(label.number)
        except RuleViolation as error:
            db.session.rollback()
            outcomes.append(f"refused: {error.message}")
        except Exception as error:  # the test reports any other failure  # noqa: BLE001
            db.session.rollback()
            outcomes.append(f"error: {error!r}")
        finally:
            db.session.remove()


def _run(app: Flask, authority_id: int, evaluation_ids: list[int]) -> list[str]:
    outcomes: list[str] = []
    start = threading.Barrier(len(evaluation_ids))
    threads = [
        threading.Thread(
            target=_issue_in_thread, args=(app, authority_id, evaluation_id, outcomes, start)
        )
        for evaluation_id in evaluation_ids
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_twenty_concurrent_issues_get_twenty_sequential_numbers(
    app: Flask, world: LabelWorld
) -> None:
    evaluation_ids = [certified_evaluation(world).id for _ in range(20)]
    authority_id = world.authority.id
    db.session.remove()
    outcomes = _run(app, authority_id, evaluation_ids)
    year = dates.today().year
    assert sorted(outcomes) == [f"STR-{year}-{n:05d}" for n in range(1, 21)], outcomes
    sequences = db.session.scalars(select(Label.sequence).order_by(Label.sequence)).all()
    assert sequences == list(range(1, 21))
    indices = db.session.scalars(select(Label.status_list_index)).all()
    assert len(set(indices)) == 20
    assert audit.verify_chain().ok


def test_two_concurrent_issues_for_one_evaluation_make_one_label(
    app: Flask, world: LabelWorld
) -> None:
    evaluation = certified_evaluation(world)
    authority_id, evaluation_id = world.authority.id, evaluation.id
    db.session.remove()
    outcomes = _run(app, authority_id, [evaluation_id, evaluation_id])
    issued = [o for o in outcomes if o.startswith("STR-")]
    refused = [o for o in outcomes if o.startswith("refused")]
    assert len(issued) == 1 and len(refused) == 1, outcomes
    assert "already issued" in refused[0]
    assert db.session.scalar(select(func.count()).select_from(Label)) == 1
    # The refused attempt took no number: the counter has no gap.
    year = dates.today().year
    assert db.session.get(LabelCounter, year).last_value == 1  # type: ignore[union-attr]
