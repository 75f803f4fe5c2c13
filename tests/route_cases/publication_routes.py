"""Routes of publication: the eForms-compatible notices of a joint call."""

from __future__ import annotations

from typing import Any

from tests.procurement import public_builders
from tests.routing import Case, everyone

PUBLIC = everyone(200)
MISSING = everyone(404)


def extend_world(world: dict[str, Any]) -> dict[str, int]:
    """An awarded call and an open one, on lots of their own."""
    scene = public_builders.scene(
        world["people"]["authority"], norm_code="ROUTE-EFORMS-NORM", suffix=" (eforms)"
    )
    call = public_builders.open_call(scene)
    startup, _ = public_builders.two_offers(scene, call)
    public_builders.pass_deadline(call)
    public_builders.award(scene, call, startup)
    return {"eforms_call": call.id}


_NOTICE = "/procurement/public/calls/{eforms_call}/eforms/"
CASES = [
    Case("publication.eforms_notice", "GET", _NOTICE + "contract-notice.json", PUBLIC),
    Case("publication.eforms_notice", "GET", _NOTICE + "award-notice.json", PUBLIC),
    Case("publication.eforms_notice", "GET", _NOTICE + "modification-notice.json", MISSING),
    Case("publication.eforms_notice", "GET", _NOTICE + "%27%20OR%201%3D1--.json", MISSING),
    Case(
        "publication.eforms_notice",
        "GET",
        "/procurement/public/calls/2147483647/eforms/contract-notice.json",
        MISSING,
    ),
]
