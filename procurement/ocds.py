"""Open contracting data (OCDS 1.1) for pooled procurement, built from the tables.

Each need a buyer opened (and did not withdraw) is a planning process of its own, under
"<prefix>-NEED-00042", with one planning release. Each joint call is a contracting process under
its own ocid (JointCall.ocid, fixed at opening); its releases, oldest first:

- ``<ocid>-tender`` (tender): the notice as opened — lot, one item per buyer's need, framework
  agreement, the label requirement of the lot's norm, documents, tender period. It links to the
  needs it pools through ``relatedProcesses`` (relationship "planning"); the needs' own releases
  never change once published.
- ``<ocid>-bids`` (tenderUpdate), from the deadline on only: offers are sealed until then, so
  no tenderer, bid or price appears in any release before the deadline.
- ``<ocid>-award`` (award) and one ``<ocid>-contract-<n>`` (contract) per contract line, the
  buyer of each contract named with the contract_buyer extension; or ``<ocid>-unsuccessful``;
  or ``<ocid>-cancellation`` (tenderCancellation).

Buyers' ceiling prices are theirs: no release carries them (a dropped-out buyer appears only as
a buyer without a contract).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from catalog.regions import REGIONS
from procurement.call_models import Award, CallStatus, JointCall, Offer
from procurement.models import Lot, Need, NeedStatus, NeedUnit
from registry.database import db, utcnow
from registry.models import Organisation, OrganisationKind, VendorSize
from registry.norms.models import Norm

DEFAULT_PREFIX = "ocds-sfreg1"
PAGE_SIZE = 500
DEFAULT_LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
OCDS_VERSION = "1.1"
# The extension.json of each official extension the releases use.
EXTENSIONS = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_techniques_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_requirements_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_contract_buyer_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_location_extension/v1.1.5/extension.json",
]
# Needs a buyer has made public by opening them.
PUBLISHED_NEED_STATUSES = (
    NeedStatus.OPEN,
    NeedStatus.POOLED,
    NeedStatus.IN_CALL,
    NeedStatus.CONTRACTED,
    NeedStatus.UNMATCHED,
)
# Licences, users and subscriptions are services; cameras, sensors and devices are goods.
SERVICE_UNITS = (NeedUnit.LICENCE, NeedUnit.USER, NeedUnit.YEAR_SUBSCRIPTION, NeedUnit.SITE)
SME_SIZES = (VendorSize.STARTUP, VendorSize.SME)


def prefix() -> str:
    """The publisher's ocid prefix."""
    return str(current_app.config.get("OCDS_PREFIX", DEFAULT_PREFIX))


def need_ocid(need: Need) -> str:
    """The ocid of a need's planning process, e.g. ocds-sfreg1-NEED-00042."""
    return f"{prefix()}-NEED-{need.id:05d}"


def call_ocid(reference_id: int) -> str:
    """The ocid a call opened with this id gets: <prefix>-CALL-00042."""
    return f"{prefix()}-CALL-{reference_id:05d}"


def stamp(moment: dt.datetime | dt.date) -> str:
    """RFC 3339 in UTC, to the second; a date is its midnight UTC."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time(), tzinfo=dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def amount(value: Decimal, currency: str) -> dict[str, Any]:
    """An OCDS Value."""
    return {"amount": float(value), "currency": currency}


def unit_price_at(offer: Offer, quantity: int) -> Decimal | None:
    """The offer's unit price for a total quantity: the highest tier starting at or below it."""
    price = None
    for tier in offer.tiers:
        if tier.min_quantity <= quantity:
            price = tier.unit_price
    return price


def _org_id(organisation: Organisation) -> str:
    return f"ORG-{organisation.id}"


def _reference(organisation: Organisation) -> dict[str, Any]:
    return {"id": _org_id(organisation), "name": organisation.name}


def _party(organisation: Organisation, roles: Iterable[str]) -> dict[str, Any]:
    party: dict[str, Any] = {
        **_reference(organisation),
        "roles": sorted(set(roles)),
        "address": {"countryName": organisation.country},
    }
    if organisation.region:
        party["address"]["region"] = organisation.region
    if organisation.vendor_size is not None:
        party["details"] = {"scale": "sme" if organisation.vendor_size in SME_SIZES else "large"}
    return party


class _Parties:
    """Organisations of a release, each once with all its roles."""

    def __init__(self) -> None:
        self._orgs: dict[int, Organisation] = {}
        self._roles: dict[int, set[str]] = {}

    def add(self, organisation: Organisation, role: str) -> dict[str, Any]:
        self._orgs[organisation.id] = organisation
        self._roles.setdefault(organisation.id, set()).add(role)
        return _reference(organisation)

    def as_list(self) -> list[dict[str, Any]]:
        return [_party(self._orgs[key], self._roles[key]) for key in sorted(self._orgs)]


def authority_of(call: JointCall | None = None) -> Organisation | None:
    """The procuring entity: the organisation that opened the call, else the authority."""
    if call is not None and call.opened_by is not None:
        return call.opened_by.organisation
    return db.session.scalar(
        select(Organisation)
        .where(Organisation.kind == OrganisationKind.AUTHORITY)
        .order_by(Organisation.id)
        .limit(1)
    )


def _region_location(code: str) -> dict[str, Any]:
    name = REGIONS.get(code, code) if code else "All regions"
    location: dict[str, Any] = {"description": name}
    if code:
        location["gazetteer"] = {"scheme": "ISO3166-2", "identifiers": [code]}
    return location


def _classification(lot_or_need: Lot | Need) -> dict[str, Any]:
    category = lot_or_need.category
    return {"scheme": "x_safetech_category", "id": category.code, "description": category.name}


def _category(unit: NeedUnit) -> str:
    return "services" if unit in SERVICE_UNITS else "goods"


def _need_item(need: Need, lot_id: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": f"NEED-{need.id:05d}",
        "description": (
            f"{need.title} for {need.buyer.name}: {need.firm_quantity} firm"
            + (f", up to {need.maximum_quantity} with options" if need.optional_quantity else "")
            + f", needed by {need.need_by.isoformat()}"
        ),
        "classification": _classification(need),
        "quantity": need.firm_quantity,
        "unit": {"name": need.unit.label},
        "deliveryLocations": [_region_location(need.region_code)],
    }
    if lot_id is not None:
        item["relatedLot"] = lot_id
    return item


# --- needs: planning ---------------------------------------------------------------------------


def need_release(need: Need) -> dict[str, Any]:
    """The planning release of an opened need (no price: the ceiling is the buyer's)."""
    ocid = need_ocid(need)
    parties = _Parties()
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
            "mainProcurementCategory": _category(need.unit),
            "items": [_need_item(need)],
            "deliveryLocations": [_region_location(need.region_code)],
        },
    }


# --- joint calls ------------------------------------------------------------------------------


def _level_name(norm: Norm | None, rank: int) -> str:
    from procurement.services import level_name

    return level_name(norm, rank)


def _criteria(lot: Lot, lot_id: str) -> list[dict[str, Any]]:
    """The lot's requirement as one criterion: hold a valid label under the norm at the level."""
    category = lot.category.name
    if lot.norm is None:
        title = "Certified solution"
        description = f"The offered solution must hold a valid SafeTech label in {category}."
        requirements: list[dict[str, Any]] = [
            {
                "id": "LABEL-1",
                "title": "Holds a valid SafeTech label",
                "dataType": "boolean",
                "expectedValue": True,
            }
        ]
    else:
        level = _level_name(lot.norm, lot.level_rank)
        at_level = f" at level {level} or higher" if lot.level_rank > 0 else ""
        title = f"Valid SafeTech label under {lot.norm.code}{at_level}"
        description = (
            f"The offered solution must hold a valid SafeTech label under {lot.norm.code} "
            f"({lot.norm.title}){at_level}. The label evaluation assessed the norm's criteria "
            "listed in this requirement group."
        )
        requirements = [
            {
                "id": "LABEL-1",
                "title": title,
                "dataType": "boolean",
                "expectedValue": True,
            }
        ]
        version = lot.norm.published_version or lot.norm.latest_public_version
        criteria = version.ordered_criteria() if version is not None else []
        for criterion in criteria:
            kind = "Mandatory" if criterion.mandatory else "Weighted"
            requirements.append(
                {
                    "id": f"{lot.norm.code}-{criterion.code}",
                    "title": f"{criterion.code}: {criterion.title}",
                    "description": (
                        f"{kind} criterion of {criterion.version.label} "
                        f"(weight {criterion.weight}), assessed for the label."
                    ),
                }
            )
    return [
        {
            "id": "LABEL",
            "title": title,
            "description": description,
            "relatesToTenderer": False,
            "relatedLots": [lot_id],
            "requirementGroups": [
                {"id": "LABEL-GROUP-1", "description": description, "requirements": requirements}
            ],
        }
    ]


def _documents(call: JointCall, lot_id: str) -> list[dict[str, Any]]:
    page = url_for("procurement_public.call", call_id=call.id, _external=True)
    documents = []
    for document in call.documents:
        documents.append(
            {
                "id": f"DOC-{document.id:05d}",
                "documentType": "biddingDocuments",
                "title": document.title,
                "url": document_url(document.call_id, document.id),
                "datePublished": stamp(document.uploaded_at),
                "format": document.content_type,
                "language": "en",
                "relatedLots": [lot_id],
            }
        )
    documents.append(
        {
            "id": "NOTICE",
            "documentType": "tenderNotice",
            "title": f"Notice of {call.reference}",
            "url": page,
            "format": "text/html",
            "language": "en",
        }
    )
    return documents


def document_url(call_id: int, document_id: int) -> str:
    """The public download link of a call document."""
    return url_for(
        "procurement_public.document", call_id=call_id, document_id=document_id, _external=True
    )


def _contract_months_period(call: JointCall) -> dict[str, Any]:
    return {"durationInDays": call.contract_months * 30}


def _tender(call: JointCall, status: str, parties: _Parties) -> dict[str, Any]:
    lot = call.lot
    lot_id = lot.reference
    members = lot.active_members
    estimate = lot.firm_quantity * lot.estimated_unit_price
    maximum = lot.maximum_quantity * lot.estimated_unit_price
    authority = authority_of(call)
    buyers = [parties.add(member.buyer, "buyer") for member in members]
    tender: dict[str, Any] = {
        "id": f"{call.ocid}-tender",
        "title": call.title,
        "description": call.description or call.title,
        "status": status,
        "procurementMethod": "open",
        "procurementMethodDetails": (
            "Joint procurement by a central purchasing body on behalf of the buyers named "
            "(Directive 2014/24/EU, art. 37–38)"
        ),
        "mainProcurementCategory": _category(lot.unit),
        "awardCriteria": "lowestCost",
        "awardCriteriaDetails": (
            "The lowest unit price at the lot's firm quantity among offers whose solution holds "
            "the required label. A buyer whose ceiling is below the awarded price leaves the "
            "award, and the rest is re-priced at its quantity tier."
        ),
        "submissionMethod": ["electronicSubmission"],
        "value": amount(estimate, lot.currency),
        "tenderPeriod": {"startDate": stamp(call.opened_at), "endDate": stamp(call.deadline)},
        "contractPeriod": _contract_months_period(call),
        "items": [_need_item(member.need, lot_id) for member in members],
        "lots": [
            {
                "id": lot_id,
                "title": f"{lot.category.name}, {lot.unit.label.lower()}",
                "description": (
                    f"{len({m.buyer_id for m in members})} buyers; estimated quantity "
                    f"{lot.firm_quantity}, maximum quantity {lot.maximum_quantity}"
                ),
                "status": status,
                "value": amount(estimate, lot.currency),
                "contractPeriod": _contract_months_period(call),
            }
        ],
        "techniques": {
            "hasFrameworkAgreement": True,
            "frameworkAgreement": {
                "method": "withoutReopeningCompetition",
                "minimumParticipants": 1,
                "maximumParticipants": 1,
                "buyerCategories": "Only the public buyers named in this notice: "
                + "; ".join(b["name"] for b in buyers),
                "value": amount(maximum, lot.currency),
                "period": _contract_months_period(call),
                "periodRationale": "At most 4 years (Directive 2014/24/EU, art. 33).",
                "description": (
                    f"Estimated quantity {lot.firm_quantity}, maximum quantity "
                    f"{lot.maximum_quantity} ({lot.unit.label.lower()})."
                ),
            },
        },
        "criteria": _criteria(lot, lot_id),
        "documents": _documents(call, lot_id),
        "deliveryLocations": [_region_location(lot.region_code)],
        "hasEnquiries": False,
    }
    if authority is not None:
        tender["procuringEntity"] = parties.add(authority, "procuringEntity")
    return tender


def _related_needs(call: JointCall) -> list[dict[str, Any]]:
    return [
        {
            "id": f"NEED-{member.need_id:05d}",
            "relationship": ["planning"],
            "title": member.need.title,
            "scheme": "ocid",
            "identifier": need_ocid(member.need),
            "uri": url_for(
                "procurement_public.ocds_release_package",
                ocid=need_ocid(member.need),
                _external=True,
            ),
        }
        for member in call.lot.active_members
    ]


def _release(
    call: JointCall, suffix: str, date: dt.datetime, tag: list[str], tender_status: str
) -> tuple[dict[str, Any], _Parties]:
    parties = _Parties()
    release: dict[str, Any] = {
        "ocid": call.ocid,
        "id": f"{call.ocid}-{suffix}",
        "date": stamp(date),
        "tag": tag,
        "initiationType": "tender",
        "language": "en",
        "tender": _tender(call, tender_status, parties),
        "relatedProcesses": _related_needs(call),
    }
    return release, parties


def _sorted_offers(call: JointCall) -> list[Offer]:
    return sorted(call.offers, key=lambda offer: offer.id)


def _bids(call: JointCall, parties: _Parties, evaluated: bool) -> dict[str, Any]:
    lot = call.lot
    quantity = lot.firm_quantity
    offers = _sorted_offers(call)
    details = []
    totals = []
    for offer in offers:
        tenderer = parties.add(offer.vendor, "tenderer")
        price = unit_price_at(offer, quantity)
        bid: dict[str, Any] = {
            "id": offer.reference,
            "date": stamp(offer.updated_at),
            "status": "valid" if evaluated else "pending",
            "tenderers": [tenderer],
            "relatedLots": [lot.reference],
            "description": f"{offer.solution.name}, lead time {offer.lead_time_days} days",
        }
        if price is not None:
            total = price * quantity
            totals.append(total)
            bid["value"] = amount(total, lot.currency)
            bid["items"] = [
                {
                    "id": f"SOLUTION-{offer.solution_id}",
                    "description": offer.solution.name,
                    "quantity": quantity,
                    "unit": {"name": lot.unit.label, "value": amount(price, lot.currency)},
                    "relatedLot": lot.reference,
                }
            ]
        details.append(bid)
    sme = sum(1 for offer in offers if offer.vendor.vendor_size in SME_SIZES)
    statistics: list[dict[str, Any]] = [
        {"id": "bids", "measure": "bids", "value": len(offers), "relatedLot": lot.reference},
        {"id": "smeBids", "measure": "smeBids", "value": sme, "relatedLot": lot.reference},
    ]
    if totals:
        statistics += [
            {
                "id": "lowestValidBidValue",
                "measure": "lowestValidBidValue",
                "value": float(min(totals)),
                "currency": lot.currency,
                "relatedLot": lot.reference,
            },
            {
                "id": "highestValidBidValue",
                "measure": "highestValidBidValue",
                "value": float(max(totals)),
                "currency": lot.currency,
                "relatedLot": lot.reference,
            },
        ]
    for statistic in statistics:
        statistic["date"] = stamp(call.deadline)
    return {"statistics": statistics, "details": details}


def _with_bids(release: dict[str, Any], call: JointCall, parties: _Parties) -> None:
    evaluated = call.status is not CallStatus.OPEN
    release["bids"] = _bids(call, parties, evaluated)
    tenderers = {offer.vendor_id: offer.vendor for offer in call.offers}
    release["tender"]["numberOfTenderers"] = len(tenderers)
    release["tender"]["tenderers"] = [_reference(tenderers[key]) for key in sorted(tenderers)]


def _award(award: Award, parties: _Parties) -> dict[str, Any]:
    call = award.call
    lot = call.lot
    offer = award.offer
    supplier = parties.add(offer.vendor, "supplier")
    buyers = []
    seen: set[int] = set()
    for line in award.lines:
        if line.buyer_id not in seen:
            seen.add(line.buyer_id)
            buyers.append(_reference(line.buyer))
    saving = Decimal(award.realised_saving) * 100
    description = (
        f"{offer.solution.name} at {award.unit_price} {lot.currency} per "
        f"{lot.unit.label.lower()} for {award.quantity} (maximum {award.maximum_quantity}). "
        f"Realised saving {saving:.1f} % against the same buyers buying alone "
        f"({award.counterfactual_value} {lot.currency} on the price–volume curve)."
    )
    if award.dropouts:
        description += (
            f" {len(award.dropouts)} buyer(s) left the award: their ceiling was below the "
            "awarded unit price."
        )
    result: dict[str, Any] = {
        "id": f"{call.ocid}-award",
        "title": f"Award of {call.reference}",
        "description": description,
        "status": "active",
        "date": stamp(award.decided_at),
        "value": amount(award.total_value, lot.currency),
        "suppliers": [supplier],
        "items": [
            {
                "id": f"SOLUTION-{offer.solution_id}",
                "description": offer.solution.name,
                "classification": _classification(lot),
                "quantity": award.quantity,
                "unit": {"name": lot.unit.label, "value": amount(award.unit_price, lot.currency)},
                "relatedLot": lot.reference,
            }
        ],
        "contractPeriod": {
            "startDate": stamp(award.contract_start),
            "endDate": stamp(award.contract_end),
        },
        "relatedLots": [lot.reference],
        "relatedBids": [offer.reference],
    }
    if buyers:
        result["buyers"] = buyers
    return result


def call_releases(call: JointCall, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The releases of a joint call at this moment, oldest first (sealed before the deadline)."""
    now = now or utcnow()
    after_deadline = call.deadline_passed(now)
    releases = []
    opened, parties = _release(call, "tender", call.opened_at, ["tender"], "active")
    opened["parties"] = parties.as_list()
    releases.append(opened)
    if call.status is CallStatus.CANCELLED:
        cancelled, parties = _release(
            call, "cancellation", call.closed_at or now, ["tenderCancellation"], "cancelled"
        )
        cancelled["parties"] = parties.as_list()
        if call.outcome_reason:
            cancelled["tender"]["description"] += f" Cancelled: {call.outcome_reason}"
        releases.append(cancelled)
        return releases
    if not after_deadline:
        return releases
    bids, parties = _release(call, "bids", call.deadline, ["tenderUpdate"], "active")
    _with_bids(bids, call, parties)
    bids["parties"] = parties.as_list()
    releases.append(bids)
    if call.status is CallStatus.UNSUCCESSFUL:
        closed, parties = _release(
            call, "unsuccessful", call.closed_at or now, ["tenderUpdate", "award"], "unsuccessful"
        )
        _with_bids(closed, call, parties)
        closed["awards"] = [
            {
                "id": f"{call.ocid}-award",
                "title": f"No award of {call.reference}",
                "description": call.outcome_reason or "No offer could be awarded.",
                "status": "unsuccessful",
                "date": stamp(call.closed_at or now),
                "relatedLots": [call.lot.reference],
            }
        ]
        closed["parties"] = parties.as_list()
        releases.append(closed)
    award = call.award
    if call.status is CallStatus.AWARDED and award is not None:
        awarded, parties = _release(call, "award", award.decided_at, ["award"], "complete")
        _with_bids(awarded, call, parties)
        awarded["awards"] = [_award(award, parties)]
        awarded["parties"] = parties.as_list()
        releases.append(awarded)
        for line in award.lines:
            signed, parties = _release(
                call, f"contract-{line.id}", line.created_at, ["contract"], "complete"
            )
            _with_bids(signed, call, parties)
            award_entry = _award(award, parties)
            signed["awards"] = [award_entry]
            signed["contracts"] = [
                {
                    "id": line.reference,
                    "awardID": award_entry["id"],
                    "title": f"{call.reference}: contract of {line.buyer.name}",
                    "status": "active",
                    "buyer": parties.add(line.buyer, "buyer"),
                    "period": {
                        "startDate": stamp(award.contract_start),
                        "endDate": stamp(award.contract_end),
                    },
                    "value": amount(line.value, call.lot.currency),
                    "dateSigned": stamp(line.created_at),
                    "relatedBids": [award.offer.reference],
                    "items": [
                        {
                            "id": f"NEED-{line.need_id:05d}",
                            "description": (
                                f"{award.offer.solution.name} for {line.buyer.name}: "
                                f"{line.quantity} firm, up to {line.maximum_quantity}"
                            ),
                            "classification": _classification(call.lot),
                            "quantity": line.quantity,
                            "unit": {
                                "name": call.lot.unit.label,
                                "value": amount(line.unit_price, call.lot.currency),
                            },
                        }
                    ],
                }
            ]
            signed["parties"] = parties.as_list()
            releases.append(signed)
    return releases


# --- queries and packages -----------------------------------------------------------------------

_NEED_OCID = re.compile(r"^(?P<prefix>.+)-NEED-(?P<id>\d{1,10})$")


def _published_needs() -> Any:
    return (
        select(Need)
        .where(Need.status.in_(PUBLISHED_NEED_STATUSES))
        .options(selectinload(Need.buyer), selectinload(Need.category))
        .order_by(Need.id)
    )


def _calls() -> Any:
    return select(JointCall).order_by(JointCall.id)


def releases_for(ocid: str, now: dt.datetime | None = None) -> list[dict[str, Any]] | None:
    """The releases of one ocid, or None when there is no such public process."""
    now = now or utcnow()
    call = db.session.scalar(select(JointCall).where(JointCall.ocid == ocid))
    if call is not None:
        return call_releases(call, now)
    match = _NEED_OCID.match(ocid)
    if match is None or match["prefix"] != prefix():
        return None
    number = int(match["id"])
    if number > 2**31 - 1:
        return None
    need = db.session.get(Need, number)
    if need is None or need.status not in PUBLISHED_NEED_STATUSES:
        return None
    return [need_release(need)]


def all_releases(now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Every release: the needs' planning releases, then each call's, in a stable order."""
    now = now or utcnow()
    releases = [need_release(need) for need in db.session.scalars(_published_needs())]
    for call in db.session.scalars(_calls()):
        releases.extend(call_releases(call, now))
    return releases


def package(releases: list[dict[str, Any]], uri: str) -> dict[str, Any]:
    """A release package around some releases, with the publisher's metadata."""
    authority = authority_of()
    published = max((r["date"] for r in releases), default=stamp(utcnow()))
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": list(EXTENSIONS),
        "publishedDate": published,
        "publisher": {
            "name": current_app.config.get(
                "OCDS_PUBLISHER", authority.name if authority else "SafeTech Registry"
            ),
            "uri": url_for("public.home", _external=True),
        },
        "license": current_app.config.get("OCDS_LICENSE", DEFAULT_LICENSE),
        "publicationPolicy": url_for("procurement_public.open_data", _external=True),
        "releases": releases,
    }


def bulk_page(page: int, per_page: int = PAGE_SIZE) -> tuple[list[dict[str, Any]], bool]:
    """One page of every release, and whether another page follows."""
    releases = all_releases()
    start = (page - 1) * per_page
    return releases[start : start + per_page], start + per_page < len(releases)
