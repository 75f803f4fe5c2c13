"""The need form: only the chosen category's norms and the chosen norm's levels."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from procurement.models import Need
from registry.database import db
from registry.models import OrganisationKind, User
from tests.norms import norm_builders
from tests.route_cases.procurement_routes import NEED_FORM


@pytest.fixture
def buyer_client(client: FlaskClient, create_user: Callable[..., User], login: Any) -> FlaskClient:
    """A signed-in buyer, with TEST-NORM (video analysis: Certified, Advanced) published."""
    norm_builders.published(create_user(kind=OrganisationKind.AUTHORITY), "TEST-NORM")
    login(client, create_user(kind=OrganisationKind.BUYER))
    return client


def _needs() -> int:
    return db.session.scalar(select(func.count()).select_from(Need)) or 0


def test_the_page_carries_each_norms_category_and_levels_for_its_script(
    buyer_client: FlaskClient,
) -> None:
    page = buyer_client.get("/procurement/needs/new").get_data(as_text=True)
    found = re.search(r'<script type="application/json" id="need-norm-levels">(.*?)</script>', page)
    assert found is not None
    assert json.loads(found.group(1))["TEST-NORM"] == {
        "category": "video-analysis",
        "levels": ["Certified", "Advanced"],
    }
    assert "/static/js/need_form.js" in page
    script = buyer_client.get("/static/js/need_form.js")
    script.close()
    assert script.status_code == 200


def test_a_norm_of_another_category_is_refused_with_what_to_choose(
    buyer_client: FlaskClient,
) -> None:
    form = {**NEED_FORM, "category": "cybersecurity", "norm": "TEST-NORM"}
    page = buyer_client.post("/procurement/needs/new", data=form).get_data(as_text=True)
    assert "The norm TEST-NORM is for Video analysis, not Cybersecurity" in page
    assert "choose a norm of Cybersecurity, or no norm." in page
    assert _needs() == 0


def test_a_level_the_norm_does_not_define_is_refused_naming_its_levels(
    buyer_client: FlaskClient,
) -> None:
    form = {**NEED_FORM, "norm": "TEST-NORM", "min_level_rank": "3"}
    page = buyer_client.post("/procurement/needs/new", data=form).get_data(as_text=True)
    assert "The norm TEST-NORM defines 2 levels (Certified, Advanced)" in page
    assert _needs() == 0


def test_a_level_without_a_norm_is_refused(buyer_client: FlaskClient) -> None:
    form = {**NEED_FORM, "min_level_rank": "1"}
    page = buyer_client.post("/procurement/needs/new", data=form).get_data(as_text=True)
    assert "A minimum label level needs a norm: choose the norm, or no label level." in page
    assert _needs() == 0


def test_a_level_the_norm_defines_is_saved(buyer_client: FlaskClient) -> None:
    form = {**NEED_FORM, "norm": "TEST-NORM", "min_level_rank": "2"}
    assert buyer_client.post("/procurement/needs/new", data=form).status_code == 302
    need = db.session.scalar(select(Need))
    assert need is not None and need.norm is not None
    assert (need.norm.code, need.min_level_rank) == ("TEST-NORM", 2)
