"""Open data: the certified catalog as CSV and JSON, and the Atom feed of label events."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree as ET  # noqa: N817

import pytest
from flask import Flask
from sqlalchemy import event

from catalog.exports import CSV_COLUMNS, spreadsheet_safe
from catalog.versions import declare_version
from evaluations import catalog_facts
from evaluations.models import LabelEvent, LabelStatus
from registry.database import db
from registry.models import OrganisationKind, User
from tests.catalog.lists_label_builders import change_status, make_label
from tests.catalog.solution_builders import draft, published
from tests.norms.norm_builders import published as published_norm

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def people(app: Flask, create_user: Callable[..., User]) -> dict[str, User]:
    """A vendor and the authority, with label facts wired in."""
    catalog_facts.register(app)
    return {
        "vendor": create_user(kind=OrganisationKind.VENDOR),
        "authority": create_user(kind=OrganisationKind.AUTHORITY),
    }


def _csv(client: Any) -> list[dict[str, str]]:
    response = client.get("/catalog.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    assert "\r\n" in text
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Harbour Watch", "Harbour Watch"),
        ("a=b", "a=b"),
        (None, ""),
        (True, "true"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_quoted(raw: object, safe: str) -> None:
    assert spreadsheet_safe(raw) == safe


def test_exports_hold_exactly_the_solutions_with_a_valid_label(
    app: Flask, client: Any, people: dict[str, User]
) -> None:
    vendor = people["vendor"]
    version = published_norm(people["authority"])
    certified = published(vendor, name="=cmd|' /C calc'!A0", summary="x")
    suspended = published(vendor, name="Suspended one")
    uncertified = published(vendor, name="No label")
    hidden = draft(vendor, name="Draft with label")
    released = dt.date.today() - dt.timedelta(days=30)
    make_label(
        certified,
        version,
        versions=[
            declare_version(vendor, certified, "2.1", released),
            declare_version(vendor, certified, "2.0", released - dt.timedelta(days=90)),
        ],
    )
    change_status(make_label(suspended, version), "suspended", LabelStatus.SUSPENDED, "audit")
    make_label(hidden, version)
    assert uncertified.id

    rows = _csv(client)
    assert list(rows[0].keys()) == list(CSV_COLUMNS)
    assert [row["solution_id"] for row in rows] == [str(certified.id)]
    row = rows[0]
    assert row["solution_name"] == "'=cmd|' /C calc'!A0"
    assert row["label_status"] == "valid"
    assert row["norm_code"] == "TEST-NORM"
    assert row["norm_version"] == "1"
    assert row["label_score_percent"] == "72.50"
    assert row["label_verification_url"].endswith(f"/labels/{row['label_number']}")
    assert row["certified_versions"] == "2.1;2.0"

    document = client.get("/catalog.json").get_json()
    assert document["metadata"]["count"] == 1
    assert document["metadata"]["licence"]["name"]
    assert "generated_at" in document["metadata"]
    [record] = document["solutions"]
    assert record["id"] == certified.id
    # JSON is data, not a spreadsheet: the name is as the vendor wrote it.
    assert record["name"] == "=cmd|' /C calc'!A0"
    assert [label["status"] for label in record["labels"]] == ["valid"]
    assert [label["certified_versions"] for label in record["labels"]] == [["2.1", "2.0"]]


def test_a_suspension_leaves_the_exports_at_once(
    app: Flask, client: Any, people: dict[str, User]
) -> None:
    version = published_norm(people["authority"])
    label = make_label(published(people["vendor"]), version)
    assert len(_csv(client)) == 1
    change_status(label, "suspended", LabelStatus.SUSPENDED, "Pending an audit")
    assert _csv(client) == []
    assert client.get("/catalog.json").get_json()["metadata"]["count"] == 0


def test_the_atom_feed_lists_label_events_newest_first(
    app: Flask, client: Any, people: dict[str, User]
) -> None:
    version = published_norm(people["authority"])
    label = make_label(published(people["vendor"], name="Harbour <Watch>"), version)
    change_status(label, "suspended", LabelStatus.SUSPENDED, "Pending an audit")
    response = client.get("/labels/feed.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)  # noqa: S314 - our own feed
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id", "").startswith("tag:")
    assert feed.findtext(f"{ATOM}updated")
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2
    titles = [entry.findtext(f"{ATOM}title", "") for entry in entries]
    assert titles[0].startswith(f"Label {label.number} suspended: Harbour <Watch>")
    assert titles[1].startswith(f"Label {label.number} issued")
    for entry in entries:
        assert entry.findtext(f"{ATOM}id")
        assert entry.findtext(f"{ATOM}updated")
        assert entry.find(f"{ATOM}link").get("href")  # type: ignore[union-attr]
    assert "Pending an audit" in (entries[0].findtext(f"{ATOM}summary") or "")


def test_an_amendment_is_in_the_feed_with_its_reason_and_the_certified_versions(
    app: Flask, client: Any, people: dict[str, User]
) -> None:
    vendor = people["vendor"]
    solution = published(vendor, name="Harbour Watch")
    added = declare_version(vendor, solution, "2.1", dt.date.today())
    label = make_label(solution, published_norm(people["authority"]), versions=[added])
    db.session.add(
        LabelEvent(
            label_id=label.id,
            action="amended",
            from_status="valid",
            to_status="valid",
            reason="Version 2.1 added to the certified scope after a minor change review.",
        )
    )
    db.session.commit()
    feed = ET.fromstring(client.get("/labels/feed.atom").data)  # noqa: S314 - our own feed
    newest = feed.findall(f"{ATOM}entry")[0]
    assert (newest.findtext(f"{ATOM}title") or "").startswith(
        f"Label {label.number} amended: Harbour Watch"
    )
    summary = newest.findtext(f"{ATOM}summary") or ""
    assert "Certified versions: 2.1." in summary
    assert "Reason: Version 2.1 added to the certified scope" in summary


def test_an_empty_feed_is_still_valid_atom(client: Any) -> None:
    feed = ET.fromstring(client.get("/labels/feed.atom").data)  # noqa: S314 - our own feed
    assert feed.findall(f"{ATOM}entry") == []
    assert feed.findtext(f"{ATOM}updated")


def test_an_export_is_built_once_per_change_of_the_catalog(
    app: Flask, client: Any, people: dict[str, User]
) -> None:
    version = published_norm(people["authority"])
    make_label(published(people["vendor"]), version)
    first = {url: client.get(url).data for url in ("/catalog.json", "/catalog.csv")}
    statements: list[str] = []

    def seen(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    def fetch(url: str) -> bytes:
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            return bytes(client.get(url).data)
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)

    for url, body in first.items():
        assert fetch(url) == body
        # The second time an export costs the one query that names the catalog's state.
        assert len(statements) == 1 and "search_change" in statements[0]
    published(people["vendor"], name="Second Harbour Watch")  # a change, logged
    assert b"Second Harbour Watch" not in fetch("/catalog.json")  # not certified...
    assert len(statements) > 1  # ...but the catalog changed, so the export was built again
