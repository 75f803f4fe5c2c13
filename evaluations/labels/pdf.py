"""The printable label PDF (WeasyPrint), rendered from LabelFacts, and its on-disk cache.

The PDF embeds the signed credential as an attached file, so the paper copy can be verified
offline (``flask --app app labels verify label.pdf``). Rendering fetches nothing: the only
resources are the QR code and the stylesheet, both inline, and the URL fetcher refuses every
URL that is not a ``data:`` URI (``file://`` would read the server's disk, ``http(s)://`` would
make it send requests). User text reaches the page through an autoescaping template.

Rendering takes a few hundred milliseconds, so a label is rendered once per content and the
file kept in ``PDF_CACHE_DIR`` under a name derived from a hash of everything that shapes it
(facts, credential, template, stylesheet): serving a cached label is a file send.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, Final

import jinja2
import segno
import weasyprint
from weasyprint.urls import URLFetcher, URLFetcherResponse

from evaluations.labels.documents.facts import LabelFacts, score_value
from evaluations.labels.documents.verification import ATTACHMENT_NAME
from registry.dates import today
from registry.files import write_atomically

TEMPLATE_DIR: Final = Path(__file__).resolve().parent.parent.parent / "templates" / "pdf"
TEMPLATE_NAME: Final = "label.html"
STYLESHEET_NAME: Final = "label.css"
# Bump when the rendering code changes in a way the template hash cannot see.
RENDER_VERSION: Final = "2"
# A temporary file older than this was left by a killed process (a render takes a second).
STALE_TEMPORARY_SECONDS: Final = 3600
STATUS_TEXT: Final = {
    "valid": "Valid",
    "suspended": "Suspended",
    "revoked": "Revoked",
    "expired": "Expired",
}

log = logging.getLogger(__name__)


class RefusedURL(ValueError):
    """The PDF renderer was asked to fetch a URL it may not."""


class DataOnlyURLFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint is untyped
    """A WeasyPrint fetcher that serves ``data:`` URIs and refuses everything else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, timeout=1)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Fetch ``url`` if it is a data: URI; raise RefusedURL (and remember it) otherwise."""
        if not url.lower().startswith("data:"):
            self.refused.append(url)
            log.warning("label PDF: refused to fetch %.100r", url)
            raise RefusedURL(f"only data: URIs are allowed in label PDFs, not {url[:100]!r}")
        return super().fetch(url, headers)


@functools.cache
def _environment() -> jinja2.Environment:
    # Autoescape everything: solution and vendor names come from users.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


@functools.cache
def _stylesheet_text() -> str:
    return (TEMPLATE_DIR / STYLESHEET_NAME).read_text(encoding="utf-8")


@functools.cache
def template_fingerprint() -> str:
    """A hash of what shapes every PDF besides its data: template, stylesheet, versions."""
    digest = hashlib.sha256(f"{RENDER_VERSION}|{weasyprint.__version__}|".encode())
    for path in sorted(TEMPLATE_DIR.iterdir()):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def qr_code_data_uri(url: str) -> str:
    """The verification URL as a QR code, an SVG data URI (scales without blur in print)."""
    # make_qr, not make: a Micro QR code would be smaller but many phone readers skip it.
    return segno.make_qr(url, error="m").svg_data_uri(omitsize=True, border=4)


def _keys_url(credential_json: bytes) -> str | None:
    try:
        method = json.loads(credential_json)["proof"]["verificationMethod"]
    except (ValueError, KeyError, TypeError):
        return None
    return method.split("#", 1)[0] if isinstance(method, str) else None


def _status_list_urls(credential_json: bytes) -> list[str]:
    try:
        entries = json.loads(credential_json)["credentialStatus"]
    except (ValueError, KeyError, TypeError):
        return []
    entries = entries if isinstance(entries, list) else [entries]
    return [
        entry["statusListCredential"]
        for entry in entries
        if isinstance(entry, dict) and isinstance(entry.get("statusListCredential"), str)
    ]


def print_date(day: date) -> str:
    """A date as the label prints it: 5 December 2026."""
    return f"{day.day} {day:%B %Y}"


def label_html(
    facts: LabelFacts,
    credential_json: bytes,
    as_of: date | None = None,
    remediation: tuple[str, ...] = (),
) -> str:
    """The label card as HTML (what WeasyPrint lays out), its status stated for ``as_of``;
    ``remediation`` names the vulnerabilities the label is marked for."""
    status = facts.status.lower()
    return (
        _environment()
        .get_template(TEMPLATE_NAME)
        .render(
            facts=facts,
            status_class=status if status in STATUS_TEXT else "other",
            status_text=STATUS_TEXT.get(status, facts.status.capitalize()),
            as_of=print_date(as_of or today()),
            score=f"{score_value(facts.score_percent):g}",
            issued=print_date(facts.issued_on),
            expires=print_date(facts.expires_on),
            qr_data_uri=qr_code_data_uri(facts.verification_url),
            attachment_name=ATTACHMENT_NAME,
            keys_url=_keys_url(credential_json),
            status_list_urls=_status_list_urls(credential_json),
            remediation=remediation,
        )
    )


def write_pdf(
    html: str,
    attachments: list[weasyprint.Attachment] | None = None,
    url_fetcher: DataOnlyURLFetcher | None = None,
) -> bytes:
    """Lay out HTML with the label stylesheet into PDF bytes, fetching only data: URIs."""
    fetcher = url_fetcher or DataOnlyURLFetcher()
    document = weasyprint.HTML(string=html, url_fetcher=fetcher, base_url=None)
    stylesheet = weasyprint.CSS(string=_stylesheet_text(), url_fetcher=fetcher)
    # PDF/UA-1: tagged (headings, tables, lists, the QR code's alternative text) and its
    # language stated, so screen readers can read the label.
    pdf: bytes = document.write_pdf(
        stylesheets=[stylesheet], attachments=attachments or [], pdf_variant="pdf/ua-1"
    )
    return pdf


def render_label_pdf(
    facts: LabelFacts,
    credential_json: bytes,
    as_of: date | None = None,
    remediation: tuple[str, ...] = (),
) -> bytes:
    """Render the printable label, with the signed credential attached as a file.

    The large status word says on which day it was true (``as_of``, today by default): a
    printed label can be suspended or revoked later, and the QR code leads to the current status.
    """
    # Fixed dates (the issue date) rather than "now": the same label renders the same way.
    issued = datetime.combine(facts.issued_on, time(0, 0), tzinfo=UTC)
    attachment = weasyprint.Attachment(
        string=credential_json,
        name=ATTACHMENT_NAME,
        description=f"Signed credential of SafeTech label {facts.number}",
        created=issued,
        modified=issued,
        relationship="Data",
        url_fetcher=DataOnlyURLFetcher(),
    )
    return write_pdf(label_html(facts, credential_json, as_of, remediation), [attachment])


# --- Cache ------------------------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9-]")


def pdf_cache_key(
    facts: LabelFacts,
    credential_json: bytes,
    as_of: date | None = None,
    remediation: tuple[str, ...] = (),
) -> str:
    """A hash of everything the PDF is made from: any change gives a new key.

    The day the status is stated for is part of it, so a label is rendered again once a day at
    most, when it is first asked for.
    """
    digest = hashlib.sha256(template_fingerprint().encode())
    digest.update((as_of or today()).isoformat().encode() + b"\0")
    digest.update(json.dumps(facts.as_json(), sort_keys=True, ensure_ascii=False).encode())
    digest.update(b"\0")
    digest.update(credential_json)
    if remediation:  # a mark set or cleared renders the label again
        digest.update(b"\0" + "\n".join(remediation).encode())
    return digest.hexdigest()


def _cache_dir(cache_dir: str | os.PathLike[str] | None) -> Path:
    if cache_dir is None:
        from flask import current_app

        cache_dir = current_app.config["PDF_CACHE_DIR"]
    return Path(cache_dir)


def _file_prefix(number: str) -> str:
    return _UNSAFE_NAME.sub("_", number)[:40] or "label"


def pdf_cache_path(
    facts: LabelFacts,
    credential_json: bytes,
    cache_dir: str | os.PathLike[str] | None = None,
    as_of: date | None = None,
    remediation: tuple[str, ...] = (),
) -> Path:
    """Where the PDF of this exact content is (or will be) cached."""
    key = pdf_cache_key(facts, credential_json, as_of, remediation)[:40]
    return _cache_dir(cache_dir) / f"{_file_prefix(facts.number)}-{key}.pdf"


def cached_label_pdf(
    facts: LabelFacts,
    credential_json: bytes,
    cache_dir: str | os.PathLike[str] | None = None,
    as_of: date | None = None,
    remediation: tuple[str, ...] = (),
) -> Path:
    """The path of this label's PDF, rendering it only when its content or day has changed."""
    as_of = as_of or today()
    path = pdf_cache_path(facts, credential_json, cache_dir, as_of, remediation)
    if path.is_file():
        return path
    pdf = render_label_pdf(facts, credential_json, as_of, remediation)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Atomic: a reader gets the whole file or none. Two workers rendering the same label at
    # once both rename identical content into place; either one wins.
    write_atomically(path, pdf, mode=0o644)
    _remove_older_versions(path)
    _remove_stale_temporaries(path.parent)
    return path


def _remove_stale_temporaries(folder: Path) -> None:
    """Delete temporary files of renders that were killed before their rename."""
    cutoff = datetime.now(UTC).timestamp() - STALE_TEMPORARY_SECONDS
    for leftover in folder.glob(".*.tmp"):
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except FileNotFoundError:  # another worker swept it first
            continue


def _remove_older_versions(current: Path) -> None:
    prefix = current.name.rsplit("-", 1)[0] + "-"
    for old in current.parent.glob(f"{prefix}*.pdf"):
        # The hash part has no '-', so the prefix match cannot catch another label's files.
        if old != current and "-" not in old.name[len(prefix) :]:
            # A request still sending the old file keeps reading it: unlink does not cut it.
            old.unlink(missing_ok=True)
