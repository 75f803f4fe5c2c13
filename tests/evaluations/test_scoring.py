"""Score consolidation: medians, disagreements, resolutions, weighted percent and levels."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluations.scoring import (
    MAX_SCORE,
    PASS_FAIL,
    SCORED,
    Criterion,
    CriterionResult,
    EvaluatorScore,
    Level,
    Thresholds,
    apply_resolutions,
    consolidate,
    level_for,
    mandatory_failed,
    unresolved_disagreements,
    validate_score_value,
    weighted_percent,
)

PROPERTY_SETTINGS = settings(database=None, deadline=None, max_examples=150)
THRESHOLDS = Thresholds.from_pairs([("Certified", 60), ("Advanced", 80)])


def scored(code: str, weight: float = 1.0, *, mandatory: bool = False) -> Criterion:
    """A scored criterion."""
    return Criterion(code, SCORED, weight, mandatory)


def pass_fail(code: str, weight: float = 1.0, *, mandatory: bool = True) -> Criterion:
    """A pass/fail criterion, mandatory unless told otherwise."""
    return Criterion(code, PASS_FAIL, weight, mandatory)


def scores_for(code: str, *values: int | bool) -> list[EvaluatorScore]:
    """One score per evaluator e1, e2, … for criterion ``code``."""
    return [EvaluatorScore(f"e{i}", code, value) for i, value in enumerate(values, start=1)]


def only(criterion: Criterion, *values: int | bool) -> CriterionResult:
    """Consolidate a single criterion."""
    [result] = consolidate([criterion], scores_for(criterion.code, *values))
    return result


# --- Consolidation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "median", "disagreement"),
    [
        ((3,), 3.0, False),
        ((3, 4), 3.5, False),
        ((2, 4), 3.0, True),
        ((0, 5), 2.5, True),
        ((1, 2, 5), 2.0, True),
        ((4, 4, 5), 4.0, False),
        ((3, 3, 4, 4), 3.5, False),
        ((0, 0, 0), 0.0, False),
    ],
)
def test_scored_criteria_take_the_median_and_flag_gaps_of_two(
    values: tuple[int, ...], median: float, disagreement: bool
) -> None:
    result = only(scored("S1"), *values)
    assert result.value == median
    assert result.disagreement is disagreement
    assert not result.missing
    assert not result.resolved


@pytest.mark.parametrize(
    ("values", "passed", "disagreement"),
    [
        ((True,), True, False),
        ((False,), False, False),
        ((True, True), True, False),
        ((False, False), False, False),
        # Two evaluators who split: the median lies between pass and fail, so fail until the
        # authority resolves it.
        ((True, False), False, True),
        ((False, True), False, True),
        ((True, True, False), True, True),
        ((True, False, False), False, True),
        ((True, True, False, False), False, True),
        ((True, True, True, False), True, True),
    ],
)
def test_pass_fail_passes_only_on_a_strict_majority_and_flags_any_split(
    values: tuple[bool, ...], passed: bool, disagreement: bool
) -> None:
    result = only(pass_fail("M1"), *values)
    assert result.value is passed
    assert result.disagreement is disagreement


def test_results_follow_the_order_of_criteria_and_keep_every_score() -> None:
    criteria = [scored("B"), pass_fail("A"), scored("C")]
    scores = [
        EvaluatorScore("zoe", "C", 2),
        EvaluatorScore("adam", "A", True),
        EvaluatorScore("zoe", "A", True),
        EvaluatorScore("adam", "B", 5),
        EvaluatorScore("zoe", "B", 4),
        EvaluatorScore("adam", "C", 1),
    ]
    results = consolidate(criteria, scores)
    assert [result.code for result in results] == ["B", "A", "C"]
    assert results[0].scores == (("adam", 5), ("zoe", 4))
    assert [result.kind for result in results] == [SCORED, PASS_FAIL, SCORED]


def test_missing_scores_are_detected() -> None:
    criteria = [scored("S1"), pass_fail("M1")]
    scores = [
        EvaluatorScore("e1", "S1", 4),
        EvaluatorScore("e1", "M1", True),
        EvaluatorScore("e2", "S1", 3),
    ]
    s1, m1 = consolidate(criteria, scores)
    assert s1.missing == ()
    assert m1.missing == ("e2",)
    # The value is consolidated from the scores that exist; the gap is reported, not hidden.
    assert m1.value is True


def test_assigned_evaluators_who_scored_nothing_are_missing_everywhere() -> None:
    criteria = [scored("S1"), pass_fail("M1")]
    scores = [EvaluatorScore(1, "S1", 4), EvaluatorScore(1, "M1", True)]
    results = consolidate(criteria, scores, evaluators=[2, 1, 10])
    assert [result.missing for result in results] == [(2, 10), (2, 10)]


def test_a_criterion_nobody_scored_has_no_value() -> None:
    [result] = consolidate([scored("S1")], [])
    assert result.value is None
    assert not result.disagreement
    assert result.scores == ()


@pytest.mark.parametrize(
    ("score", "message"),
    [
        (EvaluatorScore("e1", "NOPE", 3), "unknown criterion"),
        (EvaluatorScore("e1", "S1", 6), "from 0 to 5"),
        (EvaluatorScore("e1", "S1", True), "not pass/fail"),
        (EvaluatorScore("e1", "M1", 1), "pass or fail"),
        (EvaluatorScore("intruder", "S1", 3), "not assigned"),
    ],
)
def test_consolidation_refuses_invalid_scores(score: EvaluatorScore, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        consolidate([scored("S1"), pass_fail("M1")], [score], evaluators=["e1"])


def test_consolidation_refuses_two_scores_from_one_evaluator() -> None:
    scores = [EvaluatorScore("e1", "S1", 3), EvaluatorScore("e1", "S1", 4)]
    with pytest.raises(ValueError, match="more than once"):
        consolidate([scored("S1")], scores)


def test_consolidation_refuses_duplicate_criteria() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        consolidate([scored("S1"), pass_fail("S1")], [])


# --- Resolutions -------------------------------------------------------------------------------


def test_a_resolution_replaces_the_value_and_clears_the_flag() -> None:
    criteria = [scored("S1"), pass_fail("M1"), scored("S2")]
    scores = [
        *scores_for("S1", 1, 4),
        *scores_for("M1", True, False),
        *scores_for("S2", 3, 3),
    ]
    results = consolidate(criteria, scores)
    assert unresolved_disagreements(results) == ["S1", "M1"]

    resolved = apply_resolutions(results, {"S1": 3, "M1": True})

    assert unresolved_disagreements(resolved) == []
    s1, m1, s2 = resolved
    assert (s1.value, s1.disagreement, s1.resolved) == (3.0, False, True)
    assert (m1.value, m1.disagreement, m1.resolved) == (True, False, True)
    assert s2 == results[2]
    # The evaluators' own scores stay on record.
    assert s1.scores == results[0].scores
    assert results[0].disagreement  # the input is not modified


def test_resolutions_accept_form_text() -> None:
    results = consolidate([scored("S1"), pass_fail("M1")], scores_for("S1", 0, 5))
    resolved = apply_resolutions(results, {"S1": " 4 ", "M1": "Fail"})
    assert [result.value for result in resolved] == [4.0, False]


@pytest.mark.parametrize(
    ("resolutions", "message"),
    [
        ({"S9": 3}, "unknown criteria: S9"),
        ({"S1": 7}, "resolution of S1"),
        ({"S1": True}, "not pass/fail"),
        ({"M1": 1}, "pass or fail"),
    ],
)
def test_invalid_resolutions_are_refused(resolutions: dict[str, Any], message: str) -> None:
    results = consolidate([scored("S1"), pass_fail("M1")], [])
    with pytest.raises(ValueError, match=message):
        apply_resolutions(results, resolutions)


# --- Weighted percent, mandatory criteria, levels ----------------------------------------------


def test_weighted_percent_weighs_each_criterion() -> None:
    criteria = [scored("S1", 3), scored("S2", 1), pass_fail("M1", 1)]
    scores = [*scores_for("S1", 4, 4), *scores_for("S2", 2, 3), *scores_for("M1", True, True)]
    results = consolidate(criteria, scores)
    # (3 * 4 + 1 * 2.5 + 1 * 5) / (5 * 5) = 19.5 / 25
    assert weighted_percent(results, criteria) == 78.0


def test_pass_fail_counts_as_full_or_no_points() -> None:
    criteria = [pass_fail("M1", 2, mandatory=False), scored("S1", 2)]
    passed = consolidate(criteria, [*scores_for("M1", True), *scores_for("S1", 0)])
    failed = consolidate(criteria, [*scores_for("M1", False), *scores_for("S1", 0)])
    assert weighted_percent(passed, criteria) == 50.0
    assert weighted_percent(failed, criteria) == 0.0


def test_weighted_percent_is_exact_at_a_threshold() -> None:
    # With float arithmetic this comes out as 59.99999999999999 and misses "Certified".
    criteria = [scored("S1", 0.1), scored("S2", 0.2)]
    results = consolidate(criteria, [*scores_for("S1", 3), *scores_for("S2", 3)])
    percent = weighted_percent(results, criteria)
    assert percent == 60.0
    assert level_for(percent, True, THRESHOLDS) == "Certified"


def test_unscored_criteria_earn_nothing() -> None:
    criteria = [scored("S1"), scored("S2")]
    results = consolidate(criteria, scores_for("S1", 5))
    assert weighted_percent(results, criteria) == 50.0


def test_weighted_percent_refuses_results_that_do_not_match() -> None:
    criteria = [scored("S1"), scored("S2")]
    results = consolidate([scored("S1")], scores_for("S1", 5))
    with pytest.raises(ValueError, match="do not match"):
        weighted_percent(results, criteria)
    with pytest.raises(ValueError, match="kind does not match"):
        weighted_percent(results, [pass_fail("S1")])
    with pytest.raises(ValueError, match="at least one criterion"):
        weighted_percent([], [])


def test_mandatory_failures_are_listed_in_criteria_order() -> None:
    criteria = [
        pass_fail("M1"),
        scored("S1", mandatory=True),
        pass_fail("M2"),
        pass_fail("M3"),
        pass_fail("OPT", mandatory=False),
        scored("S2", mandatory=True),
        scored("S3"),
    ]
    scores = [
        *scores_for("M1", True, False),  # split: fail until resolved
        *scores_for("S1", 0, 0),  # mandatory and scored 0: not met
        *scores_for("M2", True, True),
        # M3 unscored: not met
        *scores_for("OPT", False, False),  # optional: only costs points
        *scores_for("S2", 1, 0),  # median 0.5: below the minimum of 1
        *scores_for("S3", 0, 0),
    ]
    results = consolidate(criteria, scores)
    assert mandatory_failed(results, criteria) == ["M1", "S1", "M3", "S2"]
    resolved = apply_resolutions(results, {"M1": True, "S2": 1})
    assert mandatory_failed(resolved, criteria) == ["S1", "M3"]


@pytest.mark.parametrize(
    ("percent", "level"),
    [
        (0, None),
        (59.999, None),
        (60, "Certified"),
        (79.99, "Certified"),
        (80, "Advanced"),
        (100, "Advanced"),
    ],
)
def test_level_is_the_highest_minimum_reached(percent: float, level: str | None) -> None:
    assert level_for(percent, True, THRESHOLDS) == level
    assert level_for(percent, True, [("Certified", 60), ("Advanced", 80)]) == level


def test_a_failed_mandatory_criterion_means_no_level() -> None:
    assert level_for(100, False, THRESHOLDS) is None


def test_no_levels_means_no_level() -> None:
    assert level_for(100, True, Thresholds(())) is None


@pytest.mark.parametrize("percent", [-0.1, 100.1, math.nan, math.inf, True, "80"])
def test_level_for_refuses_impossible_percents(percent: Any) -> None:
    with pytest.raises(ValueError, match="percent"):
        level_for(percent, True, THRESHOLDS)


@pytest.mark.parametrize(
    "pairs",
    [
        [("Advanced", 80), ("Certified", 60)],
        [("Certified", 60), ("Advanced", 60)],
        [("Certified", 60), ("Certified", 80)],
        [("Certified", -1)],
        [("Certified", 101)],
        [("Certified", math.nan)],
        [("", 60)],
        [("Certified", True)],
    ],
)
def test_thresholds_must_be_sensible(pairs: list[tuple[str, float]]) -> None:
    with pytest.raises(ValueError, match="."):
        Thresholds.from_pairs(pairs)


def test_thresholds_keep_their_levels() -> None:
    assert THRESHOLDS.levels == (Level("Certified", 60), Level("Advanced", 80))


@pytest.mark.parametrize(
    ("kind", "weight"),
    [
        ("scored", 0),
        ("scored", -1),
        ("scored", math.nan),
        ("scored", math.inf),
        ("scored", True),
        ("scored", "1"),
        ("graded", 1),
    ],
)
def test_criteria_must_be_sensible(kind: Any, weight: Any) -> None:
    with pytest.raises(ValueError, match="criterion C1"):
        Criterion("C1", kind, weight)


# --- Score values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        (SCORED, 0, 0),
        (SCORED, 5, 5),
        (SCORED, "3", 3),
        (SCORED, " 4\n", 4),
        (PASS_FAIL, True, True),
        (PASS_FAIL, False, False),
        (PASS_FAIL, "pass", True),
        (PASS_FAIL, " FAIL ", False),
    ],
)
def test_valid_score_values(kind: str, raw: object, expected: int | bool) -> None:
    value = validate_score_value(kind, raw)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        (SCORED, -1, "from 0 to 5, got -1"),
        (SCORED, 6, "from 0 to 5, got 6"),
        (SCORED, 10**100, "from 0 to 5"),
        (SCORED, 1e309, "got inf"),
        (SCORED, math.nan, "got nan"),
        (SCORED, 3.0, "whole number"),
        (SCORED, 2.5, "whole number"),
        (SCORED, "abc", "got 'abc'"),
        (SCORED, "", "whole number"),
        (SCORED, "6", "got 6"),
        (SCORED, "-1", "whole number"),
        (SCORED, "3.0", "whole number"),
        (SCORED, "\u0663", "whole number"),  # ARABIC-INDIC DIGIT THREE, which int() accepts
        (SCORED, "9" * 5000, "whole number"),
        (SCORED, True, "not pass/fail"),
        (SCORED, False, "not pass/fail"),
        (SCORED, None, "got None"),
        (SCORED, [3], "whole number"),
        (PASS_FAIL, 1, "pass or fail"),
        (PASS_FAIL, 0, "pass or fail"),
        (PASS_FAIL, "yes", "pass or fail"),
        (PASS_FAIL, None, "pass or fail"),
        ("graded", 3, "unknown criterion kind"),
    ],
)
def test_invalid_score_values_are_refused(kind: str, raw: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_score_value(kind, raw)


def test_refusal_messages_stay_short() -> None:
    with pytest.raises(ValueError, match="whole number") as caught:
        validate_score_value(SCORED, "x" * 10_000)
    assert len(str(caught.value)) < 120


# --- Properties --------------------------------------------------------------------------------


@st.composite
def evaluations(draw: st.DrawFn) -> tuple[list[Criterion], list[EvaluatorScore]]:
    """Criteria and a complete set of scores from 1 to 5 evaluators."""
    count = draw(st.integers(min_value=1, max_value=6))
    criteria = [
        Criterion(
            f"C{index}",
            draw(st.sampled_from([SCORED, PASS_FAIL])),
            draw(st.floats(min_value=0.01, max_value=100)),
            draw(st.booleans()),
        )
        for index in range(count)
    ]
    evaluators = draw(
        st.lists(st.text(min_size=1, max_size=3), min_size=1, max_size=5, unique=True)
    )
    scores = [
        EvaluatorScore(
            evaluator,
            criterion.code,
            draw(
                st.integers(min_value=0, max_value=MAX_SCORE)
                if criterion.kind == SCORED
                else st.booleans()
            ),
        )
        for criterion in criteria
        for evaluator in evaluators
    ]
    return criteria, scores


@PROPERTY_SETTINGS
@given(evaluation=evaluations())
def test_the_median_lies_between_the_lowest_and_highest_score(
    evaluation: tuple[list[Criterion], list[EvaluatorScore]],
) -> None:
    criteria, scores = evaluation
    for result in consolidate(criteria, scores):
        points = [int(value) for _, value in result.scores]
        assert result.value is not None
        assert min(points) <= result.value <= max(points)


@PROPERTY_SETTINGS
@given(data=st.data(), evaluation=evaluations())
def test_the_order_of_scores_does_not_matter(
    data: st.DataObject, evaluation: tuple[list[Criterion], list[EvaluatorScore]]
) -> None:
    criteria, scores = evaluation
    shuffled = data.draw(st.permutations(scores))
    assert consolidate(criteria, shuffled) == consolidate(criteria, scores)


@PROPERTY_SETTINGS
@given(evaluation=evaluations(), weight=st.floats(min_value=0.01, max_value=100))
def test_a_failed_mandatory_criterion_always_means_no_level(
    evaluation: tuple[list[Criterion], list[EvaluatorScore]], weight: float
) -> None:
    criteria, scores = evaluation
    evaluators = {score.evaluator_id for score in scores}
    criteria = [*criteria, Criterion("MANDATORY", PASS_FAIL, weight, mandatory=True)]
    scores = [*scores, *(EvaluatorScore(e, "MANDATORY", False) for e in evaluators)]

    results = consolidate(criteria, scores)
    failed = mandatory_failed(results, criteria)
    percent = weighted_percent(results, criteria)

    assert "MANDATORY" in failed
    assert level_for(percent, not failed, THRESHOLDS) is None
    lenient = Thresholds.from_pairs([("Anything", 0)])
    assert level_for(percent, not failed, lenient) is None


@PROPERTY_SETTINGS
@given(data=st.data(), evaluation=evaluations())
def test_raising_any_single_score_never_lowers_the_percent(
    data: st.DataObject, evaluation: tuple[list[Criterion], list[EvaluatorScore]]
) -> None:
    criteria, scores = evaluation
    index = data.draw(st.integers(min_value=0, max_value=len(scores) - 1))
    old = scores[index]
    if isinstance(old.value, bool):
        new_value: int | bool = True
    else:
        new_value = data.draw(st.integers(min_value=old.value, max_value=MAX_SCORE))
    raised = [*scores[:index], EvaluatorScore(old.evaluator_id, old.criterion_code, new_value)]
    raised += scores[index + 1 :]

    before = weighted_percent(consolidate(criteria, scores), criteria)
    after = weighted_percent(consolidate(criteria, raised), criteria)

    assert 0 <= before <= after <= 100


@PROPERTY_SETTINGS
@given(evaluation=evaluations())
def test_percent_bounds_are_reached_by_best_and_worst_scores(
    evaluation: tuple[list[Criterion], list[EvaluatorScore]],
) -> None:
    criteria, scores = evaluation
    kinds = {criterion.code: criterion.kind for criterion in criteria}

    def everyone(best: bool) -> list[EvaluatorScore]:
        return [
            EvaluatorScore(
                score.evaluator_id,
                score.criterion_code,
                best if kinds[score.criterion_code] == PASS_FAIL else MAX_SCORE * best,
            )
            for score in scores
        ]

    assert weighted_percent(consolidate(criteria, everyone(True)), criteria) == 100.0
    assert weighted_percent(consolidate(criteria, everyone(False)), criteria) == 0.0


@st.composite
def thresholds(draw: st.DrawFn) -> Thresholds:
    """Between zero and four levels with strictly increasing minimums."""
    minimums = sorted(
        draw(
            st.sets(st.floats(min_value=0, max_value=100, allow_nan=False), min_size=0, max_size=4)
        )
    )
    return Thresholds(tuple(Level(f"L{rank}", minimum) for rank, minimum in enumerate(minimums)))


@PROPERTY_SETTINGS
@given(
    levels=thresholds(),
    low=st.floats(min_value=0, max_value=100),
    high=st.floats(min_value=0, max_value=100),
)
def test_level_for_is_monotone_in_percent(levels: Thresholds, low: float, high: float) -> None:
    low, high = sorted((low, high))
    rank = {None: -1} | {level.name: index for index, level in enumerate(levels.levels)}
    assert rank[level_for(low, True, levels)] <= rank[level_for(high, True, levels)]
    assert level_for(high, False, levels) is None
