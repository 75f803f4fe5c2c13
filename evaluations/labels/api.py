"""JSON API: labels and their status, and the decision log (under /api/v1)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from catalog.models import Solution
from evaluations.labels import remediation, transparency
from evaluations.labels.basis import basis_notice, solution_offered
from evaluations.labels.certified import certified_facts
from evaluations.labels.documents.facts import NO_VERSION_RECORDED, LabelFacts
from evaluations.labels.events import ACTION_TEXT
from evaluations.labels.numbering import format_label_number
from evaluations.labels.publishing import find_public_label, label_facts
from evaluations.labels.status_changes import recertification_due
from evaluations.labels.views import decision_rows
from evaluations.models import Label, LabelAdvisory, LabelEvent, LabelStatus
from registry import dates
from registry.api import (
    API_PREFIX,
    PAGE_PARAMETERS,
    add_openapi,
    api_error,
    id_parameter,
    json_response,
    page_schema,
    paginated,
)
from registry.norms.models import NormVersion

bp = Blueprint("labels_api", __name__, url_prefix=API_PREFIX)


def _advisory_url(reference: str) -> str | None:
    """The public advisory page of a case, where the portal has one."""
    if "advisories.advisory" not in current_app.view_functions:
        return None
    return url_for("advisories.advisory", reference=reference, _external=True)


def _advisories_json(advisories: list[LabelAdvisory]) -> list[dict[str, Any]]:
    return [
        {
            "reference": advisory.case_reference,
            "title": advisory.title,
            "severity": advisory.severity,
            "since": advisory.marked_at.isoformat(),
            "url": _advisory_url(advisory.case_reference),
        }
        for advisory in advisories
    ]


def _label_json(label: Label, advisories: list[LabelAdvisory] | None = None) -> dict[str, Any]:
    facts = label_facts(label)
    if advisories is None:
        advisories = remediation.open_advisories(label)
    return {
        "number": label.number,
        "status": label.status.value,
        "status_reason": label.status_reason,
        "status_changed_at": label.status_changed_at.isoformat(),
        "recertification_due": recertification_due(label),
        "basis_notice": basis_notice(label),
        "level": facts.level,
        "score_percent": facts.score_percent,
        "solution": {
            "id": facts.solution_id,
            "name": facts.solution_name,
            "offered": solution_offered(label),
        },
        "vendor": {"id": facts.vendor_id, "name": facts.vendor_name},
        "norm": {"code": facts.norm_code, "title": facts.norm_title, "version": facts.norm_version},
        "issued_on": facts.issued_on.isoformat(),
        "expires_on": facts.expires_on.isoformat(),
        "verification_url": facts.verification_url,
        "credential_url": f"{facts.verification_url}.json",
        "pdf_url": f"{facts.verification_url}.pdf",
        "certified": _certified_json(facts),
        "scope": _scope_json(facts),
        "under_remediation": bool(advisories),
        "advisories": _advisories_json(advisories),
    }


def _certified_json(facts: LabelFacts) -> dict[str, Any]:
    """What the label certifies of the solution, as frozen with it (not the record)."""
    category = facts.category
    return {
        "name": facts.solution_name,
        "vendor": facts.vendor_name,
        "category": {"code": category.code, "title": category.title} if category else None,
        "activities": [{"code": a.code, "title": a.title} for a in facts.activities],
        "standards": list(facts.standards),
        "privacy_sensitive": facts.privacy_sensitive,
        "uses_biometrics": facts.uses_biometrics,
        "uses_facial_recognition": facts.uses_facial_recognition,
        "facts_revision": facts.facts_revision,
    }


def _scope_json(facts: LabelFacts) -> dict[str, Any]:
    return {
        "versions": [
            {
                "version": entry.version,
                "released_on": entry.released_on.isoformat(),
                "purl": entry.purl,
                "cpe": entry.cpe,
            }
            for entry in facts.scope
        ],
        "text": facts.certified_versions_text(),
    }


def _label_detail_json(label: Label) -> dict[str, Any]:
    data = _label_json(label)
    facts = label_facts(label)
    data["criteria"] = [
        {"code": c.code, "title": c.title, "section": c.section, "result": c.result}
        for c in facts.criteria
    ]
    data["history"] = [
        {
            "at": event.at.isoformat(),
            "action": event.action,
            "to_status": event.to_status,
            "reason": event.reason,
        }
        for event in label.events
    ]
    return data


@bp.get("/labels")
def labels() -> Response:
    """Published labels, newest first; filter by `status` and `solution` (id)."""
    statement = (
        select(Label)
        .where(Label.credential != "")
        # recertification_due reads the norm (version) of each label, `offered` the solution.
        .options(
            selectinload(Label.norm_version).selectinload(NormVersion.norm),
            selectinload(Label.solution).selectinload(Solution.vendor),
        )
        .order_by(Label.issued_at.desc(), Label.id.desc())
    )
    # Both filters are held to their declarations (below) before the view runs.
    status = request.args.get("status")
    if status is not None:
        statement = statement.where(Label.status == LabelStatus(status))
    solution = request.args.get("solution", type=int)
    if solution is not None:
        statement = statement.where(Label.solution_id == solution)
    marks: dict[int, list[LabelAdvisory]] | None = None

    def serialise(row: Label) -> dict[str, Any]:
        nonlocal marks
        if marks is None:  # once per page, not per label
            marks = remediation.open_advisories_by_label()
        return _label_json(row, marks.get(row.id, []))

    return json_response(paginated(statement, serialise, "labels_api.labels"))


@bp.get("/labels/<number>")
def label(number: str) -> Response:
    """One label: its facts, per-criterion results and current status."""
    found = find_public_label(number)
    if found is None:
        return api_error(404, "No such label.")
    return json_response(_label_detail_json(found))


def _decision_json(event: LabelEvent) -> dict[str, Any]:
    label = event.label
    solution = label.solution
    return {
        "at": event.at.isoformat(),
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "reason": event.reason,
        "label": label.number,
        # The name the label certifies, not the record's current one.
        "solution": {"id": solution.id, "name": certified_facts(label)["name"]},
        "audit": transparency.public_audit(event.audit_entry),
    }


@bp.get("/decisions")
def decisions() -> Response:
    """The decision log, newest first."""
    page = paginated(decision_rows(), _decision_json, "labels_api.decisions")
    return json_response(page)


_STRING = {"type": "string"}
_CODE_TITLE = {
    "type": "object",
    "required": ["code", "title"],
    "properties": {"code": _STRING, "title": _STRING},
}
# Every action of the decision log, as the label events name them ("amended" re-signs a label
# whose facts or scope changed; "withdrawn" ends a suspension unresolved).
DECISION_ACTIONS = list(ACTION_TEXT)
_CERTIFIED_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "What the label certifies of the solution, frozen when it was issued and "
    "amended only by the authority: it can differ from the solution's current record.",
    "required": ["name", "vendor", "activities", "standards", "facts_revision"],
    "properties": {
        "name": _STRING,
        "vendor": _STRING,
        "category": {"oneOf": [{"type": "null"}, _CODE_TITLE]},
        "activities": {"type": "array", "items": _CODE_TITLE},
        "standards": {"type": "array", "items": _STRING},
        "privacy_sensitive": {"type": "boolean"},
        "uses_biometrics": {"type": "boolean"},
        "uses_facial_recognition": {"type": "boolean"},
        "facts_revision": {
            "type": "integer",
            "minimum": 1,
            "description": "1 at issue; raised by each amendment of the facts or the scope.",
        },
    },
}
_SCOPE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The certified versions, newest release first. Empty for a label issued "
    f"before versions were tracked (`text` then says: {NO_VERSION_RECORDED}).",
    "required": ["versions", "text"],
    "properties": {
        "versions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["version", "released_on"],
                "properties": {
                    "version": _STRING,
                    "released_on": {"type": "string", "format": "date"},
                    "purl": {"type": "string", "description": "Package URL; empty if none."},
                    "cpe": {"type": "string", "description": "CPE 2.3 name; empty if none."},
                },
            },
        },
        "text": _STRING,
    },
}
_LABEL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "number",
        "status",
        "level",
        "score_percent",
        "solution",
        "norm",
        "expires_on",
        "certified",
        "scope",
    ],
    "properties": {
        "number": {"type": "string", "pattern": "^STR-[0-9]{4}-[0-9]{5,6}$"},
        "status": {"type": "string", "enum": [s.value for s in LabelStatus]},
        "status_reason": _STRING,
        "status_changed_at": {"type": "string", "format": "date-time"},
        "recertification_due": {
            "type": "boolean",
            "description": "The norm version was superseded and its transition date passed, or "
            "the norm was withdrawn: the label no longer makes the solution eligible for a "
            "joint call.",
        },
        "basis_notice": {
            "type": "string",
            "description": "Why re-certification is due, in words (empty when it is not).",
        },
        "level": _STRING,
        "score_percent": {"type": "number", "minimum": 0, "maximum": 100},
        "solution": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "name": _STRING,
                "offered": {
                    "type": "boolean",
                    "description": "False once the vendor archived the solution (or is "
                    "suspended): the label still states what was certified.",
                },
            },
        },
        "vendor": {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "name": _STRING},
        },
        "norm": {
            "type": "object",
            "properties": {"code": _STRING, "title": _STRING, "version": _STRING},
        },
        "issued_on": {"type": "string", "format": "date"},
        "expires_on": {"type": "string", "format": "date"},
        "verification_url": _STRING,
        "credential_url": _STRING,
        "pdf_url": _STRING,
        "certified": _CERTIFIED_SCHEMA,
        "scope": _SCOPE_SCHEMA,
        "under_remediation": {
            "type": "boolean",
            "description": "A disclosed, confirmed vulnerability at or above the configured "
            "severity affects a certified version and no fix is in the certified scope yet "
            '(the label shows "Vulnerability under remediation").',
        },
        "advisories": {
            "type": "array",
            "description": "The vulnerabilities the label is marked for, oldest first.",
            "items": {
                "type": "object",
                "required": ["reference", "title", "severity", "since"],
                "properties": {
                    "reference": {"type": "string", "pattern": "^VULN-[0-9]{4}-[0-9]{5}$"},
                    "title": _STRING,
                    "severity": _STRING,
                    "since": {"type": "string", "format": "date-time"},
                    "url": {
                        "type": ["string", "null"],
                        "description": "The public advisory page.",
                    },
                },
            },
        },
    },
}
_LABEL_DETAIL_SCHEMA: dict[str, Any] = {
    "allOf": [
        {"$ref": "#/components/schemas/Label"},
        {
            "type": "object",
            "required": ["criteria", "history"],
            "properties": {
                "history": {
                    "type": "array",
                    "description": "Every change of the label's status or of what it "
                    "certifies (`amended`), oldest first, with its reason.",
                    "items": {
                        "type": "object",
                        "required": ["at", "action", "reason"],
                        "properties": {
                            "at": {"type": "string", "format": "date-time"},
                            "action": {"type": "string", "enum": DECISION_ACTIONS},
                            "to_status": _STRING,
                            "reason": _STRING,
                        },
                    },
                },
                "criteria": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["code", "result"],
                        "properties": {
                            "code": _STRING,
                            "title": _STRING,
                            "section": _STRING,
                            "result": _STRING,
                        },
                    },
                },
            },
        },
    ]
}
_DECISION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["at", "action", "to_status", "reason", "label", "audit"],
    "properties": {
        "at": {"type": "string", "format": "date-time"},
        "action": {
            "type": "string",
            "enum": DECISION_ACTIONS,
        },
        "from_status": {"type": ["string", "null"]},
        "to_status": _STRING,
        "reason": _STRING,
        "label": _STRING,
        "solution": {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "name": _STRING},
        },
        "audit": {
            "type": "object",
            "description": (
                "The decision's entry in the hash-chained audit log. `hash` is the SHA-256 (hex) "
                "of the canonical JSON (keys sorted, no spaces, UTF-8) of `hashed` plus the key "
                "`prev_hash` set to `previous_hash`. `hashed` is null for entries written before "
                "public entries were published in full. The signed checkpoint of the chain is "
                "at /audit/checkpoint.json (outside /api/v1)."
            ),
            "required": ["seq", "hash", "previous_hash", "hashed"],
            "properties": {
                "seq": {"type": ["integer", "null"]},
                "hash": _STRING,
                "previous_hash": {"type": ["string", "null"]},
                "hashed": {
                    "oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/PublicAuditEntry"}]
                },
            },
        },
    },
}
_PUBLIC_AUDIT_ENTRY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every field of a public audit entry that its hash covers, as hashed.",
    "required": [
        "seq",
        "at",
        "actor_id",
        "actor_label",
        "organisation_id",
        "action",
        "object_type",
        "object_id",
        "summary",
        "data",
    ],
    "properties": {
        "seq": {"type": "integer"},
        "at": {"type": "string", "format": "date-time"},
        "actor_id": {"type": "null"},
        "actor_label": {
            "type": "string",
            "description": "The actor's role (`authority`) or `system`, never an account.",
        },
        "organisation_id": {"type": ["integer", "null"]},
        "action": _STRING,
        "object_type": _STRING,
        "object_id": _STRING,
        "summary": _STRING,
        "data": {
            "type": "string",
            "description": (
                "The canonical JSON text of the entry's data: the decision's `label`, `action`, "
                "`from_status`, `to_status`, `reason`, `solution_id` and `public: true`."
            ),
        },
    },
}


def _json_200(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def describe(app: Flask) -> None:
    """Add the label paths to the OpenAPI document."""
    # The demo data issues its labels this year, so the first number of the year exists.
    example_number = format_label_number(dates.today().year, 1)
    add_openapi(
        app,
        paths={
            "/labels": {
                "get": {
                    "summary": "Published labels, newest first",
                    "parameters": [
                        {
                            "name": "status",
                            "in": "query",
                            "schema": {"type": "string", "enum": [s.value for s in LabelStatus]},
                        },
                        id_parameter("solution", "query", "A solution id."),
                        *PAGE_PARAMETERS,
                    ],
                    "responses": {
                        "200": _json_200(
                            "A page of labels", page_schema("#/components/schemas/Label")
                        ),
                    },
                }
            },
            "/labels/{number}": {
                "get": {
                    "summary": "One label with its status and per-criterion results",
                    "description": (
                        "The signed credential is at the label's `credential_url`; the "
                        "revocation and suspension status lists at /labels/status/revocation.json "
                        "and /labels/status/suspension.json (outside /api/v1)."
                    ),
                    "parameters": [
                        {
                            "name": "number",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                            "example": example_number,
                        }
                    ],
                    "responses": {
                        "200": _json_200("The label", {"$ref": "#/components/schemas/LabelDetail"}),
                        "404": {"$ref": "#/components/responses/NotFound"},
                    },
                }
            },
            "/decisions": {
                "get": {
                    "summary": "The public decision log (label issued/suspended/…), newest first",
                    "parameters": list(PAGE_PARAMETERS),
                    "responses": {
                        "200": _json_200(
                            "A page of decisions", page_schema("#/components/schemas/LabelDecision")
                        )
                    },
                }
            },
        },
        schemas={
            "Label": _LABEL_SCHEMA,
            "LabelDetail": _LABEL_DETAIL_SCHEMA,
            "LabelDecision": _DECISION_SCHEMA,
            "PublicAuditEntry": _PUBLIC_AUDIT_ENTRY_SCHEMA,
        },
    )
