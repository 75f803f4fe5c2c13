"""Demand aggregation: pool compatible open needs into joint-procurement lots.

Pure and deterministic (docs/STYLE.md, rule 6): plain frozen data in, plain frozen data out;
no Flask, no database. The algorithm is the one of docs/PROCUREMENT.md, "Aggregation algorithm":

1. eligibility — enough certified solutions, and a need-by date the procedure can still meet;
2. partition by (category, unit, currency, region truncated to ``region_level``);
3. greedy clustering inside a partition, needs taken by (need_by, id);
4. figures per lot, from the price–volume curve p(Q) = p_ref·(Q/q_ref)^β;
5. gate — enough buyers and enough estimated saving, else the needs go back to unmatched.

The detailed rules are written down in the submodule they concern:

- ``needs``: a need as aggregation sees it, the requirement a lot sets, the partition.
- ``pricing``: the price–volume curve, fitting it to past awards, the estimated saving.
- ``parameters``: the settings of a round.
- ``results``: the lots and unmatched needs a round returns.
- ``reasons``: the sentence an unmatched need's buyer reads.
- ``clustering``: greedy clustering of a partition's needs (step 3).
- ``figures``: a lot's published figures (step 4).
- ``pooling``: ``aggregate``, the round from eligibility to the gate.
"""
