"""Small CycloneDX documents for the SBOM tests: a valid 1.5 one and ways to break it."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

VALID_SBOM: dict[str, Any] = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.5",
    "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
    "version": 1,
    "metadata": {"component": {"type": "application", "name": "Harbour Watch", "version": "4.2"}},
    "components": [
        {
            "type": "library",
            "name": "openssl",
            "version": "3.0.13",
            "purl": "pkg:generic/openssl@3.0.13",
        },
        {
            "type": "framework",
            "name": "video-core",
            "version": "2.1.0",
            "components": [{"type": "library", "name": "libjpeg-turbo", "version": "3.0.2"}],
        },
    ],
}
VALID_COMPONENTS = 3  # two at the top, one nested


def sbom_bytes(**changes: Any) -> bytes:
    """The valid document as JSON, with top-level keys replaced (None removes one)."""
    document = copy.deepcopy(VALID_SBOM)
    for key, value in changes.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    return json.dumps(document).encode()


def invalid_sbom_bytes() -> bytes:
    """A CycloneDX 1.5 document whose first component has a type the schema does not know."""
    document = copy.deepcopy(VALID_SBOM)
    document["components"][0]["type"] = "banana"
    return json.dumps(document).encode()


def upload(data: bytes, name: str = "sbom.cdx.json") -> tuple[io.BytesIO, str]:
    """A file for a test client's form data."""
    return io.BytesIO(data), name
