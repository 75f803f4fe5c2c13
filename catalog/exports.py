"""Open data: the certified catalog as CSV and JSON, built once per change of the catalog.

"Certified" means: a published solution of an active vendor holding at least one VALID label.
The CSV has one row per (solution, valid label); the JSON one record per solution with its
valid labels. Ids are the database ids, which never change or get reused.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Response, current_app, url_for
from sqlalchemy import func, select

from catalog import services
from catalog.label_facts import VALID, LabelFact, label_provider
from catalog.models import Solution
from catalog.regions import region_name
from catalog.search.models import SearchChange
from registry.database import db, utcnow
from registry.dates import today

bp = Blueprint("open_data", __name__)

DEFAULT_LICENCE = {
    "name": "Licence Ouverte / Open Licence 2.0",
    "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
# OWASP "CSV injection": a spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_COLUMNS = (
    "solution_id",
    "solution_name",
    "solution_url",
    "vendor_id",
    "vendor_name",
    "vendor_size",
    "primary_category",
    "activities",
    "maturity",
    "standards",
    "privacy_sensitive",
    "uses_biometrics",
    "uses_facial_recognition",
    "price_model",
    "price_band",
    "regions",
    "label_id",
    "label_number",
    "label_status",
    "label_level",
    "label_score_percent",
    "norm_code",
    "norm_title",
    "norm_version",
    "label_issued_on",
    "label_expires_on",
    "label_verification_url",
    "certified_versions",
)


def spreadsheet_safe(value: Any) -> str:
    """A cell's text, with a leading quote when a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def certified_solutions() -> list[tuple[Solution, list[LabelFact]]]:
    """Published solutions with at least one valid label, by id, each with its valid labels."""
    solutions = list(
        db.session.scalars(services.public_solutions().order_by(None).order_by(Solution.id))
    )
    labels = label_provider().labels_for([s.id for s in solutions], statuses=[VALID])
    return [
        (solution, sorted(labels[solution.id], key=lambda label: label.number))
        for solution in solutions
        if labels[solution.id]
    ]


def _solution_record(solution: Solution) -> dict[str, Any]:
    category = solution.primary_category
    vendor = solution.vendor
    return {
        "id": solution.id,
        "name": solution.name,
        "url": url_for("catalog.solution", solution_id=solution.id, _external=True),
        "vendor": {
            "id": vendor.id,
            "name": vendor.name,
            "size": vendor.vendor_size.value if vendor.vendor_size else None,
        },
        "primary_category": category.code if category else None,
        "activities": solution.activity_codes,
        "maturity": solution.maturity.value if solution.maturity else None,
        "standards": solution.standard_codes,
        "privacy": {
            "sensitive": solution.privacy_sensitive,
            "biometrics": solution.uses_biometrics,
            "facial_recognition": solution.uses_facial_recognition,
        },
        "price": {
            "model": solution.price_model.value if solution.price_model else None,
            "band": solution.price_band.value if solution.price_band else None,
        },
        "regions": [{"code": c, "name": region_name(c)} for c in solution.region_codes],
    }


def _label_record(label: LabelFact) -> dict[str, Any]:
    return {
        "id": label.id,
        "number": label.number,
        "status": label.status,
        "level": label.level,
        "score_percent": label.score_percent,
        "norm": {"code": label.norm_code, "title": label.norm_title, "version": label.norm_version},
        "issued_on": label.issued_on.isoformat(),
        "expires_on": label.expires_on.isoformat(),
        "verification_url": label.verification_url or None,
        # The versions the label certifies, newest release first (empty: issued before
        # versions were tracked).
        "certified_versions": list(label.scope),
    }


def csv_rows(certified: Iterable[tuple[Solution, list[LabelFact]]]) -> Iterable[list[Any]]:
    """One row of plain values per (solution, valid label), in CSV_COLUMNS order."""
    for solution, labels in certified:
        record = _solution_record(solution)
        for label in labels:
            yield [
                record["id"],
                record["name"],
                record["url"],
                record["vendor"]["id"],
                record["vendor"]["name"],
                record["vendor"]["size"],
                record["primary_category"],
                ";".join(record["activities"]),
                record["maturity"],
                ";".join(record["standards"]),
                solution.privacy_sensitive,
                solution.uses_biometrics,
                solution.uses_facial_recognition,
                record["price"]["model"],
                record["price"]["band"],
                ";".join(solution.region_codes),
                label.id,
                label.number,
                label.status,
                label.level,
                f"{label.score_percent:.2f}",
                label.norm_code,
                label.norm_title,
                label.norm_version,
                label.issued_on.isoformat(),
                label.expires_on.isoformat(),
                label.verification_url,
                ";".join(label.scope),
            ]


def catalog_csv_text() -> str:
    """The certified catalog as RFC 4180 CSV (CRLF, quoted when needed), safe for spreadsheets."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in csv_rows(certified_solutions()):
        writer.writerow([spreadsheet_safe(value) for value in row])
    return buffer.getvalue()


def catalog_document() -> dict[str, Any]:
    """The certified catalog as one JSON document with a metadata header."""
    certified = certified_solutions()
    return {
        "metadata": {
            "title": "SafeTech Registry: certified catalog",
            "publisher": current_app.config["AUTHORITY_NAME"],
            "generated_at": utcnow().isoformat(timespec="seconds"),
            "licence": current_app.config.get("OPEN_DATA_LICENCE") or DEFAULT_LICENCE,
            "count": len(certified),
            "label_count": sum(len(labels) for _, labels in certified),
            "definition": "Published solutions holding at least one valid label.",
        },
        "solutions": [
            {**_solution_record(solution), "labels": [_label_record(lb) for lb in labels]}
            for solution, labels in certified
        ],
    }


_BUILT = "open_data_exports"


def catalog_state() -> tuple[int, str]:
    """What the exports depend on: the newest catalog change and today's date."""
    newest = db.session.scalar(select(func.coalesce(func.max(SearchChange.id), 0)))
    return int(newest or 0), today().isoformat()


def built_export(kind: str, build: Callable[[], str]) -> bytes:
    """The export's bytes for the catalog as it is now: stored, or built once and stored."""
    state = catalog_state()
    store: dict[str, tuple[tuple[int, str], bytes]] = current_app.extensions.setdefault(_BUILT, {})
    kept = store.get(kind)
    if kept is not None and kept[0] == state:
        return kept[1]
    body = build().encode("utf-8")
    store[kind] = (state, body)
    return body


@bp.get("/catalog.csv")
def catalog_csv() -> Response:
    """The certified catalog as CSV (UTF-8 with a byte-order mark, which spreadsheets need)."""
    body = built_export("csv", lambda: "\ufeff" + catalog_csv_text())
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8; header=present"
    response.headers["Content-Disposition"] = 'attachment; filename="safetech-catalog.csv"'
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.get("/catalog.json")
def catalog_json() -> Response:
    """The certified catalog as JSON."""
    body = built_export(
        "json", lambda: json.dumps(catalog_document(), ensure_ascii=False, indent=1)
    )
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = 'inline; filename="safetech-catalog.json"'
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
