"""Demo norms for the report's priority categories; loading them twice changes nothing.

Each norm goes through the real services (create, fill the draft, publish), so the demo
history is in the audit log like any other. VA-INTEROP has version 1 superseded by
version 2 (criteria added, removed and changed); CYB-ANOMALY has a draft version 2 in
progress; VP-ANALOG was published and then withdrawn. The content is in demo_content.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from registry import dates
from registry.database import db, utcnow
from registry.demo import AUTHORITY_EMAIL
from registry.models import TechnologyCategory, User
from registry.norms import drafting, services
from registry.norms.demo_content import DEMO_NORMS, DemoCriterion, DemoVersion
from registry.norms.models import Norm, NormVersion

TRANSITION_DAYS = 182  # the superseded VA-INTEROP v1 stays valid for about six months
# The first version of each demo norm was published this long ago, so that the demo's expired
# labels (a validity of up to 36 months, expired up to 400 days ago) were issued after it.
HISTORY_DAYS = 5 * 365


def _criterion_data(section_id: int, criterion: DemoCriterion) -> drafting.CriterionData:
    return drafting.CriterionData(
        section_id=section_id,
        code=criterion.code,
        title=criterion.title,
        guidance=criterion.guidance,
        kind=criterion.kind,
        weight=criterion.weight,
        mandatory=criterion.mandatory,
        evidence_required=criterion.evidence_required,
    )


def _fill(actor: User, version: NormVersion, content: DemoVersion) -> None:
    """Make a draft's content match `content`, editing it through the services.

    A draft copied from the previous version is edited in place, so the comparison shows
    what a real revision would: criteria kept, changed, added and removed.
    """
    drafting.update_version_settings(
        actor,
        version,
        content.validity_months,
        content.levels,
        content.standards,
        content.change_note,
    )
    _remove_unwanted(actor, version, content)
    _add_or_update(actor, version, content)
    _reorder(actor, version, content)


def _remove_unwanted(actor: User, version: NormVersion, content: DemoVersion) -> None:
    """Delete the sections and criteria `content` no longer has."""
    wanted_sections = [title for title, _ in content.sections]
    for section in list(version.sections):
        if section.title not in wanted_sections:
            drafting.delete_section(actor, section)
    wanted_codes = {c.code for _, criteria in content.sections for c in criteria}
    for criterion in list(version.criteria):
        if criterion.code not in wanted_codes:
            drafting.delete_criterion(actor, criterion)


def _add_or_update(actor: User, version: NormVersion, content: DemoVersion) -> None:
    """Add the sections and criteria `content` has, and change the ones kept to match it."""
    for title, criteria in content.sections:
        found = next((s for s in version.sections if s.title == title), None)
        section = found or drafting.add_section(actor, version, title)
        for demo_criterion in criteria:
            data = _criterion_data(section.id, demo_criterion)
            existing = next((c for c in version.criteria if c.code == demo_criterion.code), None)
            if existing is None:
                drafting.add_criterion(actor, version, data)
            else:
                drafting.update_criterion(actor, existing, data)


def _reorder(actor: User, version: NormVersion, content: DemoVersion) -> None:
    """Put sections and criteria in the order `content` gives."""
    for position, (title, criteria) in enumerate(content.sections, 1):
        section = next(s for s in version.sections if s.title == title)
        while section.position > position:
            drafting.move_section(actor, section, -1)
        for criterion_position, demo_criterion in enumerate(criteria, 1):
            criterion = next(c for c in section.criteria if c.code == demo_criterion.code)
            while criterion.position > criterion_position:
                drafting.move_criterion(actor, criterion, -1)


def seed_norms() -> list[Any]:
    """Create the demo norms that do not exist yet; the caller commits."""
    actor = db.session.scalar(select(User).where(User.email == AUTHORITY_EMAIL))
    if actor is None:
        return []
    categories = {c.code: c.id for c in db.session.scalars(select(TechnologyCategory))}
    for demo in DEMO_NORMS:
        if db.session.scalar(select(Norm.id).where(Norm.code == demo.code)) is not None:
            continue
        norm = services.create_norm(
            actor, demo.code, demo.title, categories[demo.category], demo.description
        )
        for index, content in enumerate(demo.versions):
            draft = norm.draft_version or services.start_draft(actor, norm)
            _fill(actor, draft, content)
            transition = dates.today() + dt.timedelta(days=TRANSITION_DAYS) if index > 0 else None
            published_at = utcnow() - dt.timedelta(days=HISTORY_DAYS) if index == 0 else None
            services.publish_version(actor, draft, transition, published_at=published_at)
        if demo.draft is not None:
            _fill(actor, services.start_draft(actor, norm), demo.draft)
        if demo.withdrawal_reason:
            services.withdraw_norm(actor, norm, demo.withdrawal_reason)
    db.session.flush()
    return []
