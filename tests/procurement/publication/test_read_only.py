"""The open-data endpoints only read: a release is stored when the change that makes it due is
committed, and what became due as time passed waits for ``flask procurement publish``."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select, update

from procurement.calls.models import JointCall
from procurement.ocds.formats import need_ocid
from procurement.publication.models import PublishedRelease
from procurement.publication.releases import stored_releases
from registry.database import Base, db, utcnow
from registry.models import AuditEntry, OrganisationKind, User
from tests.procurement import public_builders


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }


def _open_data_urls(call: JointCall, need_ocid_: str) -> list[str]:
    return [
        "/procurement/ocds.json",
        f"/procurement/ocds/{call.ocid}.json",
        f"/procurement/ocds/{need_ocid_}.json",
        f"/procurement/public/calls/{call.id}/eforms/contract-notice.json",
        f"/procurement/public/calls/{call.id}/eforms/contract-notice.xml",
        "/procurement/public/open-data",
        f"/procurement/public/calls/{call.id}",
    ]


def test_every_open_data_get_leaves_the_database_unchanged(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    create_user: Callable[..., User],
) -> None:
    scene = public_builders.scene(create_user(kind=OrganisationKind.AUTHORITY))
    call = public_builders.open_call(scene)
    public_builders.two_offers(scene, call)
    # The deadline passes with time, not with a change: the bids become due, unstored.
    db.session.execute(
        update(JointCall)
        .where(JointCall.id == call.id)
        .values(deadline=utcnow().replace(microsecond=0))
    )
    db.session.commit()
    ocid = call.ocid
    urls = _open_data_urls(call, need_ocid(scene.needs[0]))
    # Every GET route of the OCDS downloads and of the eForms notices is read here.
    routes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("procurement_public.ocds", "publication."))
    }
    assert routes == {
        "procurement_public.ocds_bulk",
        "procurement_public.ocds_release_package",
        "publication.eforms_notice",
        "publication.eforms_notice_xml",
    }
    before = _row_counts()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
        db.session.rollback()
    assert _row_counts() == before
    assert [r["tag"] for r in stored_releases(ocid)] == [["tender"]]

    # The catch-up command stores what became due, once.
    result = runner.invoke(args=["procurement", "publish"])
    assert result.exit_code == 0, result.output
    assert [r["tag"] for r in stored_releases(ocid)] == [["tender"], ["tender"], ["tenderUpdate"]]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "ocds.publish"))


def test_a_release_is_stored_when_the_change_is_committed_without_any_get(
    create_user: Callable[..., User],
) -> None:
    scene = public_builders.scene(create_user(kind=OrganisationKind.AUTHORITY))
    call = public_builders.open_call(scene)
    ocid = call.ocid
    assert [r["id"] for r in stored_releases(ocid)] == [f"{ocid}-tender"]
    startup, _ = public_builders.two_offers(scene, call)
    public_builders.pass_deadline(call)
    award = public_builders.award(scene, call, startup)
    ids = [r["id"] for r in stored_releases(ocid)]
    assert f"{ocid}-award" in ids and f"{ocid}-bids" in ids
    assert sum(1 for r in stored_releases(ocid) if r["tag"] == ["contract"]) == len(award.lines)
    # A change rolled back publishes nothing.
    count = db.session.scalar(select(func.count()).select_from(PublishedRelease))
    changed = db.session.get(JointCall, call.id)
    assert changed is not None
    changed.title = "A title never committed"
    db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PublishedRelease)) == count
