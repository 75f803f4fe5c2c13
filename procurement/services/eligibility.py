"""Certified solutions able to meet a need, and a need started "like this solution".

Decided here (docs/PROCUREMENT.md gives the overview):

- "Certified solutions able to meet a need": published solutions whose primary category is the
  need's, holding a VALID, unexpired label under any version of the need's norm at a level rank
  at least the need's minimum. A need without a norm is met by any published solution of its
  category holding any valid label (a certified solution, whatever the norm).
- A label due for re-certification (its norm version superseded past the transition date, or
  its norm withdrawn: evaluations.labels.basis) does not count: buyers pool and call for
  solutions certified against a norm in force.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from catalog.models import Solution, SolutionStatus
from evaluations.labels.status_changes import recertification_due_clause
from evaluations.models import Label, LabelStatus
from procurement.models import Need
from procurement.services.needs import MAX_ID, today
from registry.database import db
from registry.exceptions import NotVisible
from registry.norms.models import Norm, NormLevel, NormStatus, NormVersion


@dataclass(frozen=True)
class Certified:
    """A valid, unexpired label of a published solution, with what eligibility depends on."""

    solution_id: int
    solution_name: str
    vendor_id: int
    category_id: int
    label_id: int
    norm_id: int
    rank: int
    label_number: str = ""
    recertification_due: bool = False


def certified_labels(
    category_ids: Iterable[int], vendor_id: int | None = None, *, with_due: bool = False
) -> list[Certified]:
    """Valid, unexpired labels of published solutions in these categories (one query), by
    solution name and then strictest level first; only one vendor's when `vendor_id` is given.
    Labels due for re-certification are left out, unless `with_due` (to explain a refusal)."""
    wanted = sorted(set(category_ids))
    if not wanted:
        return []
    due = recertification_due_clause()
    statement = (
        select(
            Solution.id,
            Solution.name,
            Solution.vendor_id,
            Solution.primary_category_id,
            Label.id,
            NormVersion.norm_id,
            NormLevel.position,
            Label.number,
            due,
        )
        .join(Solution, Solution.id == Label.solution_id)
        .join(NormVersion, NormVersion.id == Label.norm_version_id)
        .join(Norm, Norm.id == NormVersion.norm_id)
        .outerjoin(
            NormLevel,
            and_(NormLevel.version_id == Label.norm_version_id, NormLevel.name == Label.level),
        )
        .where(
            Label.status == LabelStatus.VALID,
            Label.expires_on >= today(),
            Solution.status == SolutionStatus.PUBLISHED,
            Solution.primary_category_id.in_(wanted),
        )
        .order_by(Solution.name, Solution.id, NormLevel.position.desc(), Label.id)
    )
    if vendor_id is not None:
        statement = statement.where(Solution.vendor_id == vendor_id)
    if not with_due:
        statement = statement.where(~due)
    return [
        Certified(
            row[0], row[1], row[2], row[3] or 0, row[4], row[5], row[6] or 0, row[7], bool(row[8])
        )
        for row in db.session.execute(statement)
    ]


def eligible_solution_ids(needs: Sequence[Need]) -> dict[int, set[int]]:
    """Need id → ids of the certified solutions able to meet it (one query for all needs)."""
    by_category: dict[int, list[Certified]] = defaultdict(list)
    for offer in certified_labels(need.category_id for need in needs):
        by_category[offer.category_id].append(offer)
    result: dict[int, set[int]] = {}
    for need in needs:
        result[need.id] = {
            offer.solution_id
            for offer in by_category.get(need.category_id, [])
            if need.norm_id is None
            or (offer.norm_id == need.norm_id and offer.rank >= need.min_level_rank)
        }
    return result


def matching_solutions(need: Need) -> list[Solution]:
    """The published certified solutions that currently meet the need, by name."""
    ids = eligible_solution_ids([need])[need.id]
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Solution)
            .where(Solution.id.in_(ids))
            .options(selectinload(Solution.vendor))
            .order_by(Solution.name, Solution.id)
        )
    )


def like_solution(solution_id: int) -> tuple[str, str | None]:
    """Category and norm code to start a need "like this solution" (its strictest valid label)."""
    solution = db.session.get(Solution, solution_id) if 0 < solution_id <= MAX_ID else None
    if solution is None or solution.status is not SolutionStatus.PUBLISHED:
        raise NotVisible()
    if solution.primary_category is None:
        return "", None
    row = db.session.execute(
        select(Norm.code)
        .join(NormVersion, NormVersion.norm_id == Norm.id)
        .join(Label, Label.norm_version_id == NormVersion.id)
        .outerjoin(
            NormLevel,
            and_(NormLevel.version_id == Label.norm_version_id, NormLevel.name == Label.level),
        )
        .where(
            Label.solution_id == solution.id,
            Label.status == LabelStatus.VALID,
            Label.expires_on >= today(),
            Norm.status == NormStatus.ACTIVE,
            # A need's norm must be of the need's category: a label under another category's
            # norm (a solution may have changed its primary category) is not suggested.
            Norm.category_id == solution.primary_category_id,
        )
        .order_by(NormLevel.position.desc().nulls_last(), Label.issued_at.desc())
        .limit(1)
    ).first()
    return solution.primary_category.code, row[0] if row else None
