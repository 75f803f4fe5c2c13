"""The public joint-procurement pages: anyone reads the notices and outcomes, never a sealed
offer."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from registry.dates import when
from registry.models import OrganisationKind, User
from tests.procurement import public_builders


def _page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_the_index_has_an_empty_state_and_lists_calls_by_phase(
    app: Flask, client: FlaskClient, create_user: Callable[..., User]
) -> None:
    assert "No joint call has been opened yet" in _page(client, "/procurement/public")
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    scene = public_builders.scene(authority)
    call = public_builders.open_call(scene)
    other = public_builders.scene(authority, norm_code="PUB-NORM-2", suffix=" (2)")
    closed = public_builders.open_call(other, document=False)
    public_builders.pass_deadline(closed)
    public_builders.unsuccessful(other, closed, "No compliant offer.")
    page = _page(client, "/procurement/public")
    assert call.title in page and "Open for offers" in page and "Unsuccessful" in page
    taking = _page(client, "/procurement/public?phase=taking_offers")
    assert call.reference in taking and closed.reference not in taking
    unsuccessful = _page(client, "/procurement/public?phase=unsuccessful")
    assert closed.reference in unsuccessful and call.reference not in unsuccessful
    assert "No joint call is awarded" in _page(client, "/procurement/public?phase=awarded")
    # Unknown filters and pages fall back quietly.
    assert call.reference in _page(client, "/procurement/public?phase=%27--&page=x")
    assert "Joint procurement" in _page(client, "/")


def test_before_the_deadline_the_notice_shows_no_offer(
    app: Flask, client: FlaskClient, create_user: Callable[..., User]
) -> None:
    scene = public_builders.scene(create_user(kind=OrganisationKind.AUTHORITY))
    call = public_builders.open_call(scene)
    public_builders.two_offers(scene, call)
    page = _page(client, f"/procurement/public/calls/{call.id}")
    for fact in (
        "City of Rennes",
        "Brest Metropole",
        "Quimper Police",
        "Buyers (3)",
        "<dd>60 (unit: licence)</dd>",
        "<dd>75 (unit: licence), with the buyers",
        "PUB-NORM",
        when(call.deadline),
        "offers are sealed until then",
        call.ocid,
    ):
        assert fact in page, fact
    for secret in ("Startup Vision", "Large Optics", "850", "880", "Offers received"):
        assert not public_builders.reveals(page, secret), secret
    link = f"/procurement/public/calls/{call.id}/documents/1"
    assert link in page
    download = client.get(link)
    assert download.status_code == 200
    assert download.data.startswith(b"%PDF")
    assert "attachment" in download.headers["Content-Disposition"]
    assert client.get(f"/procurement/public/calls/{call.id}/documents/2").status_code == 404
    assert client.get("/procurement/public/calls/2147483647").status_code == 404


def test_after_the_deadline_only_the_number_of_offers_is_shown(
    app: Flask, client: FlaskClient, create_user: Callable[..., User]
) -> None:
    scene = public_builders.scene(create_user(kind=OrganisationKind.AUTHORITY))
    call = public_builders.open_call(scene)
    public_builders.two_offers(scene, call)
    public_builders.pass_deadline(call)
    page = _page(client, f"/procurement/public/calls/{call.id}")
    assert "<dt>Offers received</dt><dd>2</dd>" in page
    assert "Awaiting award" in page and "examining the offers" in page
    assert "Startup Vision" not in page and not public_builders.reveals(page, "850")


def test_after_the_award_the_outcome_is_public(
    app: Flask, client: FlaskClient, create_user: Callable[..., User]
) -> None:
    scene = public_builders.scene(create_user(kind=OrganisationKind.AUTHORITY))
    call = public_builders.open_call(scene)
    startup, _ = public_builders.two_offers(scene, call)
    public_builders.pass_deadline(call)
    award = public_builders.award(scene, call, startup, dropout_buyers=(0,))
    page = _page(client, f"/procurement/public/calls/{call.id}")
    for fact in (
        "Startup Vision",
        startup.solution.name,
        "850.00 EUR",
        "42,500.00 EUR",
        # 42 500 paid for 50 licences against 50 × 800 published, and against 50 × 880 (the
        # lowest price either bidder gives 20 or 30 licences alone).
        "<dt>Offers received</dt><dd>2</dd>",
        "6.2 % more paid",
        "against 40,000.00 EUR",
        "3.4 % saved",
        "against 44,000.00 EUR",
        "Contracts, one per buyer (2)",
        award.lines[0].reference,
        "17,000.00 EUR",
        "25,500.00 EUR",
        "Buyers that left the award (1)",
        "City of Rennes: its ceiling was below the price of 850.00 EUR at that step",
    ):
        assert fact in page, fact
    assert "Large Optics" not in page
    # The buyers' ceilings (900.00) are theirs, also the one of the buyer that left.
    assert not public_builders.reveals(page, "900")


def test_the_publication_policy_names_the_licence_and_the_downloads(
    app: Flask, client: FlaskClient
) -> None:
    page = _page(client, "/procurement/public/open-data")
    assert "creativecommons.org/publicdomain/zero/1.0" in page
    assert "/procurement/ocds.json" in page and "/api/v1/calls" in page
