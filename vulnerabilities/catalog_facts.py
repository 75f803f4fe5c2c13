"""What buyers see in the catalog and in procurement of vulnerabilities: the open ones.

An open vulnerability is a disclosed case with status confirmed (not yet fixed); nothing of an
undisclosed case ever reaches the catalog (`cases.open_cases_of` only reads disclosed ones).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask

from catalog.vulnerability_facts import OpenVulnerability, register_vulnerability_provider
from vulnerabilities.cases import open_cases_of
from vulnerabilities.models import VulnerabilityCase


def advisory_path(reference: str) -> str:
    """The public advisory page of a disclosed case."""
    return f"/advisories/{reference}"


def _score(case: VulnerabilityCase) -> float | None:
    # CVSS v4.0 is the newer rating; v3.1 when only that was given.
    return case.cvss_v4_score if case.cvss_v4_score is not None else case.cvss_v3_score


class DatabaseVulnerabilityProvider:
    """Open vulnerabilities read from the cases, as they are now."""

    def open_vulnerabilities(
        self, solution_ids: Iterable[int]
    ) -> dict[int, list[OpenVulnerability]]:
        """Disclosed confirmed cases of each solution, in one query."""
        return {
            solution_id: [
                OpenVulnerability(
                    reference=case.reference,
                    title=case.title,
                    severity=case.severity.value if case.severity is not None else "",
                    score=_score(case),
                    url=advisory_path(case.reference),
                )
                for case in cases
            ]
            for solution_id, cases in open_cases_of(solution_ids).items()
        }


def register(app: Flask) -> None:
    """Give the catalog the open vulnerabilities of solutions."""
    register_vulnerability_provider(app, DatabaseVulnerabilityProvider())
