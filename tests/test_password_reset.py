"""Self-service password reset: a mailed single-use link, the same answer for any address."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from registry.database import db, utcnow
from registry.mail import read_outbox
from registry.models import AuditEntry, PasswordReset, User
from tests.support import PASSWORD

NEW_PASSWORD = "a fresh and long passphrase"


def _ask(client: FlaskClient, email: str) -> str:
    response = client.post("/password/forgot", data={"email": email})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _links(app: Flask, email: str) -> list[str]:
    messages = [m for m in read_outbox(app.config["OUTBOX_DIR"]) if m.to == email]
    return [
        re.search(r"http://\S+/password/reset/\S+", m.body).group(0)  # type: ignore[union-attr]
        for m in messages
    ]


def _path(link: str) -> str:
    return link.split("localhost", 1)[-1] if "localhost" in link else "/" + link.split("/", 3)[3]


def _signs_in(app: Flask, email: str, password: str) -> bool:
    fresh = app.test_client()
    return fresh.post("/login", data={"email": email, "password": password}).status_code == 302


def test_a_forgotten_password_is_set_again_through_the_mailed_link(
    app: Flask, create_user: Callable[..., User], login: Any
) -> None:
    user = create_user()
    other_device = app.test_client()
    login(other_device, user)
    assert other_device.get("/dashboard").status_code == 200
    client = app.test_client()
    assert "Forgot your password?" in client.get("/login").get_data(as_text=True)

    _ask(client, user.email.upper())
    [link] = _links(app, user.email)
    form = client.get(_path(link))
    assert form.status_code == 200
    assert "Choose a new password" in form.get_data(as_text=True)
    weak = client.post(_path(link), data={"new_password": "short"})
    assert weak.status_code == 200
    done = client.post(_path(link), data={"new_password": NEW_PASSWORD})
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/login")

    assert _signs_in(app, user.email, NEW_PASSWORD)
    assert not _signs_in(app, user.email, PASSWORD)
    # Every session of the account ended, and the link works only once.
    assert other_device.get("/dashboard").status_code == 302
    used = client.get(_path(link))
    assert used.status_code == 404
    assert "Ask for a new link" in used.get_data(as_text=True)
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
    assert actions.index("user.password_reset_requested") < actions.index("user.password_reset")
    # Only the token's hash is stored.
    token = link.rsplit("/", 1)[1]
    stored = db.session.scalars(select(PasswordReset.token_hash)).all()
    assert token not in stored and len(stored) == 1


def test_known_and_unknown_addresses_get_the_same_answer(
    app: Flask, client: FlaskClient, create_user: Callable[..., User]
) -> None:
    user = create_user()
    known = _ask(client, user.email)
    unknown = _ask(client, "nobody-here@example.org")
    assert known.replace(user.email, "ADDRESS") == unknown.replace(
        "nobody-here@example.org", "ADDRESS"
    )
    assert _links(app, "nobody-here@example.org") == []
    assert len(_links(app, user.email)) == 1


def test_asking_is_throttled_per_account_with_the_same_answer(
    app: Flask, client: FlaskClient, create_user: Callable[..., User]
) -> None:
    app.config["PASSWORD_RESET_PER_ACCOUNT"] = 2
    user = create_user()
    pages = {_ask(client, user.email) for _ in range(4)}
    assert len(pages) == 1
    assert len(_links(app, user.email)) == 2


def test_a_link_expires_and_a_newer_link_or_a_password_change_voids_it(
    app: Flask, client: FlaskClient, create_user: Callable[..., User]
) -> None:
    user = create_user()
    _ask(client, user.email)
    _ask(client, user.email)
    newer, older = _links(app, user.email)  # newest first
    assert client.get(_path(older)).status_code == 404
    assert client.get(_path(newer)).status_code == 200
    db.session.execute(update(PasswordReset).values(expires_at=utcnow() - dt.timedelta(minutes=1)))
    db.session.commit()
    assert client.get(_path(newer)).status_code == 404
    assert client.post(_path(newer), data={"new_password": NEW_PASSWORD}).status_code == 404

    _ask(client, user.email)
    latest = _links(app, user.email)[0]
    user.password_changed_at = utcnow() + dt.timedelta(seconds=1)
    db.session.commit()
    assert client.get(_path(latest)).status_code == 404
    assert not _signs_in(app, user.email, NEW_PASSWORD)


def test_a_disabled_account_gets_no_link(
    app: Flask, client: FlaskClient, create_user: Callable[..., User]
) -> None:
    user = create_user()
    user.is_active = False
    db.session.commit()
    _ask(client, user.email)
    assert _links(app, user.email) == []
