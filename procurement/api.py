"""GET /api/v1/lots and /api/v1/calls: the public facts of pooled procurement.

Lots are public once frozen (their figures no longer change). Calls follow the sealed rule of
the public pages: the number of offers from the deadline on, the award once decided, never a
buyer's ceiling.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, url_for
from sqlalchemy import select

from catalog.regions import REGIONS
from procurement.calls.award import ObservedSavings
from procurement.calls.legal.services import API_PROPERTIES, api_fields
from procurement.calls.models import CallStatus, JointCall
from procurement.calls.savings import award_savings
from procurement.calls.scoring.api import API_CRITERIA_PROPERTIES, api_criteria_fields
from procurement.models import Lot, LotStatus
from procurement.ocds.formats import stamp
from procurement.services.needs import level_name
from registry.api import (
    API_PREFIX,
    NOT_MODIFIED_RESPONSE,
    PAGE_PARAMETERS,
    add_openapi,
    api_error,
    id_parameter,
    json_response,
    ok_response,
    one_object_responses,
    page_schema,
    paginated,
)
from registry.database import db

bp = Blueprint("procurement_api", __name__, url_prefix=API_PREFIX)

PUBLIC_LOT_STATUSES = (
    LotStatus.FROZEN,
    LotStatus.CALL_OPENED,
    LotStatus.AWARDED,
    LotStatus.UNSUCCESSFUL,
    LotStatus.CANCELLED,
)
# The demo data's awarded lot and its call (tests/test_api.py calls these paths).
EXAMPLE_LOT_ID = 10
EXAMPLE_CALL_ID = 1


def _money(value: Any) -> str:
    return f"{value:.2f}"


def _call_for(lot: Lot) -> JointCall | None:
    return db.session.scalar(select(JointCall).where(JointCall.lot_id == lot.id))


def serialise_lot(lot: Lot) -> dict[str, Any]:
    """A frozen (or later) lot's public figures; no buyer's ceiling, no budget."""
    call = _call_for(lot)
    buyers = sorted({member.buyer.name for member in lot.active_members})
    return {
        "id": lot.id,
        "reference": lot.reference,
        "status": lot.status.value,
        "category": {"code": lot.category.code, "name": lot.category.name},
        "unit": lot.unit.value,
        "currency": lot.currency,
        "region": {
            "code": lot.region_code or None,
            "name": REGIONS.get(lot.region_code, "All regions") if lot.region_code else None,
        },
        "requirement": {
            "norm": lot.norm.code if lot.norm else None,
            "level_rank": lot.level_rank,
            "level": level_name(lot.norm, lot.level_rank) if lot.norm else None,
        },
        "buyers": len(buyers),
        "buyer_names": buyers,
        "estimated_quantity": lot.firm_quantity,
        "maximum_quantity": lot.maximum_quantity,
        "estimated_unit_price": _money(lot.estimated_unit_price),
        "estimated_saving": float(lot.estimated_saving),
        "earliest_need_by": lot.earliest_need_by.isoformat(),
        "frozen_at": stamp(lot.frozen_at) if lot.frozen_at else None,
        "call_id": call.id if call else None,
    }


def _fraction(value: Any) -> float | None:
    return float(value) if value is not None else None


def _money_or_none(value: Any) -> str | None:
    return _money(value) if value is not None else None


def serialise_savings(savings: ObservedSavings) -> dict[str, Any]:
    """An award's savings against observed prices, beside the number of offers; every figure
    null, with the reason, for a single offer. Aggregates only: no losing bidder's price."""
    return {
        "offers": savings.offers,
        "claimed": savings.claimed,
        "reason": savings.reason or None,
        "paid_total": _money(savings.paid_total),
        "against_estimate": _fraction(savings.vs_estimate),
        "estimate_total": _money_or_none(savings.estimate_total),
        "against_buyers_alone": _fraction(savings.vs_standalone),
        "buyers_alone_total": _money_or_none(savings.standalone_total),
        "against_previous_prices": _fraction(savings.vs_previous),
        "previous_prices": savings.previous_reason or None,
    }


def serialise_call(call: JointCall) -> dict[str, Any]:
    """A call's public facts (sealed before the deadline: no offer count, no vendor, no price)."""
    lot = call.lot
    after_deadline = call.deadline_passed()
    award = call.award if call.status is CallStatus.AWARDED else None
    body: dict[str, Any] = {
        "id": call.id,
        "reference": call.reference,
        "ocid": call.ocid,
        "title": call.title,
        "description": call.description,
        "status": call.status.value,
        "phase": call.phase,
        "lot_id": lot.id,
        "category": {"code": lot.category.code, "name": lot.category.name},
        "requirement": {
            "norm": lot.norm.code if lot.norm else None,
            "level": level_name(lot.norm, lot.level_rank) if lot.norm else None,
        },
        "buyers": sorted({member.buyer.name for member in lot.active_members}),
        "estimated_quantity": lot.firm_quantity,
        "maximum_quantity": lot.maximum_quantity,
        "unit": lot.unit.value,
        "currency": lot.currency,
        "contract_months": call.contract_months,
        "max_open_vulnerability_severity": (
            call.max_open_vulnerability_severity.value
            if call.max_open_vulnerability_severity is not None
            else None
        ),
        "opened_at": stamp(call.opened_at),
        "deadline": stamp(call.deadline),
        **api_fields(call),
        **api_criteria_fields(call),
        "documents": [document.title for document in call.documents],
        "offers_received": len(call.offers) if after_deadline else None,
        "outcome_reason": call.outcome_reason or None,
        "award": None,
        "links": {
            "page": url_for("procurement_public.call", call_id=call.id, _external=True),
            "ocds": url_for(
                "procurement_public.ocds_release_package", ocid=call.ocid, _external=True
            ),
        },
    }
    if award is not None:
        body["award"] = {
            "supplier": award.offer.vendor.name,
            "solution": award.offer.solution.name,
            "quantity": award.quantity,
            "maximum_quantity": award.maximum_quantity,
            "unit_price": _money(award.unit_price),
            "total_value": _money(award.total_value),
            "savings": serialise_savings(award_savings(award)),
            "modelled_pooling_effect": {
                "saving": float(award.realised_saving),
                "buyers_alone_on_the_curve": _money(award.counterfactual_value),
            },
            "decided_at": stamp(award.decided_at),
            "contract_start": award.contract_start.isoformat(),
            "contract_end": award.contract_end.isoformat(),
            "contracts": [
                {
                    "buyer": line.buyer.name,
                    "quantity": line.quantity,
                    "maximum_quantity": line.maximum_quantity,
                    "value": _money(line.value),
                }
                for line in award.lines
            ],
            "dropouts": len(award.dropouts),
        }
    return body


@bp.get("/lots")
def lots() -> Response:
    """Frozen and later lots, oldest first."""
    statement = select(Lot).where(Lot.status.in_(PUBLIC_LOT_STATUSES)).order_by(Lot.id)
    return json_response(paginated(statement, serialise_lot, "procurement_api.lots"))


@bp.get("/lots/<int:lot_id>")
def lot(lot_id: int) -> Response:
    """One frozen (or later) lot."""
    found = db.session.get(Lot, lot_id)
    if found is None or found.status not in PUBLIC_LOT_STATUSES:
        return api_error(404, "No such public lot.")
    return json_response(serialise_lot(found))


@bp.get("/calls")
def calls() -> Response:
    """Every joint call, newest first."""
    statement = select(JointCall).order_by(JointCall.opened_at.desc(), JointCall.id.desc())
    return json_response(paginated(statement, serialise_call, "procurement_api.calls"))


@bp.get("/calls/<int:call_id>")
def call(call_id: int) -> Response:
    """One joint call."""
    found = db.session.get(JointCall, call_id)
    if found is None:
        return api_error(404, "No such call.")
    return json_response(serialise_call(found))


def _nullable(kind: str) -> dict[str, Any]:
    return {"type": [kind, "null"]}


_NAMED = {
    "type": "object",
    "required": ["code", "name"],
    "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
}
_DECIMAL = {"type": "string", "pattern": r"^-?\d+\.\d{2}$"}

SCHEMAS: dict[str, Any] = {
    "Lot": {
        "type": "object",
        "required": [
            "id",
            "reference",
            "status",
            "category",
            "buyers",
            "estimated_quantity",
            "maximum_quantity",
            "estimated_saving",
            "call_id",
        ],
        "properties": {
            "id": {"type": "integer"},
            "reference": {"type": "string"},
            "status": {"enum": [status.value for status in PUBLIC_LOT_STATUSES]},
            "category": _NAMED,
            "unit": {"type": "string"},
            "currency": {"type": "string"},
            "region": {
                "type": "object",
                "properties": {"code": _nullable("string"), "name": _nullable("string")},
            },
            "requirement": {
                "type": "object",
                "properties": {
                    "norm": _nullable("string"),
                    "level_rank": {"type": "integer"},
                    "level": _nullable("string"),
                },
            },
            "buyers": {"type": "integer", "minimum": 0},
            "buyer_names": {"type": "array", "items": {"type": "string"}},
            "estimated_quantity": {"type": "integer"},
            "maximum_quantity": {"type": "integer"},
            "estimated_unit_price": _DECIMAL,
            "estimated_saving": {"type": "number", "description": "A fraction: 0.05 is 5 %."},
            "earliest_need_by": {"type": "string", "format": "date"},
            "frozen_at": _nullable("string"),
            "call_id": _nullable("integer"),
        },
    },
    "Call": {
        "type": "object",
        "required": [
            "id",
            "reference",
            "ocid",
            "title",
            "status",
            "phase",
            "deadline",
            "buyers",
            "offers_received",
            "award",
        ],
        "properties": {
            "id": {"type": "integer"},
            "reference": {"type": "string"},
            "ocid": {"type": "string"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "status": {"enum": [status.value for status in CallStatus]},
            "phase": {
                "enum": ["taking_offers", "awaiting_award", "awarded", "unsuccessful", "cancelled"]
            },
            "lot_id": {"type": "integer"},
            "category": _NAMED,
            "requirement": {
                "type": "object",
                "properties": {"norm": _nullable("string"), "level": _nullable("string")},
            },
            "buyers": {"type": "array", "items": {"type": "string"}},
            "estimated_quantity": {"type": "integer"},
            "maximum_quantity": {"type": "integer"},
            "unit": {"type": "string"},
            "currency": {"type": "string"},
            "contract_months": {"type": "integer"},
            "max_open_vulnerability_severity": {
                **_nullable("string"),
                "enum": [None, "none", "low", "medium", "high", "critical"],
                "description": (
                    "Solutions with an open (disclosed, confirmed, unfixed) vulnerability of "
                    "this severity or above are not eligible; null: no such exclusion."
                ),
            },
            "opened_at": {"type": "string", "format": "date-time"},
            "deadline": {"type": "string", "format": "date-time"},
            **API_PROPERTIES,
            **API_CRITERIA_PROPERTIES,
            "documents": {"type": "array", "items": {"type": "string"}},
            "offers_received": {
                **_nullable("integer"),
                "description": "Null until the deadline: offers are sealed before.",
            },
            "outcome_reason": _nullable("string"),
            "award": {
                "oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/CallAward"}],
            },
            "links": {
                "type": "object",
                "properties": {"page": {"type": "string"}, "ocds": {"type": "string"}},
            },
        },
    },
    "CallAwardSavings": {
        "type": "object",
        "description": (
            "What the award saves against observed prices, as fractions (0.05 is 5 %; "
            "negative: paid more). Every figure is null when fewer than two offers competed."
        ),
        "required": ["offers", "claimed", "reason", "against_estimate", "against_buyers_alone"],
        "properties": {
            "offers": {"type": "integer", "minimum": 0, "description": "Offers received."},
            "claimed": {"type": "boolean"},
            "reason": {
                **_nullable("string"),
                "description": "Why no saving is claimed, e.g. a single offer; null otherwise.",
            },
            "paid_total": _DECIMAL,
            "against_estimate": {
                **_nullable("number"),
                "description": "1 − paid / (awarded quantity × the published estimated unit "
                "price).",
            },
            "estimate_total": {"oneOf": [{"type": "null"}, _DECIMAL]},
            "against_buyers_alone": {
                **_nullable("number"),
                "description": "1 − paid / Σ each buyer's quantity × the lowest unit price any "
                "offer's tiers give for that quantity alone.",
            },
            "buyers_alone_total": {"oneOf": [{"type": "null"}, _DECIMAL]},
            "against_previous_prices": {
                **_nullable("number"),
                "description": "Against what the buyers paid before; null while not known.",
            },
            "previous_prices": {
                **_nullable("string"),
                "description": "Why the previous-price figure is missing, if it is.",
            },
        },
    },
    "CallAward": {
        "type": "object",
        "required": ["supplier", "solution", "unit_price", "total_value", "contracts"],
        "properties": {
            "supplier": {"type": "string"},
            "solution": {"type": "string"},
            "quantity": {"type": "integer"},
            "maximum_quantity": {"type": "integer"},
            "unit_price": _DECIMAL,
            "total_value": _DECIMAL,
            "savings": {"$ref": "#/components/schemas/CallAwardSavings"},
            "modelled_pooling_effect": {
                "type": "object",
                "description": (
                    "A model, not a saving: the pooling effect the price-volume curve "
                    "p(Q) = p_ref·(Q/q_ref)^β assumes, 1 − Q^(1+β)/Σqᵢ^(1+β) of the buyers' "
                    "quantities. It does not depend on any price offered or paid."
                ),
                "required": ["saving", "buyers_alone_on_the_curve"],
                "properties": {
                    "saving": {"type": "number"},
                    "buyers_alone_on_the_curve": _DECIMAL,
                },
            },
            "decided_at": {"type": "string", "format": "date-time"},
            "contract_start": {"type": "string", "format": "date"},
            "contract_end": {"type": "string", "format": "date"},
            "contracts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["buyer", "quantity", "value"],
                    "properties": {
                        "buyer": {"type": "string"},
                        "quantity": {"type": "integer"},
                        "maximum_quantity": {"type": "integer"},
                        "value": _DECIMAL,
                    },
                },
            },
            "dropouts": {"type": "integer", "minimum": 0},
        },
    },
}


PATHS: dict[str, Any] = {
    "/lots": {
        "get": {
            "summary": "Frozen and later joint-procurement lots",
            "description": "Lots whose figures are fixed (frozen, in a call, or closed).",
            "parameters": PAGE_PARAMETERS,
            "responses": {
                "200": ok_response(page_schema("#/components/schemas/Lot"), "A page of lots."),
                "304": NOT_MODIFIED_RESPONSE,
            },
        }
    },
    "/lots/{lot_id}": {
        "get": {
            "summary": "One frozen or later lot",
            "parameters": [id_parameter("lot_id", "path", example=EXAMPLE_LOT_ID)],
            "responses": one_object_responses("Lot", "The lot."),
        }
    },
    "/calls": {
        "get": {
            "summary": "Joint calls for offers, newest first",
            "description": (
                "Offers are sealed until the deadline: `offers_received` is null before it, "
                "and `award` is null until the call is awarded. The OCDS 1.1 data of a call is "
                "at `links.ocds`."
            ),
            "parameters": PAGE_PARAMETERS,
            "responses": {
                "200": ok_response(page_schema("#/components/schemas/Call"), "A page of calls."),
                "304": NOT_MODIFIED_RESPONSE,
            },
        }
    },
    "/calls/{call_id}": {
        "get": {
            "summary": "One joint call",
            "parameters": [id_parameter("call_id", "path", example=EXAMPLE_CALL_ID)],
            "responses": one_object_responses("Call", "The call."),
        }
    },
}


def init_app(app: Flask) -> None:
    """Register the blueprint and describe its paths."""
    app.register_blueprint(bp)
    add_openapi(app, paths=PATHS, schemas=SCHEMAS)
