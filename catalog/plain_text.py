"""Cleaning what vendors type: control characters, whitespace, lists and lengths."""

from __future__ import annotations

import unicodedata

from registry.exceptions import RuleViolation


def _without_controls(text: str) -> str:
    # NUL and other control characters break PostgreSQL text or hide content; drop them.
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def one_line(text: str | None) -> str:
    """Collapse all whitespace (newlines included) to single spaces and drop control characters."""
    return " ".join(_without_controls(text or "").split())


def multi_line(text: str | None) -> str:
    """Keep line breaks, drop control characters and trailing blanks."""
    cleaned = _without_controls((text or "").replace("\r\n", "\n"))
    return "\n".join(line.rstrip() for line in cleaned.split("\n")).strip("\n")


def clean_list(
    values: list[str], max_length: int, max_items: int, field_name: str, what: str
) -> list[str]:
    """One-line, non-empty, case-insensitively unique items, each and all within limits."""
    seen: set[str] = set()
    result = []
    for value in values:
        item = one_line(value)
        if not item or item.casefold() in seen:
            continue
        if len(item) > max_length:
            raise RuleViolation(
                f"Each {what} must be at most {max_length} characters: “{item[:40]}…” is longer.",
                field_name,
            )
        seen.add(item.casefold())
        result.append(item)
    if len(result) > max_items:
        raise RuleViolation(f"List at most {max_items} {what}s.", field_name)
    return result


def check_length(value: str, maximum: int, field_name: str, label: str) -> str:
    """The value, or a RuleViolation on `field_name` when it is too long."""
    if len(value) > maximum:
        raise RuleViolation(f"{label} must be at most {maximum} characters.", field_name)
    return value
