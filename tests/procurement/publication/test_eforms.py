"""The eForms-compatible notices of a call: the contract notice says nothing of offers, the
award notice exists once awarded and names the winner and each buyer's contract."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from registry.models import OrganisationKind, User
from tests.procurement import public_builders
from tests.support import mentions_number


def _notice(client: FlaskClient, call_id: int, kind: str, status: int = 200) -> dict[str, Any]:
    response = client.get(f"/procurement/public/calls/{call_id}/eforms/{kind}.json")
    assert response.status_code == status, response.get_data(as_text=True)
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    return body


def test_the_notices_follow_the_call(client: FlaskClient, create_user: Callable[..., User]) -> None:
    scene = public_builders.scene(create_user(kind=OrganisationKind.AUTHORITY))
    call = public_builders.open_call(scene)
    startup, _ = public_builders.two_offers(scene, call)
    notice = _notice(client, call.id, "contract-notice")
    assert notice["BT-02-notice"] == "cn-standard" and notice["BT-01-notice"] == "32014L0024"
    assert notice["BT-04-notice"] == call.ocid and notice["BT-765-Lot"] == "fa-wo-rc"
    assert notice["BT-131(d)-Lot"] == call.deadline.strftime("%Y-%m-%d")
    # Sealed: the offers' prices and vendors appear nowhere before the deadline.
    text = public_builders.text_of(notice)
    assert startup.vendor.name not in text and not mentions_number(text, "850")
    missing = _notice(client, call.id, "award-notice", 404)
    assert "once the call is awarded" in missing["detail"]

    public_builders.pass_deadline(call)
    award = public_builders.award(scene, call, startup, dropout_buyers=(0,))
    result = _notice(client, call.id, "award-notice")
    assert result["BT-02-notice"] == "can-standard" and result["BT-142-LotResult"] == "selec-w"
    assert result["BT-720-Tender"] == {"amount": 42500.0, "currency": "EUR"}
    assert result["BT-759-LotResult"] == 2
    assert result["OPT-300-Tenderer"] == [f"ORG-{startup.vendor_id}"]
    assert [c["BT-150-Contract"] for c in result["contracts"]] == [
        line.reference for line in award.lines
    ]
    names = {o["BT-500-Organization-Company"] for o in result["organisations"]}
    assert startup.vendor.name in names
    assert "modification" in _notice(client, call.id, "modification-notice", 404)["detail"]
    assert _notice(client, call.id, "prior-information", 404)["status"] == 404
