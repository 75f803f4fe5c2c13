"""OCDS 1.1 schemas with the extensions our packages declare, and checks that a package is valid.

Everything is read from the copy in tests/standards/ocds-1.1/ (see its README for sources and
versions); nothing is fetched. An extension URL a package declares,
``https://raw.githubusercontent.com/open-contracting-extensions/<repository>/<ref>/extension.json``,
is found at ``extensions/<repository>/<ref>/`` in that copy: declaring an extension no test has a
copy of fails here.

The release schema is the core release schema with each declared extension's release-schema.json
applied as a JSON Merge Patch (RFC 7386), as the OCDS extension mechanism prescribes; the package
schema, patched likewise by the extensions' release-package-schema.json, takes that release
schema for its items. Shared by the OCDS tests and the browser journey of joint
procurement.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import itertools
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft4Validator, FormatChecker

from procurement.ocds.packages import EXTENSIONS

STANDARD = Path(__file__).resolve().parents[2] / "standards" / "ocds-1.1"
CORE = STANDARD / "standard" / "schema"
EXTENSION_HOST = "raw.githubusercontent.com"
EXTENSION_OWNER = "open-contracting-extensions"


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


def extension_dir(url: str) -> Path:
    """The local copy of the extension whose extension.json is at ``url``."""
    parts = urlsplit(url)
    segments = parts.path.strip("/").split("/")
    assert parts.scheme == "https" and parts.netloc == EXTENSION_HOST, url
    assert len(segments) == 4 and segments[0] == EXTENSION_OWNER, url
    assert segments[3] == "extension.json", url
    folder = STANDARD / "extensions" / segments[1] / segments[2]
    assert (folder / "extension.json").is_file(), f"no copy of the extension {url} in {folder}"
    return folder


def _read(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _patches(schema_name: str) -> list[dict[str, Any]]:
    """The declared extensions' patches of one schema, those that have one (per extension.json)."""
    patches = []
    for url in EXTENSIONS:
        folder = extension_dir(url)
        if schema_name in _read(folder / "extension.json").get("schemas", []):
            patches.append(_read(folder / schema_name))
    return patches


def release_schema() -> dict[str, Any]:
    """The release schema with every extension the packages declare merged in."""
    schema = _read(CORE / "release-schema.json")
    for patch in _patches("release-schema.json"):
        schema = merge_patch(schema, patch)
    return schema


def package_validator(release: dict[str, Any]) -> Draft4Validator:
    """A validator of release packages whose releases follow ``release``."""
    schema = _read(CORE / "release-package-schema.json")
    for patch in _patches("release-package-schema.json"):
        schema = merge_patch(schema, patch)
    # The Pagination extension empties "required" (a page's metadata may be on the first page
    # only); draft 4 writes "no required field" by leaving the keyword out.
    if schema.get("required") == []:
        del schema["required"]
    schema["properties"]["releases"]["items"] = release
    # The release schema's own "#/definitions/…" references must resolve inside it.
    schema["definitions"] = release["definitions"]
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema, format_checker=FormatChecker())


def assert_valid(validator: Draft4Validator, release: dict[str, Any], body: dict[str, Any]) -> None:
    """The package, and each of its releases on its own, validate; and it keeps the rules of
    the standard that a schema cannot hold (see ``problems``)."""
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    release_validator = Draft4Validator(release, format_checker=FormatChecker())
    for item in body["releases"]:
        found = list(release_validator.iter_errors(item))
        assert not found, f"{item['id']}: {found[0].message}"
    assert body["extensions"] == EXTENSIONS
    assert not problems(release, body)


# Rules of OCDS 1.1 that neither its schema nor libcoveocds checks.


def _codelist_files() -> list[Path]:
    folders = [CORE / "codelists"] + [extension_dir(url) / "codelists" for url in EXTENSIONS]
    return [path for folder in folders if folder.is_dir() for path in sorted(folder.glob("*.csv"))]


def deprecated_codes() -> dict[str, set[str]]:
    """The codes each codelist (core and declared extensions) marks as deprecated."""
    deprecated: dict[str, set[str]] = {}
    for path in _codelist_files():
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if (row.get("Deprecated") or "").strip():
                    deprecated.setdefault(path.name, set()).add(row["Code"])
    return deprecated


def _resolve(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = definitions[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _deprecated_uses(
    schema: dict[str, Any],
    data: Any,
    definitions: dict[str, Any],
    deprecated: dict[str, set[str]],
    path: str,
) -> Iterator[str]:
    schema = _resolve(schema, definitions)
    codelist = schema.get("codelist")
    if codelist is not None:
        values = data if isinstance(data, list) else [data]
        for value in values:
            if value in deprecated.get(codelist, set()):
                yield f"{path}: {value!r} is deprecated in {codelist}"
    if isinstance(data, dict):
        for key, value in data.items():
            child = schema.get("properties", {}).get(key)
            if isinstance(child, dict):
                yield from _deprecated_uses(child, value, definitions, deprecated, f"{path}/{key}")
    elif isinstance(data, list) and isinstance(schema.get("items"), dict):
        for index, value in enumerate(data):
            yield from _deprecated_uses(
                schema["items"], value, definitions, deprecated, f"{path}/{index}"
            )


def _moment(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _period_problems(data: Any, path: str) -> Iterator[str]:
    """A period's durationInDays is the days from its start to its end (or maximum extent), a
    last part-day counting whole; and it does not end before it starts."""
    if isinstance(data, dict):
        start = data.get("startDate")
        end = data.get("endDate") or data.get("maxExtentDate")
        if start and end and _moment(end) < _moment(start):
            yield f"{path}: ends before it starts"
        if "durationInDays" in data and start and end:
            span = math.ceil((_moment(end) - _moment(start)).total_seconds() / 86400)
            if data["durationInDays"] != span:
                yield f"{path}: durationInDays {data['durationInDays']} for {span} days"
        for key, value in data.items():
            yield from _period_problems(value, f"{path}/{key}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _period_problems(value, f"{path}/{index}")


# The stage of a release by its first tag: an ocid's releases follow the contracting process.
STAGES = {
    "planning": 0,
    "planningUpdate": 0,
    "tender": 1,
    "tenderUpdate": 2,
    "tenderCancellation": 2,
    "award": 3,
    "awardUpdate": 3,
    "contract": 4,
    "contractUpdate": 4,
    "contractAmendment": 4,
}


def _order_problems(releases: list[dict[str, Any]]) -> Iterator[str]:
    """Within one ocid, release dates strictly increase and stages never go back."""
    by_ocid: dict[str, list[dict[str, Any]]] = {}
    for item in releases:
        by_ocid.setdefault(item["ocid"], []).append(item)
    for ocid, items in by_ocid.items():
        for before, after in itertools.pairwise(items):
            if _moment(after["date"]) <= _moment(before["date"]):
                yield f"{ocid}: {after['id']} is not dated after {before['id']}"
            if STAGES[after["tag"][0]] < STAGES[before["tag"][0]]:
                yield f"{ocid}: {after['id']} ({after['tag']}) follows {before['id']}"


def problems(release: dict[str, Any], body: dict[str, Any]) -> list[str]:
    """What breaks a rule of the standard beyond its schema: a deprecated code, a duration that
    does not match its period, releases of an ocid out of order, a release id used twice."""
    deprecated = deprecated_codes()
    definitions = release["definitions"]
    found: list[str] = []
    for index, item in enumerate(body["releases"]):
        where = f"releases/{index}"
        found += _deprecated_uses(release, item, definitions, deprecated, where)
        found += _period_problems(item, where)
    found += _order_problems(body["releases"])
    ids = [item["id"] for item in body["releases"]]
    found += [f"release id {i} is used twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    return found
