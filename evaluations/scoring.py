"""Consolidation of evaluators' scores into per-criterion results, a weighted percent and a level.

Pure functions over frozen dataclasses; no Flask, no database. The rules (docs/DESIGN.md,
"Evaluation"):

- A **scored** criterion takes a whole number from 0 to 5 from each evaluator. Its consolidated
  value is the median (with an even number of evaluators, the mean of the two middle scores, so
  it may end in .5). Evaluators **disagree** when the highest and lowest scores are 2 or more
  points apart.
- A **pass/fail** criterion takes pass (True) or fail (False). It passes only if the median
  passes, which is the same as: a strict majority of evaluators passed. Any split between pass
  and fail is a disagreement; with two evaluators who split, the median lies between pass and
  fail, so the consolidated value is *fail* until the authority records a resolution.
- A **resolution** (the consensus the authority records) replaces the consolidated value and
  clears the disagreement.
- A criterion that nobody scored has the value None; evaluators who did not score a criterion
  are listed in ``missing``.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from numbers import Real
from typing import Final, Literal

Kind = Literal["pass_fail", "scored"]
PASS_FAIL: Final = "pass_fail"  # noqa: S105 - a criterion kind, not a password
SCORED: Final = "scored"
KINDS: Final = (PASS_FAIL, SCORED)

MIN_SCORE: Final = 0
MAX_SCORE: Final = 5
# Evaluators disagree from 2 points apart (docs/DESIGN.md): a one-point gap is ordinary judgement.
DISAGREEMENT_GAP: Final = 2
# A mandatory *scored* criterion is failed when its consolidated score is below this, i.e. 0,
# the score meaning "not met at all"; anything else is left to the weighted percent.
MANDATORY_SCORE_MINIMUM: Final = 1

EvaluatorId = int | str
ScoreValue = int | bool

_SCORE_TEXT = re.compile(r"[0-9]{1,6}")


@dataclass(frozen=True)
class Criterion:
    """One criterion of a norm version, as scoring needs it."""

    code: str
    kind: Kind
    weight: float
    mandatory: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code:
            raise ValueError("a criterion code must be a non-empty string")
        if self.kind not in KINDS:
            raise ValueError(
                f"criterion {self.code}: kind must be one of {KINDS}, not {self.kind!r}"
            )
        if (
            isinstance(self.weight, bool)
            or not isinstance(self.weight, Real)
            or not math.isfinite(self.weight)
            or self.weight <= 0
        ):
            raise ValueError(
                f"criterion {self.code}: weight must be a finite number > 0, not {self.weight!r}"
            )


@dataclass(frozen=True)
class EvaluatorScore:
    """One evaluator's value for one criterion: 0..5 if scored, True/False if pass/fail."""

    evaluator_id: EvaluatorId
    criterion_code: str
    value: ScoreValue


@dataclass(frozen=True)
class Level:
    """A certification level and the weighted percent it requires."""

    name: str
    minimum_percent: float


@dataclass(frozen=True)
class Thresholds:
    """A norm version's levels, from the lowest minimum to the highest."""

    levels: tuple[Level, ...]

    def __post_init__(self) -> None:
        previous: float | None = None
        names: set[str] = set()
        for level in self.levels:
            if not isinstance(level.name, str) or not level.name:
                raise ValueError("a level name must be a non-empty string")
            if level.name in names:
                raise ValueError(f"level {level.name!r} appears twice")
            names.add(level.name)
            minimum = level.minimum_percent
            if isinstance(minimum, bool) or not isinstance(minimum, Real):
                raise ValueError(f"level {level.name!r}: the minimum must be a number")
            if not 0 <= minimum <= 100:  # also refuses NaN, which compares false
                raise ValueError(f"level {level.name!r}: the minimum must be within 0..100")
            # Strictly increasing, so "the highest level reached" is never ambiguous.
            if previous is not None and minimum <= previous:
                raise ValueError("levels must be listed by strictly increasing minimum percent")
            previous = minimum

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, float]]) -> Thresholds:
        """Build thresholds from ``(name, minimum_percent)`` pairs, lowest level first."""
        return cls(tuple(Level(name, minimum) for name, minimum in pairs))


@dataclass(frozen=True)
class CriterionResult:
    """The consolidated outcome of one criterion."""

    code: str
    kind: Kind
    # Scored: the median as a float; pass/fail: True for pass; None when nobody scored it.
    value: float | bool | None
    # Every evaluator's value, ordered by evaluator so that the result does not depend on the
    # order in which scores were submitted.
    scores: tuple[tuple[EvaluatorId, ScoreValue], ...]
    disagreement: bool
    missing: tuple[EvaluatorId, ...] = ()
    resolved: bool = False


def validate_score_value(kind: str, raw: object) -> ScoreValue:
    """Return ``raw`` as a valid value for a criterion of ``kind``, or raise ValueError."""
    if kind == SCORED:
        return _validate_scored(raw)
    if kind == PASS_FAIL:
        return _validate_pass_fail(raw)
    raise ValueError(f"unknown criterion kind {_describe(kind)}; expected one of {KINDS}")


def _validate_scored(raw: object) -> int:
    expected = f"a score must be a whole number from {MIN_SCORE} to {MAX_SCORE}"
    # bool is a subclass of int: without this check True would count as a score of 1.
    if isinstance(raw, bool):
        raise ValueError(f"{expected}, not pass/fail ({raw})")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and _SCORE_TEXT.fullmatch(raw.strip()):
        # Form fields arrive as text; only plain ASCII digits are taken (int() would also
        # accept '٣' or '1_0').
        value = int(raw.strip())
    else:
        # Floats are refused, even 3.0: the scale is whole points, and NaN or 1e309 must not
        # slip through a conversion.
        raise ValueError(f"{expected}, got {_describe(raw)}")
    if not MIN_SCORE <= value <= MAX_SCORE:
        raise ValueError(f"{expected}, got {value}")
    return value


def _validate_pass_fail(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("pass", "fail"):
        return raw.strip().lower() == "pass"
    # 0/1 are refused: a pass/fail criterion scored with a number is a mix-up of criteria.
    raise ValueError(f"a pass/fail criterion takes pass or fail, got {_describe(raw)}")


def consolidate(
    criteria: Sequence[Criterion],
    scores: Iterable[EvaluatorScore],
    evaluators: Iterable[EvaluatorId] | None = None,
) -> list[CriterionResult]:
    """Consolidate evaluators' scores per criterion (median, disagreement, missing scores).

    ``evaluators`` are the assigned evaluators; by default, everyone who submitted a score.
    Results come in the order of ``criteria``. Raises ValueError on an invalid value, a score
    for an unknown criterion or from an unassigned evaluator, or two scores from one evaluator
    for one criterion.
    """
    by_code = _criteria_by_code(criteria)
    values: dict[str, dict[EvaluatorId, ScoreValue]] = {code: {} for code in by_code}
    seen_evaluators: set[EvaluatorId] = set()
    assigned = None if evaluators is None else set(evaluators)
    for score in scores:
        criterion = by_code.get(score.criterion_code)
        if criterion is None:
            raise ValueError(f"a score refers to unknown criterion {score.criterion_code!r}")
        if assigned is not None and score.evaluator_id not in assigned:
            raise ValueError(f"evaluator {score.evaluator_id!r} is not assigned")
        if score.evaluator_id in values[criterion.code]:
            raise ValueError(
                f"evaluator {score.evaluator_id!r} scored {criterion.code} more than once"
            )
        try:
            value = validate_score_value(criterion.kind, score.value)
        except ValueError as error:
            raise ValueError(f"criterion {criterion.code}: {error}") from error
        values[criterion.code][score.evaluator_id] = value
        seen_evaluators.add(score.evaluator_id)

    everyone = sorted(seen_evaluators if assigned is None else assigned, key=_evaluator_order)
    return [_consolidate_one(criterion, values[criterion.code], everyone) for criterion in criteria]


def _consolidate_one(
    criterion: Criterion,
    values: dict[EvaluatorId, ScoreValue],
    everyone: list[EvaluatorId],
) -> CriterionResult:
    ordered = tuple(sorted(values.items(), key=lambda item: _evaluator_order(item[0])))
    missing = tuple(evaluator for evaluator in everyone if evaluator not in values)
    points = [value for _, value in ordered]
    consolidated: float | bool | None
    if not points:
        consolidated, disagreement = None, False
    elif criterion.kind == PASS_FAIL:
        passes = sum(1 for value in points if value)
        # The median of the pass/fail values passes exactly when a strict majority passed.
        consolidated = passes * 2 > len(points)
        disagreement = 0 < passes < len(points)
    else:
        consolidated = float(statistics.median(points))
        disagreement = max(points) - min(points) >= DISAGREEMENT_GAP
    return CriterionResult(
        code=criterion.code,
        kind=criterion.kind,
        value=consolidated,
        scores=ordered,
        disagreement=disagreement,
        missing=missing,
    )


def apply_resolutions(
    results: Sequence[CriterionResult], resolutions: Mapping[str, object]
) -> list[CriterionResult]:
    """Replace the values of resolved criteria by the recorded consensus and clear their flags."""
    known = {result.code for result in results}
    unknown = sorted(set(resolutions) - known)
    if unknown:
        raise ValueError(f"resolutions refer to unknown criteria: {', '.join(unknown)}")
    resolved: list[CriterionResult] = []
    for result in results:
        if result.code not in resolutions:
            resolved.append(result)
            continue
        try:
            value = validate_score_value(result.kind, resolutions[result.code])
        except ValueError as error:
            raise ValueError(f"resolution of {result.code}: {error}") from error
        consolidated = value if result.kind == PASS_FAIL else float(value)
        resolved.append(replace(result, value=consolidated, disagreement=False, resolved=True))
    return resolved


def unresolved_disagreements(results: Iterable[CriterionResult]) -> list[str]:
    """Return the codes of criteria still flagged, which the authority must resolve first."""
    return [result.code for result in results if result.disagreement]


def weighted_percent(results: Sequence[CriterionResult], criteria: Sequence[Criterion]) -> float:
    """Return the weighted total as a percent (0..100) of the best possible result.

    Each criterion contributes ``weight * points / 5``: a scored criterion its consolidated
    score, a pass/fail criterion 5 points for pass and 0 for fail (so a passed pass/fail
    criterion weighs like a perfect score), and a criterion nobody scored 0 points.
    """
    by_code = _criteria_by_code(criteria)
    if not by_code:
        raise ValueError("a percent needs at least one criterion")
    results_by_code = _results_by_code(results, by_code)
    # Exact rational arithmetic: with floats, weights such as 0.1 and 0.2 make an exact 60 %
    # come out as 59.99999999999999 and miss a threshold set at 60.
    earned = Fraction(0)
    possible = Fraction(0)
    for code, criterion in by_code.items():
        weight = Fraction(criterion.weight)
        earned += weight * _points(results_by_code[code])
        possible += weight * MAX_SCORE
    return float(earned * 100 / possible)


def _points(result: CriterionResult) -> Fraction:
    if result.value is None:
        return Fraction(0)
    if result.kind == PASS_FAIL:
        return Fraction(MAX_SCORE if result.value else 0)
    return Fraction(result.value)


def mandatory_failed(
    results: Sequence[CriterionResult], criteria: Sequence[Criterion]
) -> list[str]:
    """Return the codes of mandatory criteria not met, in the order of ``criteria``.

    A mandatory pass/fail criterion is not met unless it passes; a mandatory scored one when
    its score is below MANDATORY_SCORE_MINIMUM. A criterion nobody scored is not met.
    """
    by_code = _criteria_by_code(criteria)
    results_by_code = _results_by_code(results, by_code)
    failed: list[str] = []
    for code, criterion in by_code.items():
        if not criterion.mandatory:
            continue
        value = results_by_code[code].value
        if criterion.kind == PASS_FAIL:
            met = value is True
        else:
            met = value is not None and value >= MANDATORY_SCORE_MINIMUM
        if not met:
            failed.append(code)
    return failed


def level_for(
    percent: float,
    mandatory_ok: bool,
    thresholds: Thresholds | Iterable[tuple[str, float]],
) -> str | None:
    """Return the highest level whose minimum ``percent`` reaches, or None.

    None when a mandatory criterion failed or ``percent`` is below the lowest level.
    """
    if isinstance(percent, bool) or not isinstance(percent, Real) or not 0 <= percent <= 100:
        raise ValueError(f"percent must be a number within 0..100, got {_describe(percent)}")
    if not isinstance(thresholds, Thresholds):
        thresholds = Thresholds.from_pairs(thresholds)
    if not mandatory_ok:
        return None
    reached: str | None = None
    for level in thresholds.levels:
        if percent >= level.minimum_percent:
            reached = level.name
    return reached


def _criteria_by_code(criteria: Sequence[Criterion]) -> dict[str, Criterion]:
    by_code: dict[str, Criterion] = {}
    for criterion in criteria:
        if criterion.code in by_code:
            raise ValueError(f"criterion {criterion.code} appears twice")
        by_code[criterion.code] = criterion
    return by_code


def _results_by_code(
    results: Sequence[CriterionResult], by_code: Mapping[str, Criterion]
) -> dict[str, CriterionResult]:
    results_by_code = {result.code: result for result in results}
    if len(results_by_code) != len(results):
        raise ValueError("a criterion has more than one result")
    if results_by_code.keys() != by_code.keys():
        raise ValueError("the results do not match the criteria")
    for code, result in results_by_code.items():
        if result.kind != by_code[code].kind:
            raise ValueError(f"criterion {code}: the result's kind does not match the criterion")
    return results_by_code


def _evaluator_order(evaluator: EvaluatorId) -> tuple[int, int, str]:
    # Integer and string ids may be mixed; order integers numerically, then strings.
    if isinstance(evaluator, int):
        return (0, evaluator, "")
    return (1, 0, evaluator)


def _describe(value: object, limit: int = 40) -> str:
    # Messages may quote untrusted input; keep them short.
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
