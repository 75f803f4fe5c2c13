"""Routes of the norms: public pages, the authority's editor and the API.

The world holds RT-LIVE (version 1 published, version 2 a draft), RT-NEXT (version 2 ready
to publish over version 1), RT-HIDDEN (only a draft) and RT-GONE (published, to withdraw).
Every editing route is also tried on RT-LIVE's published version 1: it must refuse (302
back to the version page) and change nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from registry.database import db
from registry.models import TechnologyCategory
from registry.norms import drafting, services
from registry.norms.models import CriterionKind
from tests.routing import WRITE, Case, authority_only, everyone

LIVE = "/admin/norms/RT-LIVE/versions"
TRANSITION = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()


def authority_sees(status: int) -> dict[str, int]:
    """Drafts: the authority gets `status`, everyone else 404."""
    return {**everyone(404), "authority": status}


def _criterion(section_id: int, code: str, kind: CriterionKind) -> drafting.CriterionData:
    return drafting.CriterionData(section_id, code, f"Criterion {code}", "", kind, 2)


def _ready_draft(authority: Any, code: str, category_id: int) -> Any:
    norm = services.create_norm(authority, code, f"Route test {code}", category_id)
    version = norm.versions[0]
    section = drafting.add_section(authority, version, "Main")
    drafting.add_criterion(
        authority, version, _criterion(section.id, "PF-1", CriterionKind.PASS_FAIL)
    )
    drafting.add_criterion(authority, version, _criterion(section.id, "SC-1", CriterionKind.SCORED))
    spare = drafting.add_section(authority, version, "Spare")
    drafting.add_criterion(authority, version, _criterion(spare.id, "SP-1", CriterionKind.SCORED))
    return version


def extend_world(world: dict[str, Any]) -> dict[str, int]:
    """Four norms in the states the cases need; ids of their sections and criteria."""
    authority = world["people"]["authority"]
    category_id = db.session.scalar(
        select(TechnologyCategory.id).where(TechnologyCategory.code == "cybersecurity")
    )
    assert category_id is not None
    live_v1 = services.publish_version(authority, _ready_draft(authority, "RT-LIVE", category_id))
    live_v2 = services.start_draft(authority, live_v1.norm)
    next_v1 = services.publish_version(authority, _ready_draft(authority, "RT-NEXT", category_id))
    services.start_draft(authority, next_v1.norm)
    _ready_draft(authority, "RT-HIDDEN", category_id)
    services.publish_version(authority, _ready_draft(authority, "RT-GONE", category_id))
    db.session.flush()

    def ids(version: Any) -> tuple[int, int, int, int]:
        """The main section, its first criterion, the spare section and its criterion."""
        main, spare = version.sections
        return main.id, main.criteria[0].id, spare.id, spare.criteria[0].id

    v1_section, v1_criterion, _, _ = ids(live_v1)
    v2_section, v2_criterion, v2_spare, v2_spare_criterion = ids(live_v2)
    return {
        "v1_section": v1_section,
        "v1_criterion": v1_criterion,
        "v2_section": v2_section,
        "v2_criterion": v2_criterion,
        "v2_spare": v2_spare,
        "v2_spare_criterion": v2_spare_criterion,
    }


def _criterion_form(code: str) -> dict[str, str]:
    # Without a section id (the walk cannot put world ids in form data): a draft's form
    # answers 200 with the error; a published version's routes refuse before reading it.
    return {"code": code, "title": "T", "kind": "scored", "weight": "3"}


SETTINGS = {
    "settings-validity_months": "24",
    "settings-level_1_name": "Certified",
    "settings-level_1_minimum": "60",
}

CASES = [
    # Public pages.
    Case("norms.index", "GET", "/norms", everyone(200)),
    Case("norms.index", "GET", "/norms?category=cybersecurity&status=active&page=2", everyone(200)),
    Case("norms.index", "GET", "/norms?category=%27%20OR%201=1--&status=(((", everyone(200)),
    Case("norms.norm", "GET", "/norms/RT-LIVE", everyone(200)),
    Case("norms.norm", "GET", "/norms/RT-HIDDEN", authority_sees(200)),
    Case("norms.norm", "GET", "/norms/NO-SUCH-NORM", everyone(404)),
    Case("norms.version", "GET", "/norms/RT-LIVE/versions/1", everyone(200)),
    Case("norms.version", "GET", "/norms/RT-LIVE/versions/2", authority_sees(200)),
    Case("norms.version", "GET", "/norms/RT-LIVE/versions/3", everyone(404)),
    Case("norms.version", "GET", "/norms/RT-HIDDEN/versions/1", authority_sees(200)),
    Case("norms.compare", "GET", "/norms/RT-LIVE/compare", everyone(200)),
    Case("norms.compare", "GET", "/norms/RT-LIVE/compare?from=1&to=2", authority_sees(200)),
    Case("norms.compare", "GET", "/norms/RT-LIVE/compare?from=1&to=1", everyone(200)),
    Case("norms.compare", "GET", "/norms/RT-LIVE/compare?from=1&to=99", everyone(404)),
    # API: public versions only, for everyone alike.
    Case("norms_api.norms", "GET", "/api/v1/norms?category=cybersecurity", everyone(200)),
    Case("norms_api.norm", "GET", "/api/v1/norms/RT-LIVE", everyone(200)),
    Case("norms_api.norm", "GET", "/api/v1/norms/RT-HIDDEN", everyone(404)),
    Case("norms_api.version", "GET", "/api/v1/norms/RT-LIVE/versions/1", everyone(200)),
    Case("norms_api.version", "GET", "/api/v1/norms/RT-LIVE/versions/2", everyone(404)),
    # The authority's pages.
    Case("norm_admin.new_norm", "GET", "/admin/norms/new", authority_only(200)),
    Case("norm_admin.edit_norm", "GET", "/admin/norms/RT-LIVE/edit", authority_only(200)),
    Case("norm_admin.edit_norm", "GET", "/admin/norms/NO-SUCH-NORM/edit", authority_only(404)),
    Case("norm_admin.withdraw", "GET", "/admin/norms/RT-GONE/withdraw", authority_only(200)),
    Case("norm_admin.editor", "GET", f"{LIVE}/2/edit", authority_only(200)),
    Case("norm_admin.editor", "GET", f"{LIVE}/1/edit", authority_only(302)),
    Case("norm_admin.editor", "GET", f"{LIVE}/9/edit", authority_only(404)),
    Case(
        "norm_admin.edit_section",
        "GET",
        f"{LIVE}/2/sections/{{v2_section}}/edit",
        authority_only(200),
    ),
    Case(
        "norm_admin.edit_section",
        "GET",
        f"{LIVE}/1/sections/{{v1_section}}/edit",
        authority_only(302),
    ),
    Case(
        "norm_admin.edit_section",
        "GET",
        f"{LIVE}/2/sections/{{v1_section}}/edit",
        authority_only(404),
    ),
    Case(
        "norm_admin.new_criterion",
        "GET",
        f"{LIVE}/2/sections/{{v2_section}}/criteria/new",
        authority_only(200),
    ),
    Case(
        "norm_admin.new_criterion",
        "GET",
        f"{LIVE}/1/sections/{{v1_section}}/criteria/new",
        authority_only(302),
    ),
    Case(
        "norm_admin.edit_criterion",
        "GET",
        f"{LIVE}/2/criteria/{{v2_criterion}}/edit",
        authority_only(200),
    ),
    Case(
        "norm_admin.edit_criterion",
        "GET",
        f"{LIVE}/1/criteria/{{v1_criterion}}/edit",
        authority_only(302),
    ),
    Case(
        "norm_admin.edit_criterion",
        "GET",
        f"{LIVE}/2/criteria/{{v1_criterion}}/edit",
        authority_only(404),
    ),
    Case("norm_admin.publish", "GET", f"{LIVE}/2/publish", authority_only(200)),
    Case("norm_admin.publish", "GET", f"{LIVE}/1/publish", authority_only(302)),
    # Writes on the published version 1: refused, back to the version page.
    Case(
        "norm_admin.save_settings",
        "POST",
        f"{LIVE}/1/settings",
        authority_only(302),
        SETTINGS,
        WRITE,
    ),
    Case("norm_admin.discard", "POST", f"{LIVE}/1/discard", authority_only(302), phase=WRITE),
    Case(
        "norm_admin.add_section",
        "POST",
        f"{LIVE}/1/sections",
        authority_only(302),
        {"section-title": "Extra"},
        WRITE,
    ),
    Case(
        "norm_admin.edit_section",
        "POST",
        f"{LIVE}/1/sections/{{v1_section}}/edit",
        authority_only(302),
        {"title": "Renamed"},
        WRITE,
    ),
    Case(
        "norm_admin.move_section",
        "POST",
        f"{LIVE}/1/sections/{{v1_section}}/move",
        authority_only(302),
        {"direction": "down"},
        WRITE,
    ),
    Case(
        "norm_admin.delete_section",
        "POST",
        f"{LIVE}/1/sections/{{v1_section}}/delete",
        authority_only(302),
        phase=WRITE,
    ),
    Case(
        "norm_admin.new_criterion",
        "POST",
        f"{LIVE}/1/sections/{{v1_section}}/criteria/new",
        authority_only(302),
        _criterion_form("NEW-1"),
        WRITE,
    ),
    Case(
        "norm_admin.edit_criterion",
        "POST",
        f"{LIVE}/1/criteria/{{v1_criterion}}/edit",
        authority_only(302),
        _criterion_form("PF-1"),
        WRITE,
    ),
    Case(
        "norm_admin.move_criterion",
        "POST",
        f"{LIVE}/1/criteria/{{v1_criterion}}/move",
        authority_only(302),
        {"direction": "down"},
        WRITE,
    ),
    Case(
        "norm_admin.delete_criterion",
        "POST",
        f"{LIVE}/1/criteria/{{v1_criterion}}/delete",
        authority_only(302),
        phase=WRITE,
    ),
    Case(
        "norm_admin.publish",
        "POST",
        f"{LIVE}/1/publish",
        authority_only(302),
        {"confirm": "y"},
        WRITE,
    ),
    # Writes on the draft version 2.
    Case("norm_admin.save_settings", "POST", f"{LIVE}/2/settings", authority_only(200), {}, WRITE),
    Case(
        "norm_admin.save_settings",
        "POST",
        f"{LIVE}/2/settings",
        authority_only(302),
        SETTINGS,
        WRITE,
    ),
    Case(
        "norm_admin.add_section",
        "POST",
        f"{LIVE}/2/sections",
        authority_only(200),
        {"section-title": ""},
        WRITE,
    ),
    Case(
        "norm_admin.add_section",
        "POST",
        f"{LIVE}/2/sections",
        authority_only(302),
        {"section-title": "Extra"},
        WRITE,
    ),
    Case(
        "norm_admin.edit_section",
        "POST",
        f"{LIVE}/2/sections/{{v2_section}}/edit",
        authority_only(302),
        {"title": "Renamed"},
        WRITE,
    ),
    Case(
        "norm_admin.move_section",
        "POST",
        f"{LIVE}/2/sections/{{v2_section}}/move",
        authority_only(302),
        {"direction": "down"},
        WRITE,
    ),
    Case(
        "norm_admin.new_criterion",
        "POST",
        f"{LIVE}/2/sections/{{v2_section}}/criteria/new",
        authority_only(200),
        _criterion_form("NEW-1"),
        WRITE,
    ),
    Case(
        "norm_admin.edit_criterion",
        "POST",
        f"{LIVE}/2/criteria/{{v2_criterion}}/edit",
        authority_only(200),
        _criterion_form("PF-1"),
        WRITE,
    ),
    Case(
        "norm_admin.move_criterion",
        "POST",
        f"{LIVE}/2/criteria/{{v2_criterion}}/move",
        authority_only(302),
        {"direction": "down"},
        WRITE,
    ),
    Case(
        "norm_admin.delete_criterion",
        "POST",
        f"{LIVE}/2/criteria/{{v2_spare_criterion}}/delete",
        authority_only(302),
        phase=WRITE,
    ),
    Case(
        "norm_admin.delete_section",
        "POST",
        f"{LIVE}/2/sections/{{v2_spare}}/delete",
        authority_only(302),
        phase=WRITE,
    ),
    Case(
        "norm_admin.publish",
        "POST",
        f"{LIVE}/2/publish",
        authority_only(200),
        {"confirm": "y"},  # a version is in force: the transition date is missing
        WRITE,
    ),
    Case(
        "norm_admin.publish",
        "POST",
        "/admin/norms/RT-NEXT/versions/2/publish",
        authority_only(302),
        {"confirm": "y", "transition_date": TRANSITION},
        WRITE,
    ),
    Case("norm_admin.discard", "POST", f"{LIVE}/2/discard", authority_only(302), phase=WRITE),
    # Norms.
    Case("norm_admin.new_norm", "POST", "/admin/norms/new", authority_only(200), {}, WRITE),
    Case(
        "norm_admin.new_norm",
        "POST",
        "/admin/norms/new",
        authority_only(200),
        {"code": "rt new", "title": "New", "category_id": "999999"},
        WRITE,
    ),
    Case(
        "norm_admin.edit_norm",
        "POST",
        "/admin/norms/RT-LIVE/edit",
        authority_only(200),
        {"title": "", "category_id": "999999"},
        WRITE,
    ),
    Case(
        "norm_admin.new_draft",
        "POST",
        "/admin/norms/RT-LIVE/drafts",
        authority_only(302),
        phase=WRITE,
    ),
    Case(
        "norm_admin.new_draft",
        "POST",
        "/admin/norms/RT-HIDDEN/drafts",
        authority_only(302),
        phase=WRITE,
    ),
    Case(
        "norm_admin.withdraw",
        "POST",
        "/admin/norms/RT-GONE/withdraw",
        authority_only(200),
        {"reason": ""},
        WRITE,
    ),
    Case(
        "norm_admin.withdraw",
        "POST",
        "/admin/norms/RT-GONE/withdraw",
        authority_only(302),
        {"reason": "Route test"},
        WRITE,
    ),
]
