"""Each role's to-do queue on the dashboard and the header's counts: the work appears with a
link that opens for that user, and leaves the queue (and the count) once it is done."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from catalog.lists.models import WatchSubject
from catalog.lists.services import follow
from evaluations import catalog_facts
from evaluations.services.application import submit_application
from evaluations.services.assignment import assign_evaluator, declare_conflict
from evaluations.services.scores import submit_scores
from procurement.aggregation.parameters import AggregationParameters
from procurement.calls.services import awarding
from procurement.models import LotStatus
from procurement.services import confirmation, rounds
from registry import services
from registry.database import db
from registry.dates import today
from registry.models import AuditEntry, Organisation, OrganisationKind, OrganisationStatus, User
from registry.queue import ITEMS_PER_KIND, QueueItem, by_urgency
from tests.catalog.lists_label_builders import make_label
from tests.catalog.solution_builders import published
from tests.evaluations import evaluation_builders, scheme_builders
from tests.evaluations.labels import label_builders
from tests.norms.norm_builders import published as published_norm
from tests.procurement.calls.call_builders import (
    call_world,
    make_offer,
    open_call,
    pass_deadline,
    pass_standstill,
    sign_contracts,
)
from tests.procurement.need_builders import certified_market, open_need


def _dashboard(client: FlaskClient) -> str:
    response = client.get("/dashboard")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _badge(page: str, name: str) -> int:
    """The number the header shows beside "To do" or "Notifications"."""
    match = re.search(rf'data-badge="{name}">[^<]*<span class="count-badge[^"]*">(\d+)<', page)
    assert match is not None, f"no {name} count in the header"
    return int(match.group(1))


def _queue(page: str) -> str:
    start = page.index('<section id="todo"')
    return page[start : page.index("</section>", start)]


def _count(page: str, kind: str) -> int | None:
    """The count shown for one kind of work; None when the kind is not in the queue."""
    match = re.search(rf'data-count="{re.escape(kind)}">(\d+)<', _queue(page))
    return None if match is None else int(match.group(1))


def _item_links(page: str) -> list[tuple[str, str]]:
    """(address, title) of every item listed in the queue, in order."""
    found = re.findall(r'<li>\s*<a href="([^"#][^"]*)">([^<]+)</a>', _queue(page))
    return [(html.unescape(url), html.unescape(title)) for url, title in found]


def _link_to(page: str, title_part: str) -> str:
    urls = [url for url, title in _item_links(page) if title_part in title]
    assert urls, f"no item naming {title_part!r} in the queue"
    return urls[0]


def _opens(client: FlaskClient, url: str) -> None:
    assert client.get(url).status_code == 200, url


def test_urgent_work_comes_first() -> None:
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    on = now.date()
    waiting_long = QueueItem("k", "waiting long", "/a", since=now - dt.timedelta(days=9))
    waiting_less = QueueItem("k", "waiting less", "/b", since=now - dt.timedelta(days=2))
    due_soon = QueueItem("k", "due soon", "/c", due=on + dt.timedelta(days=3))
    overdue = QueueItem("k", "overdue", "/d", due=on - dt.timedelta(days=1))
    ordered = by_urgency([waiting_less, due_soon, waiting_long, overdue], on)
    assert [item.title for item in ordered] == [
        "overdue",
        "due soon",
        "waiting long",
        "waiting less",
    ]
    assert overdue.is_overdue(on) and not due_soon.is_overdue(on)
    assert waiting_long.age_days(now) == 9


def test_the_authority_approves_the_organisations_its_queue_lists(
    app: Flask,
    client: FlaskClient,
    create_user: Callable[..., User],
    create_organisation: Callable[..., Organisation],
    login: Any,
) -> None:
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    pending = create_organisation(
        OrganisationKind.VENDOR, OrganisationStatus.PENDING, name="Harbour Optics"
    )
    login(client, authority)
    page = _dashboard(client)
    assert _count(page, "Organisations to approve") == 1
    assert _badge(page, "todo") == 1
    assert "waiting 0 days" in _queue(page)
    url = _link_to(page, "Harbour Optics")
    assert url == f"/admin/organisations/{pending.id}"
    _opens(client, url)

    with app.test_request_context():  # the approval mail links to the sign-in page
        services.approve_organisation(db.session.merge(authority), db.session.merge(pending))
        db.session.commit()
    page = _dashboard(client)
    assert _count(page, "Organisations to approve") is None
    assert _badge(page, "todo") == 0
    assert "Nothing to do right now." in _queue(page)
    assert "New registrations" in _queue(page)  # what happens next


def test_a_long_queue_lists_the_first_items_and_links_to_all(
    client: FlaskClient,
    create_user: Callable[..., User],
    create_organisation: Callable[..., Organisation],
    login: Any,
) -> None:
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    for index in range(ITEMS_PER_KIND + 1):
        create_organisation(
            OrganisationKind.BUYER, OrganisationStatus.PENDING, name=f"Town {index:02d}"
        )
    login(client, authority)
    page = _dashboard(client)
    assert _count(page, "Organisations to approve") == ITEMS_PER_KIND + 1
    assert _badge(page, "todo") == ITEMS_PER_KIND + 1
    listed = [title for _, title in _item_links(page)]
    assert listed == [f"Town {index:02d}" for index in range(ITEMS_PER_KIND)]  # oldest first
    match = re.search(r'<a href="([^"]+)">See all 11<', _queue(page))
    assert match is not None
    assert html.unescape(match.group(1)) == "/admin/organisations?status=pending"
    other_page = client.get(html.unescape(match.group(1))).get_data(as_text=True)
    assert "Town 10" in other_page
    # Every other page counts the same work in its header, without listing it.
    assert _badge(other_page, "todo") == ITEMS_PER_KIND + 1


def test_an_evaluator_sees_its_assignment_until_its_scores_are_submitted(
    client: FlaskClient, create_user: Callable[..., User], login: Any
) -> None:
    cast = evaluation_builders.make_cast(create_user)
    evaluation, first, second = evaluation_builders.assigned(cast)
    first.due_date = today() - dt.timedelta(days=1)
    db.session.commit()
    login(client, cast.evaluator)
    page = _dashboard(client)
    kind = "Assignments to declare or score"
    assert _count(page, kind) == 1
    assert _badge(page, "todo") == 1
    queue = _queue(page)
    assert "Overdue" in queue
    assert f'datetime="{first.due_date.isoformat()}"' in queue
    url = _link_to(page, "declare your interests")
    assert url == f"/evaluations/{evaluation.id}"
    _opens(client, url)

    declare_conflict(cast.evaluator, first, False, "")
    declare_conflict(cast.second_evaluator, second, False, "")  # scoring opens for both
    db.session.commit()
    assert _link_to(_dashboard(client), ": score") == url

    evaluation_builders.score_all(cast, first, evaluation_builders.AGREE)
    submit_scores(cast.evaluator, first)
    db.session.commit()
    page = _dashboard(client)
    assert _count(page, kind) is None
    assert _badge(page, "todo") == 0
    assert "When the authority assigns you an evaluation" in _queue(page)


def test_a_scored_evaluation_says_how_many_disagreements_wait_before_the_decision(
    client: FlaskClient, create_user: Callable[..., User], login: Any
) -> None:
    cast = evaluation_builders.make_cast(create_user)
    evaluation_builders.scored(
        cast,
        {"ONVIF-S": "pass", "EXPORT": "5", "MASK": "4"},
        {"ONVIF-S": "fail", "EXPORT": "2", "MASK": "4"},
    )
    login(client, cast.authority)
    page = _dashboard(client)
    assert _count(page, "Scored evaluations to decide") == 1
    assert _link_to(page, ": 2 disagreements to settle first").startswith("/evaluations/")


def test_a_draft_application_waits_for_the_vendor_then_for_the_authority(
    app: Flask, create_user: Callable[..., User], login: Any
) -> None:
    cast = evaluation_builders.make_cast(create_user)
    evaluation = evaluation_builders.draft(cast)
    vendor = app.test_client()
    login(vendor, cast.vendor)
    page = _dashboard(vendor)
    assert _count(page, "Applications not submitted") == 1
    assert _badge(page, "todo") == 1
    [(url, _)] = _item_links(page)
    assert url == f"/evaluations/{evaluation.id}"
    _opens(vendor, url)

    submit_application(cast.vendor, evaluation)
    db.session.commit()
    page = _dashboard(vendor)
    assert _count(page, "Applications not submitted") is None
    assert _badge(page, "todo") == 0

    officer = app.test_client()
    login(officer, cast.assigner)
    page = _dashboard(officer)
    assert _count(page, "Evaluations to assign") == 1
    url = _link_to(page, "(application to review first)")
    assert url == f"/evaluations/{evaluation.id}"
    _opens(officer, url)

    scheme_builders.review_application(evaluation, cast.assigner)
    assign_evaluator(cast.assigner, evaluation, cast.evaluator.id, None)
    db.session.commit()
    page = _dashboard(officer)
    assert _count(page, "Evaluations to assign") is None


def test_labels_near_expiry_wait_for_their_vendor_and_the_authority(
    app: Flask, create_user: Callable[..., User], login: Any
) -> None:
    world = label_builders.make_world(create_user)
    soon = label_builders.issued_label(world)
    later = label_builders.issued_label(world)
    soon.expires_on = today() + dt.timedelta(days=30)
    later.expires_on = today() + dt.timedelta(days=90)
    db.session.commit()
    kind = "Labels expiring within 60 days"

    vendor = app.test_client()
    login(vendor, world.vendor)
    page = _dashboard(vendor)
    assert _count(page, kind) == 1
    assert later.number not in _queue(page)
    assert f'datetime="{soon.expires_on.isoformat()}"' in _queue(page)
    url = _link_to(page, soon.number)
    assert url == f"/labels/{soon.number}"
    _opens(vendor, url)

    officer = app.test_client()
    login(officer, world.authority)
    page = _dashboard(officer)
    assert _count(page, kind) == 1
    url = _link_to(page, soon.number)
    assert url == f"/labels/{soon.number}/manage"
    _opens(officer, url)

    with app.test_request_context():
        label_builders.revoke(world, db.session.merge(soon), "Withdrawn from sale")
        db.session.commit()
    assert _count(_dashboard(officer), kind) is None
    assert _count(_dashboard(vendor), kind) is None


def test_lots_wait_for_their_buyers_then_for_the_authority(
    app: Flask, create_user: Callable[..., User], login: Any
) -> None:
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    certified_market(authority, [create_user(kind=OrganisationKind.VENDOR)], "LOT-NORM")
    buyers = [create_user(kind=OrganisationKind.BUYER) for _ in range(2)]
    needs = [
        open_need(buyer, title=f"Cameras {index}", norm_code="LOT-NORM", min_level_rank=1)
        for index, buyer in enumerate(buyers)
    ]
    rounds.run_aggregation(
        authority, AggregationParameters(today=today(), region_level=1, min_vendors=0)
    )
    lot = rounds.lots_in(LotStatus.PROPOSED)[0]
    confirmation.request_confirmation(authority, lot)
    db.session.commit()

    buyer_client = app.test_client()
    login(buyer_client, buyers[0])
    page = _dashboard(buyer_client)
    assert _count(page, "Lots to confirm") == 1
    assert _badge(page, "todo") == 1
    url = _link_to(page, "Cameras 0")
    assert url == f"/procurement/needs/{needs[0].id}"
    _opens(buyer_client, url)

    for buyer in buyers:
        member = next(m for m in lot.members if m.buyer_id == buyer.organisation_id)
        confirmation.confirm_membership(buyer, member)
    db.session.commit()
    page = _dashboard(buyer_client)
    assert _count(page, "Lots to confirm") is None
    assert _badge(page, "todo") == 0

    officer = app.test_client()
    login(officer, authority)
    page = _dashboard(officer)
    assert _count(page, "Lots to freeze") == 1
    url = _link_to(page, lot.reference)
    _opens(officer, url)
    confirmation.freeze_lot(authority, lot)
    db.session.commit()
    assert _count(_dashboard(officer), "Lots to freeze") is None


def test_a_call_waits_for_offers_then_for_its_award(
    app: Flask, create_user: Callable[..., User], login: Any
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0)
    call = open_call(world, "Harbour cameras call")
    vendor_client = app.test_client()
    login(vendor_client, world.vendors[0])
    page = _dashboard(vendor_client)
    kind = "Open calls you may offer on"
    assert _count(page, kind) == 1
    assert f'datetime="{call.deadline.date().isoformat()}"' in _queue(page)
    url = _link_to(page, "Harbour cameras call")
    assert url == f"/procurement/calls/{call.id}"
    _opens(vendor_client, url)

    make_offer(world.vendors[0], call)
    assert _count(_dashboard(vendor_client), kind) is None

    officer = app.test_client()
    login(officer, world.authority)
    assert _count(_dashboard(officer), "Calls past their deadline to award") is None
    pass_deadline(call)
    page = _dashboard(officer)
    assert _count(page, "Calls past their deadline to award") == 1
    _opens(officer, _link_to(page, "Harbour cameras call"))

    awarding.award_call(world.authority, call)
    db.session.commit()
    assert _count(_dashboard(officer), "Calls past their deadline to award") is None


def test_an_award_waits_for_its_vendors_to_read_then_for_its_buyers_to_sign(
    app: Flask, create_user: Callable[..., User], login: Any
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0)
    call = open_call(world, "Harbour access call")
    make_offer(world.vendors[0], call)
    pass_deadline(call)
    awarding.award_call(world.authority, call)
    db.session.commit()
    vendor, buyer = app.test_client(), app.test_client()
    login(vendor, world.vendors[0])
    login(buyer, world.buyers[0])
    page = _dashboard(vendor)
    assert _count(page, "Award results to read") == 1
    assert call.award is not None and call.award.standstill_ends_at is not None
    assert f'datetime="{call.award.standstill_ends_at.date().isoformat()}"' in _queue(page)
    url = _link_to(page, "Harbour access call")
    assert url == f"/procurement/calls/{call.id}/letters"
    _opens(vendor, url)
    # In the standstill nothing can be signed, so nothing is asked of the buyer yet.
    assert _count(_dashboard(buyer), "Contracts to sign") is None

    pass_standstill(call)
    assert _count(_dashboard(vendor), "Award results to read") is None
    page = _dashboard(buyer)
    assert _count(page, "Contracts to sign") == 1 and _badge(page, "todo") >= 1
    url = _link_to(page, "Harbour access call")
    assert url.endswith("/sign")
    _opens(buyer, url)
    sign_contracts(call)
    assert _count(_dashboard(buyer), "Contracts to sign") is None


def test_unread_news_is_counted_in_the_header_until_marked_as_read(
    app: Flask, create_user: Callable[..., User], login: Any
) -> None:
    catalog_facts.register(app)
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    vendor = create_user(kind=OrganisationKind.VENDOR)
    buyer = create_user(kind=OrganisationKind.BUYER)
    solution = published(vendor, name="Harbour Watch")
    follow(buyer, WatchSubject.SOLUTION, solution.id)
    db.session.commit()
    make_label(solution, published_norm(authority))  # its issue notifies the follower

    client = app.test_client()
    login(client, buyer)
    page = _dashboard(client)
    assert _badge(page, "unread") == 1
    assert _count(page, "Unread news of what you follow") == 1
    assert _badge(page, "todo") == 1
    assert "Harbour Watch" in _queue(page)
    watchlist = client.get("/watchlist").get_data(as_text=True)
    assert "1 unread." in watchlist and "Mark all as read" in watchlist

    response = client.post("/watchlist/notifications/read", follow_redirects=True)
    assert "1 notification marked as read." in response.get_data(as_text=True)
    page = _dashboard(client)
    assert _badge(page, "unread") == 0
    assert _count(page, "Unread news of what you follow") is None
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "notifications.read")
    ).one()
    assert entry.actor_id == buyer.id

    again = client.post("/watchlist/notifications/read", follow_redirects=True)
    assert "You have no unread notification." in again.get_data(as_text=True)
    assert "Mark all as read" not in again.get_data(as_text=True)
