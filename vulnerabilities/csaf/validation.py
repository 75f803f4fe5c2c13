"""Is a document a valid CSAF 2.0 advisory? Its JSON schema, then the standard's mandatory tests.

1. The CSAF 2.0 JSON schema (OASIS), with the CVSS schemas it references resolved to the copies
   in ``schemas/``, never fetched: each problem names its JSON path.
2. The mandatory tests of section 6.1 of the standard, run by the BSI's reference implementation
   (npm ``@secvisogram/csaf-validator-lib``, installed by ``make`` with the front-end packages)
   through Node.js (``scripts/csaf-mandatory-tests.mjs``). Where Node.js or the library is
   missing, the result says so (``mandatory_tests_ran`` false): an import then refuses the file
   rather than take it half-checked.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7, DRAFT202012

SCHEMAS = Path(__file__).parent / "schemas"
ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "scripts" / "csaf-mandatory-tests.mjs"
LIBRARY = ROOT / "node_modules" / "@secvisogram" / "csaf-validator-lib"
NODE_TIMEOUT_SECONDS = 60
CVSS_ADDRESSES = {
    "cvss-v2.0.json": "https://www.first.org/cvss/cvss-v2.0.json",
    "cvss-v3.0.json": "https://www.first.org/cvss/cvss-v3.0.json",
    "cvss-v3.1.json": "https://www.first.org/cvss/cvss-v3.1.json",
}


@dataclass(frozen=True)
class Problem:
    """One reason a document is not valid: where (a JSON path) and what."""

    path: str
    message: str
    test: str = "schema"

    def __str__(self) -> str:
        where = self.path or "(document)"
        return f"{where}: {self.message}" + ("" if self.test == "schema" else f" [{self.test}]")


@dataclass
class Validation:
    """The problems found; ``valid`` only when both checks ran and found none."""

    problems: list[Problem] = field(default_factory=list)
    mandatory_tests_ran: bool = False
    not_run_reason: str = ""

    @property
    def valid(self) -> bool:
        """No problem, and the mandatory tests did run."""
        return not self.problems and self.mandatory_tests_ran


def _load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / name).read_text())
    return loaded


@cache
def _registry() -> Registry:
    resources = []
    for name, address in CVSS_ADDRESSES.items():
        contents = _load(name)
        resources.append((address, DRAFT7.create_resource(contents)))
        if "$id" in contents:
            resources.append((contents["$id"], DRAFT7.create_resource(contents)))
    for name in (
        "csaf_json_schema.json",
        "provider_json_schema.json",
        "aggregator_json_schema.json",
    ):
        contents = _load(name)
        resources.append((contents["$id"], DRAFT202012.create_resource(contents)))
    registry: Registry = Registry().with_resources(resources)
    return registry


@cache
def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(_load(name), registry=_registry())


def _json_path(parts: Any) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def schema_problems(document: Any, schema: str = "csaf_json_schema.json") -> list[Problem]:
    """The schema's complaints, each with the JSON path of the offending value, deepest first."""
    validator = _validator(schema)
    errors = sorted(
        validator.iter_errors(document), key=lambda e: (-len(e.absolute_path), e.message)
    )
    return [Problem(_json_path(error.absolute_path), error.message) for error in errors]


def _pointer_to_path(pointer: str) -> str:
    parts: list[Any] = [p for p in pointer.split("/") if p]
    return _json_path(
        int(p) if p.isdigit() else p.replace("~1", "/").replace("~0", "~") for p in parts
    )


def _run_mandatory_tests(documents: list[Any]) -> tuple[list[list[Problem]], str]:
    """The mandatory tests' complaints per document (one Node.js process for all of them), and
    why they could not run ("" when they did)."""
    node = shutil.which("node")
    if node is None:
        return [], "Node.js is not installed"
    if not LIBRARY.is_dir():
        return [], "the npm package @secvisogram/csaf-validator-lib is not installed (make assets)"
    try:
        completed = subprocess.run(  # noqa: S603 - a fixed script, the documents on stdin
            [node, str(RUNNER), "--many"],
            input=json.dumps(documents).encode(),
            capture_output=True,
            timeout=NODE_TIMEOUT_SECONDS,
            cwd=ROOT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [], f"the mandatory tests took more than {NODE_TIMEOUT_SECONDS} s"
    if completed.returncode != 0:
        return [], "the mandatory tests failed to run: " + completed.stderr.decode()[-300:]
    results = json.loads(completed.stdout)
    return [
        [
            Problem(_pointer_to_path(e["instancePath"]), e["message"], e["test"])
            for e in result["errors"]
        ]
        for result in results
    ], ""


def _key(document: Any) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


# Results by document: a document is checked once per process (the checks are pure), so an
# import that re-reads an advisory, or a page of published documents, costs no second run.
_CHECKED: dict[str, Validation] = {}
_CHECKED_MAX = 256


def validate_many(documents: list[Any]) -> list[Validation]:
    """`validate` for several documents, with one run of the mandatory tests for all of them."""
    results: list[Validation | None] = [_CHECKED.get(_key(d)) for d in documents]
    to_test = []
    for index, document in enumerate(documents):
        if results[index] is not None:
            continue
        problems = schema_problems(document)
        if problems:
            results[index] = Validation(problems, False, "the schema failed")
        else:
            to_test.append(index)
    if to_test:
        found, reason = _run_mandatory_tests([documents[i] for i in to_test])
        for position, index in enumerate(to_test):
            results[index] = (
                Validation([], False, reason) if reason else Validation(found[position], True)
            )
    checked = [result for result in results if result is not None]
    for document, result in zip(documents, checked, strict=True):
        if result.mandatory_tests_ran or result.problems:
            if len(_CHECKED) >= _CHECKED_MAX:
                _CHECKED.clear()
            _CHECKED[_key(document)] = result
    return checked


def validate(document: Any) -> Validation:
    """Schema first; the mandatory tests only on a document the schema accepts."""
    return validate_many([document])[0]


def provider_metadata_problems(document: Any) -> list[Problem]:
    """The CSAF provider metadata schema's complaints about a provider-metadata.json."""
    return schema_problems(document, "provider_json_schema.json")
