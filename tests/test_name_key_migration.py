"""The migration that adds the name and e-mail keys fills them for rows that already exist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from registry.database import db
from tests.conftest import BACKEND

BEFORE_KEYS = "d9c0e1f2a3b4"

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="builds its own SQLite database")


def test_existing_rows_get_their_keys_and_old_twins_stay(
    app_config: dict[str, Any], tmp_path: Path
) -> None:
    app = create_app({**app_config, "DATABASE_URL": f"sqlite:///{tmp_path / 'old.db'}"})
    with app.app_context():
        upgrade(revision=BEFORE_KEYS)
        with db.engine.begin() as connection:
            for name in ("École Lab", "ÉCOLE LAB", "Ｏｔｈｅｒ Vendor"):
                connection.execute(
                    sa.text(
                        "INSERT INTO organisation (name, kind, status, country, region, website,"
                        " description, created_at, status_reason) VALUES (:name, 'vendor',"
                        " 'active', 'FR', '', '', '', CURRENT_TIMESTAMP, '')"
                    ),
                    {"name": name},
                )
            for email in ("ann@example.org", "ａｎｎ@example.org"):
                connection.execute(
                    sa.text(
                        "INSERT INTO user_account (organisation_id, email, full_name,"
                        " password_hash, is_active, is_org_admin, created_at) VALUES"
                        " (1, :email, 'Ann', '-', 1, 0, CURRENT_TIMESTAMP)"
                    ),
                    {"email": email},
                )
        upgrade()
        with db.engine.connect() as connection:
            names = connection.execute(
                sa.text("SELECT name_key FROM organisation ORDER BY id")
            ).scalars()
            emails = connection.execute(
                sa.text("SELECT email_key FROM user_account ORDER BY id")
            ).scalars()
            assert list(names) == ["école lab", "école lab\u2060#2", "other vendor"]
            assert list(emails) == ["ann@example.org", "ann@example.org\u2060#2"]
        db.engine.dispose()
