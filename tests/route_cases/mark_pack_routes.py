"""The mark pack of a label: its own vendor only (a module of its own: its label's solution must
not be the vendor's first, which the joint calls' cases offer)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from tests.evaluations.labels.label_builders import LabelWorld, issued_label, published_version
from tests.routing import Case, only

CASES = [
    # The vendor's own valid label; everyone else is refused, anonymous visitors sign in.
    Case("agreement.mark_pack", "GET", "/labels/{mark_label}/mark-pack", only({"vendor": 200})),
]


def extend_world(world: dict[str, Any]) -> dict[str, Any]:
    """A valid label of the vendor."""
    people = world["people"]
    with current_app.test_request_context():
        label = issued_label(
            LabelWorld(
                authority=people["authority"],
                vendor=people["vendor"],
                evaluators=[people["evaluator"]],
                version=published_version("ROUTE-MARK"),
            )
        )
    return {"mark_label": label.number}
