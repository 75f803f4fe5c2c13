"""A joint call may require the offered version in the certified scope of the offer's label."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select

from catalog.models import SolutionVersion
from catalog.versions import declare_version
from evaluations.models import Label, LabelScope
from procurement.calls import limits
from procurement.calls.access.declarations import no_grounds
from procurement.calls.models import JointCall, Offer
from procurement.calls.services import lifecycle
from procurement.calls.services.awarding import compliance
from procurement.calls.services.offers import OfferData, submit_offer
from procurement.models import Need
from registry.database import db, utcnow
from registry.dates import today
from registry.exceptions import RuleViolation
from registry.models import OrganisationKind, User
from tests.procurement.calls.call_builders import (
    CallWorld,
    call_world,
    declaration_form,
    offer_data,
    solution_of,
)

Login = Callable[..., Any]


def _call(world: CallWorld, *, required: bool) -> JointCall:
    call = lifecycle.open_call(
        world.authority,
        world.lot,
        "Licences, certified versions only",
        "",
        limits.deadline_on(today() + dt.timedelta(days=limits.min_offer_days() + 1)),
        24,
        requires_version_in_scope=required,
    )
    db.session.commit()
    return call


def _versions(vendor: User, in_scope: list[str], out_of_scope: list[str]) -> dict[str, int]:
    """Declare versions of the vendor's solution; put `in_scope` in its label's scope."""
    solution = solution_of(vendor)
    label = db.session.scalars(select(Label).where(Label.solution_id == solution.id)).one()
    made = {}
    for name in [*in_scope, *out_of_scope]:
        version = declare_version(vendor, solution, name, today() - dt.timedelta(days=60))
        made[name] = version.id
        if name in in_scope:
            db.session.add(LabelScope(label_id=label.id, version_id=version.id, added_at=utcnow()))
    db.session.commit()
    return made


def _with_version(vendor: User, version_id: int | None) -> OfferData:
    base = offer_data(vendor)
    return OfferData(
        base.solution_id,
        base.lead_time_days,
        base.tiers,
        version_id=version_id,
        declaration=no_grounds(),
    )


def test_a_call_requiring_the_version_in_scope_refuses_other_versions(
    create_user: Callable[..., User],
) -> None:
    world = call_world(create_user, buyers=2, vendors=2, outsiders=0)
    call = _call(world, required=True)
    first, second = world.vendors
    versions = _versions(first, ["1.0"], ["2.0"])
    unscoped = _versions(second, [], ["3.0"])

    for data, message in (
        (_with_version(first, None), "requires the version offered"),
        (_with_version(first, versions["2.0"]), "Version 2.0 of .* is not in the certified scope"),
        (_with_version(first, unscoped["3.0"]), "Choose a version of the solution offered"),
        (_with_version(first, 10**12), "Choose a version of the solution offered"),
        # A label issued before versions has an empty scope: it holds no version.
        (_with_version(second, unscoped["3.0"]), "Version 3.0 of .* is not in the certified"),
    ):
        vendor = first if data.solution_id == solution_of(first).id else second
        with pytest.raises(RuleViolation, match=message):
            submit_offer(vendor, call, data)
        db.session.rollback()
    assert db.session.scalar(select(func.count(Offer.id))) == 0

    offer = submit_offer(first, call, _with_version(first, versions["1.0"]))
    db.session.commit()
    assert offer.version is not None and offer.version.version == "1.0"
    assert compliance(call) == {offer.id: ""}
    # The version leaves the label's scope: the offer is no longer compliant at the award.
    db.session.execute(delete(LabelScope).where(LabelScope.version_id == versions["1.0"]))
    db.session.commit()
    assert "in that label's certified scope" in compliance(call)[offer.id]


def test_without_the_requirement_any_version_or_none_may_be_offered(
    create_user: Callable[..., User],
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0)
    call = _call(world, required=False)
    vendor = world.vendors[0]
    versions = _versions(vendor, [], ["2.0"])
    offer = submit_offer(vendor, call, _with_version(vendor, versions["2.0"]))
    db.session.commit()
    assert offer.version_id == versions["2.0"] and compliance(call) == {offer.id: ""}


def test_the_call_page_and_offer_form_state_the_rule(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0)
    login(client, world.authority)
    deadline = today() + dt.timedelta(days=limits.min_offer_days() + 2)
    response = client.post(
        f"/procurement/lots/{world.lot.id}/call",
        data={
            "title": "Certified versions only",
            "description": "",
            "deadline": deadline.isoformat(),
            "contract_months": "24",
            "requires_version_in_scope": "y",
        },
    )
    assert response.status_code == 302
    call = db.session.scalars(select(JointCall)).one()
    assert call.requires_version_in_scope
    client.post("/logout")

    vendor = world.vendors[0]
    versions = _versions(vendor, ["1.0"], ["2.0"])
    login(client, vendor)
    page = client.get(f"/procurement/calls/{call.id}").get_data(as_text=True)
    assert "Must be in the certified scope of the offer's label" in page
    form = client.get(f"/procurement/calls/{call.id}/offer").get_data(as_text=True)
    assert "The version offered must be in the certified scope" in form
    name = solution_of(vendor).name
    assert f"{name} 1.0" in form and f"{name} 2.0" in form
    data = {
        "solution": str(solution_of(vendor).id),
        "lead_time_days": "30",
        "notes": "",
        "tier_quantity_1": "1",
        "tier_price_1": "900",
        **declaration_form(),
    }
    refused = client.post(
        f"/procurement/calls/{call.id}/offer", data={**data, "version": str(versions["2.0"])}
    ).get_data(as_text=True)
    assert "is not in the certified scope" in refused
    response = client.post(
        f"/procurement/calls/{call.id}/offer", data={**data, "version": str(versions["1.0"])}
    )
    assert response.status_code == 302
    offer = db.session.scalars(select(Offer)).one()
    assert db.session.get(SolutionVersion, offer.version_id) is not None
    shown = client.get(f"/procurement/calls/{call.id}/offers/{offer.id}").get_data(as_text=True)
    assert "<dt>Version</dt><dd>1.0</dd>" in shown


def test_a_need_asking_for_the_version_in_scope_makes_its_call_require_it(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    buyer = create_user(kind=OrganisationKind.BUYER)
    login(client, buyer)
    form = {
        "title": "Cameras, certified versions",
        "category": "video-protection",
        "norm": "",
        "min_level_rank": "0",
        "firm_quantity": "40",
        "optional_quantity": "0",
        "unit": "camera",
        "max_unit_price": "650.50",
        "need_by": (today() + dt.timedelta(days=200)).isoformat(),
        "region_code": "FR-BRE",
        "accepted_uplift": "0",
        "notes": "",
        "requires_version_in_scope": "y",
    }
    assert client.post("/procurement/needs/new", data=form).status_code == 302
    need = db.session.scalars(select(Need).where(Need.title == form["title"])).one()
    assert need.requires_version_in_scope
    page = client.get(f"/procurement/needs/{need.id}").get_data(as_text=True)
    assert "Must be in the certified scope of the offer's label" in page

    # On a lot, one member's need asking for it is enough: the call requires it.
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0)
    world.lot.active_members[0].need.requires_version_in_scope = True
    db.session.commit()
    assert _call(world, required=False).requires_version_in_scope
