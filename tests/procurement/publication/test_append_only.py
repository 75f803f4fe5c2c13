"""Published OCDS releases never change: a change to a process publishes new releases, and the
releases served are byte for byte those stored, each with the SHA-256 of its text."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import delete, select

from procurement.publication.models import PublishedRelease, PublishedReleaseChanged
from procurement.publication.releases import release_text
from registry.database import db
from registry.models import OrganisationKind, User
from tests.procurement import public_builders


def _releases(client: FlaskClient, ocid: str) -> list[dict[str, Any]]:
    response = client.get(f"/procurement/ocds/{ocid}.json")
    assert response.status_code == 200, response.get_data(as_text=True)
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    return list(body["releases"])


def _stored_bytes() -> dict[str, str]:
    return {row.release_id: row.body for row in db.session.scalars(select(PublishedRelease))}


def test_a_change_publishes_new_releases_and_the_old_ones_stay_as_they_were(
    client: FlaskClient, create_user: Callable[..., User]
) -> None:
    scene = public_builders.scene(create_user(kind=OrganisationKind.AUTHORITY))
    call = public_builders.open_call(scene)
    opened = _releases(client, call.ocid)
    assert [r["id"] for r in opened] == [f"{call.ocid}-tender"]
    startup, _ = public_builders.two_offers(scene, call)
    # Offers before the deadline change nothing public: no new release.
    assert _releases(client, call.ocid) == opened
    before_deadline = _stored_bytes()

    # The deadline moves (to the past, here): the tender as first published stays, a new
    # version of it carries the new deadline, and the bids are published.
    public_builders.pass_deadline(call)
    unsealed = _releases(client, call.ocid)
    assert unsealed[0] == opened[0]
    assert [r["id"] for r in unsealed] == [
        f"{call.ocid}-tender",
        f"{call.ocid}-tender-v2",
        f"{call.ocid}-bids",
    ]
    old_end = opened[0]["tender"]["tenderPeriod"]["endDate"]
    assert unsealed[1]["tender"]["tenderPeriod"]["endDate"] < old_end
    assert [b["status"] for b in unsealed[2]["bids"]["details"]] == ["pending", "pending"]
    after_deadline = _stored_bytes()
    assert all(after_deadline[key] == text for key, text in before_deadline.items())

    award = public_builders.award(scene, call, startup)
    awarded = _releases(client, call.ocid)
    # The releases published before are served unchanged, first, in their order.
    assert awarded[:3] == unsealed
    ids = [r["id"] for r in awarded]
    assert len(ids) == len(set(ids))
    # The bids, now evaluated, are a new release of their own, dated after the others.
    (update,) = [r for r in awarded if r["id"] == f"{call.ocid}-bids-v2"]
    assert [b["status"] for b in update["bids"]["details"]] == ["valid", "valid"]
    assert f"{call.ocid}-award" in ids
    assert sum(1 for r in awarded if r["tag"] == ["contract"]) == len(award.lines)
    dates = [r["date"] for r in awarded]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    final = _stored_bytes()
    assert all(final[key] == text for key, text in after_deadline.items())
    # Reading again publishes nothing more.
    assert _releases(client, call.ocid) == awarded
    assert _stored_bytes() == final


def test_each_stored_release_carries_the_hash_of_its_text_and_cannot_be_changed(
    client: FlaskClient, create_user: Callable[..., User]
) -> None:
    scene = public_builders.scene(create_user(kind=OrganisationKind.AUTHORITY))
    call = public_builders.open_call(scene)
    (served,) = _releases(client, call.ocid)
    row = db.session.scalars(
        select(PublishedRelease).where(PublishedRelease.ocid == call.ocid)
    ).one()
    assert row.body == release_text(served)
    assert row.sha256 == hashlib.sha256(row.body.encode("utf-8")).hexdigest()
    assert row.tags == "tender" and row.release_id == served["id"]
    row.body = row.body.replace("licences", "LICENCES")
    with pytest.raises(PublishedReleaseChanged):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(PublishedRelease, row.id))
    with pytest.raises(PublishedReleaseChanged):
        db.session.flush()
    db.session.rollback()


def test_the_publish_command_backfills_once(
    client: FlaskClient, runner: FlaskCliRunner, create_user: Callable[..., User]
) -> None:
    scene = public_builders.scene(create_user(kind=OrganisationKind.AUTHORITY))
    call = public_builders.open_call(scene)
    startup, _ = public_builders.two_offers(scene, call)
    public_builders.pass_deadline(call)
    award = public_builders.award(scene, call, startup)
    # Each change published its releases when committed: nothing is left to catch up.
    caught_up = runner.invoke(args=["procurement", "publish"])
    assert caught_up.exit_code == 0 and "0 releases published." in caught_up.output
    # A database from before releases were stored (emptied under the ORM's refusal).
    db.session.execute(delete(PublishedRelease))
    db.session.commit()
    first = runner.invoke(args=["procurement", "publish"])
    assert first.exit_code == 0, first.output
    # 3 needs' planning releases, the tender, the bids, the award and a contract per buyer.
    assert f"{6 + len(award.lines)} releases published." in first.output
    again = runner.invoke(args=["procurement", "publish"])
    assert again.exit_code == 0 and "0 releases published." in again.output
    tags = [r["tag"] for r in _releases(client, call.ocid)]
    assert tags[:3] == [["tender"], ["tenderUpdate"], ["award"]]
