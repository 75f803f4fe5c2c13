"""Sign-in, sessions, throttling, passwords and the second factor (docs/SECURITY.md)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from registry import passwords
from registry.auth import GENERIC_LOGIN_ERROR
from registry.database import db, utcnow
from registry.models import (
    LoginAttempt,
    OrganisationKind,
    OrganisationStatus,
    User,
    UserSession,
)
from tests.support import PASSWORD, totp_code


def _cookie(client: FlaskClient) -> str | None:
    cookie = client.get_cookie("safetech_session")
    return cookie.value if cookie else None


def _is_signed_in(client: FlaskClient) -> bool:
    return client.get("/dashboard").status_code == 200


def test_passwords_are_hashed_with_argon2id() -> None:
    hashed = passwords.hash_password("a perfectly fine passphrase")
    assert hashed.startswith("$argon2id$")
    assert passwords.verify_password(hashed, "a perfectly fine passphrase")
    assert not passwords.verify_password(hashed, "a perfectly fine passphrasE")


@pytest.mark.parametrize(
    ("candidate", "problem"),
    [
        ("short", "at least 8"),
        ("x" * 129, "at most 128"),
        ("password", "commonly used"),
        ("iloveyou", "commonly used"),
        ("Football", "commonly used"),
    ],
)
def test_password_policy_refuses(candidate: str, problem: str) -> None:
    assert problem in (passwords.password_problem(candidate) or "")


def test_password_policy_accepts_long_passphrases_without_truncation() -> None:
    long = "correct horse " * 9 + "xy"  # 128 characters
    assert len(long) == 128
    assert passwords.password_problem(long) is None
    hashed = passwords.hash_password(long)
    assert not passwords.verify_password(hashed, long[:-1])


def test_login_and_logout(
    client: FlaskClient, create_user: Callable[..., User], login: Any
) -> None:
    user = create_user()
    anonymous_cookie = _cookie(client)
    login(client, user)
    assert _is_signed_in(client)
    signed_in_cookie = _cookie(client)
    assert signed_in_cookie and signed_in_cookie != anonymous_cookie

    client.post("/logout")
    assert not _is_signed_in(client)


def test_old_cookie_is_useless_after_logout(
    app: Flask, create_user: Callable[..., User], login: Any
) -> None:
    user = create_user()
    client = app.test_client()
    login(client, user)
    stolen = _cookie(client)
    client.post("/logout")

    attacker = app.test_client()
    attacker.set_cookie("safetech_session", stolen or "")
    assert attacker.get("/dashboard").status_code == 302


def test_wrong_password_and_unknown_account_look_the_same(
    client: FlaskClient, create_user: Callable[..., User]
) -> None:
    user = create_user()
    client.get("/login")  # warm up templates so that neither path pays for it
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    bodies = {}
    for _ in range(2):
        for label, email in (("known", user.email), ("unknown", "nobody@example.org")):
            started = time.perf_counter()
            response = client.post("/login", data={"email": email, "password": "wrong password!"})
            timings[label].append(time.perf_counter() - started)
            bodies[label] = response.get_data(as_text=True)
            assert response.status_code == 200
            assert GENERIC_LOGIN_ERROR in bodies[label]
    assert bodies["known"].replace(user.email, "") == bodies["unknown"].replace(
        "nobody@example.org", ""
    )
    # Both paths run one argon2 verification; neither returns early.
    ratio = min(timings["unknown"]) / min(timings["known"])
    assert 0.4 < ratio < 2.5, timings


def test_login_is_throttled_in_the_database_and_recovers(
    app: Flask, client: FlaskClient, create_user: Callable[..., User]
) -> None:
    user = create_user()
    for _ in range(app.config["LOGIN_THROTTLE_PER_ACCOUNT"]):
        client.post("/login", data={"email": user.email, "password": "not the password"})
    blocked = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    # A second worker (another client, the same database) sees the same count.
    other = app.test_client()
    assert other.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 429

    # Once the failures are older than the window the real user gets in again.
    past = utcnow() - dt.timedelta(seconds=app.config["LOGIN_THROTTLE_WINDOW_SECONDS"] + 1)
    db.session.execute(update(LoginAttempt).values(at=past))
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_pending_organisation_cannot_sign_in_until_approved(
    client: FlaskClient, create_organisation: Any, create_user: Callable[..., User]
) -> None:
    organisation = create_organisation(OrganisationKind.BUYER, OrganisationStatus.PENDING)
    user = create_user(organisation)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert "awaiting approval" in response.get_data(as_text=True)
    assert not _is_signed_in(client)


def test_suspension_ends_open_sessions(
    app: Flask,
    create_user: Callable[..., User],
    create_organisation: Any,
    login: Any,
) -> None:
    vendor = create_user()
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    vendor_client, authority_client = app.test_client(), app.test_client()
    login(vendor_client, vendor)
    login(authority_client, authority)
    response = authority_client.post(
        f"/admin/organisations/{vendor.organisation_id}/suspend", data={"reason": "fraud inquiry"}
    )
    assert response.status_code == 302
    assert vendor_client.get("/dashboard").status_code == 302


def test_disabled_user_is_signed_out(
    app: Flask, create_user: Callable[..., User], login: Any
) -> None:
    admin = create_user()
    colleague = create_user(admin.organisation, is_org_admin=False)
    admin_client, colleague_client = app.test_client(), app.test_client()
    login(admin_client, admin)
    login(colleague_client, colleague)
    admin_client.post(f"/organisations/{admin.organisation_id}/users/{colleague.id}/disable")
    assert colleague_client.get("/dashboard").status_code == 302
    response = colleague_client.post(
        "/login", data={"email": colleague.email, "password": PASSWORD}
    )
    assert "disabled" in response.get_data(as_text=True)


def test_password_change_ends_other_sessions_and_rotates_this_one(
    app: Flask, create_user: Callable[..., User], login: Any
) -> None:
    user = create_user()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user)
    before = _cookie(laptop)
    new_password = "a brand new passphrase"
    response = laptop.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": new_password},
    )
    assert response.status_code == 302
    assert _cookie(laptop) != before
    assert _is_signed_in(laptop)
    assert not _is_signed_in(phone)
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 200
    assert (
        fresh.post("/login", data={"email": user.email, "password": new_password}).status_code
        == 302
    )


def test_password_change_needs_the_current_password(
    client: FlaskClient, create_user: Callable[..., User], login: Any
) -> None:
    user = create_user()
    login(client, user)
    response = client.post(
        "/account/password",
        data={"current_password": "wrong one!", "new_password": "another passphrase"},
    )
    assert "current password is not correct" in response.get_data(as_text=True)


def test_legacy_hash_is_upgraded_at_login(
    client: FlaskClient, create_user: Callable[..., User], login: Any
) -> None:
    user = create_user(password_hash=generate_password_hash(PASSWORD))
    assert user.password_hash.startswith("scrypt:")
    login(client, user)
    db.session.refresh(user)
    assert user.password_hash.startswith("$argon2id$")


def test_idle_session_expires(
    app: Flask, client: FlaskClient, create_user: Callable[..., User], login: Any
) -> None:
    user = create_user()
    login(client, user)
    long_ago = utcnow() - dt.timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    db.session.execute(update(UserSession).values(last_seen_at=long_ago))
    db.session.commit()
    assert not _is_signed_in(client)


def test_absolute_session_lifetime(
    app: Flask, client: FlaskClient, create_user: Callable[..., User], login: Any
) -> None:
    user = create_user()
    login(client, user)
    long_ago = utcnow() - dt.timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"], minutes=1)
    db.session.execute(update(UserSession).values(created_at=long_ago))
    db.session.commit()
    assert not _is_signed_in(client)


def test_authority_must_enrol_a_second_factor_at_first_login(
    client: FlaskClient, create_user: Callable[..., User]
) -> None:
    user = create_user(kind=OrganisationKind.AUTHORITY, totp=False)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.location.startswith("/login/totp/enrol")
    # Half-way through, nothing behind the login is reachable.
    assert client.get("/admin/organisations").status_code == 302

    page = client.get("/login/totp/enrol")
    assert page.status_code == 200
    pending = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    assert pending is not None and pending.pending_totp_secret
    secret = pending.pending_totp_secret
    assert secret in page.get_data(as_text=True)

    bad = client.post("/login/totp/enrol", data={"code": "000000"})
    assert "not valid" in bad.get_data(as_text=True)
    code = pyotp.TOTP(secret).now()
    assert client.post("/login/totp/enrol", data={"code": code}).status_code == 302
    assert client.get("/admin/organisations").status_code == 200
    db.session.refresh(user)
    assert user.totp_secret == secret


def test_a_totp_code_works_only_once(app: Flask, create_user: Callable[..., User]) -> None:
    user = create_user(kind=OrganisationKind.EVALUATION_BODY)
    code = totp_code(user)
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.location.startswith("/login/totp")
    assert first.post("/login/totp", data={"code": code}).status_code == 302
    replay = second.post("/login/totp", data={"code": code})
    assert replay.status_code == 200
    assert "already used" in replay.get_data(as_text=True)
    assert not _is_signed_in(second)


def test_open_redirect_after_login_is_refused(
    client: FlaskClient, create_user: Callable[..., User]
) -> None:
    user = create_user()
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post(
            f"/login?next={target}", data={"email": user.email, "password": PASSWORD}
        )
        assert response.location == "/dashboard"
        client.post("/logout")
