"""Compare: two to four published solutions side by side; drafts never show."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from catalog.compare import build_comparison
from catalog.versions import declare_version
from evaluations import catalog_facts
from evaluations.models import LabelStatus
from registry.models import OrganisationKind, User
from tests.catalog.lists_label_builders import change_status, make_label
from tests.catalog.solution_builders import draft, published
from tests.norms.norm_builders import published as published_norm


@pytest.fixture
def people(app: Flask, create_user: Callable[..., User]) -> dict[str, User]:
    """Two vendors, an evaluator and the authority, with label facts wired in."""
    catalog_facts.register(app)
    return {
        "vendor": create_user(kind=OrganisationKind.VENDOR),
        "other": create_user(kind=OrganisationKind.VENDOR),
        "evaluator": create_user(kind=OrganisationKind.EVALUATION_BODY),
        "authority": create_user(kind=OrganisationKind.AUTHORITY),
    }


def test_side_by_side_with_labels_and_criteria(
    app: Flask, client: Any, people: dict[str, User]
) -> None:
    version = published_norm(people["authority"])
    first = published(people["vendor"], name="Harbour Watch")
    second = published(people["other"], name="Quay <b>Guard</b>", standards=["CAP 1.2"])
    today = dt.date.today()
    versions = [
        declare_version(people["vendor"], first, "2.1", today - dt.timedelta(days=10)),
        declare_version(people["vendor"], first, "2.0", today - dt.timedelta(days=100)),
    ]
    make_label(
        first,
        version,
        evaluator=people["evaluator"],
        scores={"ONVIF-S": True, "EXPORT": 4, "MASK": 3},
        versions=versions,
    )
    label = make_label(
        second, version, level="Advanced", evaluator=people["evaluator"], scores={"EXPORT": 5}
    )
    change_status(label, "suspended", LabelStatus.SUSPENDED, "Audit")

    comparison = build_comparison([str(first.id), str(second.id)])
    assert comparison.ids == [first.id, second.id]
    assert comparison.norm_code == "TEST-NORM"
    rows = {row.code: row.results for row in comparison.criteria}
    assert rows["ONVIF-S"] == {first.id: "Pass", second.id: "Not scored"}
    assert rows["EXPORT"] == {first.id: "4 / 5", second.id: "5 / 5"}

    page = client.get(f"/compare?ids={first.id}&ids={second.id}").get_data(as_text=True)
    assert "Harbour Watch" in page
    assert "Quay &lt;b&gt;Guard&lt;/b&gt;" in page
    assert "<b>Guard" not in page
    assert "Suspended" in page  # the label's state shows where the solution does
    assert "CAP 1.2" in page
    assert "4 / 5" in page
    # The versions the valid label certifies; a suspended label certifies none today.
    assert comparison.certified_versions(first.id) == ["2.1", "2.0"]
    assert comparison.certified_versions(second.id) == []
    row = re.search(r'<th scope="row">Certified versions.*?</th>(.*?)</tr>', page, re.S)
    assert row is not None
    assert re.findall(r'<td class="certified-versions">(.*?)</td>', row.group(1)) == [
        "2.1, 2.0",
        "—",
    ]


def test_drafts_and_unknown_ids_are_left_out_without_saying_which(
    app: Flask, client: Any, people: dict[str, User]
) -> None:
    shown = published(people["vendor"], name="Shown")
    also = published(people["vendor"], name="Also shown")
    secret = draft(people["other"], name="Secret draft")
    response = client.get(
        f"/compare?ids={shown.id}&ids={secret.id}&ids=999999&ids=abc&ids={also.id}"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Secret draft" not in page
    assert "3 of the requested solutions are not in the catalog" in page
    assert "Shown" in page and "Also shown" in page


def test_more_than_four_is_refused_with_a_clear_message(
    app: Flask, people: dict[str, User]
) -> None:
    solutions = [published(people["vendor"], name=f"S{i}") for i in range(5)]
    comparison = build_comparison([str(s.id) for s in solutions])
    assert len(comparison.solutions) == 4
    assert any("at most 4" in message for message in comparison.messages)


def test_one_solution_asks_for_another(app: Flask, client: Any, people: dict[str, User]) -> None:
    only = published(people["vendor"], name="Lonely")
    page = client.get(f"/compare?ids={only.id}").get_data(as_text=True)
    assert "Choose at least 2 solutions" in page
    assert client.get("/compare").status_code == 200
