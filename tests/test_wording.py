"""Counts read as sentences: "1 label", "2 labels", never "label(s)" (README, "Wording").

The class test reads every string the application can show or print (Python string literals
other than docstrings, and every template) and fails on a "(s)" plural, naming where it is.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from registry.wording import counted, plural_of

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("registry", "catalog", "evaluations", "vulnerabilities", "procurement", "complaints")
# A word, or a placeholder's end, followed by "(s)": "label(s)", "{unit}(s)". Not "http(s)://"
# (a scheme) nor "badge(s)" within a name such as privacy_badge(s) (a call).
PARENTHESISED_PLURAL = re.compile(r"(?:(?<!\w)[A-Za-z]+|\})\(s\)(?!:)")


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _parenthesised_plurals() -> list[str]:
    places = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            skip = _docstrings(tree)
            for node in ast.walk(tree):
                if isinstance(node, ast.JoinedStr):
                    # An f-string reads as its text with "{}" for each placeholder.
                    text = "".join(
                        str(part.value) if isinstance(part, ast.Constant) else "{}"
                        for part in node.values
                    )
                    skip.update(id(part) for part in node.values)
                elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                    text = node.value
                else:
                    continue
                if id(node) not in skip and PARENTHESISED_PLURAL.search(text):
                    places.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if PARENTHESISED_PLURAL.search(line):
                places.append(f"{path.relative_to(ROOT)}:{number}")
    return places


def test_no_message_page_or_command_writes_a_parenthesised_plural() -> None:
    assert _parenthesised_plurals() == []


def test_the_scan_finds_a_parenthesised_plural_in_code_and_not_in_a_scheme() -> None:
    assert PARENTHESISED_PLURAL.search('f"{count} label(s) expired."')
    assert PARENTHESISED_PLURAL.search("{{ n }} {{ unit }}(s) remain")
    assert PARENTHESISED_PLURAL.search("{{ lot.unit.label|lower }}(s) estimated")
    assert not PARENTHESISED_PLURAL.search("an http(s):// address")
    assert not PARENTHESISED_PLURAL.search("{{ privacy_badge(s) }}")


@given(st.integers(min_value=0, max_value=10**6))
def test_one_is_singular_and_every_other_count_plural(count: int) -> None:
    text = counted(count, "label")
    assert text == (f"{count} label" if count == 1 else f"{count} labels")


def test_regular_and_given_plurals() -> None:
    assert [plural_of(noun) for noun in ("copy", "day", "box", "match", "need")] == [
        "copies",
        "days",
        "boxes",
        "matches",
        "needs",
    ]
    assert counted(2, "person", "people") == "2 people"
    assert counted(1, "person", "people") == "1 person"


def test_templates_have_the_filter(app: Flask) -> None:
    render = app.jinja_env.from_string("{{ 1|counted('officer') }}; {{ 3|counted('entry') }}")
    assert render.render() == "1 officer; 3 entries"
