"""Each order (call-off) is its own OCDS contracting process, "<prefix>-ORDER-00042", with one
contract release that never changes; it points to its framework's ocid through
``relatedProcesses`` (relationship "framework")."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from procurement.calls.models import Award, ContractLine, JointCall
from procurement.calls.orders.models import CallOrder
from procurement.ocds.formats import amount, prefix, stamp
from procurement.ocds.items import classification
from procurement.ocds.parties import Parties
from registry.arguments import MAX_ID
from registry.database import db
from registry.wording import counted

_ORDER_OCID = re.compile(r"^(?P<prefix>.+)-ORDER-(?P<id>\d{1,10})$")


def order_ocid(order: CallOrder) -> str:
    """The ocid of an order's process, e.g. ocds-sfreg1-ORDER-00042."""
    return f"{prefix()}-{order.reference}"


def order_release(order: CallOrder) -> dict[str, Any]:
    """The one release of an order: its award to the framework's supplier and its contract."""
    line = order.line
    award = line.award
    call = award.call
    currency = call.lot.currency
    ocid = order_ocid(order)
    parties = Parties()
    buyer = parties.add(line.buyer, "buyer")
    supplier = parties.add(award.offer.vendor, "supplier")
    award_id = f"{ocid}-award"
    value = amount(order.value, currency)
    optional = f", {order.optional_quantity} of them optional" if order.optional_quantity else ""
    return {
        "ocid": ocid,
        "id": f"{ocid}-contract",
        "date": stamp(order.placed_at),
        "tag": ["award", "contract"],
        "initiationType": "tender",
        "language": "en",
        "buyer": buyer,
        "relatedProcesses": [
            {
                "id": call.reference,
                "relationship": ["framework"],
                "title": call.title,
                "scheme": "ocid",
                "identifier": call.ocid,
            }
        ],
        "awards": [
            {
                "id": award_id,
                "title": f"{order.reference} under {call.reference}",
                "status": "active",
                "date": stamp(order.placed_at),
                "value": value,
                "suppliers": [supplier],
            }
        ],
        "contracts": [
            {
                "id": order.reference,
                "awardID": award_id,
                "title": f"{order.reference}: order of {line.buyer.name} under {line.reference}",
                "status": "active",
                "value": value,
                "dateSigned": stamp(order.placed_at),
                "items": [
                    {
                        "id": order.reference,
                        "description": (
                            f"{award.offer.solution.name}: "
                            f"{counted(order.quantity, 'unit')}{optional}"
                        ),
                        "classification": classification(call.lot),
                        "quantity": order.quantity,
                        "unit": {
                            "name": call.lot.unit.label,
                            "value": amount(order.unit_price, currency),
                        },
                    }
                ],
            }
        ],
        "parties": parties.as_list(),
    }


def call_order_releases(call: JointCall) -> list[dict[str, Any]]:
    """The releases of the orders placed under a call's framework, oldest order first."""
    orders = db.session.scalars(
        select(CallOrder)
        .join(ContractLine, ContractLine.id == CallOrder.line_id)
        .join(Award, Award.id == ContractLine.award_id)
        .where(Award.call_id == call.id)
        .order_by(CallOrder.id)
    )
    return [order_release(order) for order in orders]


def releases_for_order(ocid: str) -> list[dict[str, Any]] | None:
    """The releases of an order's ocid, or None when the ocid names no order."""
    match = _ORDER_OCID.match(ocid)
    if match is None or match["prefix"] != prefix():
        return None
    number = int(match["id"])
    order = db.session.get(CallOrder, number) if 0 < number <= MAX_ID else None
    return None if order is None else [order_release(order)]
