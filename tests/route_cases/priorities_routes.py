"""Routes of the priority maps: public heatmaps and history, the authority's drafts, the API."""

from __future__ import annotations

from typing import Any

from registry.priorities import services
from registry.priorities.demo import national_v2
from registry.priorities.grid import CellValue
from registry.priorities.models import PriorityLevel
from tests.routing import WRITE, Case, authority_only, everyone


def extend_world(world: dict[str, Any]) -> dict[str, int]:
    """National versions 1 and 2 and a national draft; Testland published; Draftland a draft."""
    authority = world["people"]["authority"]
    national = services.ensure_national_map(authority)
    values = national_v2()
    for number, level in ((1, PriorityLevel.MEDIUM), (2, PriorityLevel.HIGH)):
        draft = services.start_draft(authority, national)
        values[("planning", "cybersecurity")] = CellValue(level, "Perimeter protection.")
        services.update_draft(authority, draft, values)
        services.publish_draft(authority, draft, f"Version {number}")
    services.start_draft(authority, national)
    testland = services.create_regional_map(authority, "Testland")
    services.publish_draft(authority, services.start_draft(authority, testland), "First")
    draftland = services.create_regional_map(authority, "Draftland")
    services.start_draft(authority, draftland)
    return {}


CASES = [
    Case("priorities.index", "GET", "/priorities", everyone(200)),
    Case("priorities.current", "GET", "/priorities/national", everyone(302)),
    Case("priorities.current", "GET", "/priorities/testland", everyone(200)),
    Case("priorities.current", "GET", "/priorities/draftland", everyone(404)),
    Case("priorities.current", "GET", "/priorities/No%20Such", everyone(404)),
    Case("priorities.versions", "GET", "/priorities/national/versions", everyone(200)),
    Case("priorities.versions", "GET", "/priorities/draftland/versions", everyone(404)),
    Case("priorities.version", "GET", "/priorities/national/versions/1", everyone(200)),
    Case("priorities.version", "GET", "/priorities/national/versions/3", everyone(404)),
    Case("priorities.version", "GET", "/priorities/draftland/versions/1", everyone(404)),
    Case("priorities.compare", "GET", "/priorities/national/compare", everyone(200)),
    Case("priorities.compare", "GET", "/priorities/national/compare?from=2&to=1", everyone(200)),
    Case("priorities.compare", "GET", "/priorities/national/compare?from=9", everyone(404)),
    Case("priorities.compare", "GET", "/priorities/national/compare?to=1e3", everyone(404)),
    Case("priorities.manage", "GET", "/priorities/manage", authority_only(200)),
    Case("priorities.edit_draft", "GET", "/priorities/manage/national/draft", authority_only(200)),
    Case("priorities.edit_draft", "GET", "/priorities/manage/testland/draft", authority_only(302)),
    Case("priorities.edit_draft", "GET", "/priorities/manage/nowhere/draft", authority_only(404)),
    Case(
        "priorities.publish",
        "GET",
        "/priorities/manage/national/draft/publish",
        authority_only(200),
    ),
    Case("priorities_api.scopes", "GET", "/api/v1/priorities", everyone(200)),
    Case("priorities_api.current", "GET", "/api/v1/priorities/national", everyone(200)),
    Case("priorities_api.current", "GET", "/api/v1/priorities/draftland", everyone(404)),
    Case("priorities_api.versions", "GET", "/api/v1/priorities/national/versions", everyone(200)),
    Case("priorities_api.version", "GET", "/api/v1/priorities/national/versions/2", everyone(200)),
    Case("priorities_api.version", "GET", "/api/v1/priorities/national/versions/3", everyone(404)),
    # Refused input changes nothing: the form comes back with its errors.
    Case(
        "priorities.edit_draft",
        "POST",
        "/priorities/manage/national/draft",
        authority_only(200),
        {"lock_version": "1", "level__planning__cybersecurity": "high"},
        phase=WRITE,
    ),
    Case(
        "priorities.publish",
        "POST",
        "/priorities/manage/national/draft/publish",
        authority_only(200),
        {"change_note": ""},
        phase=WRITE,
    ),
    Case(
        "priorities.new_region",
        "POST",
        "/priorities/manage/regions",
        authority_only(200),
        {"region": "manage"},
        phase=WRITE,
    ),
    Case(
        "priorities.new_region",
        "POST",
        "/priorities/manage/regions",
        authority_only(302),
        {"region": "Occitanie"},
        phase=WRITE,
    ),
    Case(
        "priorities.start_draft",
        "POST",
        "/priorities/manage/testland/draft/start",
        authority_only(302),
        phase=WRITE,
    ),
    Case(
        "priorities.start_draft",
        "POST",
        "/priorities/manage/nowhere/draft/start",
        authority_only(404),
        phase=WRITE,
    ),
    Case(
        "priorities.discard",
        "POST",
        "/priorities/manage/draftland/draft/discard",
        authority_only(302),
        phase=WRITE,
    ),
    # No route edits a published version: the version pages answer GET only.
    Case("priorities.version", "POST", "/priorities/national/versions/1", everyone(405)),
]
