"""A commit stores the releases of the processes it touched, and only theirs: a change to one call
stores nothing for another, and what it stores is what ``flask procurement publish`` would."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select, update

from procurement.calls.models import JointCall
from procurement.calls.scoring.models import OwnScore
from procurement.calls.sealing.models import OpeningKey
from procurement.ocds.formats import need_ocid
from procurement.publication.models import PublishedRelease
from procurement.publication.processes import (
    AFFECTS_ALL,
    PROCESSES_OF,
    Touched,
    touched_calls,
)
from procurement.publication.releases import stored_releases
from registry.database import Base, db
from registry.models import OrganisationKind, User
from tests.procurement import public_builders


def _procurement_models() -> set[type]:
    return {
        mapper.class_
        for mapper in Base.registry.mappers
        if mapper.class_.__module__.startswith("procurement.")
        and mapper.class_ is not PublishedRelease
    }


def _stored() -> list[tuple[str, str, str]]:
    rows = db.session.scalars(select(PublishedRelease).order_by(PublishedRelease.id))
    return [(row.ocid, row.release_id, row.body) for row in rows]


def _rows() -> set[tuple[type, int]]:
    return {
        (model, key)
        for model in PROCESSES_OF
        for key in db.session.scalars(select(model.id))  # type: ignore[attr-defined]
    }


def _awarded_and_open(
    authority: User,
) -> tuple[public_builders.Scene, JointCall, set[tuple[type, int]], JointCall]:
    """An awarded call (a buyer dropped out) and another taking offers, each on its own lot;
    with the procurement rows the first one's scene wrote."""
    first = public_builders.scene(authority)
    awarded = public_builders.open_call(first)
    startup, _ = public_builders.two_offers(first, awarded)
    public_builders.pass_deadline(awarded)
    public_builders.award(first, awarded, startup, dropout_buyers=(2,))
    rows_of_first = _rows()
    second = public_builders.scene(authority, norm_code="PUB-NORM-2", suffix=" (2)")
    taking = public_builders.open_call(second)
    public_builders.two_offers(second, taking)
    return first, awarded, rows_of_first, taking


def test_every_procurement_model_names_its_process_or_rebuilds_every_process() -> None:
    """A model missing from both lists would publish nothing with its changes."""
    models = _procurement_models()
    assert models, "no procurement model is mapped"
    missing = sorted(m.__name__ for m in models - set(PROCESSES_OF) - AFFECTS_ALL)
    assert missing == []
    assert set(PROCESSES_OF) & AFFECTS_ALL == set()
    assert set(PROCESSES_OF) | AFFECTS_ALL == models


def test_every_stored_procurement_row_maps_to_its_own_call(
    app: Flask, create_user: Callable[..., User]
) -> None:
    """Each row of two calls' scenes (needs, round, lot, members, call, document, offers, tiers,
    seal, shares, award, contract lines, drop-out) names its own call, never the other."""
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    first, awarded, rows_of_first, taking = _awarded_and_open(authority)
    rows = _rows()
    assert len({model for model, _ in rows}) >= 10
    for model, key in sorted(rows, key=lambda row: (row[0].__name__, row[1])):
        touched = Touched()
        touched.add(db.session.get(model, key))
        expected = awarded.id if (model, key) in rows_of_first else taking.id
        assert not touched.everything, (model.__name__, key)
        assert touched_calls(touched) == [expected], (model.__name__, key)
    assert {need.id for need in first.needs} <= {
        key for model, key in rows_of_first if model.__name__ == "Need"
    }


def test_a_row_whose_process_cannot_be_told_rebuilds_every_process(
    app: Flask, create_user: Callable[..., User]
) -> None:
    """A score of a criterion that is gone, or an officer's opening key, names no call."""
    create_user(kind=OrganisationKind.AUTHORITY)
    orphan = Touched()
    orphan.add(OwnScore(criterion_id=2_000_000, offer_id=1))
    assert orphan.everything
    key = Touched()
    key.add(OpeningKey(user_id=1))
    assert key.everything


def test_a_change_to_one_call_stores_releases_for_that_call_only(
    app: Flask, runner: FlaskCliRunner, create_user: Callable[..., User]
) -> None:
    """The awarded call's title changes: its releases are stored again, the other call's and
    the needs' are not, and the publish command then finds nothing left to store."""
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    _, awarded, _, taking = _awarded_and_open(authority)
    before = _stored()
    taking_before = stored_releases(taking.ocid)
    awarded.title = "Video analytics licences, framework renamed"
    db.session.commit()
    after = _stored()
    assert after[: len(before)] == before
    added = after[len(before) :]
    assert added, "the change stored no release"
    assert {ocid for ocid, _, _ in added} == {awarded.ocid}
    assert all("framework renamed" in body for _, _, body in added)
    assert stored_releases(taking.ocid) == taking_before

    result = runner.invoke(args=["procurement", "publish"])
    assert result.exit_code == 0, result.output
    assert _stored() == after


def test_a_release_another_call_made_due_waits_for_the_publish_command(
    app: Flask, runner: FlaskCliRunner, create_user: Callable[..., User]
) -> None:
    """The call taking offers is changed without the portal (as a deadline passes with time);
    a commit changing the awarded call stores nothing for it; the command then does."""
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    first, awarded, _, taking = _awarded_and_open(authority)
    db.session.execute(
        update(JointCall).where(JointCall.id == taking.id).values(title="Renamed outside")
    )
    db.session.commit()
    taking_before = stored_releases(taking.ocid)
    need = first.needs[0]
    need.title = "Video analytics for Rennes, renamed"
    db.session.commit()
    # The need's own process and the call it is pooled in are rebuilt.
    assert "renamed" in stored_releases(need_ocid(need))[-1]["tender"]["title"]
    assert any("Rennes, renamed" in str(r) for r in stored_releases(awarded.ocid))
    assert stored_releases(taking.ocid) == taking_before

    result = runner.invoke(args=["procurement", "publish"])
    assert result.exit_code == 0, result.output
    assert stored_releases(taking.ocid)[-1]["tender"]["title"] == "Renamed outside"
