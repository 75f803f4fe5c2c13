"""Re-certification due by certified versions: none released in the last N months, or all past
end of support; an empty scope (a label issued before versions) is never due by this rule."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from catalog.label_facts import label_provider
from catalog.lists.models import WatchSubject
from catalog.lists.services import follow, recent_notifications
from catalog.search import indexer
from catalog.versions import declare_version
from evaluations.labels.basis import basis_notice
from evaluations.labels.dates import add_months
from evaluations.labels.issuing import issue_label
from evaluations.labels.status_changes import (
    recertification_due,
    suspend_label,
    versions_due_reason,
)
from evaluations.models import Label, LabelScope
from procurement.services.eligibility import certified_labels
from registry.database import db, utcnow
from registry.dates import today
from registry.mail import read_outbox
from registry.models import OrganisationKind, User
from tests.evaluations.labels.label_builders import (
    LabelWorld,
    certified_evaluation,
    issued_label,
    make_world,
)

OLD = "No certified version released in the last 24 months"
UNSUPPORTED = "All certified versions are past end of support"


@pytest.fixture
def world(app: Flask, create_user: Callable[..., User]) -> Iterator[LabelWorld]:
    """People and a published norm version (in a request context: labels are signed)."""
    with app.test_request_context():
        yield make_world(create_user)


def scoped_label(
    world: LabelWorld, released_on: dt.date, end_of_support_on: dt.date | None = None
) -> Label:
    """A committed label whose evaluation was of a version released on that day."""
    evaluation = certified_evaluation(world, solution_name=f"Scoped {secrets.token_hex(3)}")
    version = declare_version(world.vendor, evaluation.solution, "2.0", released_on)
    version.end_of_support_on = end_of_support_on
    evaluation.product_version_id = version.id
    label = issue_label(world.authority, evaluation, public_statement="Meets the norm.")
    db.session.commit()
    return label


def test_a_scope_without_a_release_in_24_months_is_due_with_its_reason(
    world: LabelWorld,
) -> None:
    released = add_months(today(), -24) - dt.timedelta(days=1)
    label = scoped_label(world, released)
    assert recertification_due(label)
    assert versions_due_reason(label) == OLD
    assert OLD in basis_notice(label)
    # The day before the release turned 24 months old, it was not due.
    assert not recertification_due(label, today() - dt.timedelta(days=2))


def test_a_recent_release_is_not_due_and_the_months_are_configurable(
    app: Flask, world: LabelWorld
) -> None:
    label = scoped_label(world, add_months(today(), -23))
    assert not recertification_due(label) and basis_notice(label) == ""
    app.config["RECERTIFICATION_RELEASE_MONTHS"] = 12
    assert versions_due_reason(label) == "No certified version released in the last 12 months"


def test_all_versions_past_end_of_support_is_due_until_a_supported_one_joins(
    world: LabelWorld,
) -> None:
    label = scoped_label(world, today() - dt.timedelta(days=90), today())
    assert versions_due_reason(label) == UNSUPPORTED
    assert not recertification_due(label, today() - dt.timedelta(days=1))
    newer = declare_version(world.vendor, label.solution, "2.1", today() - dt.timedelta(days=10))
    db.session.add(LabelScope(label_id=label.id, version_id=newer.id, added_at=utcnow()))
    db.session.commit()
    assert not recertification_due(label)


def test_an_empty_scope_and_a_suspended_label_are_not_due_by_versions(
    world: LabelWorld,
) -> None:
    unscoped = issued_label(world)
    assert not recertification_due(unscoped, add_months(today(), 60))
    suspended = scoped_label(world, add_months(today(), -30))
    suspend_label(world.authority, suspended, "Inquiry into a complaint.")
    db.session.commit()
    assert not recertification_due(suspended)


def _hit(client: FlaskClient, solution_id: int) -> dict[str, Any] | None:
    found = client.get("/api/v1/catalog/search?certified=0&per_page=100").get_json()
    return next((hit for hit in found["hits"] if hit["id"] == solution_id), None)


def test_due_by_versions_shows_on_the_label_page_catalog_and_eligibility(
    client: FlaskClient, runner: FlaskCliRunner, world: LabelWorld
) -> None:
    old = scoped_label(world, add_months(today(), -30))
    ended = scoped_label(world, today() - dt.timedelta(days=400), today() - dt.timedelta(days=3))
    current = scoped_label(world, today() - dt.timedelta(days=30))

    page = client.get(f"/labels/{old.number}").get_data(as_text=True)
    assert "Re-certification due" in page and OLD in page
    page = client.get(f"/labels/{ended.number}").get_data(as_text=True)
    assert "Re-certification due" in page and UNSUPPORTED in page
    assert "Re-certification due" not in client.get(f"/labels/{current.number}").get_data(
        as_text=True
    )
    api = client.get(f"/api/v1/labels/{old.number}").get_json()
    assert api["recertification_due"] is True and OLD in api["basis_notice"]

    summaries = label_provider().summaries_for([old.solution_id, current.solution_id])
    assert summaries[old.solution_id].recertification_due_norms == [world.version.norm.code]
    assert summaries[current.solution_id].recertification_due_norms == []
    facts = label_provider().labels_for([old.solution_id])[old.solution_id]
    assert [fact.recertification_due for fact in facts] == [True]

    # The daily job logs the solution whose last version reached end of support this week.
    result = runner.invoke(args=["labels", "expire"])
    assert result.exit_code == 0, result.output
    assert "1 solution with a label newly due" in result.output
    indexer.apply_pending()
    hit = _hit(client, ended.solution_id)
    assert hit is not None and hit["recertification_due"] is True

    # A label due by its versions makes no solution eligible for a joint call.
    category = old.solution.primary_category_id
    assert category is not None
    eligible = {item.label_id for item in certified_labels([category])}
    assert current.id in eligible and old.id not in eligible and ended.id not in eligible


def test_followers_are_told_once_when_a_label_becomes_due_by_its_versions(
    app: Flask, runner: FlaskCliRunner, world: LabelWorld, create_user: Callable[..., User]
) -> None:
    ended = scoped_label(world, today() - dt.timedelta(days=400), today() - dt.timedelta(days=2))
    long_due = scoped_label(world, add_months(today(), -30))
    buyer = create_user(kind=OrganisationKind.BUYER)
    for label in (ended, long_due):
        follow(buyer, WatchSubject.SOLUTION, label.solution_id)
    db.session.commit()

    first = runner.invoke(args=["labels", "expire"])
    assert first.exit_code == 0, first.output
    assert f"{ended.number}: followers told it is due for re-certification" in first.output
    # Due for months already: its followers heard nothing new this week.
    assert long_due.number not in first.output
    notices = [n.text for n in recent_notifications(buyer)]
    assert len(notices) == 1
    assert ended.number in notices[0] and "is due for re-certification" in notices[0]
    assert UNSUPPORTED in notices[0]
    mail = [m for m in read_outbox(app.config["OUTBOX_DIR"]) if m.to == buyer.email]
    assert len(mail) == 1

    # The daily job runs again the next day: nobody is told twice.
    second = runner.invoke(args=["labels", "expire"])
    assert second.exit_code == 0, second.output
    assert ended.number not in second.output
    assert len(recent_notifications(buyer)) == 1
