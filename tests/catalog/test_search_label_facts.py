"""The evaluations package's label facts, as the search index reads them."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from catalog import indexer, search
from evaluations import search_facts
from evaluations.labels.status_changes import suspend_label
from registry.database import db
from registry.models import User
from tests.evaluations.labels import label_builders


def test_valid_labels_certify_and_suspension_removes_it(
    app: Flask, create_user: Callable[..., User]
) -> None:
    """A valid label makes the solution certified at its level; a suspended one does not."""
    search_facts.register(app)
    world = label_builders.make_world(create_user, code="SRCH-FACTS")
    label = label_builders.issued_label(world, level="Certified", solution_name="Quay Watch")
    facts = search_facts.label_facts([label.solution_id])[label.solution_id]
    assert facts.certified
    assert facts.best_level == "Certified"
    assert facts.norm_codes == ["SRCH-FACTS"]
    assert facts.expiry == label.expires_on
    search.enqueue_solution_change(label.solution_id, "label.issued")
    db.session.commit()
    indexer.apply_pending()
    found = search.query("quay", {"certified": ["yes"]})
    assert found.ids == [label.solution_id]
    assert found.facets["norms"] == {"SRCH-FACTS": 1}

    suspend_label(world.authority, label, "Under review")
    search.enqueue_solution_change(label.solution_id, "label.suspended")
    db.session.commit()
    assert search_facts.label_facts([label.solution_id]) == {}
    indexer.apply_pending()
    assert search.query("quay", {"certified": ["yes"]}).ids == []
    assert search.query("quay", {"certified": ["no"]}).ids == [label.solution_id]
