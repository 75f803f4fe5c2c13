"""eForms-compatible notices of a joint call, as structured data keyed by Business Terms.

Built from the call's OCDS releases (so they are sealed exactly as those are: nothing about
offers before the deadline): the contract notice from the tender release, the contract award
notice from the award release. The keys are eForms Business Term ids (BT-xx, OPP-xx, OPT-xx of
the eForms SDK); docs/EFORMS.md gives the mapping. Not validated against the SDK's XSDs.
"""

from __future__ import annotations

from typing import Any

from procurement.calls.models import CallStatus, JointCall
from procurement.ocds.call_releases import call_releases
from procurement.ocds.formats import stamp
from registry.database import utcnow

EU_DIRECTIVE = "32014L0024"  # Directive 2014/24/EU, the CELEX number eForms uses (BT-01)


class NoticeUnavailable(LookupError):
    """The notice does not exist (yet) for this call; the message says why."""


def _organisations(release: dict[str, Any]) -> list[dict[str, Any]]:
    organisations = []
    for party in release.get("parties", []):
        organisation: dict[str, Any] = {
            "OPT-200-Organization-Company": party["id"],
            "BT-500-Organization-Company": party["name"],
            "BT-514-Organization-Company": party.get("address", {}).get("countryName", ""),
            "roles": party["roles"],
        }
        identifier = party.get("identifier")
        if identifier:
            organisation["BT-501-Organization-Company"] = identifier["id"]
            organisation["identifierScheme"] = identifier["scheme"]
        for classification in party.get("details", {}).get("classifications", []):
            if classification["scheme"] == "eu-buyer-legal-type":
                organisation["BT-11-Procedure-Buyer"] = classification["id"]
        scale = party.get("details", {}).get("scale")
        if scale:
            organisation["BT-165-Organization-Company"] = scale
        organisations.append(organisation)
    return organisations


def _common(
    call: JointCall, release: dict[str, Any], notice_type: str, form_type: str
) -> dict[str, Any]:
    tender = release["tender"]
    lot = tender["lots"][0]
    return {
        "BT-01-notice": EU_DIRECTIVE,
        "BT-02-notice": notice_type,
        "BT-03-notice": form_type,
        "BT-04-notice": release["ocid"],
        "BT-701-notice": release["id"],
        "BT-05(a)-notice": release["date"][:10],
        "BT-05(b)-notice": release["date"][11:],
        "OPP-070-notice": "1",  # one lot
        "BT-21-Procedure": tender["title"],
        "BT-24-Procedure": tender["description"],
        "BT-23-Procedure": tender["mainProcurementCategory"],
        "BT-105-Procedure": "open",
        "BT-137-Lot": lot["id"],
        "BT-21-Lot": lot["title"],
        "organisations": _organisations(release),
        "call": call.reference,
    }


def _latest(call: JointCall, tag: str) -> dict[str, Any] | None:
    found = [r for r in call_releases(call, utcnow()) if tag in r["tag"]]
    return found[-1] if found else None


def contract_notice(call: JointCall) -> dict[str, Any]:
    """The contract notice (cn-standard): the procedure, the lot, the framework, the deadline."""
    release = _latest(call, "tender")
    if release is None:
        raise NoticeUnavailable("This call has no contract notice: it was never opened.")
    tender = release["tender"]
    framework = tender["techniques"]["frameworkAgreement"]
    notice = _common(call, release, "cn-standard", "competition")
    notice.update(
        {
            "BT-27-Lot": tender["lots"][0]["value"],
            "BT-765-Lot": "fa-wo-rc",  # framework agreement without reopening of competition
            "BT-113-Lot": framework["maximumParticipants"],
            "BT-271-Lot": framework["value"],
            "BT-36-Lot": tender["contractPeriod"].get("durationInDays"),
            "BT-131(d)-Lot": tender["tenderPeriod"]["endDate"][:10],
            "BT-131(t)-Lot": tender["tenderPeriod"]["endDate"][11:],
            "BT-17-Lot": "required",  # electronic submission
            "BT-539-LotsGroup": "price",
            "BT-540-Lot": tender["awardCriteriaDetails"],
            "BT-809-Lot": [c["title"] for c in tender.get("criteria", [])],
        }
    )
    return notice


def award_notice(call: JointCall) -> dict[str, Any]:
    """The contract award notice (can-standard): the winner, the value, the contracts."""
    if call.status is not CallStatus.AWARDED:
        raise NoticeUnavailable(
            "This call has no award notice: it is published once the call is awarded."
        )
    release = _latest(call, "award")
    if release is None:
        raise NoticeUnavailable("This call's award is not published yet.")
    (award,) = release["awards"]
    statistics = {s["measure"]: s["value"] for s in release["bids"]["statistics"]}
    notice = _common(call, release, "can-standard", "result")
    notice.update(
        {
            "BT-142-LotResult": "selec-w",  # a winner was chosen
            "BT-1451-Contract": award["date"][:10],
            "BT-759-LotResult": statistics.get("bids", 0),
            "BT-709-LotResult": release["tender"]["techniques"]["frameworkAgreement"]["value"],
            "BT-720-Tender": award["value"],
            "BT-3201-Tender": award["relatedBid"],
            "OPT-300-Tenderer": [s["id"] for s in award["suppliers"]],
            "contracts": [
                {
                    "BT-150-Contract": line.reference,
                    "BT-145-Contract": stamp(line.created_at)[:10],
                    "OPT-300-Contract-Signatory": f"ORG-{line.buyer_id}",
                    "BT-720-Contract": {
                        "amount": float(line.value),
                        "currency": call.lot.currency,
                    },
                }
                for line in call.award.lines
            ]
            if call.award is not None
            else [],
        }
    )
    return notice


def notice(call: JointCall, kind: str) -> dict[str, Any]:
    """One notice of a call: contract-notice, award-notice or modification-notice.

    NoticeUnavailable when the call has none (yet)."""
    if kind == "contract-notice":
        return contract_notice(call)
    if kind == "award-notice":
        return award_notice(call)
    if kind == "modification-notice":
        return modification_notice(call)
    raise NoticeUnavailable(
        "Unknown notice: ask for contract-notice, award-notice or modification-notice."
    )


def modification_notice(call: JointCall) -> dict[str, Any]:
    """The contract modification notice (can-modif): each contract modification recorded under
    the call's award, from its contractAmendment release (calls.modifications.releases)."""
    releases = [r for r in call_releases(call, utcnow()) if "contractAmendment" in r["tag"]]
    if not releases:
        raise NoticeUnavailable(
            "No contract modification is recorded for this call, so it has no modification notice."
        )
    notice = _common(call, releases[-1], "can-modif", "cont-modif")
    modifications = []
    for release in releases:
        for contract in release["contracts"]:
            change = contract["amendments"][-1]
            modifications.append(
                {
                    "BT-1501(s)-Contract": contract["id"],
                    "BT-1501(n)-Contract": release["id"],
                    "legalGround": change["rationale"],
                    "BT-201-Contract": change["rationale"],
                    "BT-202-Contract": change["description"],
                    "date": change["date"][:10],
                    "BT-720-Contract": contract["value"],
                }
            )
    notice["modifications"] = modifications
    return notice
