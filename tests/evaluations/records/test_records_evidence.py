"""Evidence fixed once reviewed, legal holds, and the download log of an evaluation's files."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from evaluations.records.holds import place_hold, release_hold
from evaluations.records.models import HoldTarget
from evaluations.services.application import (
    attach_evidence,
    remove_evidence,
    return_for_information,
)
from registry import audit
from registry.database import db
from registry.exceptions import AccessDenied, RuleViolation
from registry.models import AuditEntry, User
from tests.evaluations.evaluation_builders import PDF, Cast, draft, in_review, make_cast


@pytest.fixture
def cast(app: Flask, create_user: Callable[..., User]) -> Iterator[Cast]:
    """People, a norm and a solution."""
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        yield make_cast(create_user)


def test_a_draft_s_evidence_can_be_removed(cast: Cast) -> None:
    evaluation = draft(cast)
    item = evaluation.evidence[0]
    remove_evidence(cast.vendor, evaluation, item)
    db.session.commit()
    assert item not in evaluation.evidence


def test_evidence_reviewed_by_evaluators_can_no_longer_be_removed(cast: Cast) -> None:
    evaluation, _, _ = in_review(cast)
    return_for_information(cast.authority, evaluation, "Send the export test log as well.")
    db.session.commit()
    kept = list(evaluation.evidence)
    with pytest.raises(RuleViolation, match="can no longer be removed or replaced"):
        remove_evidence(cast.vendor, evaluation, kept[0])
    db.session.rollback()
    # A returned application still takes additional files.
    attach_evidence(cast.vendor, evaluation, "export-log.pdf", io.BytesIO(PDF))
    db.session.commit()
    assert set(kept) < set(evaluation.evidence)


@pytest.mark.parametrize("target", [HoldTarget.EVALUATION, HoldTarget.SOLUTION])
def test_a_legal_hold_keeps_even_a_draft_s_evidence_until_released(
    cast: Cast, target: HoldTarget
) -> None:
    evaluation = draft(cast)
    target_id = evaluation.id if target is HoldTarget.EVALUATION else evaluation.solution_id
    hold = place_hold(cast.authority, target, target_id, "Court order to keep.", "TA 2026/1")
    db.session.commit()
    with pytest.raises(RuleViolation, match="legal hold"):
        remove_evidence(cast.vendor, evaluation, evaluation.evidence[0])
    db.session.rollback()
    release_hold(cast.authority, hold, "The proceedings ended.")
    db.session.commit()
    remove_evidence(cast.vendor, evaluation, evaluation.evidence[0])
    db.session.commit()
    actions = list(
        db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("records.%")))
    )
    assert actions == ["records.hold", "records.release"]
    assert audit.verify_chain().ok


def test_only_the_authority_places_a_hold_and_it_needs_a_reference(cast: Cast) -> None:
    evaluation = draft(cast)
    with pytest.raises(AccessDenied):
        place_hold(cast.vendor, "evaluation", evaluation.id, "Mine.", "X")
    with pytest.raises(RuleViolation, match="reference"):
        place_hold(cast.authority, "evaluation", evaluation.id, "Court order.", " ")
    with pytest.raises(RuleViolation, match="no evaluation"):
        place_hold(cast.authority, "evaluation", 2147483647, "Court order.", "TA 1")


def test_every_evidence_download_is_logged_and_shown_to_the_authority(
    app: Flask, cast: Cast, client: FlaskClient, login: Callable[..., Any]
) -> None:
    evaluation = draft(cast)
    item = evaluation.evidence[0]
    login(client, cast.vendor)
    response = client.get(f"/evaluations/{evaluation.id}/evidence/{item.id}")
    assert response.status_code == 200 and response.data == PDF
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "records.download"))
    assert entry is not None
    assert entry.actor_id == cast.vendor.id
    assert (entry.object_type, entry.object_id) == ("evaluation", str(evaluation.id))
    assert json.loads(entry.data)["file_id"] == item.id
    client.post("/logout")
    login(client, cast.authority)
    page = client.get(f"/evaluations/{evaluation.id}").get_data(as_text=True)
    log = page.split("Download log", 1)[1]
    assert cast.vendor.email in log and item.original_name in log


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM evidence WHERE id = :id",
        "UPDATE evidence SET description = 'changed' WHERE id = :id",
        "UPDATE evidence SET sha256 = 'x', stored_name = 'purged:evidence:0' WHERE id = :id",
    ],
)
def test_the_database_itself_refuses_to_change_reviewed_evidence(
    cast: Cast, statement: str
) -> None:
    evaluation, _, _ = in_review(cast)
    item_id = evaluation.evidence[0].id
    with pytest.raises(DBAPIError, match="fixed"):
        db.session.execute(text(statement), {"id": item_id})
    db.session.rollback()


def test_the_database_lets_a_draft_s_evidence_change(cast: Cast) -> None:
    evaluation = draft(cast)
    db.session.execute(
        text("UPDATE evidence SET description = 'changed' WHERE id = :id"),
        {"id": evaluation.evidence[0].id},
    )
    db.session.rollback()
