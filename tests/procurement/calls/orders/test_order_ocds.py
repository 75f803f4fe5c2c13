"""Each order is its own OCDS process, related to its framework, and passes libcoveocds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient

from procurement.calls.orders import services
from registry.database import db
from registry.models import User
from tests.procurement.calls.orders.order_builders import framework
from tests.procurement.ocds.test_ocds_cove import assert_accepted


def test_an_order_is_a_process_of_its_own_linked_to_the_framework(
    client: FlaskClient, create_user: Callable[..., User], tmp_path: Path
) -> None:
    world = framework(create_user)
    line = world.lines[0]
    order = services.place_order(world.buyer_of(line), line, 12)
    db.session.commit()
    ocid = f"ocds-sfreg1-ORDER-{order.id:05d}"
    body = client.get(f"/procurement/ocds/{ocid}.json").json
    assert body is not None
    (release,) = body["releases"]
    assert release["ocid"] == ocid and release["tag"] == ["award", "contract"]
    assert release["relatedProcesses"][0]["relationship"] == ["framework"]
    assert release["relatedProcesses"][0]["identifier"] == world.award.call.ocid
    (contract,) = release["contracts"]
    assert contract["items"][0]["quantity"] == 12
    assert contract["value"]["amount"] == float(line.unit_price * 12)
    bulk = client.get("/procurement/ocds.json").json
    assert bulk is not None
    assert ocid in {item["ocid"] for item in bulk["releases"]}
    missing = f"ocds-sfreg1-ORDER-{order.id + 1:05d}"
    assert client.get(f"/procurement/ocds/{missing}.json").status_code == 404
    # The order's own package (the builders' call moves its deadline before its opening, which
    # its tender releases would show; the order's release does not depend on it).
    assert_accepted({ocid: body}, tmp_path)
