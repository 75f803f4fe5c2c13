"""An award's savings against observed prices, computed from the stored award and offers.

The figures (pure rules in ``procurement.calls.award.observed_savings``; docs/PROCUREMENT.md,
"Savings") are read, not stored: the award's price, its contract lines, the lot's published
estimated unit price and the tiers of every offer received are all kept, so every surface
computes the same figures the same way.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from procurement.calls.award import ObservedSavings, Tier, observed_savings
from procurement.calls.models import Award


def quantities(award: Award) -> list[int]:
    """Firm quantity per buyer that stayed, buyers by id."""
    per_buyer: dict[int, int] = defaultdict(int)
    for line in award.lines:
        per_buyer[line.buyer_id] += line.quantity
    return [per_buyer[buyer] for buyer in sorted(per_buyer)]


def previous_unit_prices(award: Award) -> list[Decimal | None] | None:
    """What each buyer that stayed paid before for the same purchase, buyers by id.

    No record of it exists yet (a need's maximum unit price is a ceiling, not a price paid,
    and is confidential): None, "not known". A record of past prices plugs in here.
    """
    del award
    return None


def award_savings(award: Award) -> ObservedSavings:
    """The award's observed savings, beside the number of offers received."""
    offers = sorted(award.call.offers, key=lambda offer: offer.id)
    return observed_savings(
        quantities(award),
        award.unit_price,
        award.call.lot.estimated_unit_price,
        [tuple(Tier(t.min_quantity, t.unit_price) for t in o.tiers) for o in offers],
        previous_unit_prices(award),
    )
