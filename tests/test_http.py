"""Headers, CSRF, error pages, size limits and the health check."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import create_app
from registry.database import db
from registry.models import Organisation, User
from tests.support import PASSWORD


def test_security_headers_on_every_page(client: FlaskClient) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_pages_behind_login_are_not_cached(
    client: FlaskClient, create_user: Callable[..., User], login: Any
) -> None:
    login(client, create_user())
    assert client.get("/dashboard").headers["Cache-Control"] == "no-store"


def test_session_cookie_flags(
    client: FlaskClient, create_user: Callable[..., User], login: Any
) -> None:
    response = login(client, create_user())
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_secure_cookie_in_production(app_factory: Callable[..., Flask]) -> None:
    production = app_factory(PRODUCTION=True, SECRET_KEY="x" * 32)
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["SHOW_OUTBOX"] is False
    assert production.test_client().get("/dev/outbox").status_code == 404


def test_production_asks_browsers_for_https_only(app_factory: Callable[..., Flask]) -> None:
    production = app_factory(PRODUCTION=True, SECRET_KEY="x" * 32).test_client()
    development = app_factory().test_client()
    # A page, an error page, a download and a static file alike.
    for path in ("/", "/no-such-page", "/catalog.csv", "/static/css/safetech.css"):
        with production.get(path) as response:
            assert response.headers["Strict-Transport-Security"] == "max-age=63072000", path
        with development.get(path) as response:
            assert "Strict-Transport-Security" not in response.headers, path


@pytest.mark.parametrize("value", ["127.0.0.1:8000", "ftp://registry.example", "https://"])
def test_a_base_url_that_is_no_web_address_fails_loudly(
    app_config: dict[str, Any], value: str
) -> None:
    with pytest.raises(RuntimeError, match="SAFETECH_BASE_URL"):
        create_app({**app_config, "BASE_URL": value})


def test_production_without_secret_key_fails_loudly(app_config: dict[str, Any]) -> None:
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({**app_config, "PRODUCTION": True, "SECRET_KEY": None})


@pytest.mark.parametrize(
    ("path", "method", "code"),
    [
        ("/no-such-page", "GET", 404),
        ("/healthz", "POST", 405),
    ],
)
def test_friendly_error_pages(client: FlaskClient, path: str, method: str, code: int) -> None:
    response = client.open(path, method=method)
    assert response.status_code == code
    body = response.get_data(as_text=True)
    assert "<h1" in body and "SafeTech Registry" in body
    assert "Traceback" not in body


def test_unexpected_error_shows_a_generic_page(app: Flask, client: FlaskClient) -> None:
    def explode() -> str:
        raise RuntimeError("secret internal detail")

    app.add_url_rule("/explode", "explode", explode)
    response = client.get("/explode")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internal detail" not in body and "Traceback" not in body


def test_missing_csrf_token_is_refused_and_nothing_saved(app_factory: Callable[..., Flask]) -> None:
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Organisation))
        db.session.remove()
        response = client.post(
            "/register",
            data={
                "organisation_name": "No Token Ltd",
                "kind": "vendor",
                "vendor_size": "sme",
                "legal_identifier_scheme": "FR-SIRENE",
                "legal_identifier": "732829320",
                "country": "FR",
                "full_name": "A B",
                "email": "a@example.org",
                "password": "a good long passphrase",
            },
        )
        assert response.status_code == 400
        body = response.get_data(as_text=True)
        assert "security token" in body
        assert "No Token Ltd" in body  # the input is kept for a resubmission
        assert "a good long passphrase" not in body  # but never the password
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == before


def test_oversized_request_gets_413(app_factory: Callable[..., Flask]) -> None:
    app = app_factory(MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post("/register", data={"organisation_name": "x" * 5000})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(
    app_config: dict[str, Any], tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-folder" / "db.sqlite"
    app = create_app({**app_config, "DATABASE_URL": f"sqlite:///{missing}"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json is not None and response.json["status"] == "unavailable"
    with app.app_context():
        db.engine.dispose()


def test_csrf_error_page_still_knows_who_is_signed_in(
    app_factory: Callable[..., Flask], create_user: Callable[..., User]
) -> None:
    app = app_factory(WTF_CSRF_ENABLED=True)
    user = create_user(full_name="Signed In Person")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    refused = client.post(f"/organisations/{user.organisation_id}/settings", data={})
    assert refused.status_code == 400
    assert "Signed In Person" in refused.get_data(as_text=True)


def test_ids_beyond_an_integer_column_are_not_found(
    client: FlaskClient, create_user: Callable[..., User], login: Any
) -> None:
    login(client, create_user(kind="authority"))
    assert client.get("/admin/organisations/2147483648").status_code == 404
    assert client.get("/admin/organisations/99999999999999999999").status_code == 404


def test_every_page_written_with_a_trailing_slash_leads_to_the_page(
    app: Flask, client: FlaskClient
) -> None:
    plain = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ())
        and not rule.arguments
        and not rule.rule.endswith("/")
        and not rule.rule.startswith("/static")
    )
    assert "/procurement/needs" in plain
    for path in plain:
        response = client.get(f"{path}/?page=2")
        assert response.status_code == 308, path
        assert response.location == f"{path}?page=2", path
    assert client.get("/no-such-page/").status_code == 404
    assert client.post("/procurement/needs/").status_code == 404
