"""Shortlists (private to a buyer organisation), watchlists and notifications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from catalog.lists import services
from catalog.lists.models import Notification, Shortlist, Watch, WatchSubject
from evaluations import catalog_facts
from evaluations.models import LabelEvent, LabelStatus
from registry import dates
from registry.database import db
from registry.exceptions import AccessDenied, NotVisible
from registry.mail import read_outbox
from registry.models import OrganisationKind, User
from registry.norms import drafting
from registry.norms.services import publish_version, start_draft
from tests.catalog.lists_label_builders import change_status, make_label
from tests.catalog.solution_builders import draft, published
from tests.norms.norm_builders import criterion
from tests.norms.norm_builders import published as published_norm


@pytest.fixture
def people(app: Flask, create_user: Callable[..., User]) -> dict[str, User]:
    """Two buyers of one organisation, a buyer elsewhere, a vendor and the authority."""
    catalog_facts.register(app)
    buyer = create_user(kind=OrganisationKind.BUYER)
    return {
        "buyer": buyer,
        "colleague": create_user(buyer.organisation, is_org_admin=False),
        "stranger": create_user(kind=OrganisationKind.BUYER),
        "vendor": create_user(kind=OrganisationKind.VENDOR),
        "authority": create_user(kind=OrganisationKind.AUTHORITY),
    }


def test_a_shortlist_is_shared_inside_the_organisation_only(
    app: Flask, people: dict[str, User], login: Any
) -> None:
    solution = published(people["vendor"])
    shortlist = services.create_shortlist(people["buyer"], "  Tram depot cameras  ")
    services.add_to_shortlist(people["buyer"], shortlist, solution.id, "Ask for a demo")
    db.session.commit()
    assert shortlist.name == "Tram depot cameras"

    colleague = app.test_client()
    login(colleague, people["colleague"])
    page = colleague.get(f"/shortlists/{shortlist.id}").get_data(as_text=True)
    assert "Ask for a demo" in page and solution.name in page

    stranger = app.test_client()
    login(stranger, people["stranger"])
    assert stranger.get(f"/shortlists/{shortlist.id}").status_code == 404
    assert stranger.post(f"/shortlists/{shortlist.id}/delete").status_code == 404
    assert (
        stranger.post(
            "/shortlists/items", data={"shortlist_id": shortlist.id, "solution_id": solution.id}
        ).status_code
        == 404
    )
    assert shortlist.name not in stranger.get("/shortlists").get_data(as_text=True)

    vendor = app.test_client()
    login(vendor, people["vendor"])
    assert vendor.get(f"/shortlists/{shortlist.id}").status_code == 403
    with pytest.raises(NotVisible):
        services.get_shortlist(people["stranger"], shortlist.id)
    with pytest.raises(AccessDenied):
        services.shortlists_of(people["vendor"])


def test_creating_ignores_a_forged_organisation(
    app: Flask, client: Any, people: dict[str, User], login: Any
) -> None:
    login(client, people["buyer"])
    response = client.post(
        "/shortlists",
        data={"name": "Mine", "organisation_id": people["stranger"].organisation_id, "id": 77},
    )
    assert response.status_code == 302
    created = db.session.scalar(select(Shortlist).where(Shortlist.name == "Mine"))
    assert created is not None
    assert created.organisation_id == people["buyer"].organisation_id


def test_add_rename_remove_delete_and_a_suspension_shows(
    app: Flask, client: Any, people: dict[str, User], login: Any
) -> None:
    version = published_norm(people["authority"])
    solution = published(people["vendor"], name="Harbour Watch")
    hidden = draft(people["vendor"], name="Hidden draft")
    label = make_label(solution, version)
    login(client, people["buyer"])
    client.post("/shortlists", data={"name": "Renewal"})
    shortlist = db.session.scalar(select(Shortlist).where(Shortlist.name == "Renewal"))
    assert shortlist is not None
    add = {"shortlist_id": shortlist.id, "solution_id": solution.id, "note": "Cheapest"}
    assert client.post("/shortlists/items", data=add).status_code == 302
    client.post("/shortlists/items", data={**add, "solution_id": hidden.id})
    page = client.get(f"/shortlists/{shortlist.id}").get_data(as_text=True)
    assert "Harbour Watch" in page and "Hidden draft" not in page
    assert "Valid" in page

    change_status(label, "suspended", LabelStatus.SUSPENDED, "Audit")
    assert "Suspended" in client.get(f"/shortlists/{shortlist.id}").get_data(as_text=True)

    client.post(f"/shortlists/{shortlist.id}/rename", data={"name": "Renewal 2027"})
    client.post(f"/shortlists/{shortlist.id}/items/{solution.id}/remove")
    db.session.expire_all()
    refreshed = db.session.get(Shortlist, shortlist.id)
    assert refreshed is not None and refreshed.name == "Renewal 2027" and refreshed.items == []
    client.post(f"/shortlists/{shortlist.id}/delete")
    db.session.expire_all()
    assert db.session.get(Shortlist, shortlist.id) is None


def test_following_is_private_and_a_double_click_follows_once(
    app: Flask, people: dict[str, User], login: Any
) -> None:
    solution = published(people["vendor"])
    secret = draft(people["vendor"], name="Unreleased")
    client = app.test_client()
    login(client, people["buyer"])
    for _ in range(2):
        response = client.post(
            "/watchlist/follow", data={"kind": "solution", "target": str(solution.id)}
        )
        assert response.status_code == 302
    assert (
        client.post(
            "/watchlist/follow", data={"kind": "solution", "target": str(secret.id)}
        ).status_code
        == 404
    )
    watches = db.session.scalars(select(Watch)).all()
    assert [(w.user_id, w.subject_id) for w in watches] == [(people["buyer"].id, solution.id)]
    assert solution.name in client.get("/watchlist").get_data(as_text=True)

    other = app.test_client()
    login(other, people["colleague"])
    assert solution.name not in other.get("/watchlist").get_data(as_text=True)
    assert app.test_client().post("/watchlist/follow").status_code == 302  # sign in first


def test_followers_are_notified_of_label_events(app: Flask, people: dict[str, User]) -> None:
    version = published_norm(people["authority"])
    solution = published(people["vendor"], name="Harbour Watch")
    services.follow(people["buyer"], WatchSubject.SOLUTION, solution.id)
    services.follow(people["buyer"], WatchSubject.VENDOR, solution.vendor_id)  # still one notice
    services.follow(people["colleague"], WatchSubject.NORM, version.norm_id)
    db.session.commit()

    label = make_label(solution, version)
    change_status(label, "revoked", LabelStatus.REVOKED, "Fraudulent evidence")

    outbox = read_outbox(app.config["OUTBOX_DIR"])
    to_buyer = [m for m in outbox if m.to == people["buyer"].email]
    assert len(to_buyer) == 2
    assert "was revoked" in to_buyer[0].subject
    assert "Fraudulent evidence" in to_buyer[0].body
    assert any(m.to == people["colleague"].email and "was issued" in m.subject for m in outbox)
    assert people["stranger"].email not in {m.to for m in outbox}
    notices = db.session.scalars(
        select(Notification).where(Notification.user_id == people["buyer"].id)
    ).all()
    assert len(notices) == 2


def test_followers_hear_that_a_label_was_amended_and_why(
    app: Flask, people: dict[str, User]
) -> None:
    solution = published(people["vendor"], name="Harbour Watch")
    label = make_label(solution, published_norm(people["authority"]))
    services.follow(people["buyer"], WatchSubject.SOLUTION, solution.id)
    db.session.add(
        LabelEvent(
            label_id=label.id,
            action="amended",
            from_status="valid",
            to_status="valid",
            reason="Version 2.1 added to the certified scope.",
        )
    )
    db.session.commit()
    [notice] = [m for m in read_outbox(app.config["OUTBOX_DIR"]) if m.to == people["buyer"].email]
    assert f"Label {label.number}" in notice.subject
    assert "was amended (what it certifies changed)" in notice.subject
    assert "Version 2.1 added to the certified scope." in notice.body


def test_followers_of_a_norm_hear_of_its_new_version(
    app: Flask, client: Any, people: dict[str, User], login: Any
) -> None:
    authority = people["authority"]
    first = published_norm(authority)
    login(client, people["buyer"])
    client.post("/watchlist/follow", data={"kind": "norm", "target": "TEST-NORM"})
    second = start_draft(authority, first.norm)
    drafting.add_criterion(authority, second, criterion(second.sections[0].id, "AUDIT", weight=1))
    publish_version(authority, second, dates.today() + dt.timedelta(days=30))
    db.session.commit()
    [message] = [m for m in read_outbox(app.config["OUTBOX_DIR"]) if m.to == people["buyer"].email]
    assert "TEST-NORM" in message.subject and "version 2 is published" in message.subject
    assert "version 2 is published" in client.get("/watchlist").get_data(as_text=True)
