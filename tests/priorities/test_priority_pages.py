"""The priority pages as people use them: public heatmaps and history, the authority's editor."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from registry.database import db
from registry.models import OrganisationKind, User
from registry.priorities import services
from registry.priorities.demo import national_v2
from registry.priorities.grid import CellKey, CellValue
from registry.priorities.models import PriorityLevel, PriorityMap
from registry.priorities.services import current_levels

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "safetech.css"


@pytest.fixture
def authority(create_user: Callable[..., User]) -> User:
    return create_user(kind=OrganisationKind.AUTHORITY)


def publish(actor: User, priority_map: PriorityMap, values: dict[CellKey, CellValue]) -> None:
    draft = services.start_draft(actor, priority_map)
    services.update_draft(actor, draft, values)
    services.publish_draft(actor, draft, "Published for the test")
    db.session.commit()


@pytest.fixture
def national(authority: User) -> PriorityMap:
    priority_map = services.ensure_national_map(authority)
    publish(authority, priority_map, national_v2())
    return priority_map


def form_data(values: dict[CellKey, CellValue], lock_version: int) -> dict[str, str]:
    data = {"lock_version": str(lock_version)}
    for (activity, category), value in values.items():
        suffix = f"{activity.replace('-', '_')}__{category.replace('-', '_')}"
        data[f"level__{suffix}"] = value.level.value
        data[f"rationale__{suffix}"] = value.rationale
    return data


def page(client: FlaskClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, path
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- public pages


def test_the_heatmap_is_a_table_with_the_level_written_in_every_cell(
    client: FlaskClient, national: PriorityMap
) -> None:
    html = page(client, "/priorities")
    table = html[html.index('<table class="usa-table usa-table--borderless heatmap"') :]
    table = table[: table.index("</table>")]
    assert table.count('<th scope="col"') == 7  # the corner, then the six activities
    assert table.count('<th scope="row"') == 11
    cells = re.findall(r'<td class="heatmap__cell heatmap-level--(\w+)">(.*?)</td>', table, re.S)
    assert len(cells) == 66
    for level, content in cells:
        assert re.sub(r"<[^>]+>|: why", "", content).strip() == level.capitalize()
    assert "<caption" in table
    # Scrolls sideways on a phone inside a labelled region a keyboard can reach.
    assert re.search(r'role="region" aria-labelledby="priority-map-caption" tabindex="0"', html)
    assert "How to read the map" in html
    for word in ("High", "Medium", "Low", "None"):
        assert f'<span class="heatmap-swatch heatmap-level--{word.lower()}">{word}</span>' in html


def test_high_cells_link_to_their_reason(client: FlaskClient, national: PriorityMap) -> None:
    html = page(client, "/priorities")
    assert 'href="#reason-planning-cybersecurity"' in html
    assert 'id="reason-planning-cybersecurity"' in html
    assert "perimeter" in html


def test_the_home_page_shows_the_national_map(client: FlaskClient, national: PriorityMap) -> None:
    html = page(client, "/")
    assert "National technology priorities" in html
    assert 'id="home-heatmap"' in html
    assert html.count('class="heatmap__cell heatmap-level--') == 66
    assert "version 2" not in html and "version 1" in html


def test_before_any_publication_the_pages_say_so(app: Flask, client: FlaskClient) -> None:
    assert "has not been published yet" in page(client, "/")
    assert "No national priority map has been published yet" in page(client, "/priorities")
    assert "No version of this map" in page(client, "/priorities/national/versions")
    assert "nothing to compare" in page(client, "/priorities/national/compare")
    page(client, "/priorities/national/versions/1", 404)


def test_history_lists_versions_and_what_changed(
    client: FlaskClient, authority: User, national: PriorityMap
) -> None:
    changed = dict(national_v2())
    changed[("judicial-process", "video-analysis")] = CellValue(
        PriorityLevel.MEDIUM, "Courts still prefer raw footage."
    )
    publish(authority, national, changed)

    versions = page(client, "/priorities/national/versions")
    assert "Version 2" in versions and "Version 1" in versions
    assert "Current" in versions
    assert "1 cell since version 1" in versions
    assert "no version on this page" in page(client, "/priorities/national/versions?page=9")

    old = page(client, "/priorities/national/versions/1")
    assert "This version has been replaced" in old

    compare = page(client, "/priorities/national/compare")
    assert "1 cell changed" in compare
    assert "Video analysis" in compare and "for Judicial process" in compare
    assert "Level lowered" in compare
    assert "Courts still prefer raw footage." in compare

    same = page(client, "/priorities/national/compare?from=2&to=2")
    assert "Choose two different versions" in same
    backwards = page(client, "/priorities/national/compare?from=2&to=1")
    assert "Level raised" in backwards


def test_regional_maps_are_one_click_away(
    client: FlaskClient, authority: User, national: PriorityMap
) -> None:
    bretagne = services.create_regional_map(authority, "Bretagne")
    publish(authority, bretagne, national_v2())
    html = page(client, "/priorities")
    assert 'aria-label="Scope of the map"' in html
    assert 'href="/priorities/bretagne"' in html
    regional = page(client, "/priorities/bretagne")
    assert "<h1>Bretagne technology priorities</h1>" in regional
    assert 'href="/priorities" aria-current' not in regional


def test_user_text_is_escaped(client: FlaskClient, authority: User) -> None:
    national = services.ensure_national_map(authority)
    values = dict(national_v2())
    values[("planning", "cybersecurity")] = CellValue(
        PriorityLevel.HIGH, '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    )
    publish(authority, national, values)
    html = page(client, "/priorities")
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_heatmap_colours_keep_text_contrast_at_aa() -> None:
    """Every level's text colour on its background reaches 4.5:1 (WCAG 2.2 AA, normal text)."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    css = CSS.read_text()
    for level in PriorityLevel:
        rule = re.search(rf"\.heatmap-level--{level.value}[^{{]*\{{([^}}]*)\}}", css)
        assert rule, level
        background = re.search(r"background:\s*(#[0-9a-fA-F]{6})", rule.group(1))
        colour = re.search(r"(?<!-)color:\s*(#[0-9a-fA-F]{6})", rule.group(1))
        assert background and colour, level
        light, dark = sorted(
            (luminance(background.group(1)), luminance(colour.group(1))), reverse=True
        )
        assert (light + 0.05) / (dark + 0.05) >= 4.5, level


# ---------------------------------------------------------------- the authority's editor


@pytest.fixture
def signed_in(client: FlaskClient, authority: User, login: Any) -> FlaskClient:
    login(client, authority)
    return client


def test_the_editor_groups_the_66_cells_by_activity(
    signed_in: FlaskClient, authority: User, national: PriorityMap
) -> None:
    services.start_draft(authority, national)
    db.session.commit()
    html = page(signed_in, "/priorities/manage/national/draft")
    assert html.count("<select") == 66
    assert html.count("<textarea") == 66
    assert html.count('<section class="margin-top-4" aria-labelledby="activity-') == 6
    assert '<th scope="row" id="row-planning-video-analysis">Video analysis</th>' in html
    assert 'for="level__planning__video_analysis"' in html
    assert ">Video analysis for Planning: level</label>" in html
    assert "Version 1" in html  # the published levels beside the inputs


def test_a_refused_save_keeps_the_input_and_saves_nothing(
    signed_in: FlaskClient, authority: User, national: PriorityMap
) -> None:
    draft = services.start_draft(authority, national)
    db.session.commit()
    values = dict(national_v2())
    values[("feedback", "flow-modeling")] = CellValue(PriorityLevel.LOW, "Kept while I fix it.")
    values[("planning", "data-analysis")] = CellValue(PriorityLevel.HIGH, "")
    response = signed_in.post(
        "/priorities/manage/national/draft", data=form_data(values, draft.lock_version)
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "A high priority needs a rationale" in html
    assert 'href="#rationale__planning__data_analysis"' in html
    assert 'aria-invalid="true"' in html
    assert "Kept while I fix it." in html
    db.session.expire_all()
    assert services.grid_values(draft) == national_v2()


def test_a_valid_save_changes_the_draft_only(
    signed_in: FlaskClient, authority: User, national: PriorityMap
) -> None:
    draft = services.start_draft(authority, national)
    db.session.commit()
    values = dict(national_v2())
    values[("planning", "data-analysis")] = CellValue(PriorityLevel.HIGH, "Data drives plans.")
    response = signed_in.post(
        "/priorities/manage/national/draft", data=form_data(values, draft.lock_version)
    )
    assert response.status_code == 302
    assert page(signed_in, response.location).count("1 cell changed") == 1
    db.session.expire_all()
    assert services.grid_values(draft)[("planning", "data-analysis")].level is PriorityLevel.HIGH
    assert current_levels()[("planning", "data-analysis")] is PriorityLevel.MEDIUM
    # The same form sent again (a double click) is refused as stale, not saved twice.
    again = signed_in.post(
        "/priorities/manage/national/draft", data=form_data(values, draft.lock_version - 1)
    )
    assert "Someone else saved this draft" in again.get_data(as_text=True)


def test_publishing_asks_for_a_note_and_a_confirmation(
    signed_in: FlaskClient, authority: User, national: PriorityMap
) -> None:
    draft = services.start_draft(authority, national)
    values = dict(national_v2())
    values[("feedback", "cybersecurity")] = CellValue(PriorityLevel.HIGH, "Post-incident reviews.")
    services.update_draft(authority, draft, values)
    db.session.commit()

    review = page(signed_in, "/priorities/manage/national/draft/publish")
    assert "Publish the National priority map as version 2" in review
    assert "1 cell differs from the current version 1" in review
    assert "Post-incident reviews." in review

    refused = signed_in.post(
        "/priorities/manage/national/draft/publish", data={"change_note": "Cyber feedback"}
    )
    assert refused.status_code == 200
    assert "Tick the box to confirm" in refused.get_data(as_text=True)
    assert national.last_number == 1

    done = signed_in.post(
        "/priorities/manage/national/draft/publish",
        data={"change_note": "Cyber feedback", "confirm": "y"},
    )
    assert done.status_code == 302 and done.location == "/priorities"
    db.session.expire_all()
    assert national.last_number == 2
    assert services.draft_of(national) is None
    html = page(signed_in, "/priorities")
    assert "Version 2, published" in html and "Cyber feedback" in html


def test_starting_and_discarding_a_draft(
    signed_in: FlaskClient, authority: User, national: PriorityMap
) -> None:
    started = signed_in.post("/priorities/manage/national/draft/start")
    assert started.location == "/priorities/manage/national/draft"
    manage = page(signed_in, "/priorities/manage")
    assert "Edit the draft" in manage and "Based on version 1" in manage
    twice = signed_in.post("/priorities/manage/national/draft/start", follow_redirects=True)
    assert "already has a draft" in twice.get_data(as_text=True)
    discarded = signed_in.post("/priorities/manage/national/draft/discard")
    assert discarded.status_code == 302
    db.session.expire_all()
    assert services.draft_of(national) is None
    assert national.last_number == 1


def test_a_regional_map_is_started_from_the_manage_page(
    signed_in: FlaskClient, national: PriorityMap
) -> None:
    response = signed_in.post("/priorities/manage/regions", data={"region": "Occitanie"})
    assert response.location == "/priorities/manage/occitanie/draft"
    editor = page(signed_in, response.location)
    assert "Edit the draft Occitanie priority map" in editor
    assert "started from national version 1" in editor
    # Not public before its first publication.
    signed_in.post("/logout")
    page(signed_in, "/priorities/occitanie", 404)
    duplicate = signed_in.post("/priorities/manage/regions", data={"region": "occitanie"})
    assert duplicate.status_code == 302  # signed out: sent to sign in, nothing created


def test_a_duplicate_region_is_refused_with_the_input_kept(
    signed_in: FlaskClient, authority: User, national: PriorityMap
) -> None:
    services.create_regional_map(authority, "Occitanie")
    db.session.commit()
    response = signed_in.post("/priorities/manage/regions", data={"region": "OCCITANIE"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "exists already" in html
    assert 'value="OCCITANIE"' in html


def test_a_published_version_has_no_edit_route(
    signed_in: FlaskClient, national: PriorityMap
) -> None:
    version = page(signed_in, "/priorities/national/versions/1")
    assert '<form method="post"' not in version.split('<main id="main-content"')[1]
    assert signed_in.post("/priorities/national/versions/1").status_code == 405
    assert signed_in.post("/priorities/national").status_code == 405
