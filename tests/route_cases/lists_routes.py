"""Routes of compare, shortlists, the watchlist and open data."""

from __future__ import annotations

from typing import Any

from catalog import services
from catalog.lists.models import Shortlist
from catalog.lists.services import add_to_shortlist, create_shortlist
from catalog.models import Maturity, PriceBand, PriceModel
from registry.database import db, utcnow
from registry.models import BuyerType, Organisation, OrganisationKind, OrganisationStatus
from tests.routing import WRITE, Case, everyone, only, signed_in

BUYERS = only({"buyer": 200})
FOREIGN = only({"buyer": 404})


def _data(name: str) -> services.SolutionData:
    return services.SolutionData(
        name=name,
        primary_category="video-analysis",
        activities=["planning"],
        summary="Compared.",
        description_markdown="Text.",
        maturity=Maturity.PILOT,
        price_model=PriceModel.LICENCE,
        price_band=PriceBand.UNDER_10K,
        regions=["FR"],
    )


def extend_world(world: dict[str, Any]) -> dict[str, int]:
    """Two published solutions and a draft, the buyer's shortlist and another buyer's."""
    vendor, buyer = world["people"]["vendor"], world["people"]["buyer"]
    first = services.publish_solution(vendor, services.create_solution(vendor, _data("Cmp A")))
    second = services.publish_solution(vendor, services.create_solution(vendor, _data("Cmp B")))
    hidden = services.create_solution(vendor, _data("Cmp draft"))
    own = create_shortlist(buyer, "Walk-through list")
    add_to_shortlist(buyer, own, first.id, "note")
    elsewhere = Organisation(
        name="Another buyer for lists",
        kind=OrganisationKind.BUYER,
        status=OrganisationStatus.ACTIVE,
        buyer_type=BuyerType.POLICE,
    )
    db.session.add(elsewhere)
    db.session.flush()
    foreign = Shortlist(organisation_id=elsewhere.id, name="Theirs", updated_at=utcnow())
    db.session.add(foreign)
    db.session.flush()
    return {
        "cmp_first": first.id,
        "cmp_second": second.id,
        "cmp_draft": hidden.id,
        "own_shortlist": own.id,
        "foreign_shortlist": foreign.id,
    }


CASES = [
    Case("compare.compare", "GET", "/compare?ids={cmp_first}&ids={cmp_second}", everyone(200)),
    Case("compare.compare", "GET", "/compare?ids={cmp_draft}&ids=x&ids=0", everyone(200)),
    Case("catalog.solutions", "GET", "/solutions?compare={cmp_first}&compare=x", everyone(301)),
    Case(
        "catalog_search.catalog",
        "GET",
        "/catalog?certified=0&compare={cmp_first}&all=standards",
        everyone(200),
    ),
    Case("open_data.catalog_csv", "GET", "/catalog.csv", everyone(200)),
    Case("open_data.catalog_json", "GET", "/catalog.json", everyone(200)),
    Case("open_data.label_feed", "GET", "/labels/feed.atom", everyone(200)),
    Case("lists.shortlists", "GET", "/shortlists", BUYERS),
    Case("lists.create_shortlist", "POST", "/shortlists", only({"buyer": 400})),  # no name
    Case("lists.shortlist", "GET", "/shortlists/{own_shortlist}", BUYERS),
    Case("lists.shortlist", "GET", "/shortlists/{foreign_shortlist}", FOREIGN),
    Case("lists.shortlist", "GET", "/shortlists/2147483648", everyone(404)),
    Case("lists.watchlist", "GET", "/watchlist", signed_in(200)),
    # Changes
    Case(
        "lists.create_shortlist",
        "POST",
        "/shortlists",
        only({"buyer": 302}),
        {"name": "Walk-through new"},
        phase=WRITE,
    ),
    Case(
        "lists.rename_shortlist",
        "POST",
        "/shortlists/{foreign_shortlist}/rename",
        FOREIGN,
        {"name": "Hijacked"},
        phase=WRITE,
    ),
    Case(
        "lists.rename_shortlist",
        "POST",
        "/shortlists/{own_shortlist}/rename",
        only({"buyer": 302}),
        {"name": "Renamed"},
        phase=WRITE,
    ),
    # The form's ids are not placeholders: an unknown shortlist, and a form without ids.
    Case(
        "lists.add_item",
        "POST",
        "/shortlists/items",
        FOREIGN,
        {"shortlist_id": "2147483647", "solution_id": "1"},
        phase=WRITE,
    ),
    Case("lists.add_item", "POST", "/shortlists/items", only({"buyer": 400}), phase=WRITE),
    Case(
        "lists.remove_item",
        "POST",
        "/shortlists/{foreign_shortlist}/items/{cmp_first}/remove",
        FOREIGN,
        phase=WRITE,
    ),
    Case(
        "lists.remove_item",
        "POST",
        "/shortlists/{own_shortlist}/items/{cmp_first}/remove",
        only({"buyer": 302}),
        phase=WRITE,
    ),
    Case(
        "lists.delete_shortlist",
        "POST",
        "/shortlists/{foreign_shortlist}/delete",
        FOREIGN,
        phase=WRITE,
    ),
    Case(
        "lists.delete_shortlist",
        "POST",
        "/shortlists/{own_shortlist}/delete",
        only({"buyer": 302}),
        phase=WRITE,
    ),
    Case(
        "lists.follow",
        "POST",
        "/watchlist/follow",
        signed_in(404),
        {"kind": "solution", "target": "2147483647"},
        phase=WRITE,
    ),
    Case(
        "lists.follow",
        "POST",
        "/watchlist/follow",
        signed_in(302),
        {"kind": "norm", "target": "RT-LIVE"},  # published in norms_routes' world
        phase=WRITE,
    ),
    Case(
        "lists.unfollow",
        "POST",
        "/watchlist/unfollow",
        signed_in(302),
        {"kind": "norm", "target": "RT-LIVE"},
        phase=WRITE,
    ),
    # Back to the watchlist, with "no unread notification" when there is none.
    Case(
        "lists.mark_notifications_read",
        "POST",
        "/watchlist/notifications/read",
        signed_in(302),
        {},
        phase=WRITE,
    ),
]
