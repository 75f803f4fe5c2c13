"""The checks that guard norm changes: formats, limits, levels, and the draft-only rule.

`require_draft` is what makes publication final: every service that edits a version calls
it first; it locks the version row and refuses anything but a draft of an active norm.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select

from registry.database import db
from registry.exceptions import RuleViolation
from registry.norms.models import (
    MAX_VALIDITY_MONTHS,
    MIN_VALIDITY_MONTHS,
    Norm,
    NormStatus,
    NormVersion,
    NormVersionStatus,
)

NORM_CODE = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")
CRITERION_CODE = re.compile(r"[A-Z0-9]+(?:[.\-][A-Z0-9]+)*")
NORM_CODE_LENGTH = (2, 40)
CRITERION_CODE_LENGTH = (1, 40)
DEFAULT_VALIDITY_MONTHS = 36
DEFAULT_LEVELS: tuple[tuple[str, int], ...] = (("Certified", 60), ("Advanced", 80))
MAX_LEVELS = 5
MAX_STANDARDS = 30
MAX_GUIDANCE = 5000
MAX_DESCRIPTION = 5000
MAX_NOTE = 2000
# How far ahead a transition date may be set: beyond this it is surely a typo (year 2206).
MAX_TRANSITION_DAYS = 5 * 366


def one_line(text: str) -> str:
    """Collapse runs of white space (new lines included) to single spaces."""
    return " ".join(text.split())


def lock_version(version: NormVersion) -> NormVersion:
    """Re-read the version from the database under a row lock."""
    # A concurrent publication then waits for us, or we see its result (PostgreSQL; SQLite
    # serialises writers with BEGIN IMMEDIATE).
    db.session.flush()
    return db.session.scalars(
        select(NormVersion)
        .where(NormVersion.id == version.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def require_draft(version: NormVersion) -> NormVersion:
    """The version, locked, if it is a draft of an active norm; RuleViolation otherwise."""
    version = lock_version(version)
    if version.status is not NormVersionStatus.DRAFT:
        raise RuleViolation(
            f"{version.label} is {version.status.value}: a published version never changes. "
            "Start a new draft to change the norm."
        )
    if version.norm.status is not NormStatus.ACTIVE:
        raise RuleViolation(f"{version.norm.code} is withdrawn; its versions cannot change.")
    return version


def require_active(norm: Norm) -> None:
    """Refuse anything on a withdrawn norm."""
    if norm.status is not NormStatus.ACTIVE:
        raise RuleViolation(f"{norm.code} is withdrawn; nothing more can be done with it.")


def clean_title(title: str, field: str = "title", what: str = "a title") -> str:
    """A one-line title of at most 200 characters, or a RuleViolation on `field`."""
    title = one_line(title)
    if not title:
        raise RuleViolation(f"Give {what}.", field)
    if len(title) > 200:
        raise RuleViolation("Keep it to 200 characters.", field)
    return title


def clean_text(text: str, limit: int, field: str) -> str:
    """Multi-line text with its ends trimmed, at most `limit` characters."""
    text = text.strip().replace("\r\n", "\n")
    if len(text) > limit:
        raise RuleViolation(f"Keep it to {limit} characters.", field)
    return text


def level_problems(levels: Sequence[tuple[str, Any]]) -> list[str]:
    """What is wrong with a list of (level name, minimum percent), lowest level first."""
    problems: list[str] = []
    if not levels:
        return ["Define at least one level (e.g. Certified at 60 %)."]
    if len(levels) > MAX_LEVELS:
        problems.append(f"At most {MAX_LEVELS} levels.")
    names: set[str] = set()
    previous: int | None = None
    for name, minimum in levels:
        if not name or len(name) > 60:
            problems.append("Each level needs a name of at most 60 characters.")
        elif name.casefold() in names:
            problems.append(f"The level “{name}” appears twice.")
        names.add((name or "").casefold())
        if isinstance(minimum, bool) or not isinstance(minimum, int) or not 1 <= minimum <= 100:
            problems.append(f"The minimum of “{name}” must be a whole percent from 1 to 100.")
            continue
        if previous is not None and minimum <= previous:
            problems.append(
                "List levels from the lowest minimum to the highest, each strictly above "
                f"the one before (“{name}” at {minimum} % is not above {previous} %)."
            )
        previous = minimum
    return problems


def checked_validity(months: Any) -> int:
    """A label validity in months within the allowed range."""
    if (
        isinstance(months, bool)
        or not isinstance(months, int)
        or not MIN_VALIDITY_MONTHS <= months <= MAX_VALIDITY_MONTHS
    ):
        raise RuleViolation(
            f"Label validity is a whole number of months from {MIN_VALIDITY_MONTHS} "
            f"to {MAX_VALIDITY_MONTHS}.",
            "validity_months",
        )
    return months


def checked_standards(references: Iterable[str]) -> list[str]:
    """Referenced standards, one per item: trimmed, without blanks or duplicates."""
    cleaned: list[str] = []
    for reference in references:
        reference = one_line(reference)
        if not reference:
            continue
        if len(reference) > 200:
            raise RuleViolation(
                f"“{reference[:40]}…” is longer than 200 characters; shorten it.", "standards"
            )
        if reference.casefold() not in {r.casefold() for r in cleaned}:
            cleaned.append(reference)
    if len(cleaned) > MAX_STANDARDS:
        raise RuleViolation(f"At most {MAX_STANDARDS} referenced standards.", "standards")
    return cleaned
