"""Demo needs from the demo buyers, one aggregation round and one frozen lot (idempotent).

The needs come in groups that pool (the same category, unit and requirement from several
buyers) and a few that cannot (too soon, too big for the lot cap, alone, or dwarfing the other
buyer so that pooling saves too little).

- `pooled_needs`: the groups of needs that pool (`Group`, `GROUPS`);
- `unpooled_needs`: the needs meant to stay unmatched, drafts and withdrawn ones (`Single`,
  `SINGLES`);
- `seeding`: the buyers' regions, the round's settings (`demo_parameters`) and the loader
  (`seed_demo_procurement`), which creates the needs, runs the round and freezes one lot.
"""
