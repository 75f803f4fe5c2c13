"""Routes of the buyer's contracts page (what awaits its signature, what is signed).

The buyer's own contracts come from the world call_standstill_routes builds."""

from __future__ import annotations

from tests.routing import Case, only

CASES = [
    Case("standstill.contracts", "GET", "/procurement/contracts", only({"buyer": 200})),
]
