"""No input gets a 5xx: hostile query strings, paths and form bodies on every route, every role.

Each (endpoint, method) of `app.url_map` is reached through its route-walk case (real ids of
the shared world fill the path), then sent generated requests: query strings of arbitrary bytes,
huge, negative and non-numeric integers, unknown values and repeated keys; a path segment
replaced by hostile bytes; form bodies with arbitrary fields, invalid UTF-8 and oversized
numbers. Whatever comes back must be below 500 and show no traceback. The examples are
derandomised, so a run is reproducible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_from_bytes, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from wtforms import DecimalField, FloatField, IntegerField
from wtforms.fields.core import UnboundField

from procurement.models import Need
from registry.auth import matching_totp_counter
from registry.database import db
from registry.forms import BoundedIntegerField
from registry.models import Organisation, OrganisationKind, User
from tests.route_cases.procurement_routes import NEED_FORM
from tests.routing import READ, ROLES, Case, build_world, collect_cases, path_values
from tests.support import PASSWORD

CASES, WORLD_EXTENDERS = collect_cases()
EXAMPLES_PER_ROUTE = 3
# Every name the views read from a query string, so generated values reach the parsing code.
PARAMETER_NAMES = (
    "page",
    "per_page",
    "q",
    "sort",
    "status",
    "kind",
    "phase",
    "category",
    "activity",
    "activities",
    "label_level",
    "regions",
    "price_band",
    "vendor_size",
    "privacy",
    "certified",
    "solution",
    "vendor",
    "norm",
    "compare",
    "ids",
    "from",
    "to",
    "like_solution",
    "organisation_id",
    "object_type",
    "object_id",
    "action",
    "actor",
    "since",
    "until",
    "next",
)
# Numeric and id fields of the forms, sent with out-of-range numbers.
FORM_FIELD_NAMES = (
    "firm_quantity",
    "optional_quantity",
    "max_unit_price",
    "min_level_rank",
    "lead_time_days",
    "contract_months",
    "tier_quantity_1",
    "tier_price_1",
    "weight",
    "validity_months",
    "category_id",
    "section_id",
    "solution_id",
    "version_id",
    "evaluator_id",
    "criterion_id",
    "shortlist_id",
    "lock_version",
    "min_buyers",
    "min_vendors",
    "procedure_days",
    "solution",
    "lot_value_cap",
    "min_saving_percent",
    "beta",
    "level",
    "value",
    "code",
    "interval_months",
    "retest_percent",
    "days_to_complete",
)
NUMBER_TEXTS = (
    "99999999999999999999",
    "-99999999999999999999",
    "2147483648",
    "9223372036854775808",
    "-1",
    "0",
    "1e999",
    "-1e999",
    "NaN",
    "inf",
    "0x10",
    "1_000",
    "\u00b2",  # a superscript two: str.isdigit() says yes, int() says no
    "\u0661\u0662",  # Arabic-Indic digits
    "\u0661\u0662\u0663\u0664\u0665\u0666",  # six of them, a one-time code's shape
    " 7 ",
    "9" * 5000,
    "1" + "0" * 400 + ".5",
)
ODD_TEXTS = ("", "\x00", "a\x00b", "%00", "' OR 1=1--", "../../etc", "9999-99-99", "zz-unknown")

numbers = st.one_of(
    st.sampled_from(NUMBER_TEXTS), st.integers(min_value=-(2**80), max_value=2**80).map(str)
)
texts = st.one_of(
    numbers,
    st.sampled_from(ODD_TEXTS),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=30),
    st.just("x" * 20_000),
)


def _quoted(value: str | bytes) -> str:
    raw = value.encode() if isinstance(value, str) else value
    return quote_from_bytes(raw, safe="")


# One key=value of a query string or form body, as the bytes a client would send.
pairs = st.one_of(
    st.tuples(st.sampled_from(PARAMETER_NAMES), texts).map(
        lambda p: f"{p[0]}={_quoted(p[1])}".encode()
    ),
    # Percent-encoded invalid UTF-8, e.g. %FF%FE.
    st.tuples(st.sampled_from(PARAMETER_NAMES), st.binary(max_size=12)).map(
        lambda p: f"{p[0]}={_quoted(p[1])}".encode()
    ),
    # Raw bytes as they come, undecoded.
    st.tuples(st.sampled_from(PARAMETER_NAMES), st.binary(max_size=12)).map(
        lambda p: p[0].encode() + b"=" + p[1]
    ),
    st.binary(max_size=20),
)
raw_queries = st.lists(pairs, max_size=6).map(b"&".join)
segments = st.one_of(numbers, st.sampled_from(ODD_TEXTS), st.binary(min_size=1, max_size=16))


@dataclass(frozen=True)
class Hostile:
    """One generated request: a raw query string, a replaced path segment, a body."""

    query: bytes = b""
    segment: tuple[int, str | bytes] | None = None
    body: bytes | None = None
    fields: tuple[tuple[str, str], ...] | None = None


@st.composite
def hostile_requests(draw: st.DrawFn, case: Case) -> Hostile:
    """A hostile query, path segment or (for a method with a body) form, built on `case`."""
    kinds = ["query", "segment"] + (["body", "fields"] if case.method != "GET" else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "query":
        return Hostile(query=draw(raw_queries))
    if kind == "segment":
        return Hostile(segment=(draw(st.integers(0, 10)), draw(segments)))
    if kind == "body":
        return Hostile(body=draw(raw_queries))
    # The route's own (valid) form with some fields replaced, so checks past the first pass.
    extra = draw(st.lists(st.sampled_from(FORM_FIELD_NAMES), min_size=1, max_size=2))
    names = sorted({*case.data, *extra})
    replaced = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3))
    return Hostile(fields=tuple((name, draw(texts)) for name in replaced))


# What the examples above came from, sent to every route as well.
FIXED_EXAMPLES = [
    Hostile(
        query=b"page=99999999999999999999&per_page=1e999&solution=99999999999999999999"
        b"&organisation_id=99999999999999999999&like_solution=99999999999999999999"
        b"&from=99999999999&to=%C2%B2&ids=99999999999999999999&compare=-1"
    ),
    Hostile(query=b"page=-1&per_page=-99999999999999999999&status=zz&page=2&status=y&sort=zz"),
    Hostile(query=b"q=%FF%FE&status=%FF&page=%FF"),
    Hostile(query=b"q=\xff\xfe&status=\xff"),
    Hostile(query=b"q=a%00b&status=%00&category=%00"),
    Hostile(segment=(1, b"\xff\xfe")),
    Hostile(segment=(2, "a\x00b")),
    Hostile(segment=(2, "99999999999999999999")),
    Hostile(body=b"name=\xff\xfe&reason=%FF%FE&title=a%00b"),
    Hostile(fields=tuple((name, "99999999999999999999") for name in FORM_FIELD_NAMES)),
    Hostile(fields=tuple((name, "-1e999") for name in FORM_FIELD_NAMES[:-1])),
]


def _target(case: Case, values: dict[str, int], hostile: Hostile) -> tuple[str, str]:
    """The raw PATH_INFO and QUERY_STRING (WSGI strings: bytes read as latin-1)."""
    path, _, query = case.path.format(**values).partition("?")
    raw_path = path.encode()
    if hostile.segment is not None:
        parts = raw_path.split(b"/")
        index, value = hostile.segment
        position = 1 + index % max(1, len(parts) - 1)
        parts[position] = value.encode() if isinstance(value, str) else value
        raw_path = b"/".join(parts)
    raw_query = b"&".join(part for part in (query.encode(), hostile.query) if part)
    return raw_path.decode("latin-1"), raw_query.decode("latin-1")


def _send(client: FlaskClient, case: Case, values: dict[str, int], hostile: Hostile) -> Any:
    path_info, query_string = _target(case, values, hostile)
    environ = {"PATH_INFO": path_info, "QUERY_STRING": query_string}
    if hostile.body is not None:
        return client.open(
            "/",
            method=case.method,
            data=hostile.body,
            content_type="application/x-www-form-urlencoded",
            environ_overrides=environ,
        )
    fields = {**case.data, **dict(hostile.fields or ())}
    if len(hostile.fields or ()) % 2:
        # Every other generated form goes as multipart, the other parser.
        return client.open(
            "/",
            method=case.method,
            data=fields,
            content_type="multipart/form-data",
            environ_overrides=environ,
        )
    body = urlencode(fields).encode() if case.method != "GET" else None
    return client.open(
        "/",
        method=case.method,
        data=body,
        content_type="application/x-www-form-urlencoded" if body is not None else None,
        environ_overrides=environ,
    )


def _routes(app: Flask) -> list[Case]:
    """One case per (endpoint, method) of the URL map, reads first, sign-outs last."""
    chosen: dict[tuple[str, str], Case] = {}
    for case in CASES:
        key = (case.endpoint, case.method)
        # Prefer a case that sends a form: its fields are what the generated bodies alter.
        if key not in chosen or (case.data and not chosen[key].data):
            chosen[key] = case
    declared = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if rule.endpoint != "static" and method not in {"HEAD", "OPTIONS"}
    }
    assert declared <= set(chosen), "routes without a case in tests/route_cases/"
    return sorted((chosen[key] for key in declared), key=lambda case: case.phase)


@pytest.fixture
def world(
    app: Flask, create_organisation: Callable[..., Organisation], create_user: Callable[..., User]
) -> dict[str, Any]:
    """The route walk's world: an organisation per role and the objects its cases name."""
    return build_world(app, create_organisation, create_user, WORLD_EXTENDERS)


@pytest.mark.parametrize("role", ROLES)
def test_no_hostile_request_gets_a_server_error(
    app: Flask, world: dict[str, Any], login: Any, role: str
) -> None:
    client = app.test_client()
    actor = world["people"].get(role)
    if actor is not None:
        login(client, actor)
    values = path_values(world, role)
    failures: list[str] = []
    for case in _routes(app):
        try:
            _walk_route(client, case, values)
        except Exception as error:  # noqa: BLE001 - every route's failure is reported at once
            failures.append(f"{case.method} {case.endpoint}: {str(error).splitlines()[0]}")
        if case.phase > READ and actor is not None and not _signed_in(client):
            login(client, actor)
    assert not failures, f"as {role}:\n" + "\n".join(failures)


def _walk_route(client: FlaskClient, case: Case, values: dict[str, int]) -> None:
    """Send the fixed examples and the generated ones to one route; raise on the first 5xx."""

    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        derandomize=True,
        database=None,
        deadline=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(hostile=hostile_requests(case))
    def check(hostile: Hostile) -> None:
        response = _send(client, case, values, hostile)
        where = f"{case.method} {case.endpoint} with {hostile!r}"[:600]
        assert response.status_code < 500, f"{response.status_code}: {where}"
        assert b"Traceback" not in response.data, where

    for fixed in FIXED_EXAMPLES:
        if case.method != "GET" or (fixed.body is None and fixed.fields is None):
            check = example(hostile=fixed)(check)
    check()


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/dashboard").status_code == 200


def test_every_integer_form_field_is_bounded(app: Flask) -> None:
    def subclasses(cls: type) -> list[type]:
        found = [cls]
        direct_subclasses: list[type] = cls.__subclasses__()
        for direct in direct_subclasses:
            found += subclasses(direct)
        return found

    unbounded = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in subclasses(FlaskForm)
        for name, value in vars(form).items()
        if isinstance(value, UnboundField)
        and issubclass(value.field_class, IntegerField | DecimalField | FloatField)
        and not issubclass(value.field_class, BoundedIntegerField)
    ]
    assert not unbounded, "numeric form fields the database may not hold:\n" + "\n".join(unbounded)


def test_a_number_the_column_cannot_hold_is_a_field_error(
    client: FlaskClient, create_user: Callable[..., User], login: Any
) -> None:
    login(client, create_user(kind=OrganisationKind.BUYER))
    form = {**NEED_FORM, "firm_quantity": "99999999999999999999", "title": "Too many"}
    response = client.post("/procurement/needs/new", data=form)
    assert response.status_code == 200
    assert "Give a whole number from" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Need)) == 0


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        (b"q=%FF%FE", "parameter q"),
        (b"q=\xff\xfe", "parameter q"),
        (b"category=a%00b", "parameter category"),
        (b"category=video&%C3=1", "a parameter name"),
    ],
)
def test_a_query_string_that_is_not_text_is_refused(
    client: FlaskClient, query: bytes, parameter: str
) -> None:
    environ = {"QUERY_STRING": query.decode("latin-1")}
    page = client.get("/solutions", environ_overrides=environ)
    assert page.status_code == 400
    assert parameter in page.get_data(as_text=True)
    assert client.get("/api/v1/solutions", environ_overrides=environ).status_code == 400


def test_a_form_body_that_is_not_text_is_refused(
    client: FlaskClient, create_user: Callable[..., User], login: Any
) -> None:
    login(client, create_user(kind=OrganisationKind.BUYER))
    response = client.post(
        "/procurement/needs/new",
        data=b"title=\xff&firm_quantity=5",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "form field title" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Need)) == 0


def test_pages_forgive_paging_and_refuse_ids_out_of_range(
    client: FlaskClient, create_user: Callable[..., User], login: Any
) -> None:
    for page in ("99999999999999999999", "-99999999999999999999", "1e999", "\u00b2"):
        assert client.get(f"/catalog?page={page}&per_page={page}").status_code == 200
        # The API holds `page` to its declared range instead (problem details, 400).
        assert client.get(f"/api/v1/solutions?page={page}").status_code == 400
    login(client, create_user(kind=OrganisationKind.AUTHORITY))
    response = client.get("/admin/audit?organisation_id=99999999999999999999")
    assert response.status_code == 400
    assert "parameter organisation_id" in response.get_data(as_text=True)
    assert client.get("/admin/audit?organisation_id=2147483647").status_code == 200


def test_a_code_in_other_digits_is_a_field_error(
    client: FlaskClient, create_user: Callable[..., User]
) -> None:
    user = create_user(kind=OrganisationKind.AUTHORITY)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert "/login/totp" in response.location
    # Arabic-Indic digits: str.isdigit() takes them, hmac.compare_digest does not.
    response = client.post("/login/totp", data={"code": "\u0661\u0662\u0663\u0664\u0665\u0666"})
    assert response.status_code == 200
    assert "Enter 6 digits." in response.get_data(as_text=True)
    assert matching_totp_counter(user.totp_secret or "", "\u0661" * 6, None) is None
