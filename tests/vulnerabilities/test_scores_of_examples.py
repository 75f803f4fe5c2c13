"""Each CVSS vector of the official CSAF examples scores as the `cvss` library and the file say."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cvss import CVSS3

from vulnerabilities.scoring import score_v3

EXAMPLES = Path(__file__).parents[1] / "standards" / "csaf-2.0" / "examples"


def cvss_v3_scores() -> Iterator[dict[str, Any]]:
    """Each cvss_v3 object of every example advisory."""
    for path in sorted(EXAMPLES.rglob("*.json")):
        document = json.loads(path.read_text())
        for vulnerability in document.get("vulnerabilities", []):
            for score in vulnerability.get("scores", []):
                if "cvss_v3" in score:
                    yield score["cvss_v3"]


SCORES = list(cvss_v3_scores())


def test_the_examples_carry_vectors() -> None:
    assert len({s["vectorString"] for s in SCORES}) >= 5


@pytest.mark.parametrize("given", SCORES, ids=lambda s: s["vectorString"])
def test_our_score_is_the_librarys_and_the_advisorys(given: dict[str, Any]) -> None:
    ours = score_v3(given["vectorString"])
    assert ours.score == float(CVSS3(given["vectorString"]).base_score) == given["baseScore"]
    assert ours.severity.value == given["baseSeverity"].lower()
