"""Helpers for the norm tests: drafts with content, published versions, a full snapshot."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from registry import dates
from registry.database import db
from registry.models import TechnologyCategory, User
from registry.norms import drafting, services
from registry.norms.models import CriterionKind, NormVersion


def category_id(code: str = "video-analysis") -> int:
    """The id of a reference technology category."""
    found = db.session.scalar(select(TechnologyCategory.id).where(TechnologyCategory.code == code))
    assert found is not None
    return found


def criterion(section_id: int, code: str, **overrides: Any) -> drafting.CriterionData:
    """Criterion data with sensible defaults (a scored criterion of weight 2)."""
    values: dict[str, Any] = {
        "section_id": section_id,
        "code": code,
        "title": f"Criterion {code}",
        "guidance": f"How {code} is checked.",
        "kind": CriterionKind.SCORED,
        "weight": 2,
        "mandatory": False,
        "evidence_required": True,
    }
    values.update(overrides)
    return drafting.CriterionData(**values)


def draft(actor: User, code: str = "TEST-NORM", category: str = "video-analysis") -> NormVersion:
    """A norm whose draft version 1 is ready to publish: 2 sections, 3 criteria, 2 levels."""
    norm = services.create_norm(actor, code, f"Test norm {code}", category_id(category))
    version = norm.versions[0]
    drafting.update_version_settings(
        actor, version, 24, [("Certified", 60), ("Advanced", 80)], ["ONVIF Profile S"], "First."
    )
    interop = drafting.add_section(actor, version, "Interoperability")
    privacy = drafting.add_section(actor, version, "Privacy")
    drafting.add_criterion(
        actor, version, criterion(interop.id, "ONVIF-S", kind=CriterionKind.PASS_FAIL, weight=3)
    )
    drafting.add_criterion(actor, version, criterion(interop.id, "EXPORT", weight=2))
    drafting.add_criterion(actor, version, criterion(privacy.id, "MASK", weight=1))
    db.session.commit()
    return version


def published(
    actor: User, code: str = "TEST-NORM", category: str = "video-analysis"
) -> NormVersion:
    """A norm with version 1 published."""
    version = services.publish_version(actor, draft(actor, code, category))
    db.session.commit()
    return version


def superseded(actor: User, code: str = "TEST-NORM") -> tuple[NormVersion, NormVersion]:
    """Version 1 superseded by version 2 (EXPORT reweighted, MASK removed, AUDIT added)."""
    first = published(actor, code)
    second = services.start_draft(actor, first.norm)
    export = next(c for c in second.criteria if c.code == "EXPORT")
    drafting.update_criterion(actor, export, criterion(export.section_id, "EXPORT", weight=4))
    drafting.delete_criterion(actor, next(c for c in second.criteria if c.code == "MASK"))
    drafting.add_criterion(
        actor, second, criterion(second.sections[1].id, "AUDIT", kind=CriterionKind.PASS_FAIL)
    )
    services.publish_version(actor, second, dates.today() + dt.timedelta(days=90))
    db.session.commit()
    return first, second


def content(version: NormVersion) -> dict[str, Any]:
    """Everything stored about a version, read fresh from the database, to compare before/after."""
    db.session.expire_all()
    version = db.session.get(NormVersion, version.id) or version
    return {
        "row": {
            column: getattr(version, column)
            for column in (
                "number",
                "status",
                "validity_months",
                "change_note",
                "published_at",
                "superseded_at",
                "transition_date",
                "withdrawn_at",
            )
        },
        "levels": [(lv.position, lv.name, lv.minimum_percent) for lv in version.levels],
        "standards": [(s.position, s.reference) for s in version.standards],
        "sections": [(s.id, s.position, s.title) for s in version.sections],
        "criteria": [
            (
                c.id,
                c.section_id,
                c.position,
                c.code,
                c.title,
                c.guidance,
                c.kind,
                c.mandatory,
                c.weight,
                c.evidence_required,
            )
            for c in version.criteria
        ],
    }
