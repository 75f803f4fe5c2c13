"""Items, their classification and delivery locations, and the procurement category."""

from __future__ import annotations

from typing import Any

from catalog.regions import REGIONS
from procurement.calls.legal import cpv
from procurement.models import Lot, Need, NeedUnit

# Licences, users and subscriptions are services; cameras, sensors and devices are goods.
SERVICE_UNITS = (NeedUnit.LICENCE, NeedUnit.USER, NeedUnit.YEAR_SUBSCRIPTION, NeedUnit.SITE)


def region_location(code: str) -> dict[str, Any]:
    """A delivery location for a region code (all regions when empty)."""
    name = REGIONS.get(code, code) if code else "All regions"
    location: dict[str, Any] = {"description": name}
    if code:
        # A country is an ISO 3166-1 alpha-2 code ("ISO2" in locationGazetteers), a region an
        # ISO 3166-2 subdivision code (a scheme that open codelist lacks).
        scheme = "ISO2" if len(code) == 2 else "ISO3166-2"
        location["gazetteer"] = {"scheme": scheme, "identifiers": [code]}
    return location


def classification(lot_or_need: Lot | Need) -> dict[str, Any]:
    """The classification of a lot or need: its technology category."""
    category = lot_or_need.category
    return {"scheme": "x_safetech_category", "id": category.code, "description": category.name}


def goods_or_services(unit: NeedUnit) -> str:
    """The OCDS procurement category of a unit: services or goods."""
    return "services" if unit in SERVICE_UNITS else "goods"


def need_item(need: Need, lot_id: str | None = None) -> dict[str, Any]:
    """The item of a need (in a lot's tender when ``lot_id`` is given)."""
    item: dict[str, Any] = {
        "id": f"NEED-{need.id:05d}",
        "description": (
            f"{need.title} for {need.buyer.name}: {need.firm_quantity} firm"
            + (f", up to {need.maximum_quantity} with options" if need.optional_quantity else "")
            + f", needed by {need.need_by.isoformat()}"
        ),
        "classification": classification(need),
        "quantity": need.firm_quantity,
        "unit": {"name": need.unit.label},
        "deliveryLocation": region_location(need.region_code),
    }
    if lot_id is not None:
        item["relatedLot"] = lot_id
    return item


def cpv_item(item: dict[str, Any], codes: tuple[str, ...]) -> dict[str, Any]:
    """The item classified by its first CPV code; the other codes and the technology category
    (the need's own classification) become additional classifications."""
    if not codes:
        return item
    own = item["classification"]
    first, *others = codes
    item["classification"] = {
        "scheme": "CPV",
        "id": first[:8],
        "description": cpv.title(first),
    }
    item["additionalClassifications"] = [
        {"scheme": "CPV", "id": code[:8], "description": cpv.title(code)} for code in others
    ] + [own]
    return item
