"""What buyers see of vulnerabilities: the open ones (disclosed, confirmed, not yet fixed) on the
solution page, shortlists, the compare page, their needs and the catalog API; nothing else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog.lists.services import add_to_shortlist, create_shortlist
from catalog.vulnerability_facts import open_vulnerabilities
from registry.database import db
from registry.dates import today
from registry.models import OrganisationKind, User
from tests.catalog import solution_builders
from tests.procurement.need_builders import open_need
from tests.vulnerabilities.case_builders import (
    CRITICAL_V3,
    MEDIUM_V3,
    Scene,
    confirmed,
    make_scene,
    reported,
)
from vulnerabilities import cases
from vulnerabilities.models import VulnerabilityCase

Login = Callable[..., Any]


@pytest.fixture
def scene(app: Flask, create_user: Callable[..., User]) -> Iterator[Scene]:
    with app.test_request_context():
        yield make_scene(create_user)


@pytest.fixture
def buyer(create_user: Callable[..., User]) -> User:
    """A buyer user."""
    return create_user(kind=OrganisationKind.BUYER)


def _pages(client: FlaskClient, scene: Scene, buyer: User) -> dict[str, str]:
    """Every page where a buyer considers the scene's solution, as that buyer reads them."""
    solution = scene.label.solution
    shortlist = create_shortlist(buyer, "Harbour cameras")
    add_to_shortlist(buyer, shortlist, solution.id)
    category = solution.primary_category
    assert category is not None
    need = open_need(buyer, title="Harbour cameras", category=category.code)
    db.session.commit()
    return {
        "solution": client.get(f"/solutions/{solution.id}").get_data(as_text=True),
        "shortlist": client.get(f"/shortlists/{shortlist.id}").get_data(as_text=True),
        "need": client.get(f"/procurement/needs/{need.id}").get_data(as_text=True),
        "api": client.get(f"/api/v1/solutions/{solution.id}").get_data(as_text=True),
        "api_list": client.get("/api/v1/solutions?per_page=100").get_data(as_text=True),
    }


def _case_on(scene: Scene, *, embargo: dt.date | None, vector: str | None) -> VulnerabilityCase:
    case = reported(scene, title="Unauthenticated stream access", embargo=embargo)
    if vector is not None:
        confirmed(scene, case, vector)
    return case


def test_a_disclosed_confirmed_case_shows_wherever_a_buyer_considers_the_solution(
    client: FlaskClient, login: Login, scene: Scene, buyer: User
) -> None:
    case = _case_on(scene, embargo=today(), vector=CRITICAL_V3)
    login(client, buyer)
    pages = _pages(client, scene, buyer)
    solution_id = scene.label.solution_id
    link = f'href="/advisories/{case.reference}"'
    assert "Open vulnerabilities" in pages["solution"]
    assert (
        link in pages["solution"] and "Critical" in pages["solution"] and "9.8" in pages["solution"]
    )
    for where in ("shortlist", "need"):
        assert "1 open vulnerability, worst <strong>Critical</strong>" in pages[where], where
        assert link in pages[where], where
    assert f'"reference":"{case.reference}"' in pages["api"].replace(" ", "")
    assert '"severity":"critical"' in pages["api"].replace(" ", "")
    assert f"/advisories/{case.reference}" in pages["api"]
    assert case.reference in pages["api_list"]

    other = solution_builders.published(scene.vendor, name="Quayside Recorder")
    compare = client.get(f"/compare?ids={solution_id}&ids={other.id}").get_data(as_text=True)
    assert "Open vulnerabilities" in compare and link in compare


def test_embargoed_or_unconfirmed_cases_show_nowhere_to_buyers(
    client: FlaskClient, login: Login, scene: Scene, buyer: User
) -> None:
    embargoed = _case_on(scene, embargo=today() + dt.timedelta(days=30), vector=CRITICAL_V3)
    unconfirmed = _case_on(scene, embargo=today(), vector=None)
    cases.start_analysis(scene.vendor, unconfirmed)
    db.session.commit()
    login(client, buyer)
    pages = _pages(client, scene, buyer)
    for where, page in pages.items():
        for case in (embargoed, unconfirmed):
            assert case.reference not in page, where
            assert case.title not in page, where
        assert "open vulnerabilit" not in page.lower().replace("open_vulnerabilities", ""), where
    assert open_vulnerabilities([scene.label.solution_id]) == {}


def test_a_fixed_case_no_longer_shows_as_open(
    client: FlaskClient, login: Login, scene: Scene, buyer: User
) -> None:
    case = _case_on(scene, embargo=today(), vector=MEDIUM_V3)
    assert [
        item.severity
        for item in open_vulnerabilities([scene.label.solution_id])[scene.label.solution_id]
    ] == ["medium"]
    cases.mark_fixed(scene.vendor, case, scene.fix)
    db.session.commit()
    login(client, buyer)
    pages = _pages(client, scene, buyer)
    for where, page in pages.items():
        assert case.reference not in page, where
    assert "Open vulnerabilities" not in pages["solution"]
