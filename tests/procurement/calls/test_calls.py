"""Joint calls end to end: opening, eligibility, sealed offers, the deadline, award and ends.

The clock is each call's deadline, moved in the database (call_builders.pass_deadline).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from catalog.lists.models import Notification
from evaluations.labels.status_changes import suspend_label
from evaluations.models import Label, LabelStatus
from procurement.calls import limits
from procurement.calls.access.declarations import no_grounds
from procurement.calls.models import (
    AwardDropout,
    CallDocument,
    CallStatus,
    ContractLine,
    JointCall,
    Offer,
    OfferStatus,
    OfferTier,
)
from procurement.calls.services import awarding, lifecycle, offers, reading
from procurement.models import Lot, LotStatus, Need, NeedStatus
from registry.database import db
from registry.dates import today
from registry.exceptions import RuleViolation
from registry.mail import read_outbox
from registry.models import AuditEntry, User
from tests.procurement.calls.call_builders import (
    CallWorld,
    call_world,
    declaration_form,
    make_offer,
    offer_data,
    open_call,
    pass_deadline,
    solution_of,
)
from tests.procurement.public_builders import reveals

Login = Callable[..., Any]


def _offer_form(vendor: User, tiers: list[tuple[str, str]], lead: str = "30") -> dict[str, str]:
    data = {
        "solution": str(solution_of(vendor).id),
        "lead_time_days": lead,
        "notes": "",
        **declaration_form(),
    }
    for index in range(1, 5):
        quantity, price = tiers[index - 1] if index <= len(tiers) else ("", "")
        data[f"tier_quantity_{index}"] = quantity
        data[f"tier_price_{index}"] = price
    return data


def _snapshot() -> list[tuple[Any, ...]]:
    """Every offer and tier, to prove a refusal changed nothing."""
    offers = db.session.execute(
        select(
            Offer.id, Offer.vendor_id, Offer.solution_id, Offer.lead_time_days, Offer.notes
        ).order_by(Offer.id)
    ).all()
    tiers = db.session.execute(
        select(OfferTier.offer_id, OfferTier.min_quantity, OfferTier.unit_price).order_by(
            OfferTier.offer_id, OfferTier.min_quantity
        )
    ).all()
    return [tuple(row) for row in offers] + [tuple(row) for row in tiers]


def _switch(client: FlaskClient, login: Login, user: User) -> None:
    client.post("/logout")
    login(client, user)


def _statuses(lot: Lot) -> list[NeedStatus]:
    db.session.expire_all()
    return [db.session.get(Need, m.need_id).status for m in lot.active_members]  # type: ignore[union-attr]


# --- opening --------------------------------------------------------------------------------


def test_opening_a_call_notifies_eligible_vendors_only(
    app: Flask, client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=3, vendors=2, outsiders=1)
    login(client, world.authority)
    page = client.get(f"/procurement/lots/{world.lot.id}")
    assert "Open a joint call" in page.get_data(as_text=True)
    deadline = today() + dt.timedelta(days=limits.min_offer_days() + 2)
    response = client.post(
        f"/procurement/lots/{world.lot.id}/call",
        data={
            "title": "Video licences for three towns",
            "description": "Delivery within the year.",
            "deadline": deadline.isoformat(),
            "contract_months": "24",
        },
    )
    assert response.status_code == 302
    call = db.session.scalars(select(JointCall)).one()
    assert call.ocid == f"ocds-sfreg1-CALL-{call.id:05d}"
    assert call.deadline == dt.datetime.combine(deadline, dt.time(12, 0), tzinfo=dt.UTC)
    assert call.lot.status is LotStatus.CALL_OPENED
    assert set(_statuses(world.lot)) == {NeedStatus.IN_CALL}
    recipients = {m.to for m in read_outbox(app.config["OUTBOX_DIR"]) if "CALL-" in m.subject}
    assert recipients == {vendor.email for vendor in world.vendors}
    assert world.outsiders[0].email not in recipients
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "call.open")).one()
    assert entry.object_id == str(call.id)  # stored as text, like every audited object


def test_a_call_opens_only_from_a_frozen_lot_with_enough_time_to_offer(
    app: Flask, client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0)
    login(client, world.authority)
    too_soon = today() + dt.timedelta(days=limits.min_offer_days() - 1)
    form = {"title": "Too soon", "description": "", "contract_months": "24"}
    page = client.post(
        f"/procurement/lots/{world.lot.id}/call", data={**form, "deadline": too_soon.isoformat()}
    ).get_data(as_text=True)
    assert f"Vendors need at least {limits.min_offer_days()} days to offer" in page
    assert db.session.scalar(select(func.count(JointCall.id))) == 0
    # A shorter minimum offer period is a setting.
    app.config["PROCUREMENT_MIN_OFFER_DAYS"] = 3
    response = client.post(
        f"/procurement/lots/{world.lot.id}/call",
        data={**form, "deadline": (today() + dt.timedelta(days=4)).isoformat()},
    )
    assert response.status_code == 302
    # The lot is no longer frozen: a second call is refused.
    lot = db.session.get(Lot, world.lot.id)
    assert lot is not None
    with pytest.raises(RuleViolation, match="opened from a frozen lot"):
        lifecycle.open_call(
            world.authority,
            lot,
            "Again",
            "",
            limits.deadline_on(today() + dt.timedelta(days=30)),
            12,
        )


# --- eligibility and offers -------------------------------------------------------------------


def test_a_vendor_without_a_valid_label_sees_why_and_its_offer_is_refused(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=1)
    call = open_call(world)
    outsider = world.outsiders[0]
    login(client, outsider)
    listing = client.get("/procurement/calls").get_data(as_text=True)
    assert call.reference in listing and "You cannot offer" in listing
    page = client.get(f"/procurement/calls/{call.id}").get_data(as_text=True)
    assert "None of your published solutions in Video analysis holds a valid label" in page
    assert "under CALL-NORM at level Certified or above" in page
    assert "Make an offer" not in page
    response = client.post(
        f"/procurement/calls/{call.id}/offer", data=_offer_form(outsider, [("1", "500")])
    )
    assert "None of your published solutions" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Offer.id))) == 0
    _switch(client, login, world.vendors[0])
    listing = client.get("/procurement/calls").get_data(as_text=True)
    assert "You can offer" in listing


def test_offer_tiers_are_checked_on_the_field(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0)
    call = open_call(world)
    vendor = world.vendors[0]
    login(client, vendor)
    cases = [
        ([("5", "900")], "The first tier starts at quantity 1."),
        ([("1", "900"), ("1", "800")], "Each tier starts at a larger quantity"),
        ([("1", "900"), ("50", "950")], "A larger quantity cannot cost more per unit"),
        ([("1", "900.123")], "Give the price to the cent at most."),
        ([("1", "")], "Give the unit price of this tier."),
        ([("1", "abc")], "Give a price as a number"),
    ]
    for tiers, message in cases:
        page = client.post(f"/procurement/calls/{call.id}/offer", data=_offer_form(vendor, tiers))
        assert message in page.get_data(as_text=True), message
    assert db.session.scalar(select(func.count(Offer.id))) == 0


def test_one_offer_per_vendor_editable_until_the_deadline_then_refused_unchanged(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=2, outsiders=0)
    call = open_call(world)
    vendor = world.vendors[0]
    login(client, vendor)
    response = client.post(
        f"/procurement/calls/{call.id}/offer",
        data=_offer_form(vendor, [("1", "950"), ("20", "900")]),
    )
    assert response.status_code == 302
    offer = db.session.scalars(select(Offer)).one()
    # A second offer is refused with a clear message; nothing changes.
    before = _snapshot()
    page = client.post(
        f"/procurement/calls/{call.id}/offer", data=_offer_form(vendor, [("1", "10")])
    ).get_data(as_text=True)
    assert "already made an offer on this call" in page
    assert _snapshot() == before
    # Editing before the deadline changes it.
    response = client.post(
        f"/procurement/calls/{call.id}/offers/{offer.id}/edit",
        data=_offer_form(vendor, [("1", "940"), ("20", "880"), ("25", "870")], lead="21"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    edited = db.session.get(Offer, offer.id)
    assert edited is not None and edited.tiers == [] and edited.sealed_hash
    # After the deadline the officers open it: the edited content is the one read.
    pass_deadline(db.session.get(JointCall, call.id))  # type: ignore[arg-type]
    db.session.expire_all()
    edited = db.session.get(Offer, offer.id)
    assert edited is not None and edited.lead_time_days == 21
    assert [(t.min_quantity, t.unit_price) for t in edited.tiers] == [
        (1, Decimal("940.00")),
        (20, Decimal("880.00")),
        (25, Decimal("870.00")),
    ]
    # After the deadline: edit and new offers are refused, nothing changes.
    before = _snapshot()
    page = client.post(
        f"/procurement/calls/{call.id}/offers/{offer.id}/edit",
        data=_offer_form(vendor, [("1", "100")]),
    ).get_data(as_text=True)
    assert "The deadline for offers passed on" in page and "your offer was not changed" in page
    _switch(client, login, world.vendors[1])
    page = client.post(
        f"/procurement/calls/{call.id}/offer", data=_offer_form(world.vendors[1], [("1", "5")])
    ).get_data(as_text=True)
    assert "The deadline for offers passed on" in page
    assert _snapshot() == before


def test_a_withdrawn_offer_is_kept_as_withdrawn_and_never_counts(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=2, outsiders=0)
    call = open_call(world)
    offer = make_offer(world.vendors[0], call, [(1, "812.34")])
    make_offer(world.vendors[1], call, [(1, "900.00")])
    login(client, world.vendors[0])
    assert client.post(f"/procurement/calls/{call.id}/offers/{offer.id}/withdraw").status_code
    db.session.expire_all()
    kept = db.session.get(Offer, offer.id)
    assert kept is not None and kept.status is OfferStatus.WITHDRAWN
    assert kept.withdrawn_at is not None
    assert kept.tiers == [] and kept.sealed_hash  # still encrypted until the opening
    page = client.get(f"/procurement/calls/{call.id}/offers/{offer.id}").get_data(as_text=True)
    assert "Withdrawn" in page and "Edit your offer" not in page
    pass_deadline(call)
    _switch(client, login, world.authority)
    page = client.get(f"/procurement/calls/{call.id}").get_data(as_text=True)
    assert "Offers received (1, and 1 withdrawn)" in page
    assert "Withdrawn on" in page
    db.session.expire_all()
    stored = db.session.get(JointCall, call.id)
    assert stored is not None
    assert reading.offer_count(stored) == 1
    awarding.award_call(world.authority, stored)
    db.session.commit()
    award = stored.award
    assert award is not None and award.offer_id != offer.id


def test_a_vendor_that_withdrew_may_offer_again_on_the_same_row(
    create_user: Callable[..., User],
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0)
    call = open_call(world)
    offer = make_offer(world.vendors[0], call)
    offers.withdraw_offer(world.vendors[0], offer)
    db.session.commit()
    again = make_offer(world.vendors[0], call, [(1, "777.00")])
    assert again.id == offer.id and again.status is OfferStatus.SUBMITTED
    assert again.withdrawn_at is None
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.object_type == "offer", AuditEntry.object_id == str(offer.id))
        .order_by(AuditEntry.seq)
    ).all()
    assert actions == ["offer.submit", "offer.withdraw", "offer.submit"]


def test_offers_are_sealed_from_other_vendors_buyers_and_the_authority(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=2, outsiders=0)
    call = open_call(world)
    first = make_offer(world.vendors[0], call, [(1, "987.65")])
    second = make_offer(world.vendors[1], call, [(1, "876.54")])
    login(client, world.vendors[1])
    assert client.get(f"/procurement/calls/{call.id}/offers/{first.id}").status_code == 404
    assert client.get(f"/procurement/calls/{call.id}/offers/{first.id}/edit").status_code == 404
    own = client.get(f"/procurement/calls/{call.id}/offers/{second.id}").get_data(as_text=True)
    # Encrypted: the vendor's own page shows its receipt, no price.
    assert second.sealed_hash in own and "876.54" not in own and "987.65" not in own
    page = client.get(f"/procurement/calls/{call.id}").get_data(as_text=True)
    assert "987.65" not in page and "Sealed until the deadline" in page
    for user in (world.buyers[0], world.authority):
        _switch(client, login, user)
        page = client.get(f"/procurement/calls/{call.id}").get_data(as_text=True)
        assert "987.65" not in page and "876.54" not in page
        assert "Sealed until the deadline" in page
    assert client.get(f"/procurement/calls/{call.id}/offers/{first.id}").status_code == 404
    pass_deadline(call)
    page = client.get(f"/procurement/calls/{call.id}").get_data(as_text=True)
    assert "987.65" in page and "876.54" in page
    assert client.get(f"/procurement/calls/{call.id}/offers/{first.id}").status_code == 200
    # Even after the deadline, a vendor never reads another's offer.
    _switch(client, login, world.vendors[1])
    assert client.get(f"/procurement/calls/{call.id}/offers/{first.id}").status_code == 404


def test_a_buyer_of_another_lot_does_not_see_the_call(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0)
    call = open_call(world)
    stranger = create_user(kind=world.buyers[0].organisation.kind)
    login(client, stranger)
    assert client.get(f"/procurement/calls/{call.id}").status_code == 404
    assert call.reference not in client.get("/procurement/calls").get_data(as_text=True)


def test_documents_are_attached_until_the_deadline_and_read_by_those_who_see_the_call(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=1)
    call = open_call(world)
    login(client, world.authority)
    response = client.post(
        f"/procurement/calls/{call.id}/documents",
        data={"title": "Specification", "file": (io.BytesIO(b"%PDF-1.4 spec"), "spec.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    refused = client.post(
        f"/procurement/calls/{call.id}/documents",
        data={"title": "Page", "file": (io.BytesIO(b"<html>x</html>"), "page.txt")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400 and "web markup" in refused.get_data(as_text=True)
    document = db.session.scalars(select(CallDocument)).one()
    for user in (world.outsiders[0], world.buyers[1]):
        _switch(client, login, user)
        download = client.get(f"/procurement/calls/{call.id}/documents/{document.id}")
        assert download.status_code == 200 and download.data == b"%PDF-1.4 spec"
    pass_deadline(call)
    with pytest.raises(RuleViolation, match="deadline for offers passed"):
        lifecycle.add_document(world.authority, call, "Late", "late.pdf", io.BytesIO(b"%PDF-1.4"))


# --- award -------------------------------------------------------------------------------------


def _award_world(create_user: Callable[..., User]) -> tuple[CallWorld, JointCall]:
    # Firm 40 + 30 + 20 = 90; ceilings 1000, 900, 700.
    world = call_world(
        create_user,
        buyers=3,
        vendors=2,
        outsiders=0,
        quantities=[40, 30, 20],
        ceilings=["1000", "900", "700"],
    )
    return world, open_call(world)


def test_award_drops_a_buyer_above_its_ceiling_reprices_and_contracts_each_buyer(
    app: Flask, client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world, call = _award_world(create_user)
    # Vendor 0: 750 from 80 units — the 700 buyer drops, 70 units cost 850.
    make_offer(world.vendors[0], call, [(1, "1100"), (60, "850"), (80, "750")], lead=30)
    # Vendor 1: 880 flat for everyone above 880.
    make_offer(world.vendors[1], call, [(1, "880")], lead=10)
    login(client, world.authority)
    early = client.post(f"/procurement/calls/{call.id}/award", follow_redirects=True)
    assert "the award waits until then" in early.get_data(as_text=True)
    db.session.expire_all()
    refreshed = db.session.get(JointCall, call.id)
    assert refreshed is not None and refreshed.status is CallStatus.OPEN  # too early: refused
    pass_deadline(refreshed)
    assert client.post(f"/procurement/calls/{call.id}/award").status_code == 302
    db.session.expire_all()
    call = db.session.get(JointCall, call.id)  # type: ignore[assignment]
    assert call.status is CallStatus.AWARDED and call.lot.status is LotStatus.AWARDED
    award = call.award
    assert award is not None
    winner_vendor = world.vendors[0].organisation_id
    assert award.offer.vendor_id == winner_vendor
    assert (award.unit_price, award.quantity) == (Decimal("850.00"), 70)
    lines = db.session.scalars(select(ContractLine).order_by(ContractLine.buyer_id)).all()
    assert sorted(line.buyer_id for line in lines) == sorted(
        b.organisation_id for b in world.buyers[:2]
    )
    assert all(line.unit_price == Decimal("850.00") for line in lines)
    assert sum(line.quantity for line in lines) == award.quantity
    dropout = db.session.scalars(select(AwardDropout)).one()
    assert dropout.buyer_id == world.buyers[2].organisation_id
    assert (dropout.ceiling, dropout.price_at_dropout) == (Decimal("700.00"), Decimal("750.00"))
    statuses = {need.buyer_id: need.status for need in db.session.scalars(select(Need)).all()}
    assert statuses[world.buyers[0].organisation_id] is NeedStatus.CONTRACTED
    assert statuses[world.buyers[2].organisation_id] is NeedStatus.OPEN
    assert award.total_value == Decimal("59500.00")
    assert award.counterfactual_value > award.total_value
    assert 0 < award.realised_saving < 1
    mails = read_outbox(app.config["OUTBOX_DIR"])
    subjects = {(m.to, m.subject) for m in mails}
    assert any(to == world.buyers[0].email and "your contract" in s for to, s in subjects)
    bodies = {m.to: "\n".join(n.body for n in mails if n.to == m.to) for m in mails}
    assert "at 850.00 EUR per unit" in bodies[world.buyers[0].email]
    dropped = bodies[world.buyers[2].email]
    assert "(750.00 EUR) was above your maximum unit price (700.00 EUR)" in dropped
    assert "at 850.00 EUR per unit for 70 units" in award.rationale
    assert any(to == world.buyers[2].email and "above your maximum" in s for to, s in subjects)
    assert any(to == world.vendors[1].email and "not retained" in s for to, s in subjects)
    # The buyer sees its own contract line; the dropped buyer sees why.
    _switch(client, login, world.buyers[0])
    page = client.get(f"/procurement/calls/{call.id}").get_data(as_text=True)
    assert lines[0].reference in page or lines[1].reference in page
    listing = client.get("/procurement/calls").get_data(as_text=True)
    assert "Contract CONTRACT-" in listing and "at 850.00 EUR per unit" in listing
    _switch(client, login, world.buyers[2])
    page = client.get(f"/procurement/calls/{call.id}").get_data(as_text=True)
    assert "Dropped out" in page and not reveals(page, "880")
    listing = client.get("/procurement/calls").get_data(as_text=True)
    assert "Dropped out: 750.00 EUR was above your maximum" in listing


def test_award_with_no_viable_offer_ends_unsuccessful_and_reopens_the_needs(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world, call = _award_world(create_user)
    make_offer(world.vendors[0], call, [(1, "950")])  # only the 1000 buyer stays
    pass_deadline(call)
    login(client, world.authority)
    client.post(f"/procurement/calls/{call.id}/award")
    db.session.expire_all()
    ended = db.session.get(JointCall, call.id)
    assert ended is not None and ended.status is CallStatus.UNSUCCESSFUL
    assert ended.lot.status is LotStatus.UNSUCCESSFUL
    assert "at least 2 buyers" in ended.outcome_reason
    assert set(_statuses(world.lot)) == {NeedStatus.OPEN}
    assert db.session.scalar(select(func.count(ContractLine.id))) == 0


def test_award_rechecks_the_label(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world, call = _award_world(create_user)
    offer = make_offer(world.vendors[0], call, [(1, "600")])
    label = db.session.get(Label, offer.label_id)
    assert label is not None
    label.status = LabelStatus.SUSPENDED
    db.session.commit()
    pass_deadline(call)
    awarding.award_call(world.authority, call)
    db.session.commit()
    assert call.status is CallStatus.UNSUCCESSFUL
    assert "no longer holds" in call.outcome_reason


def test_unsuccessful_only_after_the_deadline_and_cancel_only_before(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world, call = _award_world(create_user)
    login(client, world.authority)
    early = client.post(
        f"/procurement/calls/{call.id}/unsuccessful",
        data={"unsuccessful-reason": "No budget."},
        follow_redirects=True,
    )
    assert "Offers are sealed until" in early.get_data(as_text=True)
    missing = client.post(f"/procurement/calls/{call.id}/cancel", data={"cancel-reason": ""})
    assert missing.status_code == 400 and "Give the reason." in missing.get_data(as_text=True)
    response = client.post(
        f"/procurement/calls/{call.id}/cancel", data={"cancel-reason": "The needs changed."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    cancelled = db.session.get(JointCall, call.id)
    assert cancelled is not None and cancelled.status is CallStatus.CANCELLED
    assert cancelled.lot.status is LotStatus.CANCELLED
    assert cancelled.outcome_reason == "The needs changed."
    assert set(_statuses(world.lot)) == {NeedStatus.OPEN}


def test_declaring_a_call_unsuccessful_after_the_deadline(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world, call = _award_world(create_user)
    make_offer(world.vendors[0], call)
    pass_deadline(call)
    login(client, world.authority)
    late_cancel = client.post(
        f"/procurement/calls/{call.id}/cancel",
        data={"cancel-reason": "Too late."},
        follow_redirects=True,
    )
    assert "cancelling is closed" in late_cancel.get_data(as_text=True)
    response = client.post(
        f"/procurement/calls/{call.id}/unsuccessful",
        data={"unsuccessful-reason": "Every offer is far above the budget."},
    )
    assert response.status_code == 302
    db.session.expire_all()
    ended = db.session.get(JointCall, call.id)
    assert ended is not None and ended.status is CallStatus.UNSUCCESSFUL
    assert set(_statuses(world.lot)) == {NeedStatus.OPEN}
    with pytest.raises(RuleViolation, match="already unsuccessful"):
        awarding.award_call(world.authority, ended)


def test_service_refuses_a_second_offer_and_a_foreign_solution(
    create_user: Callable[..., User],
) -> None:
    world = call_world(create_user, buyers=2, vendors=2, outsiders=0)
    call = open_call(world)
    make_offer(world.vendors[0], call)
    with pytest.raises(RuleViolation, match="already made an offer"):
        offers.submit_offer(world.vendors[0], call, offer_data(world.vendors[0]))
    db.session.rollback()
    foreign = offer_data(world.vendors[0])
    with pytest.raises(RuleViolation, match="Choose one of your solutions"):
        offers.submit_offer(
            world.vendors[1],
            call,
            offers.OfferData(
                solution_id=foreign.solution_id,
                lead_time_days=5,
                tiers=[(1, "9")],
                declaration=no_grounds(),
            ),
        )


def test_buyers_holding_a_contract_line_are_told_when_the_winning_label_is_suspended(
    app: Flask, create_user: Callable[..., User]
) -> None:
    world, call = _award_world(create_user)
    make_offer(world.vendors[0], call, [(1, "1100"), (60, "850"), (80, "750")], lead=30)
    make_offer(world.vendors[1], call, [(1, "880")], lead=10)
    pass_deadline(call)
    awarding.award_call(world.authority, call)
    db.session.commit()
    assert call.award is not None
    label = db.session.scalars(
        select(Label).where(
            Label.solution_id == call.award.offer.solution_id,
            Label.status == LabelStatus.VALID,
        )
    ).first()
    assert label is not None
    with app.test_request_context():
        suspend_label(world.authority, label, "Firmware differs from the certified one.")
        db.session.commit()
    told = {
        m.to
        for m in read_outbox(app.config["OUTBOX_DIR"])
        if f"label {label.number} suspended" in m.subject
        and "holds a contract for this solution" in m.body
    }
    contracted = {b.email for b in world.buyers[:2]}
    # The two buyers contracted under the award are told; the one who dropped out is not.
    assert contracted <= told and world.buyers[2].email not in told
    notices = db.session.scalars(
        select(Notification).where(Notification.subject_id == label.solution_id)
    ).all()
    assert {n.user_id for n in notices} >= {b.id for b in world.buyers[:2]}
