"""Hostile text in every user field reaches every output format intact, escaped and parseable.

Forms clean text at input (tests/test_text.py proves every form does); here the fields hold
what a form hands on, and every output is fetched and parsed: the HTML page, the catalog CSV
and JSON, the API, the Atom feed, the label PDF and the OCDS releases. Text stored before the
cleaning existed must not break the Atom feed either.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import unicodedata
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree as ET  # noqa: N817 - the name everyone uses

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from pypdf import PdfReader

import catalog.changes
import catalog.services
from catalog.exports import spreadsheet_safe
from evaluations import catalog_facts
from evaluations.labels.facts import sign_label
from evaluations.models import LabelEvent
from registry.database import db
from registry.models import OrganisationKind, User
from registry.text import clean_name, clean_text
from tests.catalog.lists_label_builders import make_label
from tests.catalog.solution_builders import complete_data, published
from tests.conftest import BACKEND
from tests.norms.norm_builders import published as published_norm
from tests.procurement import public_builders

HOSTILE = [
    "Ctl\x00\x01\x08\x0b\x0c\x1b[31m\x7f\x85\x9f end",
    "Non\ufdd0\ufffe\uffff\U0001fffe\ud800char",
    "Bidi \u202egnp.exe\u202c \u2066iso\u2069 \u200fmark",
    "Zero\u200b\u200c\u200dwidth\u2060\ufeff join",
    "<script>alert(1)</script> ]]> &amp; \"q\" 'a' </title>",
    "=cmd|' /C calc'!A0",
    "Emoji 🛡️👩\u200d💻 NFD Se\u0301curite\u0301 Ω\u0301",
    "Line\r\nbreak\rand\u2028sep\ttab",
]
ATOM = "{http://www.w3.org/2005/Atom}"


def _raw_controls(text: str) -> list[str]:
    return [
        c
        for c in text
        if (unicodedata.category(c) == "Cc" and c not in "\t\n\r")
        or 0xFDD0 <= ord(c) <= 0xFDEF
        or (ord(c) & 0xFFFE) == 0xFFFE
    ]


def _letters(text: str) -> str:
    # What survives any layout: ASCII letters and digits, in order.
    return re.sub(r"[^A-Za-z0-9]", "", unicodedata.normalize("NFKD", text))


def _strings(document: object) -> list[str]:
    if isinstance(document, str):
        return [document]
    if isinstance(document, dict):
        return [s for value in document.values() for s in _strings(value)]
    if isinstance(document, list):
        return [s for value in document for s in _strings(value)]
    return []


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "label.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["/usr/bin/pdftotext", str(path), "-"], check=True, capture_output=True, timeout=60
    ).stdout.decode("utf-8")


@pytest.fixture
def authority(app: Flask, create_user: Callable[..., User]) -> User:
    """The authority, with label facts wired into the catalog."""
    catalog_facts.register(app)
    return create_user(kind=OrganisationKind.AUTHORITY)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_through_every_output(
    app: Flask, client: FlaskClient, authority: User, hostile: str, tmp_path: Path
) -> None:
    name = clean_name(f"{hostile} Name")
    text = clean_text(f"{hostile}\nsecond line", multiline=True)
    line = clean_text(hostile)
    scene = public_builders.scene(authority, suffix=f" {name}")
    vendor_name = scene.vendors[0].organisation.name
    label = scene.labels[0]
    # The scene's labels are bare rows; give this one what an issued label has.
    label.number = f"STR-2026-{80000 + label.id:05d}"
    db.session.add(
        LabelEvent(label_id=label.id, action="issued", from_status=None, to_status="valid")
    )
    solution = catalog.services.update_solution(
        scene.vendors[0],
        label.solution,
        complete_data(
            name=name,
            summary=line,
            description_markdown=text,
            standards=[line],
            change_reason=f"Renamed: {line}",
        ),
    )
    # The label certifies the name and standards: they change once the authority approves.
    request = catalog.changes.pending_request(solution.id)
    assert request is not None
    catalog.changes.approve_change(authority, request, f"Approved: {line}")
    norm = label.norm_version.norm
    norm.title = name
    call = public_builders.open_call(scene)
    call.title = name
    call.description = text
    scene.needs[0].title = name
    sign_label(label)  # the PDF prints the facts signed at issue
    db.session.commit()

    outputs: dict[str, str] = {}

    page = client.get(f"/solutions/{solution.id}")
    assert page.status_code == 200
    outputs["html"] = html = page.get_data(as_text=True)
    assert str(escape(name)) in html
    assert str(escape(vendor_name)) in html
    assert "<script>alert" not in html

    response = client.get("/catalog.csv")
    outputs["csv"] = body = response.get_data().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    row = next(r for r in rows if r["solution_id"] == str(solution.id))
    assert row["solution_name"] == spreadsheet_safe(name)
    assert row["vendor_name"] == spreadsheet_safe(vendor_name)

    outputs["json"] = client.get("/catalog.json").get_data(as_text=True)
    record = next(r for r in json.loads(outputs["json"])["solutions"] if r["id"] == solution.id)
    assert record["name"] == name

    outputs["api"] = client.get(f"/api/v1/solutions/{solution.id}").get_data(as_text=True)
    assert name in _strings(json.loads(outputs["api"]))

    feed_bytes = client.get("/labels/feed.atom").data
    outputs["atom"] = feed_bytes.decode("utf-8")
    feed = ET.fromstring(feed_bytes)  # noqa: S314 - our own feed
    titles = [entry.findtext(f"{ATOM}title", "") for entry in feed.iter(f"{ATOM}entry")]
    assert any(name in title for title in titles)

    pdf = client.get(f"/labels/{label.number}.pdf")
    assert pdf.status_code == 200
    PdfReader(io.BytesIO(pdf.data))  # parses
    assert _letters(name) in _letters(_pdf_text(pdf.data, tmp_path))

    releases = client.get("/procurement/ocds.json")
    assert releases.status_code == 200
    outputs["ocds"] = json.dumps(releases.get_json(), ensure_ascii=False)
    assert any(name in value for value in _strings(releases.get_json()))
    one = client.get(f"/procurement/ocds/{call.ocid}.json")
    assert one.status_code == 200
    assert text in _strings(one.get_json())

    for kind, output in outputs.items():
        assert _raw_controls(output) == [], kind
    # Names lose invisible characters; longer text keeps bidi controls a language may need.
    assert not set(name) & set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b")


@pytest.mark.parametrize("hostile", [h for h in HOSTILE if "\ud800" not in h])
def test_text_stored_before_cleaning_cannot_break_the_feed(
    app: Flask, authority: User, create_user: Callable[..., User], client: FlaskClient, hostile: str
) -> None:
    if BACKEND == "postgresql":
        hostile = hostile.replace("\x00", "")  # PostgreSQL text cannot hold NUL at all
    vendor = create_user(kind=OrganisationKind.VENDOR)
    vendor.organisation.name = f"Legacy {hostile}"
    version = published_norm(authority)
    version.norm.title = hostile
    solution = published(vendor, name="Legacy solution")
    solution.name = f"Legacy {hostile}"  # as written before input was cleaned
    db.session.commit()
    make_label(solution, version)
    body = client.get("/labels/feed.atom").data
    feed = ET.fromstring(body)  # noqa: S314 - our own feed
    [entry] = feed.iter(f"{ATOM}entry")
    assert "Legacy" in entry.findtext(f"{ATOM}title", "")
    assert _raw_controls(body.decode("utf-8")) == []
