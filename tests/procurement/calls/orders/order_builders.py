"""Helpers for the order tests: an awarded framework and its buyers' signed contract lines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from procurement.calls.models import Award, ContractLine
from procurement.calls.services import awarding
from registry.database import db, utcnow
from registry.models import User
from tests.procurement.calls.call_builders import (
    CallWorld,
    call_world,
    make_offer,
    open_call,
    pass_deadline,
)


@dataclass
class Framework:
    """An awarded call: its world, its award and the lines (one per buyer, in buyer order)."""

    world: CallWorld
    award: Award
    lines: list[ContractLine]

    def buyer_of(self, line: ContractLine) -> User:
        """The user of the line's buyer organisation."""
        return next(b for b in self.world.buyers if b.organisation_id == line.buyer_id)


def sign(lines: list[ContractLine]) -> None:
    """Record every line as signed by its buyer (the signature step's outcome)."""
    for line in lines:
        line.signed_at = utcnow()
        line.signatory = "Head of purchasing"
    db.session.commit()


def framework(
    create_user: Callable[..., User], *, buyers: int = 2, signed: bool = True
) -> Framework:
    """A call awarded to the first vendor at 900 per unit; each buyer's line (firm 10·(i+1),
    maximum firm + 5) signed unless `signed` is False."""
    world = call_world(create_user, buyers=buyers, vendors=2, outsiders=0)
    call = open_call(world)
    make_offer(world.vendors[0], call, [(1, "900.00")])
    make_offer(world.vendors[1], call, [(1, "950.00")])
    pass_deadline(call)
    awarding.award_call(world.authority, call)
    db.session.commit()
    award = call.award
    assert award is not None
    by_buyer = {line.buyer_id: line for line in award.lines}
    lines = [by_buyer[b.organisation_id] for b in world.buyers]
    if signed:
        sign(lines)
    return Framework(world, award, lines)
