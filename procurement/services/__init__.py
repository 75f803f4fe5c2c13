"""Buyer needs, aggregation rounds and lots: the checks that guard each change, and the audit.

The rules (overview in docs/PROCUREMENT.md) are written down in the submodule they concern:

- ``needs``: a buyer's needs (draft, open, change, withdraw) and the limits they are checked
  against.
- ``eligibility``: the certified solutions able to meet a need, and a need "like this solution".
- ``rounds``: aggregation rounds, their stored parameters and price curves, and their lots.
- ``confirmation``: buyers confirming or declining their place in a lot, and freezing it.

Everything other code uses is re-exported here: ``from procurement import services`` then
``services.create_need(...)``.
"""

from __future__ import annotations

from procurement.aggregation import AggregationParameters
from procurement.services.confirmation import (
    buyer_memberships,
    confirm_membership,
    decline_membership,
    freeze_lot,
    get_own_membership,
    request_confirmation,
)
from procurement.services.eligibility import (
    Certified,
    certified_labels,
    eligible_solution_ids,
    like_solution,
    matching_solutions,
)
from procurement.services.needs import (
    MAX_QUANTITY,
    MAX_UNIT_PRICE,
    MAX_YEARS_AHEAD,
    TITLE_MAX,
    NeedData,
    buyer_needs,
    create_need,
    get_own_need,
    level_name,
    level_names,
    open_need,
    region_path,
    update_need,
    withdraw_need,
)
from procurement.services.rounds import (
    get_lot,
    latest_round,
    lots_in,
    need_input,
    parameters_from_dict,
    parameters_to_dict,
    round_curves,
    round_lots,
    round_parameters,
    run_aggregation,
    unmatched_needs,
)

__all__ = [
    "MAX_QUANTITY",
    "MAX_UNIT_PRICE",
    "MAX_YEARS_AHEAD",
    "TITLE_MAX",
    "AggregationParameters",
    "Certified",
    "NeedData",
    "buyer_memberships",
    "buyer_needs",
    "certified_labels",
    "confirm_membership",
    "create_need",
    "decline_membership",
    "eligible_solution_ids",
    "freeze_lot",
    "get_lot",
    "get_own_membership",
    "get_own_need",
    "latest_round",
    "level_name",
    "level_names",
    "like_solution",
    "lots_in",
    "matching_solutions",
    "need_input",
    "open_need",
    "parameters_from_dict",
    "parameters_to_dict",
    "region_path",
    "request_confirmation",
    "round_curves",
    "round_lots",
    "round_parameters",
    "run_aggregation",
    "unmatched_needs",
    "update_need",
    "withdraw_need",
]
