"""OCDS: awards and contracts are pending until signed, active after (decided here).

Each contract line is its own OCDS contract. Published releases never change, so the state at
each release's date is what it shows: the award release and each contract release (dated when
the award was made) show the award and the contract "pending", without dateSigned; each
signature adds a "contractUpdate" release, dated at the signature, in which that contract is
"active" with its dateSigned and the award is "active" (an award is active once any of its
contracts is signed).
"""

from __future__ import annotations

import copy
from typing import Any

from procurement.calls.models import JointCall
from procurement.ocds.formats import stamp


def _set_award_status(release: dict[str, Any], status: str) -> None:
    for award in release.get("awards", []):
        if award.get("status") == "active":
            award["status"] = status


def with_signatures(call: JointCall, releases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The call's releases with awards and contracts pending until signed, and one release per
    signature appended in signature order."""
    award = call.award
    if award is None:
        return releases
    contract_releases: dict[str, dict[str, Any]] = {}
    for release in releases:
        _set_award_status(release, "pending")
        for contract in release.get("contracts", []):
            contract["status"] = "pending"
            contract.pop("dateSigned", None)
            contract_releases[contract["id"]] = release
    signed = sorted(
        (line for line in award.lines if line.signed_at is not None),
        key=lambda line: (line.signed_at, line.id),
    )
    for line in signed:
        base = contract_releases.get(line.reference)
        if base is None or line.signed_at is None:
            continue
        release = copy.deepcopy(base)
        release["id"] = f"{base['id']}-signed"
        release["date"] = stamp(line.signed_at)
        release["tag"] = ["contractUpdate"]
        for award_entry in release.get("awards", []):
            if award_entry.get("status") == "pending":
                award_entry["status"] = "active"
        for contract in release["contracts"]:
            contract["status"] = "active"
            contract["dateSigned"] = stamp(line.signed_at)
            contract["description"] = f"Signed for {line.buyer.name} by {line.signatory}."
        releases.append(release)
    return releases
