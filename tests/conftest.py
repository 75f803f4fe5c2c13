"""Fixtures: a migrated database per test (SQLite or PostgreSQL), app, client, factories."""

from __future__ import annotations

import os
import secrets
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import HealthCheck, settings

from app import create_app
from registry.database import db, normalise_database_url, sqlite_begin
from registry.models import (
    BuyerType,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    User,
    VendorSize,
)
from registry.passwords import hash_password
from tests.support import PASSWORD, totp_code

BACKEND = os.environ.get("TEST_DB_BACKEND", "sqlite")
# Property tests check what the code does, not how fast: with both suites sharing two cores,
# an example may take longer than Hypothesis's 200 ms deadline, or its data longer to draw than
# its health check allows, and neither says anything about the code.
settings.register_profile("safetech", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("safetech")
# Rows loaded by migrations, kept between tests.
REFERENCE_TABLES = {"alembic_version", "security_activity", "technology_category"}


def base_config(tmp: Path) -> dict[str, Any]:
    """The test settings, with every folder under ``tmp``."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "UPLOAD_DIR": str(tmp / "uploads"),
        "SEARCH_INDEX_DIR": str(tmp / "search-index"),
        "KEYS_DIR": str(tmp / "keys"),
        "OUTBOX_DIR": str(tmp / "outbox"),
        "PDF_CACHE_DIR": str(tmp / "pdf-cache"),
        "SERVER_NAME": None,
    }


def _upgrade(url: str, tmp: Path) -> None:
    from flask_migrate import upgrade

    app = create_app({**base_config(tmp), "DATABASE_URL": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate an empty database to head once; tests start from a copy or a truncation."""
    tmp = tmp_path_factory.mktemp("template")
    if BACKEND == "sqlite":
        path = tmp / "template.db"
        _upgrade(f"sqlite:///{path}", tmp)
        yield str(path)
        return
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if not admin_url:
        pytest.fail("TEST_DB_BACKEND=postgresql needs TEST_DATABASE_URL")
    admin_engine = sa.create_engine(normalise_database_url(admin_url), isolation_level="AUTOCOMMIT")
    name = f"safetech_test_{uuid.uuid4().hex[:10]}"
    with admin_engine.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin_engine.url.set(database=name).render_as_string(hide_password=False)
    try:
        _upgrade(url, tmp)
        yield url
    finally:
        with admin_engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin_engine.dispose()


def reset_postgresql(url: str) -> None:
    """Empty every table but the reference ones of the PostgreSQL database at ``url``."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        tables = [
            row[0]
            for row in connection.execute(
                sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            )
            if row[0] not in REFERENCE_TABLES
        ]
        if tables:
            # Replica mode skips triggers, including the audit log's refusal to be truncated.
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            connection.exec_driver_sql(
                "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
            )
    engine.dispose()


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> str:
    """A database at head with only the reference data, private to this test."""
    if BACKEND == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(database_template, path)
        return f"sqlite:///{path}"
    reset_postgresql(database_template)
    return database_template


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict[str, Any]:
    """The configuration a test's app is built with; override keys before using `app`."""
    return {**base_config(tmp_path), "DATABASE_URL": database_url}


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    """The application, with an app context pushed for direct service calls."""
    application = create_app(app_config)
    # The test's own reads must not hold SQLite's write lock while a request of another app
    # (another "worker") writes; requests still choose their own mode.
    with sqlite_begin("DEFERRED"), application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_factory(app_config: dict[str, Any]) -> Iterator[Callable[..., Flask]]:
    """Build extra apps with changed settings; their connections are closed afterwards."""
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        application = create_app({**app_config, **overrides})
        made.append(application)
        return application

    yield make
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client (CSRF off unless a test turns it on)."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner for `flask --app app ...` commands."""
    return app.test_cli_runner()


@pytest.fixture
def create_organisation(app: Flask) -> Callable[..., Organisation]:
    """Factory: an organisation (active by default) with sensible defaults per kind."""

    def make(
        kind: OrganisationKind | str = OrganisationKind.VENDOR,
        status: OrganisationStatus = OrganisationStatus.ACTIVE,
        **overrides: Any,
    ) -> Organisation:
        kind = OrganisationKind(kind)
        values: dict[str, Any] = {
            "name": f"{kind.label} {secrets.token_hex(3)}",
            "kind": kind,
            "status": status,
            "vendor_size": VendorSize.STARTUP if kind is OrganisationKind.VENDOR else None,
            "buyer_type": BuyerType.LOCAL_GOVERNMENT if kind is OrganisationKind.BUYER else None,
            "region": "Bretagne",
        }
        values.update(overrides)
        organisation = Organisation(**values)
        db.session.add(organisation)
        db.session.commit()
        return organisation

    return make


@pytest.fixture
def create_user(
    app: Flask, create_organisation: Callable[..., Organisation]
) -> Callable[..., User]:
    """Factory: a user in a given (or new) organisation; TOTP is set up for roles that need it."""

    def make(
        organisation: Organisation | None = None,
        *,
        kind: OrganisationKind | str = OrganisationKind.VENDOR,
        password: str = PASSWORD,
        totp: bool | None = None,
        **overrides: Any,
    ) -> User:
        organisation = organisation or create_organisation(kind)
        needs_totp = organisation.kind in (
            OrganisationKind.AUTHORITY,
            OrganisationKind.EVALUATION_BODY,
        )
        values: dict[str, Any] = {
            "organisation": organisation,
            "email": f"user-{secrets.token_hex(4)}@example.org",
            "full_name": "Test User",
            "password_hash": hash_password(password),
            "is_org_admin": True,
        }
        values.update(overrides)
        user = User(**values)
        if totp if totp is not None else needs_totp:
            user.totp_secret = pyotp.random_base32()
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(app: Flask) -> Callable[..., Any]:
    """Sign a user in through the real forms (password, then TOTP when the role needs it)."""

    def do_login(client: FlaskClient, user: User, password: str = PASSWORD) -> Any:
        response = client.post("/login", data={"email": user.email, "password": password})
        if user.totp_secret and response.status_code == 302 and "/login/totp" in response.location:
            # A code works once: a second login in the same 30 s takes the next time step.
            for offset in (0, 1, -1):
                response = client.post("/login/totp", data={"code": totp_code(user, offset)})
                if response.status_code == 302:
                    break
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response

    return do_login


def _database_can_change(item: pytest.Item) -> bool:
    """Whether the database backend can change a test's outcome.

    True for a test given a database (through `app`, `client`, `database_url`…), one whose module
    names the backend (backup, deployment guide, API contract, text outputs), and the browser and
    fault tests, which start servers on the chosen backend. False for a module that sets
    SAME_ON_EVERY_DATABASE: it reads what pages say (wording, layout, accessibility), which the
    backend cannot change, and it is slow enough that running it twice costs minutes.
    """
    module = getattr(item, "module", None)
    if module is not None and getattr(module, "SAME_ON_EVERY_DATABASE", False):
        return False
    if "database_template" in getattr(item, "fixturenames", ()):
        return True
    if module is not None and hasattr(module, "BACKEND"):
        return True
    tests = Path(__file__).resolve().parent
    return any(folder in item.path.parents for folder in (tests / "browser", tests / "faults"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, run only the tests whose outcome the database can change.

    SQLite runs everything; the pure cores, documents and static checks give the same result on
    either backend, so the second run leaves them out (they are listed as deselected).
    """
    if BACKEND != "postgresql":
        return
    kept = [item for item in items if _database_can_change(item)]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
