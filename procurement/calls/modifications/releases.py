"""OCDS: each contract modification is a "contractAmendment" release of its contract.

Published releases never change, so a modification adds a release (dated when it was recorded)
copied from its contract's latest release, with the terms in force after it (value, unit price,
maximum, period) and ``contracts[].amendments`` listing every modification of the contract so
far (date, legal ground as rationale, description). The contract's value in it is its value as
signed plus the modifications' value changes.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from procurement.calls.models import ContractLine, JointCall
from procurement.calls.modifications.models import ContractModification
from procurement.ocds.formats import amount, dated_period, stamp
from registry.database import db


def call_modifications(call: JointCall) -> list[ContractModification]:
    """The modifications of the call's contract lines, in the order they were recorded."""
    award = call.award
    if award is None:
        return []
    return list(
        db.session.scalars(
            select(ContractModification)
            .join(ContractLine, ContractLine.id == ContractModification.line_id)
            .where(ContractLine.award_id == award.id)
            .order_by(ContractModification.recorded_at, ContractModification.id)
        )
    )


def amendment(modification: ContractModification) -> dict[str, Any]:
    """The OCDS Amendment of one modification."""
    return {
        "id": modification.reference,
        "date": stamp(modification.recorded_at),
        "rationale": modification.ground.label,
        "description": modification.description,
    }


def _amend(release: dict[str, Any], modification: ContractModification) -> None:
    line = modification.line
    currency = line.award.call.lot.currency
    for contract in release["contracts"]:
        value = Decimal(str(contract["value"]["amount"])) + modification.value_change
        contract["value"] = amount(value, currency)
        contract["period"] = dated_period(line.award.contract_start, modification.end_after)
        contract["amendments"] = [*contract.get("amendments", []), amendment(modification)]
        for item in contract.get("items", []):
            item["unit"]["value"] = amount(modification.unit_price_after, currency)
            item["description"] = (
                f"{line.award.offer.solution.name} for {line.buyer.name}: "
                f"{line.quantity} firm, up to {modification.maximum_after}"
            )


def with_modifications(call: JointCall, releases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The call's releases with one contractAmendment release appended per modification."""
    modifications = call_modifications(call)
    if not modifications:
        return releases
    latest: dict[str, dict[str, Any]] = {}
    first_id: dict[str, str] = {}
    for release in releases:
        for contract in release.get("contracts", []):
            latest[contract["id"]] = release
            first_id.setdefault(contract["id"], release["id"])
    for modification in modifications:
        reference = modification.line.reference
        base = latest.get(reference)
        if base is None:
            continue
        release = copy.deepcopy(base)
        release["id"] = f"{first_id[reference]}-{modification.reference.lower()}"
        release["date"] = stamp(modification.recorded_at)
        release["tag"] = ["contractAmendment"]
        _amend(release, modification)
        releases.append(release)
        latest[reference] = release
    return releases
