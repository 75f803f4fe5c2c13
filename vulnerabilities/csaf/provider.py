"""The CSAF 2.0 provider layout (section 7): provider metadata, the TLP:WHITE directory with its
index, changes list and hashes, and a ROLIE feed — all of disclosed cases only."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from registry.database import db, utcnow
from registry.public_address import base_url, public_url
from vulnerabilities.cases import disclosed_clause
from vulnerabilities.csaf import documents, signing
from vulnerabilities.models import VulnerabilityCase

WELL_KNOWN = "/.well-known/csaf"
DIRECTORY = f"{WELL_KNOWN}/white"
FEED_PATH = f"{DIRECTORY}/feed-tlp-white.json"
METADATA_PATH = f"{WELL_KNOWN}/provider-metadata.json"
OPENPGP_DIRECTORY = f"{WELL_KNOWN}/openpgp"
CSAF_SCHEMA_URL = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json"
ROLIE_CATEGORY = "urn:ietf:params:rolie:category:information-type"


def csaf_bytes(case: VulnerabilityCase) -> bytes:
    """The published document, byte for byte (the same at every address that serves it)."""
    text = json.dumps(documents.csaf_document(case), ensure_ascii=False, indent=2, sort_keys=True)
    return (text + "\n").encode("utf-8")


@dataclass(frozen=True)
class Published:
    """A disclosed case with the facts of its published document."""

    case: VulnerabilityCase
    initial: str
    current: str
    path: str  # in the directory: "2026/vuln-2026-00001.json"


def published() -> list[Published]:
    """Every disclosed case, the most recently changed document first."""
    found = []
    for case in db.session.scalars(select(VulnerabilityCase).where(disclosed_clause())):
        history = documents.revisions(case)
        found.append(
            Published(
                case,
                documents.stamp(history[0].at),
                documents.stamp(history[-1].at),
                documents.directory_path(case).removeprefix(f"{DIRECTORY}/"),
            )
        )
    return sorted(found, key=lambda p: (p.current, p.case.id), reverse=True)


def find_published(year: int, name: str) -> VulnerabilityCase | None:
    """The disclosed case whose document is ``<year>/<name>`` in the directory."""
    wanted = f"{year}/{name}"
    return next((p.case for p in published() if p.path == wanted), None)


def index_txt() -> str:
    """index.txt: every document's path in the directory, one a line."""
    return "".join(f"{p.path}\n" for p in sorted(published(), key=lambda p: p.path))


def changes_csv() -> str:
    """changes.csv: path and current release date, the most recent first."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for item in published():
        writer.writerow([item.path, item.current])
    return out.getvalue()


def digest(data: bytes, algorithm: str, name: str) -> str:
    """A hash file's content: the hex digest, two spaces, the file name (as sha256sum writes)."""
    return f"{hashlib.new(algorithm, data).hexdigest()}  {name}\n"


def rolie_feed() -> dict[str, Any]:
    """The ROLIE feed (RFC 8322, JSON as CSAF 2.0 section 7.1.15 shows) of the TLP:WHITE
    documents."""
    items = published()
    entries = []
    for item in items:
        url = public_url(f"{DIRECTORY}/{item.path}")
        entries.append(
            {
                "id": item.case.reference,
                "title": item.case.title,
                "link": [
                    {"rel": "self", "href": url},
                    {"rel": "hash", "href": f"{url}.sha256"},
                    {"rel": "hash", "href": f"{url}.sha512"},
                    {"rel": "signature", "href": f"{url}.asc"},
                ],
                "published": item.initial,
                "updated": item.current,
                "content": {"type": "application/json", "src": url},
                "format": {"schema": CSAF_SCHEMA_URL, "version": "2.0"},
            }
        )
    return {
        "feed": {
            "id": "csaf-feed-tlp-white",
            "title": f"{current_app.config['AUTHORITY_NAME']}: CSAF advisories (TLP:WHITE)",
            "link": [
                {"rel": "self", "href": public_url(FEED_PATH)},
                {"rel": "service", "href": public_url(METADATA_PATH)},
            ],
            "category": [{"scheme": ROLIE_CATEGORY, "term": "csaf"}],
            "updated": items[0].current if items else documents.stamp(utcnow()),
            "entry": entries,
        }
    }


def openpgp_key_path(fingerprint: str) -> str:
    """Where the public key of that fingerprint is served."""
    return f"{OPENPGP_DIRECTORY}/{fingerprint}.asc"


def provider_metadata() -> dict[str, Any]:
    """provider-metadata.json of a trusted provider: its documents are hashed and signed with
    the OpenPGP key it names."""
    items = published()
    key = signing.fingerprint()
    return {
        "canonical_url": public_url(METADATA_PATH),
        "distributions": [
            {"directory_url": public_url(f"{DIRECTORY}/")},
            {
                "rolie": {
                    "feeds": [
                        {
                            "summary": "Advisories of the registered solutions (TLP:WHITE)",
                            "tlp_label": "WHITE",
                            "url": public_url(FEED_PATH),
                        }
                    ]
                }
            },
        ],
        "last_updated": items[0].current if items else documents.stamp(utcnow()),
        "list_on_CSAF_aggregators": True,
        "metadata_version": "2.0",
        "mirror_on_CSAF_aggregators": True,
        "public_openpgp_keys": [
            {"fingerprint": key, "url": public_url(openpgp_key_path(key))},
        ],
        "publisher": {
            "category": "coordinator",
            "name": current_app.config["AUTHORITY_NAME"],
            "namespace": base_url(),
        },
        "role": "csaf_trusted_provider",
    }
