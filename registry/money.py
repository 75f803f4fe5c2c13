"""Amounts of money: prices and budgets are kept to the cent, and read as "1,234.50 EUR"."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Final

CENT: Final = Decimal("0.01")
# Savings are ratios, stated to a millionth.
SAVING_STEP: Final = Decimal("0.000001")
# What a page shows where an amount is not known yet (no estimate, no award).
NO_AMOUNT: Final = "—"


def money_text(value: Decimal | float | int | None, currency: str = "EUR") -> str:
    """An amount as people read it on every page, mail, PDF and command: thousands separated
    by commas, two decimals, the currency code after ("1,234.50 EUR", "-12.00 EUR");
    `NO_AMOUNT` for None. Half a cent rounds away from zero, as on an invoice. Machine formats
    (CSV, JSON, OCDS) keep their own plain numbers."""
    if value is None:
        return NO_AMOUNT
    # A float goes through its shortest text, so 0.1 reads 0.10, not 0.1000000000000000055.
    amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    if amount == 0:
        amount = abs(amount)  # never "-0.00"
    return f"{amount:,.2f} {currency}"
