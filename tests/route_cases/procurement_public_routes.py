"""Routes of open joint procurement: public notices, OCDS downloads, the JSON API, and the
authority's dashboard."""

from __future__ import annotations

from typing import Any

from tests.procurement import public_builders
from tests.routing import Case, authority_only, everyone

PUBLIC = everyone(200)
MISSING = everyone(404)


def extend_world(world: dict[str, Any]) -> dict[str, int]:
    """An awarded call (with its document) on a lot of three buyers, and a draft-free need."""
    scene = public_builders.scene(
        world["people"]["authority"], norm_code="ROUTE-PUB-NORM", suffix=" (routes)"
    )
    call = public_builders.open_call(scene)
    startup, _ = public_builders.two_offers(scene, call)
    public_builders.pass_deadline(call)
    public_builders.award(scene, call, startup, dropout_buyers=(0,))
    return {
        "public_call": call.id,
        "public_document": call.documents[0].id,
        "public_lot": scene.lot.id,
        "public_need": scene.needs[0].id,
    }


CASES = [
    Case("procurement_public.index", "GET", "/procurement/public", PUBLIC),
    Case("procurement_public.index", "GET", "/procurement/public?phase=awarded&page=2", PUBLIC),
    Case("procurement_public.index", "GET", "/procurement/public?phase=%27%20OR%201%3D1--", PUBLIC),
    Case("procurement_public.call", "GET", "/procurement/public/calls/{public_call}", PUBLIC),
    Case("procurement_public.call", "GET", "/procurement/public/calls/2147483647", MISSING),
    Case(
        "procurement_public.document",
        "GET",
        "/procurement/public/calls/{public_call}/documents/{public_document}",
        PUBLIC,
    ),
    Case(
        "procurement_public.document",
        "GET",
        "/procurement/public/calls/2147483647/documents/{public_document}",
        MISSING,
    ),
    Case("procurement_public.open_data", "GET", "/procurement/public/open-data", PUBLIC),
    Case("procurement_public.ocds_bulk", "GET", "/procurement/ocds.json", PUBLIC),
    Case("procurement_public.ocds_bulk", "GET", "/procurement/ocds.json?page=99", MISSING),
    Case(
        "procurement_public.ocds_release_package",
        "GET",
        "/procurement/ocds/ocds-sfreg1-CALL-{public_call:05d}.json",
        PUBLIC,
    ),
    Case(
        "procurement_public.ocds_release_package",
        "GET",
        "/procurement/ocds/ocds-sfreg1-NEED-{public_need:05d}.json",
        PUBLIC,
    ),
    Case(
        "procurement_public.ocds_release_package",
        "GET",
        "/procurement/ocds/ocds-sfreg1-NEED-99999999999.json",
        MISSING,
    ),
    Case(
        "procurement_dashboard.dashboard_page", "GET", "/procurement/dashboard", authority_only(200)
    ),
    Case("procurement_api.lots", "GET", "/api/v1/lots", PUBLIC),
    Case("procurement_api.lot", "GET", "/api/v1/lots/{public_lot}", PUBLIC),
    Case("procurement_api.lot", "GET", "/api/v1/lots/2147483647", MISSING),
    Case("procurement_api.calls", "GET", "/api/v1/calls?page=2&per_page=1", PUBLIC),
    # Paging held to the OpenAPI declaration: refused, not replaced by defaults.
    Case("procurement_api.calls", "GET", "/api/v1/calls?page=-1&per_page=x", everyone(400)),
    Case("procurement_api.call", "GET", "/api/v1/calls/{public_call}", PUBLIC),
    Case("procurement_api.call", "GET", "/api/v1/calls/2147483647", MISSING),
]
