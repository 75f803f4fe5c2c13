"""The version comparison: a pure function over snapshots."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from registry.norms.compare import (
    CriterionSnapshot,
    VersionSnapshot,
    compare_versions,
)

PROPERTY_SETTINGS = settings(database=None, deadline=None, max_examples=150)


def crit(code: str, **overrides: object) -> CriterionSnapshot:
    """A criterion snapshot with defaults."""
    values: dict[str, object] = {
        "code": code,
        "section": "Interoperability",
        "title": f"Title {code}",
        "guidance": f"Guidance {code}",
        "kind": "scored",
        "mandatory": False,
        "weight": 2,
        "evidence_required": True,
    }
    values.update(overrides)
    return CriterionSnapshot(**values)  # type: ignore[arg-type]


def version(number: int, *criteria: CriterionSnapshot, **overrides: object) -> VersionSnapshot:
    """A version snapshot with defaults."""
    values: dict[str, object] = {
        "number": number,
        "validity_months": 36,
        "levels": (("Certified", 60), ("Advanced", 80)),
        "standards": ("ONVIF Profile S",),
        "sections": tuple(dict.fromkeys(c.section for c in criteria)),
        "criteria": criteria,
    }
    values.update(overrides)
    return VersionSnapshot(**values)  # type: ignore[arg-type]


def test_added_removed_changed_and_unchanged_criteria() -> None:
    old = version(1, crit("A"), crit("B"), crit("C"), crit("D"))
    new = version(
        2,
        crit("A"),
        crit("B", weight=5, guidance="New guidance"),
        crit("D", kind="pass_fail", mandatory=True, section="Privacy"),
        crit("E"),
    )
    result = compare_versions(old, new)
    changes = {item.code: item for item in result.criteria}
    assert [item.code for item in result.criteria] == ["A", "B", "D", "E", "C"]
    assert changes["A"].change == "unchanged" and changes["A"].fields == ()
    assert changes["B"].change == "changed"
    assert changes["B"].fields == ("guidance", "weight")
    assert changes["D"].field_labels == ("section", "kind", "mandatory")
    assert changes["E"].change == "added" and changes["E"].old is None
    assert changes["C"].change == "removed" and changes["C"].new is None
    assert (result.count("added"), result.count("removed"), result.count("changed")) == (1, 1, 2)
    assert result.sections_added == ("Privacy",)
    assert result.sections_removed == ()
    assert result.criteria_changed and not result.identical


def test_levels_validity_and_standards() -> None:
    old = version(1, crit("A"), standards=("EN 62676-4", "RFC 2326"))
    new = version(
        2,
        crit("A"),
        validity_months=24,
        levels=(("Certified", 65), ("Advanced", 80), ("Excellence", 95)),
        standards=("EN 62676-4", "AI Act"),
    )
    result = compare_versions(old, new)
    assert result.validity_months == (36, 24)
    assert [(lv.name, lv.change, lv.old_minimum, lv.new_minimum) for lv in result.levels] == [
        ("Certified", "changed", 60, 65),
        ("Advanced", "unchanged", 80, 80),
        ("Excellence", "added", None, 95),
    ]
    assert result.standards_added == ("AI Act",)
    assert result.standards_removed == ("RFC 2326",)
    assert not result.criteria_changed and not result.identical


def test_a_removed_level_is_reported() -> None:
    result = compare_versions(
        version(1, crit("A")), version(2, crit("A"), levels=(("Certified", 60),))
    )
    assert [(lv.name, lv.change) for lv in result.levels] == [
        ("Certified", "unchanged"),
        ("Advanced", "removed"),
    ]


def test_identical_versions() -> None:
    old = version(1, crit("A"), crit("B"))
    result = compare_versions(old, replace(old, number=2))
    assert result.identical
    assert all(item.change == "unchanged" for item in result.criteria)


codes = st.lists(st.sampled_from("ABCDEFGH"), unique=True, max_size=8)
weights = st.integers(min_value=1, max_value=3)


@st.composite
def versions(draw: st.DrawFn, number: int) -> VersionSnapshot:
    """A random version over a small alphabet of codes, so versions overlap."""
    return version(number, *(crit(code, weight=draw(weights)) for code in draw(codes)))


@PROPERTY_SETTINGS
@given(old=versions(1), new=versions(2))
def test_every_code_is_accounted_for_once(old: VersionSnapshot, new: VersionSnapshot) -> None:
    result = compare_versions(old, new)
    old_codes = {c.code for c in old.criteria}
    new_codes = {c.code for c in new.criteria}
    assert sorted(item.code for item in result.criteria) == sorted(old_codes | new_codes)
    assert {i.code for i in result.criteria if i.change == "added"} == new_codes - old_codes
    assert {i.code for i in result.criteria if i.change == "removed"} == old_codes - new_codes
    for item in result.criteria:
        if item.change == "changed":
            assert item.fields == ("weight",)


@PROPERTY_SETTINGS
@given(old=versions(1), new=versions(2))
def test_comparing_backwards_swaps_added_and_removed(
    old: VersionSnapshot, new: VersionSnapshot
) -> None:
    forward = compare_versions(old, new)
    backward = compare_versions(new, old)
    assert forward.count("added") == backward.count("removed")
    assert forward.count("removed") == backward.count("added")
    assert forward.count("changed") == backward.count("changed")


@PROPERTY_SETTINGS
@given(snapshot=versions(1))
def test_a_version_equals_itself(snapshot: VersionSnapshot) -> None:
    assert compare_versions(snapshot, snapshot).identical
