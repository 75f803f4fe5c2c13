"""libcoveocds, the Open Contracting Partnership's checker, run offline on our release packages.

libcoveocds reads the core schemas and codelists from a ZIP of the standard repository and each
declared extension from its repository's archive at the declared ref, over HTTP. Here the
standard ZIP is built in memory from tests/standards/ocds-1.1/standard/, and ``responses`` answers
the archive URL of each declared extension with a ZIP of its local copy; any other URL raises
(libcoveocds then reports the extension as invalid) and is listed in ``Report.unexpected``.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import responses
from libcoveocds.api import ocds_json_output
from libcoveocds.config import LibCoveOCDSConfig

from procurement.ocds.packages import EXTENSIONS
from tests.procurement.ocds import ocds_schema

STANDARD_TAG = "1__1__5"


def _zip(folder: Path, top: str, prefix: str = "") -> bytes:
    """The files under ``folder`` as a ZIP archive whose entries sit under ``top``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(top, "")
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = f"{top}{prefix}{path.relative_to(folder).as_posix()}"
                archive.writestr(name, path.read_bytes())
    return buffer.getvalue()


def standard_zip() -> bytes:
    """The standard's schema folder, laid out like the repository's archive at the tag."""
    return _zip(ocds_schema.CORE, f"standard-{STANDARD_TAG}/", "schema/")


@dataclass
class Report:
    """What libcoveocds said about a package, and any URL it tried that we have no copy of."""

    context: dict[str, Any]
    unexpected: list[str] = field(default_factory=list)

    def findings(self) -> dict[str, Any]:
        """Every finding, by kind; an empty value means none of that kind."""
        context = self.context
        extensions = context.get("extensions") or {}
        failed_codelists = {
            item["url"]: item["failed_codelists"]
            for item in extensions.get("extensions", [])
            if item.get("failed_codelists")
        }
        return {
            "unexpected_urls": self.unexpected,
            "json_deref_error": context.get("json_deref_error"),
            "invalid_extensions": extensions.get("invalid_extensions", []),
            "failed_codelists": failed_codelists,
            "validation_errors": context.get("validation_errors", []),
            "additional_fields": context.get("additional_fields", []),
            "deprecated_fields": context.get("deprecated_fields", []),
            "additional_closed_codelist_values": context.get(
                "additional_closed_codelist_values", {}
            ),
            "additional_open_codelist_values": context.get("additional_open_codelist_values", {}),
            "additional_checks": context.get("additional_checks", {}),
        }


def _serve_extensions(mock: responses.RequestsMock) -> None:
    """Each declared extension's repository archive at its ref, as GitHub serves it."""
    for url in EXTENSIONS:
        folder = ocds_schema.extension_dir(url)
        repository, ref = folder.parent.name, folder.name
        archive = f"https://github.com/{ocds_schema.EXTENSION_OWNER}/{repository}/archive/{ref}.zip"
        mock.get(archive, body=_zip(folder, f"{repository}-{ref}/"))


def check(package: dict[str, Any], output_dir: Path) -> Report:
    """Run libcoveocds on a release package, with the local copies only."""
    config = LibCoveOCDSConfig(
        {"context": "api", "standard_zip": standard_zip(), "additional_checks": "all"}
    )
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        _serve_extensions(mock)
        context = ocds_json_output(
            str(output_dir), json_data=package, lib_cove_ocds_config=config, record_pkg=False
        )
        tried = [
            str(call.request.url)
            for call in mock.calls
            if not isinstance(call.response, requests.Response)
        ]
    return Report(context=context, unexpected=tried)
