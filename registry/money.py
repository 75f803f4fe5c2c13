"""Amounts of money: prices and budgets are kept to the cent."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

CENT: Final = Decimal("0.01")
# Savings are ratios, stated to a millionth.
SAVING_STEP: Final = Decimal("0.000001")
