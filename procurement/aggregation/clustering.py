"""Greedy clustering of one partition's needs into lots, under the requirement and the cap.

Rules decided here (docs/PROCUREMENT.md gives the overview):

- "Grows most": the compatible lot with the largest firm quantity after the need joins (the
  biggest volume gives every member the lowest curve price); ties go to the older lot.
- Value cap: on the lot's maximum value, Σ (firm + optional) × ceiling, because the value of a
  framework agreement counts its options (Directive 2014/24/EU art. 5) and the lot publishes
  that maximum. A need whose own maximum value exceeds the cap is unmatched.
"""

from __future__ import annotations

from decimal import Decimal

from procurement.aggregation.needs import NeedInput
from procurement.aggregation.reasons import over_cap_reason
from procurement.aggregation.results import Unmatched

# A lot's summary as far as joining goes: norm, level, strictest level every member accepts,
# and whether a member without a norm refused any uplift (then no norm may be imposed).
_LotShape = tuple[str | None, int, int, bool]
# A need's side of it: norm, own level, strictest level it accepts.
_NeedShape = tuple[str | None, int, int]


def _shape_admits(lot: _LotShape, need: _NeedShape) -> bool:
    """Whether a need of that shape may join a lot of that shape, cap aside."""
    norm, level, ceiling, rigid_without_norm = lot
    need_norm, need_level, need_ceiling = need
    if need_norm is None:
        # Imposing the lot's norm on the need: only if it accepted an uplift.
        if norm is not None and need_ceiling == need_level:
            return False
    elif norm is None:
        if rigid_without_norm:
            return False
    elif norm != need_norm:
        return False
    merged = max(level, need_level)
    return merged <= ceiling and merged <= need_ceiling


class OpenLot:
    """A lot being built: its members and the summary that decides who else may join."""

    __slots__ = (
        "ceiling",
        "firm",
        "index",
        "level",
        "needs",
        "norm",
        "rigid_without_norm",
        "value",
    )

    def __init__(self, index: int, need: NeedInput, value: Decimal) -> None:
        self.index = index
        self.needs = [need]
        self.norm = need.norm_code
        self.level = need.min_level_rank
        self.ceiling = need.min_level_rank + need.accepted_uplift
        self.rigid_without_norm = need.norm_code is None and need.accepted_uplift == 0
        self.firm = need.firm_quantity
        self.value = value

    @property
    def shape(self) -> _LotShape:
        """What decides, with the cap, which needs may join."""
        return (self.norm, self.level, self.ceiling, self.rigid_without_norm)

    def add(self, need: NeedInput, value: Decimal) -> None:
        """Take the need in and tighten the summary."""
        self.needs.append(need)
        if need.norm_code is not None:
            self.norm = need.norm_code
        self.level = max(self.level, need.min_level_rank)
        self.ceiling = min(self.ceiling, need.min_level_rank + need.accepted_uplift)
        if need.norm_code is None and need.accepted_uplift == 0:
            self.rigid_without_norm = True
        self.firm += need.firm_quantity
        self.value += value


def cluster_needs(
    needs: list[NeedInput], cap: Decimal | None
) -> tuple[list[OpenLot], list[Unmatched]]:
    """Greedy clustering of one partition's needs, already in (need_by, id) order."""
    values = [need.maximum_value for need in needs]
    fits, over_cap = _within_cap(needs, values, cap)
    smallest_after = _smallest_after(values, fits) if cap is not None else None
    all_lots: list[OpenLot] = []
    # Open lots indexed by shape: compatibility is decided once per shape, not once per lot,
    # so a step costs O(shapes + open lots of compatible shapes) cheap comparisons.
    open_by_shape: dict[_LotShape, list[OpenLot]] = {}
    admits: dict[tuple[_LotShape, _NeedShape], bool] = {}
    for index, need in enumerate(needs):
        if not fits[index]:
            continue
        value = values[index]
        room = None if cap is None else cap - value
        need_shape = (
            need.norm_code,
            need.min_level_rank,
            need.min_level_rank + need.accepted_uplift,
        )
        best = _best_lot(open_by_shape, admits, need_shape, room)
        if best is None:
            best = OpenLot(len(all_lots), need, value)
            all_lots.append(best)
        else:
            _unindex(open_by_shape, best)
            best.add(need, value)
        smallest = smallest_after[index + 1] if smallest_after is not None else None
        if cap is None or (smallest is not None and best.value + smallest <= cap):
            open_by_shape.setdefault(best.shape, []).append(best)
    return all_lots, over_cap


def _within_cap(
    needs: list[NeedInput], values: list[Decimal], cap: Decimal | None
) -> tuple[list[bool], list[Unmatched]]:
    """Whether each need fits under the cap on its own; the ones that do not, unmatched."""
    over_cap: list[Unmatched] = []
    fits = [True] * len(needs)
    if cap is not None:
        for index, need in enumerate(needs):
            if values[index] > cap:
                fits[index] = False
                over_cap.append(over_cap_reason(need, values[index], cap))
    return fits, over_cap


def _smallest_after(values: list[Decimal], fits: list[bool]) -> list[Decimal | None]:
    """Smallest value still to come after each position (None: nothing fits any more).

    A lot that cannot take even that is full for good and leaves the index.
    """
    smallest_after: list[Decimal | None] = [None] * (len(values) + 1)
    for index in range(len(values) - 1, -1, -1):
        later = smallest_after[index + 1]
        current = values[index] if fits[index] else None
        if current is None:
            smallest_after[index] = later
        else:
            smallest_after[index] = current if later is None else min(current, later)
    return smallest_after


def _best_lot(
    open_by_shape: dict[_LotShape, list[OpenLot]],
    admits: dict[tuple[_LotShape, _NeedShape], bool],
    need_shape: _NeedShape,
    room: Decimal | None,
) -> OpenLot | None:
    """The open lot the need grows most, with room for it; None when no lot may take it."""
    best: OpenLot | None = None
    best_firm = 0
    best_index = 0
    for shape, lots in open_by_shape.items():
        compatible = admits.get((shape, need_shape))
        if compatible is None:
            compatible = admits[(shape, need_shape)] = _shape_admits(shape, need_shape)
        if not compatible:
            continue
        for lot in lots:
            # Grows most = largest lot; on equal size the older (lower index) one wins.
            firm = lot.firm
            if firm < best_firm or (firm == best_firm and lot.index > best_index):
                continue
            if room is not None and lot.value > room:
                continue
            best, best_firm, best_index = lot, firm, lot.index
    return best


def _unindex(open_by_shape: dict[_LotShape, list[OpenLot]], lot: OpenLot) -> None:
    """Take a lot out of the open-lot index (its shape may change)."""
    shape = lot.shape
    lots = open_by_shape[shape]
    lots.remove(lot)
    if not lots:
        del open_by_shape[shape]
