"""The catalog's version filter: solutions whose valid labels certify a version string."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from catalog.models import Solution
from catalog.search import indexer
from catalog.search.query import query
from catalog.versions import declare_version
from evaluations.labels.issuing import issue_label
from evaluations.labels.status_changes import suspend_label
from evaluations.models import Label
from registry.database import db
from registry.dates import today
from registry.models import User
from tests.evaluations.labels import label_builders


def _label_for_version(world: label_builders.LabelWorld, name: str, version: str) -> Label:
    """A label whose evaluation was of `version` of a new solution called `name`."""
    evaluation = label_builders.certified_evaluation(world, solution_name=name)
    solution = db.session.get(Solution, evaluation.solution_id)
    assert solution is not None
    declared = declare_version(world.vendor, solution, version, today() - dt.timedelta(days=9))
    evaluation.product_version_id = declared.id
    db.session.commit()
    label = issue_label(world.authority, evaluation, public_statement="Meets the norm.")
    db.session.commit()
    return label


def test_the_version_filter_finds_solutions_certified_for_that_version(
    app: Flask, client: FlaskClient, create_user: Callable[..., User]
) -> None:
    world = label_builders.make_world(create_user, code="SRCH-VER")
    watch = _label_for_version(world, "Quay Watch", "4.2")
    guard = _label_for_version(world, "Quay Guard", "4.2.1")
    indexer.apply_pending()

    assert query("", {"version": ["4.2"], "certified": ["yes"]}).ids == [watch.solution_id]
    assert query("", {"version": ["4.2.1"]}).ids == [guard.solution_id]
    assert sorted(query("", {"version": ["4.2", "4.2.1"]}).ids) == sorted(
        [watch.solution_id, guard.solution_id]
    )
    assert query("", {"version": ["4"]}).ids == []  # exact, not a prefix
    # Other facets count with the version filter applied.
    assert query("", {"version": ["4.2"]}).facets["norms"] == {"SRCH-VER": 1}

    page = client.get("/catalog?version=4.2").get_data(as_text=True)
    assert "Quay Watch" in page
    assert "Quay Guard" not in page
    assert 'name="version" type="text" value="4.2"' in page
    assert "Certified version: 4.2" in page

    body = client.get("/api/v1/catalog/search?version=4.2.1").get_json()
    assert body["ids"] == [guard.solution_id]
    assert body["hits"][0]["certified_versions"] == ["4.2.1"]
    assert "version" not in body["facets"]

    # A suspended label certifies nothing: its versions leave the filter.
    suspend_label(world.authority, watch, "Under review")
    db.session.commit()
    indexer.apply_pending()
    assert query("", {"version": ["4.2"]}).ids == []
    assert query("", {"version": ["4.2"], "certified": ["no"]}).ids == []


def test_a_version_outside_every_label_scope_finds_nothing(
    app: Flask, create_user: Callable[..., User]
) -> None:
    world = label_builders.make_world(create_user, code="SRCH-VER2")
    label = _label_for_version(world, "Quay Watch", "4.2")
    solution = db.session.get(Solution, label.solution_id)
    assert solution is not None
    # Declared later, never evaluated nor added by maintenance: not certified.
    declare_version(world.vendor, solution, "5.0", today())
    db.session.commit()
    indexer.rebuild()
    assert query("", {"version": ["5.0"]}).ids == []
    assert query("", {"version": ["4.2"]}).ids == [label.solution_id]
