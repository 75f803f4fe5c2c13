"""The evaluation workflow: apply, evidence, assignment, blind scoring, consolidation, decision.

draft → submitted → in review (≥ 2 evaluators declared no conflict) → scored (every active
evaluator submitted) → decided; also returned (for information) and withdrawn. Each transition
writes an EvaluationEvent and an audit entry and tells the people concerned.

- ``transitions``: the workflow's state groups and limits, and the helpers every transition
  uses (text checks, status and ownership checks, notices, ``move``).
- ``visibility``: reading — who may see which evaluation, assignment and file; the lists.
- ``application``: the vendor's application and its evidence (and the session hooks that
  delete removed files after commit).
- ``assignment``: assigning evaluators and their conflict-of-interest declarations.
- ``scores``: blind scoring and the consolidation the authority decides on.
- ``decision``: the authority's decision, issuing the label when certified.
"""
