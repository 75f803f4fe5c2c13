"""Counts read as sentences: "1 label", "2 labels", never "label(s)"; amounts read
"1,000.00 EUR" everywhere (README, "Wording").

The class tests read every string the application can show or print (Python string literals
other than docstrings, and every template) and fail on a "(s)" plural, or on an amount put
beside its currency by hand instead of through `money_text` (the `money` filter), naming where.
"""

from __future__ import annotations

import ast
import re
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from registry.money import NO_AMOUNT, money_text
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


# --- amounts ------------------------------------------------------------------------------

# An expression in a template that names an amount: a price, a budget, a total, a value, a
# ceiling. Names that only start like one (the catalogue's price band and price model, a
# price request) are words, not amounts.
AMOUNT_NAME = re.compile(
    r"\b(?:\w*price\w*|\w*budget\w*|\w+_total|\w+_value|value_change|ceiling|p_ref"
    r"|legal\.threshold|(?:line|order)\.value)\b"
)
NOT_AN_AMOUNT = re.compile(r"^(?:\w+\.)*price_(?:band|model|request)\b")
TEMPLATE_EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
# A form field, a link or a button names a price without showing one.
NOT_SHOWN = re.compile(r"^\s*(?:field|url_for|submit|post_button)\(")
# "{{ x }} {{ currency }}" or a thousands format: an amount written out by hand.
HAND_MADE = re.compile(r"\}\}\s*\{\{\s*[\w.]*currency\s*\}\}|\{:,\.2f\}")
# Machine formats keep plain numbers: OCDS releases and their tender fields.
MACHINE_TEXT = ("procurement/ocds/", "procurement/calls/legal/services.py:ocds_tender_fields")


def _amounts_without_the_filter(text: str) -> list[int]:
    lines = []
    for match in TEMPLATE_EXPRESSION.finditer(text):
        expression = match.group(1)
        names = [m.group(0) for m in AMOUNT_NAME.finditer(expression)]
        if (
            any(not NOT_AN_AMOUNT.match(name) for name in names)
            and "|money(" not in expression
            and not NOT_SHOWN.match(expression)
        ):
            lines.append(text.count("\n", 0, match.start()) + 1)
    lines.extend(text.count("\n", 0, m.start()) + 1 for m in HAND_MADE.finditer(text))
    return lines


def _template_amounts_without_the_filter() -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for line in _amounts_without_the_filter(path.read_text(encoding="utf-8"))
    ]


def _currency_follows(parts: list[ast.expr], index: int) -> bool:
    """Whether the placeholder at ``index`` is followed by " EUR" or by " {…currency}"."""
    after = parts[index + 1 : index + 3]
    if not after or not isinstance(after[0], ast.Constant):
        return False
    text = str(after[0].value)
    if re.match(r" (?:EUR|€)\b", text):
        return True
    return (
        text == " "
        and len(after) == 2
        and isinstance(after[1], ast.FormattedValue)
        and ast.unparse(after[1].value).endswith("currency")
    )


def _hand_made_amounts_in(tree: ast.AST, where: str) -> list[str]:
    machine: set[int] = set()
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef) and f"{where}:{function.name}" in MACHINE_TEXT:
            machine.update(id(node) for node in ast.walk(function))
    return [
        f"{where}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr) and id(node) not in machine
        for index, part in enumerate(node.values)
        if isinstance(part, ast.FormattedValue) and _currency_follows(node.values, index)
    ]


def _python_amounts_without_money_text() -> list[str]:
    places: set[str] = set()
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            where = str(path.relative_to(ROOT))
            if where == "registry/money.py" or where.startswith(MACHINE_TEXT):
                continue  # the one place an amount meets its currency; machine formats
            tree = ast.parse(path.read_text(encoding="utf-8"))
            places.update(_hand_made_amounts_in(tree, where))
    return sorted(places)


@pytest.mark.parametrize(
    ("value", "currency", "text"),
    [
        (Decimal("1000"), "EUR", "1,000.00 EUR"),
        (Decimal("1234567.8"), "EUR", "1,234,567.80 EUR"),
        (Decimal("0"), "EUR", "0.00 EUR"),
        (Decimal("-0.001"), "EUR", "0.00 EUR"),
        (Decimal("-1500.5"), "EUR", "-1,500.50 EUR"),
        (Decimal("0.005"), "EUR", "0.01 EUR"),
        (Decimal("999.994"), "EUR", "999.99 EUR"),
        (Decimal("999.995"), "EUR", "1,000.00 EUR"),
        (26000, "EUR", "26,000.00 EUR"),
        (0.1, "EUR", "0.10 EUR"),
        (12_000_000_000, "EUR", "12,000,000,000.00 EUR"),
        (Decimal("850"), "SEK", "850.00 SEK"),
    ],
)
def test_an_amount_reads_with_thousands_cents_and_its_currency_after(
    value: Decimal | float | int, currency: str, text: str
) -> None:
    assert money_text(value, currency) == text


def test_an_unknown_amount_reads_as_a_dash() -> None:
    assert money_text(None) == NO_AMOUNT == "—"


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_the_text_of_an_amount_in_cents_reads_back_as_the_same_amount(cents: int) -> None:
    amount = Decimal(cents) / 100
    number, currency = money_text(amount).split(" ")
    assert currency == "EUR"
    assert Decimal(number.replace(",", "")) == amount
    assert re.fullmatch(r"-?\d{1,3}(?:,\d{3})*\.\d{2}", number)


def test_templates_have_the_money_filter(app: Flask) -> None:
    render = app.jinja_env.from_string(
        "{{ price|money('EUR') }}; {{ total|money }}; {{ missing|money('EUR') }}"
    )
    assert (
        render.render(price=Decimal("42500"), total=Decimal("-3.5"), missing=None)
        == "42,500.00 EUR; -3.50 EUR; —"
    )


def test_every_template_shows_an_amount_through_the_money_filter() -> None:
    assert _template_amounts_without_the_filter() == []


def test_every_message_mail_and_command_puts_an_amount_through_money_text() -> None:
    assert _python_amounts_without_money_text() == []


def test_the_amount_scans_find_an_amount_written_by_hand() -> None:
    assert _amounts_without_the_filter("at {{ line.unit_price }} {{ lot.currency }}") == [1, 1]
    assert _amounts_without_the_filter("<dd>{{ '{:,.2f}'.format(lot.total_budget) }}</dd>") == [
        1,
        1,
    ]
    assert _amounts_without_the_filter("\n{{ order.value }}") == [2]
    assert _amounts_without_the_filter("{{ line.unit_price|money(currency) }}") == []
    assert _amounts_without_the_filter("{{ solution.price_band.label }}") == []
    assert _amounts_without_the_filter("{{ field(form.max_unit_price) }}") == []
    code = ast.parse(
        'def mail(line, currency):\n    return f"at {line.unit_price} {currency}, {line.value} EUR"'
    )
    assert _hand_made_amounts_in(code, "x.py") == ["x.py:2", "x.py:2"]
    kept = ast.parse('def m(p, c):\n    return f"at {money_text(p, c)} per unit"')
    assert _hand_made_amounts_in(kept, "x.py") == []
    ocds = ast.parse('def ocds_tender_fields(c):\n    return f"{c.value} {c.currency}"')
    assert _hand_made_amounts_in(ocds, "procurement/calls/legal/services.py") == []


# --- labels, not codes --------------------------------------------------------------------

# A stored value or a machine code shown in brackets beside its words: "Valid (VALID)",
# "Acme (suspended)". The filter after the value ("|capitalize") makes it a word again.
CODE_IN_BRACKETS = re.compile(r"\(\{\{\s*[\w.]+\.(?:value|code)\s*\}\}\)")
# Codes that are themselves what a reader looks up: the published classification of
# categories and activities ("Video analysis (VIDEO-ANALYSIS)").
PUBLISHED_CODES = ("({{ facts.category.code }})", "({{ activity.code }})")


def _codes_in_brackets() -> list[str]:
    places: list[str] = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        places.extend(
            f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}"
            for match in CODE_IN_BRACKETS.finditer(text)
            if match.group(0) not in PUBLISHED_CODES
        )
    return places


def test_no_page_shows_a_stored_value_or_code_in_brackets_beside_its_words() -> None:
    assert _codes_in_brackets() == []


def test_the_code_scan_finds_a_code_in_brackets_and_not_a_capitalized_value() -> None:
    assert CODE_IN_BRACKETS.search("{{ verdict_text }} ({{ verdict.code }})")
    assert CODE_IN_BRACKETS.search("{{ label.number }} ({{ label.status.value }})")
    assert not CODE_IN_BRACKETS.search("({{ label.status.value|capitalize }})")
    assert not CODE_IN_BRACKETS.search("({{ solution.status.label }})")
