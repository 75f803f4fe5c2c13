"""Routes of contract modifications (art. 72): a contract line's modifications and the form.

The world is the one of the order routes (call_order_routes): an awarded call whose contract
lines, the buyer's and a partner buyer's, are signed; the world's vendor did not win.
"""

from __future__ import annotations

from tests.routing import WRITE, Case, only

READERS = only({"authority": 200, "vendor": 404, "buyer": 200})
NOT_FOUND = only({"authority": 404, "vendor": 404, "buyer": 404})
PARTNERS = only({"authority": 200, "vendor": 404, "buyer": 404})

LINE = "/procurement/contracts/{order_line}/modifications"
PARTNER_LINE = "/procurement/contracts/{order_partner_line}/modifications"
# Art. 72(1)(e) has no value cap the portal checks: a price change is recorded whatever it is.
MODIFICATION = {
    "ground": "72-1-e",
    "unit_price": "799.00",
    "description": "Price indexation as the contract's clause 7 provides.",
}

CASES = [
    Case("call_modifications.line_modifications", "GET", LINE, READERS),
    Case("call_modifications.line_modifications", "GET", PARTNER_LINE, PARTNERS),
    Case(
        "call_modifications.line_modifications",
        "GET",
        "/procurement/contracts/2147483647/modifications",
        NOT_FOUND,
    ),
    # Without a ground or description the form answers 400; only the authority modifies.
    Case("call_modifications.modify", "POST", LINE, only({"authority": 400})),
    Case(
        "call_modifications.modify",
        "POST",
        "/procurement/contracts/2147483647/modifications",
        only({"authority": 404}),
    ),
    # Writes
    Case("call_modifications.modify", "POST", LINE, only({"authority": 302}), MODIFICATION, WRITE),
]
