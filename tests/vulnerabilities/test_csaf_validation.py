"""The CSAF validator: the OASIS schema and the BSI reference implementation's mandatory tests."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from vulnerabilities.csaf.validation import (
    Validation,
    provider_metadata_problems,
    validate,
    validate_many,
)

EXAMPLES = Path(__file__).parents[1] / "standards" / "csaf-2.0" / "examples"
ADVISORIES = sorted(
    p for p in EXAMPLES.rglob("*.json") if p.name != "provider-metadata-example.json"
)


def load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EXAMPLES / name).read_text())
    return document


@pytest.fixture(scope="module")
def results() -> dict[Path, Validation]:
    """Every example checked, with one run of the mandatory tests for all of them."""
    return dict(
        zip(ADVISORIES, validate_many([json.loads(p.read_text()) for p in ADVISORIES]), strict=True)
    )


@pytest.mark.parametrize("path", ADVISORIES, ids=lambda p: p.name)
def test_every_official_example_is_valid(path: Path, results: dict[Path, Validation]) -> None:
    result = results[path]
    assert result.mandatory_tests_ran, result.not_run_reason
    assert result.problems == []


def test_a_batch_keeps_each_documents_own_result() -> None:
    good = load("bsi-2022-0001.json")
    bad = copy.deepcopy(good)
    bad["vulnerabilities"][0]["product_status"] = {"known_affected": ["NO-SUCH-PRODUCT"]}
    bad["document"]["tracking"]["id"] = "BATCH-2026-1"
    first, second = validate_many([good, bad])
    assert first.valid
    assert [p.test for p in second.problems] == ["mandatoryTest_6_1_1"]


def test_the_provider_metadata_example_is_valid() -> None:
    assert provider_metadata_problems(load("provider-metadata-example.json")) == []


def test_a_schema_fault_names_its_path() -> None:
    document = load("bsi-2022-0001.json")
    document["document"]["tracking"]["status"] = "published"
    [problem] = validate(document).problems
    assert problem.path == "$.document.tracking.status"
    assert "published" in problem.message


def test_a_mandatory_test_fault_names_its_test_and_path() -> None:
    document = copy.deepcopy(load("bsi-2022-0001.json"))
    document["vulnerabilities"][0]["product_status"] = {"known_affected": ["NO-SUCH-PRODUCT"]}
    result = validate(document)
    assert result.mandatory_tests_ran
    assert [(p.test, p.path) for p in result.problems] == [
        ("mandatoryTest_6_1_1", "$.vulnerabilities[0].product_status.known_affected[0]")
    ]
    assert not result.valid
