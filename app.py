"""The application factory: `flask --app app ...` and `gunicorn 'app:create_app()'`."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.routing import IntegerConverter
from werkzeug.routing.map import Map


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` limited to what an INTEGER column holds."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _instance_secret_key(instance_path: str) -> str:
    """Read the local secret key, creating it once (safely when several workers start)."""
    from registry.secret_files import read_or_create

    return read_or_create(Path(instance_path) / "secret_key", lambda: secrets.token_hex(32))


def default_settings(instance_path: str) -> dict[str, Any]:
    """The settings before SAFETECH_* variables and tests change them: files under the instance."""
    instance = Path(instance_path)
    return {
        "PRODUCTION": False,
        "DATABASE_URL": f"sqlite:///{instance / 'safetech.db'}",
        "UPLOAD_DIR": str(instance / "uploads"),
        "SEARCH_INDEX_DIR": str(instance / "search-index"),
        "KEYS_DIR": str(instance / "keys"),
        "OUTBOX_DIR": str(instance / "outbox"),
        "PDF_CACHE_DIR": str(instance / "pdf-cache"),
        # Where the public reaches the portal; `make run` sets it from HOST and PORT.
        "BASE_URL": "http://127.0.0.1:5000",
        "AUTHORITY_NAME": "National Public Security Technology Authority",
        "COUNTRY": "FR",
        "MAIL_BACKEND": "outbox",
        "MAIL_FROM": "SafeTech Registry <no-reply@safetech.invalid>",
        "SHOW_OUTBOX": None,
        "SESSION_IDLE_MINUTES": 30,
        "SESSION_ABSOLUTE_HOURS": 12,
        "LOGIN_THROTTLE_WINDOW_SECONDS": 900,
        "LOGIN_THROTTLE_PER_ACCOUNT": 5,
        "LOGIN_THROTTLE_PER_ADDRESS": 100,
        "SQLITE_BUSY_TIMEOUT_MS": 10_000,
        "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 512 * 1024,
        "MAX_FORM_PARTS": 500,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": None,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "safetech_session",
        "WTF_CSRF_TIME_LIMIT": None,
        "PER_PAGE": 25,
        # A valid label whose certified versions are all older than this is due for
        # re-certification (evaluations.labels.status_changes).
        "RECERTIFICATION_RELEASE_MONTHS": 24,
        # How many reverse proxies in front set X-Forwarded-For/-Proto/-Host (0: trust none).
        "PROXY_FIX": 0,
    }


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application; settings come from defaults, SAFETECH_* variables, then tests."""
    from registry.public_address import PortalFlask

    # Its url_for(..., _external=True) names BASE_URL, never the request's Host header.
    app = PortalFlask(__name__, instance_relative_config=True)
    # Ids in URLs stay within a 32-bit integer column: a larger one is simply "not found"
    # instead of a database error on PostgreSQL.
    app.url_map.converters["int"] = BoundedIntegerConverter
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _load_settings(app, test_config)
    _derive_settings(app)
    _trust_proxies(app)
    _init_extensions(app)

    # Each package wires in its blueprints, navigation, commands and demo data, lowest first.
    import catalog
    import complaints
    import evaluations
    import procurement
    import registry
    import vulnerabilities

    for package in (registry, catalog, evaluations, vulnerabilities, complaints, procurement):
        package.init_app(app)
    return app


def _load_settings(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Defaults, then DATABASE_URL and SAFETECH_* variables, then the test config."""
    app.config.from_mapping(default_settings(app.instance_path))
    if os.environ.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    app.config.from_prefixed_env("SAFETECH")
    if test_config:
        app.config.from_mapping(test_config)


def _derive_settings(app: Flask) -> None:
    """Check the settings and fill those that follow from others; production refuses gaps."""
    from registry.database import normalise_database_url

    base_url = str(app.config["BASE_URL"]).rstrip("/")
    if urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).netloc:
        raise RuntimeError(f"SAFETECH_BASE_URL must be an http(s) address, not {base_url!r}")
    app.config["BASE_URL"] = base_url
    production = bool(app.config["PRODUCTION"])
    if not app.config.get("SECRET_KEY"):
        if production:
            raise RuntimeError("SAFETECH_SECRET_KEY must be set in production")
        app.config["SECRET_KEY"] = _instance_secret_key(app.instance_path)
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = production
    if app.config["SHOW_OUTBOX"] is None:
        app.config["SHOW_OUTBOX"] = not production and app.config["MAIL_BACKEND"] == "outbox"
    if app.config["MAIL_BACKEND"] == "smtp" and not app.config.get("SMTP_HOST"):
        raise RuntimeError("SAFETECH_SMTP_HOST must be set when SAFETECH_MAIL_BACKEND=smtp")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["DATABASE_URL"])
    app.config["PERMANENT_SESSION_LIFETIME"] = app.config["SESSION_ABSOLUTE_HOURS"] * 3600
    app.debug = False if production else app.debug


def _trust_proxies(app: Flask) -> None:
    """Read X-Forwarded-* headers from as many reverse proxies as PROXY_FIX names."""
    if int(app.config["PROXY_FIX"]):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )


def _init_extensions(app: Flask) -> None:
    """Bind the database, migrations, mail, sessions and CSRF protection to ``app``."""
    from registry import http, mail
    from registry.database import configure_sqlite_engine, db
    from registry.extensions import csrf, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path) / "migrations"))
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])

    mail.init_app(app)
    # Sessions load before the CSRF check, so its 400 page still knows who is signed in.
    http.init_app(app)
    csrf.init_app(app)
