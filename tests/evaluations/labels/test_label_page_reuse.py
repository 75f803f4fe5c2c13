"""The public label page and PDF are reused between visits, yet every change shows at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from evaluations.labels.status_changes import reinstate_label, suspend_label
from registry import dates
from registry.database import db
from registry.models import User
from tests.evaluations.labels.label_builders import LabelWorld, issued_label, make_world, supersede


@pytest.fixture
def world(app: Flask, create_user: Callable[..., User]) -> Iterator[LabelWorld]:
    """People and a published norm version."""
    with app.test_request_context():
        yield make_world(create_user)


def _page(client: FlaskClient, number: str) -> str:
    response = client.get(f"/labels/{number}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _pdf(client: FlaskClient, number: str) -> bytes:
    with client.get(f"/labels/{number}.pdf") as response:
        assert response.status_code == 200
        return response.get_data()


def test_a_visitor_sees_every_status_change_on_the_next_visit(
    client: FlaskClient, world: LabelWorld
) -> None:
    label = issued_label(world)
    first = _page(client, label.number)
    assert _page(client, label.number) == first
    assert "VALID" in first and "SUSPENDED" not in first
    valid_pdf = _pdf(client, label.number)

    suspend_label(world.authority, label, "Camera firmware finding 42")
    db.session.commit()
    suspended = _page(client, label.number)
    assert "SUSPENDED" in suspended
    assert "Camera firmware finding 42" in suspended  # the reason and the history line
    assert _pdf(client, label.number) != valid_pdf

    reinstate_label(
        world.authority,
        label,
        "Fixed in firmware 2.1",
        no_response_reason="The fix was verified by a re-test.",
    )
    db.session.commit()
    reinstated = _page(client, label.number)
    assert "Fixed in firmware 2.1" in reinstated and "SUSPENDED<" not in reinstated

    supersede(world.version, dates.today() - dt.timedelta(days=1))
    assert "Re-certification due" in _page(client, label.number)


def test_a_signed_in_visitor_never_gets_the_anonymous_page(
    app: Flask, client: FlaskClient, world: LabelWorld, login: Callable[..., Any]
) -> None:
    label = issued_label(world)
    anonymous = _page(client, label.number)
    assert "Manage this label" not in anonymous

    authority = app.test_client()
    login(authority, world.authority)
    assert "Manage this label" in _page(authority, label.number)
    assert "Manage this label" not in _page(client, label.number)
