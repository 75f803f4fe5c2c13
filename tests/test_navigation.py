"""The header keeps each role's most used pages; the rest are listed on the dashboard."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from registry.models import OrganisationKind, User

# The header must stay on one line at 1280 px (tests/browser checks the rendering).
MAX_HEADER_LINKS = 10


def _header_links(html: str) -> list[str]:
    nav = html.split('aria-label="Primary navigation"', 1)[1].split("usa-nav__secondary", 1)[0]
    return re.findall(r"<span>([^<]+)</span></a></li>", nav)


def _more_links(html: str) -> list[str]:
    if 'id="more-heading"' not in html:
        return []
    section = html.split('id="more-heading"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<a href="[^"]+">([^<]+)</a>', section)


def test_the_public_header_leads_everywhere_a_visitor_may_go(client: FlaskClient) -> None:
    links = _header_links(client.get("/").get_data(as_text=True))
    assert links[0] == "Home" and {
        "Catalog",
        "Labels",
        "Decisions",
        "Advisories",
    } <= set(links)
    assert len(links) <= MAX_HEADER_LINKS


@pytest.mark.parametrize(
    ("kind", "in_header", "on_dashboard"),
    [
        (
            OrganisationKind.AUTHORITY,
            {
                "Dashboard",
                "Evaluations",
                "Aggregation",
                "Joint calls",
                "Organisations",
                "Audit log",
            },
            {
                "Market gaps",
                "Watchlist",
                "Decisions",
                "Advisories",
                "Users",
                "Procurement dashboard",
                "Revocation proposals",
                "Change requests",
                "Maintenance requests",
                "Vulnerabilities",
                "Labels to suspend",
                "Evaluation bodies",
                "Evaluator approvals",
                "Impartiality",
                "My declarations of interests",
                "Surveillance",
                "Complaints and appeals",
                "Certification agreement",
                "Records",
            },
        ),
        (
            OrganisationKind.BUYER,
            {"Dashboard", "Catalog", "Shortlists", "My needs", "Joint calls"},
            {"Watchlist", "My contracts", "Decisions", "Advisories"},
        ),
        (
            OrganisationKind.VENDOR,
            {"Dashboard", "Catalog", "My solutions", "My evaluations", "Joint calls"},
            {
                "Watchlist",
                "Decisions",
                "Advisories",
                "Vulnerabilities",
                "Surveillance",
                "Appeals",
                "Certification agreement",
            },
        ),
    ],
)
def test_each_role_finds_every_page_in_the_header_or_on_its_dashboard(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    create_user: Callable[..., User],
    kind: OrganisationKind,
    in_header: set[str],
    on_dashboard: set[str],
) -> None:
    login(client, create_user(kind=kind))
    page = client.get("/dashboard").get_data(as_text=True)
    header, more = _header_links(page), _more_links(page)
    assert in_header <= set(header) and len(header) <= MAX_HEADER_LINKS, header
    assert set(more) == on_dashboard and not set(more) & set(header), more
    assert "Home" not in header  # the logo leads home
    # The dashboard's links work.
    section = page.split('id="more-heading"', 1)[1].split("</section>", 1)[0]
    for url in re.findall(r'<a href="([^"]+)">', section):
        assert client.get(url).status_code == 200, url


def test_every_page_s_footer_leads_to_the_accredited_evaluation_bodies(
    client: FlaskClient,
) -> None:
    footer = client.get("/").get_data(as_text=True).split("usa-footer", 1)[1]
    assert 'href="/evaluation-bodies">Accredited evaluation bodies</a>' in footer
    assert client.get("/evaluation-bodies").status_code == 200


def test_every_page_names_an_icon_the_portal_serves(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    found = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', page)
    assert found is not None, "the page names no icon: browsers ask for /favicon.ico and get 404"
    icon = client.get(found[1])
    try:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert b"<svg" in icon.get_data()
    finally:
        icon.close()
