"""The mark pack: for the label's vendor only, only while the label is valid, each download
audited; the vendor is told to stop using the mark when the label stops being valid."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select

from evaluations.labels.status_changes import expire_labels, reinstate_label, suspend_label
from evaluations.models import Label
from registry.database import db
from registry.mail import read_outbox
from registry.models import AuditEntry, OrganisationKind, User
from tests.evaluations.agreement.agreement_builders import MARK_RULES, published
from tests.evaluations.labels.label_builders import LabelWorld, issued_label, make_world, revoke


@pytest.fixture
def world(app: Flask, create_user: Callable[..., User]) -> Iterator[LabelWorld]:
    """People, a published norm version and the agreement in force."""
    with app.test_request_context():
        made = make_world(create_user)
        published(made.authority)
        db.session.commit()
        yield made


@pytest.fixture
def label(world: LabelWorld) -> Label:
    """A valid label of the world's vendor."""
    return issued_label(world, level="Advanced")


def _client(app: Flask, login: Any, user: User) -> Any:
    client = app.test_client()
    login(client, user)
    return client


def test_the_vendor_downloads_the_pack_of_its_valid_label(
    app: Flask, login: Any, world: LabelWorld, label: Label
) -> None:
    vendor = _client(app, login, world.vendor)
    page = vendor.get(f"/labels/{label.number}").get_data(as_text=True)
    assert f'href="/labels/{label.number}/mark-pack"' in page
    response = vendor.get(f"/labels/{label.number}/mark-pack")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert f"mark-pack-{label.number}.zip" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    svg = archive.read(f"mark-{label.number}.svg").decode()
    assert label.number in svg and "Advanced" in svg and svg.startswith("<?xml")
    png = Image.open(io.BytesIO(archive.read(f"mark-{label.number}.png")))
    assert png.format == "PNG" and png.size == (480, 240)
    rules = archive.read("mark-rules.txt").decode()
    assert MARK_RULES.splitlines()[0] in rules and label.number in rules
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "label.mark_pack")
    ).all()
    assert [(e.actor_id, e.object_id) for e in entries] == [(world.vendor.id, str(label.id))]


def test_nobody_else_gets_the_pack(
    app: Flask, login: Any, world: LabelWorld, label: Label, create_user: Callable[..., User]
) -> None:
    other_vendor = create_user(kind=OrganisationKind.VENDOR)
    path = f"/labels/{label.number}/mark-pack"
    assert _client(app, login, other_vendor).get(path).status_code == 404
    authority = _client(app, login, world.authority)
    assert authority.get(path).status_code == 403
    assert "mark-pack" not in authority.get(f"/labels/{label.number}").get_data(as_text=True)
    assert "mark-pack" not in app.test_client().get(f"/labels/{label.number}").get_data(
        as_text=True
    )
    assert app.test_client().get(path).status_code == 302  # to sign in
    assert (
        _client(app, login, world.vendor).get("/labels/STR-2026-99999/mark-pack").status_code == 404
    )


def test_a_suspended_label_has_no_pack_and_the_vendor_is_told_to_stop(
    app: Flask, login: Any, world: LabelWorld, label: Label
) -> None:
    with app.test_request_context():
        suspend_label(world.authority, label, "Surveillance found a change not reported.")
        db.session.commit()
    mail = next(m for m in read_outbox(app.config["OUTBOX_DIR"]) if "suspended" in m.subject)
    assert mail.to == world.vendor.email
    assert "Stop using the mark now" in mail.body
    assert "only once the authority reinstates the label" in mail.body
    vendor = _client(app, login, world.vendor)
    response = vendor.get(f"/labels/{label.number}/mark-pack", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert f"The mark pack is not available: label {label.number} is suspended" in text
    assert "stop using the mark until the authority reinstates the label" in text
    assert not db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "label.mark_pack")
    ).all()
    # Reinstated: the pack is back, and the mail carries no notice to stop.
    with app.test_request_context():
        reinstate_label(
            world.authority,
            label,
            "Change reviewed and accepted.",
            no_response_reason="The change was reviewed on the authority's own finding.",
        )
        db.session.commit()
    reinstated = next(m for m in read_outbox(app.config["OUTBOX_DIR"]) if "reinstated" in m.subject)
    assert "Stop using the mark" not in reinstated.body
    assert vendor.get(f"/labels/{label.number}/mark-pack").status_code == 200


def test_a_revoked_label_has_no_pack(
    app: Flask, login: Any, world: LabelWorld, label: Label
) -> None:
    with app.test_request_context():
        revoke(world, label, "Fraudulent evidence.")
        db.session.commit()
    mail = next(m for m in read_outbox(app.config["OUTBOX_DIR"]) if "revoked" in m.subject)
    assert "Stop using the mark now: the label is withdrawn" in mail.body
    vendor = _client(app, login, world.vendor)
    response = vendor.get(f"/labels/{label.number}/mark-pack", follow_redirects=True)
    assert "is withdrawn (revoked): the mark may no longer be used" in response.get_data(
        as_text=True
    )


def test_an_expired_label_has_no_pack_and_the_vendor_is_told_to_stop(
    app: Flask, login: Any, world: LabelWorld, label: Label
) -> None:
    with app.test_request_context():
        assert expire_labels(label.expires_on + dt.timedelta(days=1)) == [label]
        db.session.commit()
    mail = next(m for m in read_outbox(app.config["OUTBOX_DIR"]) if "expired" in m.subject)
    assert "Stop using the mark now: the label has expired" in mail.body
    vendor = _client(app, login, world.vendor)
    response = vendor.get(f"/labels/{label.number}/mark-pack", follow_redirects=True)
    assert "has expired: the mark may no longer be used" in response.get_data(as_text=True)
