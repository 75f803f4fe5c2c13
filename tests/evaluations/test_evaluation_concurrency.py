"""Two concurrent decisions on one evaluation: one decision, one label; the other is told."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from evaluations.models import EvaluationEvent, EvaluationStatus, Label
from registry.database import db
from registry.models import User
from tests.evaluations.evaluation_builders import Cast, make_cast, scored


@pytest.fixture
def cast(app: Flask, create_user: Callable[..., User]) -> Iterator[Cast]:
    """People, a published norm and a published solution."""
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        yield make_cast(create_user)


def test_two_concurrent_decisions_make_one_label(app: Flask, login: Any, cast: Cast) -> None:
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        evaluation_id = scored(cast).id
    browsers: list[FlaskClient] = []
    for _ in range(2):
        browser = app.test_client()
        login(browser, cast.authority)
        browsers.append(browser)
    # The sign-ins ran in this thread's session: end its transaction so that it holds no lock.
    db.session.rollback()
    start = threading.Barrier(2)
    results: list[tuple[int, str]] = []

    def decide(browser: FlaskClient, rationale: str) -> None:
        start.wait(timeout=30)
        response = browser.post(
            f"/evaluations/{evaluation_id}/decide",
            data={
                "decision": "certified",
                "level": "Advanced",
                "rationale": rationale,
                "public_statement": "Meets the norm.",
            },
        )
        results.append((response.status_code, response.get_data(as_text=True)))

    threads = [
        threading.Thread(target=decide, args=(browser, f"Decision {index}"))
        for index, browser in enumerate(browsers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    codes = sorted(code for code, _ in results)
    assert codes == [302, 400], [body[-2000:] for _, body in results]
    loser = next(body for code, body in results if code == 400)
    assert "already been decided" in loser, loser[loser.find("usa-alert") :][:1500]
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count()).select_from(Label).where(Label.evaluation_id == evaluation_id)
        )
        == 1
    )
    decided_events = db.session.scalar(
        select(func.count())
        .select_from(EvaluationEvent)
        .where(
            EvaluationEvent.evaluation_id == evaluation_id,
            EvaluationEvent.to_status == EvaluationStatus.DECIDED.value,
        )
    )
    assert decided_events == 1
