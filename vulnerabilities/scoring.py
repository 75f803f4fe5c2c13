"""CVSS v3.1 and v4.0 vectors, parsed and scored by the `cvss` library (no scoring of our own)."""

from __future__ import annotations

from dataclasses import dataclass

from cvss import CVSS3, CVSS4
from cvss.exceptions import CVSSError

from registry.exceptions import RuleViolation
from vulnerabilities.models import Severity


@dataclass(frozen=True)
class Scored:
    """A vector in its canonical form, its base score and its severity."""

    vector: str
    score: float
    severity: Severity


def score_v3(vector: str, field: str = "cvss_v3_vector") -> Scored:
    """A CVSS v3.x base vector ("CVSS:3.1/AV:N/…"), or a RuleViolation naming the fault."""
    text = vector.strip()
    if not text.startswith("CVSS:3."):
        raise RuleViolation('A CVSS v3 vector starts with "CVSS:3.1/".', field)
    try:
        parsed = CVSS3(text)
    except CVSSError as error:
        raise RuleViolation(f"CVSS v3 vector: {error}", field) from error
    score = float(parsed.base_score)
    return Scored(parsed.clean_vector(), score, Severity(parsed.severities()[0].lower()))


def score_v4(vector: str, field: str = "cvss_v4_vector") -> Scored:
    """A CVSS v4.0 vector ("CVSS:4.0/AV:N/…"), or a RuleViolation naming the fault."""
    text = vector.strip()
    if not text.startswith("CVSS:4.0/"):
        raise RuleViolation('A CVSS v4.0 vector starts with "CVSS:4.0/".', field)
    try:
        parsed = CVSS4(text)
    except CVSSError as error:
        raise RuleViolation(f"CVSS v4.0 vector: {error}", field) from error
    return Scored(
        parsed.clean_vector(), float(parsed.base_score), Severity(parsed.severity.lower())
    )


SEVERITY_ORDER = [Severity.NONE, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL]


def severities_from(threshold: Severity) -> list[Severity]:
    """``threshold`` and every worse severity."""
    return SEVERITY_ORDER[SEVERITY_ORDER.index(threshold) :]
