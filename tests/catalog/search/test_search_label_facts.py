"""The evaluations package's label facts, as the search index reads them."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from catalog.search import index, indexer
from catalog.search.query import query
from evaluations.catalog_facts import DatabaseLabelProvider
from evaluations.labels.status_changes import suspend_label
from registry.database import db
from registry.models import User
from tests.evaluations.labels import label_builders


def test_valid_labels_certify_and_suspension_removes_it(
    app: Flask, create_user: Callable[..., User]
) -> None:
    """A valid label makes the solution certified at its level; a suspended one does not."""
    world = label_builders.make_world(create_user, code="SRCH-FACTS")
    label = label_builders.issued_label(world, level="Certified", solution_name="Quay Watch")
    facts = DatabaseLabelProvider().summaries_for([label.solution_id])[label.solution_id]
    assert facts.certified
    assert facts.best_level == "Certified"
    assert facts.norm_codes == ["SRCH-FACTS"]
    assert facts.expiry == label.expires_on
    index.enqueue_solution_change(label.solution_id, "label.issued")
    db.session.commit()
    indexer.apply_pending()
    found = query("quay", {"certified": ["yes"]})
    assert found.ids == [label.solution_id]
    assert found.facets["norms"] == {"SRCH-FACTS": 1}

    suspend_label(world.authority, label, "Under review")
    index.enqueue_solution_change(label.solution_id, "label.suspended")
    db.session.commit()
    assert DatabaseLabelProvider().summaries_for([label.solution_id]) == {}
    indexer.apply_pending()
    assert query("quay", {"certified": ["yes"]}).ids == []
    assert query("quay", {"certified": ["no"]}).ids == [label.solution_id]
