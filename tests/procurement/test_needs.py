"""Buyer needs: validation, the buyer's own space, matching certified solutions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from catalog.models import Solution
from procurement.models import Need, NeedStatus
from procurement.services import eligibility, needs
from registry.database import db
from registry.dates import today
from registry.exceptions import AccessDenied, NotVisible, RuleViolation
from registry.models import AuditEntry, OrganisationKind, TechnologyCategory, User
from tests.procurement.need_builders import certified_market, need_data, open_need


@pytest.fixture
def buyer(create_user: Callable[..., User]) -> User:
    """A buyer user."""
    return create_user(kind=OrganisationKind.BUYER)


def status_of(need: Need) -> NeedStatus:
    """The need's status as it stands at this call, after the services changed it."""
    return need.status


def test_a_buyer_drafts_opens_and_withdraws_a_need(app: Any, buyer: User) -> None:
    need = needs.create_need(buyer, need_data())
    assert need.status is NeedStatus.DRAFT
    needs.open_need(buyer, need)
    assert status_of(need) is NeedStatus.OPEN
    needs.update_need(buyer, need, need_data(firm_quantity=30))
    assert need.firm_quantity == 30
    needs.withdraw_need(buyer, need)
    db.session.commit()
    assert status_of(need) is NeedStatus.WITHDRAWN
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "need")
    ).all()
    assert actions == ["need.create", "need.open", "need.update", "need.withdraw"]
    with pytest.raises(RuleViolation):
        needs.update_need(buyer, need, need_data())


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"max_unit_price": Decimal(-1)}, "max_unit_price"),
        ({"max_unit_price": Decimal(0)}, "max_unit_price"),
        ({"max_unit_price": "1e309"}, "max_unit_price"),
        ({"max_unit_price": "NaN"}, "max_unit_price"),
        ({"max_unit_price": float("inf")}, "max_unit_price"),
        ({"max_unit_price": "12.345"}, "max_unit_price"),
        ({"firm_quantity": 0}, "firm_quantity"),
        ({"firm_quantity": -3}, "firm_quantity"),
        ({"optional_quantity": -1}, "optional_quantity"),
        ({"firm_quantity": 10**12}, "firm_quantity"),
        ({"need_by": dt.date(2020, 1, 1)}, "need_by"),
        ({"need_by": dt.date(9999, 12, 31)}, "need_by"),
        ({"region_code": "XX-NOPE"}, "region_code"),
        ({"category": "nope"}, "category"),
        ({"norm_code": "NOPE"}, "norm"),
        ({"min_level_rank": 1}, "min_level_rank"),
        ({"accepted_uplift": 3}, "accepted_uplift"),
        ({"unit": "bananas"}, "unit"),
        ({"title": "   "}, "title"),
    ],
)
def test_bad_input_is_refused_with_a_reason(
    app: Any, buyer: User, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(RuleViolation) as refused:
        needs.create_need(buyer, need_data(**overrides))
    assert refused.value.field == field


def test_only_buyers_handle_needs_and_only_their_own(
    app: Any, buyer: User, create_user: Callable[..., User]
) -> None:
    other_buyer = create_user(kind=OrganisationKind.BUYER)
    draft = needs.create_need(buyer, need_data())
    db.session.commit()
    with pytest.raises(NotVisible):
        needs.get_own_need(other_buyer, draft.id)
    with pytest.raises(NotVisible):
        needs.update_need(other_buyer, draft, need_data(title="Taken over"))
    for kind in (OrganisationKind.VENDOR, OrganisationKind.EVALUATION_BODY):
        with pytest.raises(AccessDenied):
            needs.create_need(create_user(kind=kind), need_data())
    with pytest.raises(NotVisible):
        needs.get_own_need(buyer, 2**40)


def test_the_same_title_twice_makes_one_need(app: Any, buyer: User) -> None:
    needs.create_need(buyer, need_data())
    with pytest.raises(RuleViolation):
        needs.create_need(buyer, need_data())


def test_matching_solutions_follow_norm_level_and_category(
    app: Any, buyer: User, create_user: Callable[..., User]
) -> None:
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    vendors = [create_user(kind=OrganisationKind.VENDOR) for _ in range(3)]
    certified_market(authority, vendors)
    any_level = open_need(buyer, norm_code="TEST-NORM", min_level_rank=1)
    advanced = open_need(buyer, title="Advanced", norm_code="TEST-NORM", min_level_rank=2)
    no_norm = open_need(buyer, title="Any label")
    other_category = open_need(buyer, title="Drones", category="sensors-drones-robotics")
    counts = {
        need_id: len(ids)
        for need_id, ids in eligibility.eligible_solution_ids(
            [any_level, advanced, no_norm, other_category]
        ).items()
    }
    assert counts == {any_level.id: 3, advanced.id: 1, no_norm.id: 3, other_category.id: 0}
    assert [s.name for s in eligibility.matching_solutions(advanced)] == ["Certified TEST-NORM 0"]


def test_my_needs_pages(
    client: FlaskClient, login: Callable[..., Any], buyer: User, create_user: Callable[..., User]
) -> None:
    other = create_user(kind=OrganisationKind.BUYER)
    secret = needs.create_need(other, need_data(title="Other buyer's draft <script>"))
    db.session.commit()
    login(client, buyer)
    form = {
        "title": "Cameras <b>x</b>",
        "category": "video-protection",
        "norm": "",
        "min_level_rank": "0",
        "firm_quantity": "40",
        "optional_quantity": "10",
        "unit": "camera",
        "max_unit_price": "650.50",
        "need_by": (today() + dt.timedelta(days=200)).isoformat(),
        "region_code": "FR-BRE",
        "accepted_uplift": "1",
        "notes": "",
    }
    for bad in (
        {"max_unit_price": "NaN"},
        {"need_by": "2027-02-31"},
        {"need_by": "99999-01-01"},
        {"firm_quantity": "1e309"},
        {"max_unit_price": "-1"},
    ):
        response = client.post("/procurement/needs/new", data={**form, **bad})
        assert response.status_code == 200
        assert "There is a problem" in response.get_data(as_text=True)
    assert db.session.scalar(select(Need.id).where(Need.title == form["title"])) is None
    response = client.post("/procurement/needs/new", data=form)
    assert response.status_code == 302
    created = db.session.scalar(select(Need).where(Need.title == form["title"]))
    assert created is not None and created.buyer_id == buyer.organisation_id
    page = client.get("/procurement/needs").get_data(as_text=True)
    assert "Cameras &lt;b&gt;x&lt;/b&gt;" in page
    assert "Other buyer" not in page
    assert client.get(f"/procurement/needs/{secret.id}").status_code == 404
    assert client.post(f"/procurement/needs/{secret.id}/withdraw").status_code == 404
    assert client.post(f"/procurement/needs/{created.id}/open").status_code == 302
    db.session.expire_all()
    assert db.session.get(Need, created.id).status is NeedStatus.OPEN  # type: ignore[union-attr]


def test_start_a_need_like_a_certified_solution(
    client: FlaskClient, login: Callable[..., Any], buyer: User, create_user: Callable[..., User]
) -> None:
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    certified_market(authority, [create_user(kind=OrganisationKind.VENDOR)])
    solution_id = db.session.scalar(select(Solution.id))
    login(client, buyer)
    page = client.get(f"/solutions/{solution_id}").get_data(as_text=True)
    assert "Start a need like this" in page
    form = client.get(f"/procurement/needs/new?like_solution={solution_id}").get_data(as_text=True)
    assert '<option selected value="TEST-NORM">' in form
    assert '<option selected value="video-analysis">' in form


def test_a_label_under_another_categorys_norm_is_not_suggested(
    client: FlaskClient, login: Callable[..., Any], buyer: User, create_user: Callable[..., User]
) -> None:
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    certified_market(authority, [create_user(kind=OrganisationKind.VENDOR)])
    solution = db.session.scalars(select(Solution)).first()
    assert solution is not None
    other = db.session.scalar(
        select(TechnologyCategory).where(TechnologyCategory.code == "video-protection")
    )
    assert other is not None
    solution.primary_category = other
    db.session.commit()
    login(client, buyer)
    form = client.get(f"/procurement/needs/new?like_solution={solution.id}").get_data(as_text=True)
    assert '<option selected value="video-protection">' in form
    assert '<option selected value="TEST-NORM">' not in form
