"""The demo norms: realistic, complete, publishable, and loaded once."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from registry import dates
from registry.database import db
from registry.demo import seed_demo
from registry.models import AuditEntry
from registry.norms import services
from registry.norms.compare import compare_versions
from registry.norms.demo import seed_norms
from registry.norms.models import (
    CriterionKind,
    Norm,
    NormCriterion,
    NormStatus,
    NormVersion,
    NormVersionStatus,
)

PRIORITY_NORMS = {
    "VA-INTEROP": "video-analysis",
    "SI-INTEROP": "systems-integration",
    "CYB-ANOMALY": "cybersecurity",
    "ACC-ID": "access-id-control",
    "ALERT-CAP": "public-alert",
    "DRONE-SENS": "sensors-drones-robotics",
}


def _seed(app: Flask) -> None:
    with app.test_request_context():
        seed_demo()
        seed_norms()
        db.session.commit()


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Norm, NormVersion, NormCriterion, AuditEntry)
    )


def test_demo_norms_are_realistic_and_in_every_state(app: Flask) -> None:
    _seed(app)
    for code, category in PRIORITY_NORMS.items():
        norm = services.find_norm(None, code)
        assert norm.category.code == category
        version = norm.published_version
        assert version is not None, code
        assert 2 <= len(version.sections) <= 4, code
        assert 6 <= len(version.criteria) <= 12, code
        kinds = {c.kind for c in version.criteria}
        assert kinds == {CriterionKind.PASS_FAIL, CriterionKind.SCORED}, code
        assert services.thresholds_of(version) == [("Certified", 60), ("Advanced", 80)]
        assert version.validity_months in (24, 36)
        assert len(version.standards) >= 4, code
        assert all(c.guidance for c in version.criteria), code
        assert any(
            "privacy" in c.title.lower() or "privacy" in s.title.lower()
            for s in version.sections
            for c in s.criteria
        ), code
        assert services.publication_problems(version) == [
            f"{version.label} is published, not a draft."
        ]


def test_va_interop_version_2_supersedes_version_1_with_every_kind_of_change(app: Flask) -> None:
    _seed(app)
    norm = services.find_norm(None, "VA-INTEROP")
    first, second = norm.versions
    assert first.status is NormVersionStatus.SUPERSEDED
    assert second.status is NormVersionStatus.PUBLISHED
    assert first.transition_date is not None and first.transition_date > dates.today()
    result = compare_versions(services.snapshot_of(first), services.snapshot_of(second))
    assert result.count("added") >= 1
    assert result.count("removed") >= 1
    assert result.count("changed") >= 3
    assert result.validity_months == (36, 24)
    changed = {item.code: item.fields for item in result.criteria if item.change == "changed"}
    assert "kind" in changed["VA-ONVIF-M"]
    assert "weight" in changed["VA-ACC"]
    assert "mandatory" in changed["VA-MASK"]
    # A draft in progress, and a withdrawn legacy norm.
    cyb = services.find_norm(None, "CYB-ANOMALY")
    assert cyb.draft_version is not None and cyb.draft_version.number == 2
    assert not cyb.draft_version.is_public
    legacy = services.find_norm(None, "VP-ANALOG")
    assert legacy.status is NormStatus.WITHDRAWN
    assert legacy.versions[0].status is NormVersionStatus.WITHDRAWN


def test_seeding_twice_changes_nothing(app: Flask) -> None:
    _seed(app)
    before = _counts()
    _seed(app)
    assert _counts() == before
