"""The internal rationale of a certification stays internal; its public statement is published."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from evaluations.models import Label
from evaluations.services.decision import decide
from registry.database import db
from registry.models import User
from tests.evaluations.evaluation_builders import Cast, make_cast, scored

SENTINEL = "Zq7-internal-rationale-sentinel"
STATEMENT = "Meets the norm at level Advanced in tests by two evaluation bodies."


@pytest.fixture
def cast(app: Flask, create_user: Callable[..., User]) -> Iterator[Cast]:
    """People, a norm and a solution (in a request context: the services send links)."""
    with app.test_request_context():
        yield make_cast(create_user)


def _certified_label(cast: Cast) -> Label:
    evaluation = scored(cast)
    decide(
        cast.authority,
        evaluation,
        "certified",
        "Advanced",
        f"Vendor's pricing looked odd; {SENTINEL}.",
        public_statement=STATEMENT,
    )
    db.session.commit()
    return db.session.scalars(select(Label).where(Label.evaluation_id == evaluation.id)).one()


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    attached = [
        content.decode("utf-8", "replace")
        for contents in reader.attachments.values()
        for content in contents
    ]
    return "\n".join([text, *attached])


def test_the_internal_rationale_appears_on_no_public_surface(
    cast: Cast, client: FlaskClient
) -> None:
    label = _certified_label(cast)
    number = label.number
    surfaces = {
        "label page": client.get(f"/labels/{number}").get_data(as_text=True),
        "label list": client.get("/labels").get_data(as_text=True),
        "credential": client.get(f"/labels/{number}.json").get_data(as_text=True),
        "PDF": _pdf_text(client.get(f"/labels/{number}.pdf").data),
        "decision log": client.get("/decisions").get_data(as_text=True),
        "decision API": client.get("/api/v1/decisions").get_data(as_text=True),
        "label API": client.get(f"/api/v1/labels/{number}").get_data(as_text=True),
        "feed": client.get("/labels/feed.atom").get_data(as_text=True),
    }
    for name, body in surfaces.items():
        assert number in body, name
        assert SENTINEL not in body, name
        # Public entries of the audit log name the officer by role, never by account.
        assert cast.authority.email not in body, name
    assert STATEMENT in surfaces["label page"]
    assert STATEMENT in surfaces["decision log"]
    (issued,) = [i for i in client.get("/api/v1/decisions").get_json()["items"]]
    assert issued["reason"] == STATEMENT


def test_the_decide_form_says_which_text_is_public(
    cast: Cast, client: FlaskClient, login: Callable[..., object]
) -> None:
    evaluation = scored(cast)
    login(client, cast.authority)
    page = client.get(f"/evaluations/{evaluation.id}").get_data(as_text=True)
    assert "Public statement — shown on the label page and in the decision log" in page
    assert "Internal rationale — seen by the authority, the vendor and the evaluators only" in page
    missing = client.post(
        f"/evaluations/{evaluation.id}/decide",
        data={"decision": "certified", "level": "Advanced", "rationale": "Internal."},
    )
    assert missing.status_code == 400
    assert "Write the public statement" in missing.get_data(as_text=True)


def test_the_decision_page_names_and_links_the_label_it_issued(
    cast: Cast, client: FlaskClient, login: Callable[..., object]
) -> None:
    evaluation = scored(cast)
    login(client, cast.authority)
    decided = client.post(
        f"/evaluations/{evaluation.id}/decide",
        data={
            "decision": "certified",
            "level": "Advanced",
            "rationale": "Internal.",
            "public_statement": STATEMENT,
        },
        follow_redirects=True,
    )
    page = decided.get_data(as_text=True)
    label = db.session.scalars(select(Label).where(Label.evaluation_id == evaluation.id)).one()
    assert f"Label issued: <strong>{label.number}</strong>, Advanced" in page
    link = f'<a href="/labels/{label.number}">Public page of label {label.number}</a>'
    assert link in page
    assert client.get(f"/labels/{label.number}").status_code == 200


def test_the_vendor_reads_both_texts_labelled(
    cast: Cast, client: FlaskClient, login: Callable[..., object]
) -> None:
    label = _certified_label(cast)
    login(client, cast.vendor)
    page = client.get(f"/evaluations/{label.evaluation_id}").get_data(as_text=True)
    assert page.index("Public statement") < page.index(STATEMENT)
    assert page.index("Internal rationale") < page.index(SENTINEL)


def test_the_status_change_forms_say_their_reason_is_public(
    cast: Cast, client: FlaskClient, login: Callable[..., object]
) -> None:
    label = _certified_label(cast)
    login(client, cast.authority)
    page = client.get(f"/labels/{label.number}/manage").get_data(as_text=True)
    # Suspend and revoke, each with its own field.
    assert page.count("Public reason — shown on the label page and in the decision log") == 2
