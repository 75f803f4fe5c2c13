"""The OCDS 1.1 schemas with our six extensions merged in, and a check that a package is valid.

The release schema is core-release-1.1.json with each extension applied as a JSON Merge Patch
(RFC 7386), as the OCDS extension mechanism prescribes; the package schema takes that release
schema for its items. Shared by the OCDS tests and the browser journey of joint procurement.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker

STANDARD = Path("/work/shared/standards/ocds-1.1")
EXTENSIONS = ("lots", "techniques", "requirements", "bid", "contract_buyer", "location")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def load(name: str) -> dict[str, Any]:
    """One schema file of the standard."""
    loaded: dict[str, Any] = json.loads((STANDARD / name).read_text(encoding="utf-8"))
    return loaded


def release_schema() -> dict[str, Any]:
    """The release schema with every extension merged in."""
    schema = load("core-release-1.1.json")
    for extension in EXTENSIONS:
        schema = merge_patch(schema, load(f"ext-{extension}.json"))
    return schema


def package_validator(release: dict[str, Any]) -> Draft4Validator:
    """A validator of release packages whose releases follow ``release``."""
    schema = load("core-package-1.1.json")
    schema["properties"]["releases"]["items"] = release
    # The release schema's own "#/definitions/…" references must resolve inside it.
    schema["definitions"] = release["definitions"]
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema, format_checker=FormatChecker())


def assert_valid(validator: Draft4Validator, release: dict[str, Any], body: dict[str, Any]) -> None:
    """The package, and each of its releases on its own, validate."""
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    release_validator = Draft4Validator(release, format_checker=FormatChecker())
    for item in body["releases"]:
        problems = list(release_validator.iter_errors(item))
        assert not problems, f"{item['id']}: {problems[0].message}"
