"""Joint calls: the tender section of a call's releases, and the needs it links to."""

from __future__ import annotations

from typing import Any

from flask import url_for

from procurement.calls.documents.ocds import current_fields, earlier_versions
from procurement.calls.enquiries.ocds import enquiry_sections
from procurement.calls.legal.regime import cpv_codes
from procurement.calls.legal.services import ocds_tender_fields
from procurement.calls.models import JointCall
from procurement.calls.scoring.ocds import award_criteria_fields
from procurement.models import Lot
from procurement.ocds.formats import amount, longest_months, need_ocid, stamp
from procurement.ocds.items import cpv_item, goods_or_services, need_item, region_location
from procurement.ocds.parties import Parties, authority_of
from registry.norms.models import Norm


def _level_name(norm: Norm | None, rank: int) -> str:
    from procurement.services.needs import level_name

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
        # Its kind, first publication, last change and version; then its earlier versions.
        documents[-1].update(current_fields(document))
        documents += earlier_versions(document, lot_id)
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
    """The framework's term before it starts: only its length is known, at most this many days
    (the term is ``contract_months`` calendar months from the award, see award contractPeriod)."""
    return {"durationInDays": longest_months(call.contract_months)}


def eligibility_text(call: JointCall) -> str:
    """Who may offer, in words: the label requirement and the call's options."""
    text = "Offers are open to vendors whose offered solution holds the required label."
    if call.requires_version_in_scope:
        text += " The version offered must be in the certified scope of that label."
    if call.max_open_vulnerability_severity is not None:
        text += (
            " A solution with an open vulnerability (disclosed, confirmed by its vendor and not "
            f"yet fixed) of severity {call.max_open_vulnerability_severity.value} or above is "
            "not eligible."
        )
    return text


def tender_section(call: JointCall, status: str, parties: Parties) -> dict[str, Any]:
    """The tender section of a call's release at the given status, naming its parties."""
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
        "mainProcurementCategory": goods_or_services(lot.unit),
        "awardCriteria": "priceOnly",
        "awardCriteriaDetails": (
            "The lowest unit price at the lot's firm quantity among offers whose solution holds "
            "the required label. A buyer whose ceiling is below the awarded price leaves the "
            "award, and the rest is re-priced at its quantity tier."
        ),
        "submissionMethod": ["electronicSubmission"],
        "value": amount(estimate, lot.currency),
        "tenderPeriod": {"startDate": stamp(call.opened_at), "endDate": stamp(call.deadline)},
        "contractPeriod": _contract_months_period(call),
        "items": [
            cpv_item(need_item(member.need, lot_id), call_cpv_codes(call)) for member in members
        ],
        "lots": [
            {
                "id": lot_id,
                "title": f"{lot.category.name}, {lot.unit.label.lower()}",
                "description": (
                    f"{len({m.buyer_id for m in members})} buyers; estimated quantity "
                    f"{lot.firm_quantity}, maximum quantity {lot.maximum_quantity}; delivery: "
                    f"{region_location(lot.region_code)['description']}"
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
        "eligibilityCriteria": eligibility_text(call),
        "documents": _documents(call, lot_id),
        "hasEnquiries": False,
    }
    tender.update(award_criteria_fields(call))
    tender.update(enquiry_sections(call))
    if authority is not None:
        tender["procuringEntity"] = parties.add(authority, "procuringEntity")
    tender.update(ocds_tender_fields(call))
    return tender


def related_needs(call: JointCall) -> list[dict[str, Any]]:
    """The planning processes of the needs a call pools (relatedProcesses)."""
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


def call_cpv_codes(call: JointCall) -> tuple[str, ...]:
    """The CPV codes of the call's lot category, with their check digits."""
    return cpv_codes(call.lot.category.code)
