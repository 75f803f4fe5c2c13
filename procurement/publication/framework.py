"""The framework's value once awarded: what the buyers can order under it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from procurement.calls.models import Award
from procurement.ocds.formats import amount


def orderable_value(award: Award) -> Decimal:
    """Σ maximum quantity × unit price over the award's contract lines (firm and optional)."""
    return sum((line.maximum_quantity * line.unit_price for line in award.lines), Decimal(0))


def set_framework_value(release: dict[str, Any], award: Award) -> None:
    """After the award, the framework agreement's value in a release is what can be ordered
    (the buyers that dropped out can order nothing)."""
    framework = release["tender"].get("techniques", {}).get("frameworkAgreement")
    if framework is not None:
        framework["value"] = amount(orderable_value(award), award.call.lot.currency)
