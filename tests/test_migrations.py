"""The schema comes only from migrations, and the models match them exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import func, select

from registry.database import db
from registry.models import SecurityActivity, TechnologyCategory


def test_upgraded_database_matches_the_models(app: Flask) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"a migration is missing for: {differences}"


def test_migrations_load_the_reference_data(app: Flask) -> None:
    activities = db.session.scalars(
        select(SecurityActivity.name).order_by(SecurityActivity.position)
    ).all()
    assert activities == [
        "Planning",
        "Intelligence",
        "Operation and prevention",
        "Crisis management",
        "Judicial process",
        "Feedback",
    ]
    assert db.session.scalar(select(func.count()).select_from(TechnologyCategory)) == 11
    high = db.session.scalars(
        select(TechnologyCategory.name).where(TechnologyCategory.high_priority_in_report.is_(True))
    ).all()
    assert sorted(high) == [
        "Cybersecurity",
        "Systems integration and interoperability",
        "Video analysis",
    ]


def test_constraints_follow_the_naming_convention(app: Flask) -> None:
    inspector = db.inspect(db.engine)
    unique = inspector.get_unique_constraints("user_account")
    assert {c["name"] for c in unique} == {"uq_user_account_email"}
    foreign = inspector.get_foreign_keys("user_account")
    assert {c["name"] for c in foreign} == {"fk_user_account_organisation_id_organisation"}
