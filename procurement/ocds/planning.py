"""Needs: the planning release of each need a buyer opened."""

from __future__ import annotations

from typing import Any

from procurement.models import Need, NeedStatus
from procurement.ocds.formats import need_ocid, stamp
from procurement.ocds.items import goods_or_services, need_item
from procurement.ocds.parties import Parties

# Needs a buyer has made public by opening them.
PUBLISHED_NEED_STATUSES = (
    NeedStatus.OPEN,
    NeedStatus.POOLED,
    NeedStatus.IN_CALL,
    NeedStatus.CONTRACTED,
    NeedStatus.UNMATCHED,
)


def need_release(need: Need) -> dict[str, Any]:
    """The planning release of an opened need (no price: the ceiling is the buyer's)."""
    ocid = need_ocid(need)
    parties = Parties()
    buyer = parties.add(need.buyer, "buyer")
    requirement = (
        f"a valid SafeTech label under {need.norm.code}" if need.norm else "a certified solution"
    )
    return {
        "ocid": ocid,
        "id": f"{ocid}-planning",
        "date": stamp(need.opened_at or need.created_at),
        "tag": ["planning"],
        "initiationType": "tender",
        "language": "en",
        "buyer": buyer,
        "parties": parties.as_list(),
        "planning": {
            "rationale": (
                f"{need.buyer.name} plans to buy {need.firm_quantity} × {need.unit.label.lower()} "
                f"({need.category.name}) by {need.need_by.isoformat()}, requiring {requirement}, "
                "and offers the need for pooling with other public buyers."
            )
        },
        "tender": {
            "id": f"{ocid}-tender",
            "title": need.title,
            "status": "planned",
            "mainProcurementCategory": goods_or_services(need.unit),
            "items": [need_item(need)],
        },
    }
