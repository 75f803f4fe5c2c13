"""The label PDF: what it shows, its QR code, the attached credential, the cache, the CLI."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from flask import Flask
from flask.testing import FlaskCliRunner
from PIL import Image
from pypdf import PdfReader

from evaluations.labels.credentials import VerdictCode
from evaluations.labels.documents.facts import (
    CertifiedVersion,
    Classification,
    CriterionSummary,
    LabelFacts,
)
from evaluations.labels.documents.signing import (
    build_status_list_credential,
    credential_bytes,
    issue_label_credential,
)
from evaluations.labels.documents.verification import ATTACHMENT_NAME, verify_label_file
from evaluations.labels.keys import KeyStore, SigningKey, current_signing_key, public_keys_document
from evaluations.labels.pdf import (
    DataOnlyURLFetcher,
    RefusedURL,
    cached_label_pdf,
    label_html,
    pdf_cache_path,
    print_date,
    render_label_pdf,
    write_pdf,
)
from registry import dates

BASE = "https://registry.example"
TODAY = datetime.now(UTC).date()


def make_facts(**changes: Any) -> LabelFacts:
    """A current label (valid today) as the label service would describe it."""
    facts = LabelFacts(
        number="STR-2026-00042",
        status="valid",
        level="Advanced",
        score_percent=84.5,
        solution_id=7,
        solution_name="Sentinel Video Analytics",
        vendor_id=3,
        vendor_name="Acme Security",
        norm_code="VA-INTEROP",
        norm_title="Video analysis interoperability",
        norm_version="2",
        issued_on=TODAY - timedelta(days=30),
        expires_on=TODAY + timedelta(days=700),
        verification_url=f"{BASE}/labels/STR-2026-00042",
        status_list_index=42,
        criteria=(
            CriterionSummary("VA-1", "ONVIF Profile S conformance", "Pass", "Interoperability"),
            CriterionSummary("VA-2", "Open export format", "4 / 5", "Interoperability"),
            CriterionSummary("PR-1", "Privacy impact assessment", "Pass", "Privacy"),
        ),
        category=Classification("video-analysis", "Video analysis"),
        activities=(Classification("public-space", "Public space protection"),),
        standards=("ONVIF-S", "GDPR"),
        privacy_sensitive=True,
        uses_biometrics=True,
        scope=(
            CertifiedVersion("2.1", date(2026, 3, 1), purl="pkg:generic/acme/watch@2.1"),
            CertifiedVersion("2.0", date(2025, 9, 15)),
        ),
        facts_revision=2,
    )
    return dataclasses.replace(facts, **changes)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> KeyStore:
    """The keys of a test registry."""
    return KeyStore(tmp_path_factory.mktemp("pdf-keys"))


@pytest.fixture(scope="module")
def signing_key(store: KeyStore) -> SigningKey:
    """That registry's current key."""
    return store.current_signing_key()


@pytest.fixture(scope="module")
def keys_document(store: KeyStore) -> Any:
    """The keys file of that registry."""
    return public_keys_document(BASE, store.directory)


def current_lists(signing_key: SigningKey, base_url: str = BASE) -> list[dict[str, Any]]:
    """Both status lists, signed now, with no label revoked or suspended."""
    return [
        build_status_list_credential(purpose, [], signing_key, base_url)
        for purpose in ("revocation", "suspension")
    ]


def write_current_lists(folder: Path, base_url: str) -> list[str]:
    """The registry's current status lists as files, and the CLI options naming them."""
    options = []
    for status_list in current_lists(current_signing_key(), base_url):
        path = folder / f"{status_list['credentialSubject']['statusPurpose']}.json"
        path.write_text(json.dumps(status_list))
        options += ["--status-list", str(path)]
    return options


@pytest.fixture(scope="module")
def rendered(signing_key: SigningKey) -> tuple[LabelFacts, bytes, bytes]:
    """One rendered label: facts, credential JSON, PDF."""
    facts = make_facts()
    credential_json = credential_bytes(issue_label_credential(facts, signing_key, BASE))
    return facts, credential_json, render_label_pdf(facts, credential_json)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The text a reader sees, extracted by poppler's pdftotext, without any whitespace.

    Whitespace goes because line breaks and spacing depend on layout ("4 / 5" in bold comes
    out as "4/5"), which is not what these tests are about.
    """
    path = tmp_path / "label.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        # -raw: the order of drawing, which keeps each table cell whole when two tables
        # stand side by side (-layout would interleave their lines).
        ["/usr/bin/pdftotext", "-raw", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return squeeze(text)


def squeeze(text: str) -> str:
    """Text without whitespace, for comparing with pdf_text."""
    return "".join(text.split())


def qr_codes(pdf: bytes, tmp_path: Path) -> list[str]:
    """Every QR code on the first page, printed at 150 dpi and scanned."""
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        [
            "/usr/bin/pdftoppm",
            "-r",
            "150",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(path),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    (image_path,) = tmp_path.glob("page*.png")
    with Image.open(image_path) as image:
        return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


# --- What the card shows -----------------------------------------------------------------------


def test_the_card_shows_the_label_facts(
    rendered: tuple[LabelFacts, bytes, bytes], tmp_path: Path
) -> None:
    facts, _, pdf = rendered
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf, tmp_path)
    for expected in (
        "STR-2026-00042",
        "Advanced",
        f"Valid on {print_date(dates.today())}",
        "Scan for the current status",
        "Sentinel Video Analytics",
        "Acme Security",
        "VA-INTEROP",
        "Video analysis interoperability",
        "84.5 %",
        print_date(facts.issued_on),
        print_date(facts.expires_on),
        "ONVIF Profile S conformance",
        "4 / 5",
        "Privacy impact assessment",
        f"{BASE}/labels/STR-2026-00042",
        ATTACHMENT_NAME,
        "accepts this PDF for checking",
        f"{BASE}/.well-known/safetech-keys.json",
        f"{BASE}/labels/status/revocation.json",
        f"{BASE}/labels/status/suspension.json",
        "Without current status lists the verdict is STATUS_UNKNOWN",
        # What the label certifies, and its versions.
        "Certified versions 2.1 (released 2026-03-01), 2.0 (released 2025-09-15)",
        "Video analysis",
        "Public space protection",
        "ONVIF-S, GDPR",
        "Privacy-sensitive: biometrics",
        "Facts revision 2",
    ):
        assert squeeze(expected) in text, expected


def test_a_label_issued_before_versions_were_tracked_says_so(
    rendered: tuple[LabelFacts, bytes, bytes], tmp_path: Path
) -> None:
    facts, credential_json, _ = rendered
    older = dataclasses.replace(facts, scope=(), facts_revision=1)
    text = pdf_text(render_label_pdf(older, credential_json), tmp_path)
    assert squeeze("No version recorded (issued before versions were tracked)") in text
    assert squeeze("Facts revision") not in text


def test_the_qr_code_scans_to_the_verification_url(
    rendered: tuple[LabelFacts, bytes, bytes], tmp_path: Path
) -> None:
    facts, _, pdf = rendered
    assert qr_codes(pdf, tmp_path) == [facts.verification_url]


def test_the_attached_credential_is_the_signed_one_and_verifies(
    rendered: tuple[LabelFacts, bytes, bytes], keys_document: Any, signing_key: SigningKey
) -> None:
    _, credential_json, pdf = rendered
    attachments = PdfReader(io.BytesIO(pdf)).attachments
    assert attachments[ATTACHMENT_NAME] == [credential_json]
    verdict = verify_label_file(pdf, keys_document, current_lists(signing_key))
    assert verdict.code == VerdictCode.VALID, verdict.message
    assert "STR-2026-00042" in verdict.message


def test_title_and_author_metadata(rendered: tuple[LabelFacts, bytes, bytes]) -> None:
    metadata = PdfReader(io.BytesIO(rendered[2])).metadata
    assert metadata is not None
    assert metadata.title == "SafeTech label STR-2026-00042"
    assert metadata.author == "National Public Security Technology Authority"


def test_the_same_label_renders_to_the_same_bytes(
    rendered: tuple[LabelFacts, bytes, bytes],
) -> None:
    facts, credential_json, pdf = rendered
    # Stable bytes mean stable ETags for the served file.
    assert render_label_pdf(facts, credential_json) == pdf


def test_the_status_word_says_on_which_day_it_was_true(
    rendered: tuple[LabelFacts, bytes, bytes], tmp_path: Path
) -> None:
    facts, credential_json, _ = rendered
    text = pdf_text(render_label_pdf(facts, credential_json, date(2026, 12, 5)), tmp_path)
    assert squeeze("Valid on 5 December 2026") in text
    assert squeeze("Scan for the current status") in text
    # The bare word alone would claim a status the label may have lost since it was printed.
    assert "VALID" not in text


def test_the_description_names_the_level_once(rendered: tuple[LabelFacts, bytes, bytes]) -> None:
    facts, credential_json, _ = rendered
    html = label_html(dataclasses.replace(facts, level="Certified"), credential_json)
    description = html.split('name="description" content="', 1)[1].split('"', 1)[0]
    assert "certification of" not in description.lower()
    assert "level Certified" in description and facts.number in description


def test_a_new_day_renders_the_status_again_and_drops_the_old_file(
    rendered: tuple[LabelFacts, bytes, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    facts, credential_json, _ = rendered
    renders = _count_renders(monkeypatch)
    first = cached_label_pdf(facts, credential_json, tmp_path, date(2026, 12, 5))
    assert cached_label_pdf(facts, credential_json, tmp_path, date(2026, 12, 5)) == first
    second = cached_label_pdf(facts, credential_json, tmp_path, date(2026, 12, 6))
    assert renders == [facts.number, facts.number]
    assert second != first and not first.exists()
    assert squeeze("Valid on 6 December 2026") in pdf_text(second.read_bytes(), tmp_path)


def test_a_suspended_label_says_so_with_its_reason(signing_key: SigningKey, tmp_path: Path) -> None:
    facts = make_facts(status="suspended", status_reason="Firmware vulnerability under review")
    credential_json = credential_bytes(issue_label_credential(facts, signing_key, BASE))
    text = pdf_text(render_label_pdf(facts, credential_json), tmp_path)
    assert squeeze(f"Suspended on {print_date(dates.today())}") in text
    assert squeeze("Firmware vulnerability under review") in text


def test_a_label_without_criteria_says_so(signing_key: SigningKey, tmp_path: Path) -> None:
    facts = make_facts(criteria=())
    credential_json = credential_bytes(issue_label_credential(facts, signing_key, BASE))
    assert squeeze("No criteria are recorded") in pdf_text(
        render_label_pdf(facts, credential_json), tmp_path
    )


def pdfinfo(pdf: bytes, tmp_path: Path, *options: str) -> str:
    """What poppler's pdfinfo says of the PDF (with ``-struct``: its structure tree)."""
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["/usr/bin/pdfinfo", *options, str(path)], check=True, capture_output=True, text=True
    ).stdout


def pdfinfo_field(info: str, name: str) -> str:
    """One field of pdfinfo's report, e.g. Pages or Title."""
    for line in info.splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"pdfinfo reports no {name}:\n{info}")


def long_criterion(index: int) -> CriterionSummary:
    """A criterion with a 120-character title, as a demanding norm words them."""
    title = (
        f"Criterion {index:02}: the solution exports recorded video and its metadata in an "
        "open, documented format that other systems read without a licence fee"
    )[:120]
    assert len(title) == 120
    return CriterionSummary(f"SEC-{index:02}", title, "4 / 5", "Interoperability")


@pytest.mark.parametrize("count", [1, 10, 25])
def test_a_norm_of_up_to_25_long_criteria_fits_one_page(
    signing_key: SigningKey, tmp_path: Path, count: int
) -> None:
    facts = make_facts(
        criteria=tuple(long_criterion(i) for i in range(count)),
        status="suspended",
        status_reason="Firmware vulnerability under review",
    )
    credential_json = credential_bytes(issue_label_credential(facts, signing_key, BASE))
    pdf = render_label_pdf(facts, credential_json, remediation=("CVE-2026-0001",))
    assert pdfinfo_field(pdfinfo(pdf, tmp_path), "Pages") == "1"
    text = pdf_text(pdf, tmp_path)
    for row in facts.criteria:
        assert squeeze(row.title) in text, row.title
    assert (
        squeeze(f"Criteria summary ({count} criteria)" if count > 8 else "Criteria summary") in text
    )
    assert squeeze("How to verify this label") in text
    assert qr_codes(pdf, tmp_path) == [facts.verification_url]


def test_the_pdf_is_tagged_for_screen_readers_with_its_language(
    rendered: tuple[LabelFacts, bytes, bytes], tmp_path: Path
) -> None:
    pdf = rendered[2]
    assert pdfinfo_field(pdfinfo(pdf, tmp_path), "Tagged") == "yes"
    structure = {
        line.split()[0].rstrip(":")
        for line in pdfinfo(pdf, tmp_path, "-struct").splitlines()
        if line.strip()
    }
    assert {"Document", "H1", "H2", "P", "Table", "TH", "TD", "Figure"} <= structure
    reader = PdfReader(io.BytesIO(pdf))
    assert str(reader.root_object["/Lang"]) == "en"
    # The XMP metadata claims PDF/UA-1, which the tags and the language make true.
    metadata = reader.xmp_metadata
    assert metadata is not None
    assert b"pdfuaid:part" in metadata.stream.get_data()


def test_the_pdf_names_its_title_subject_author_and_keywords(
    rendered: tuple[LabelFacts, bytes, bytes], tmp_path: Path
) -> None:
    facts, _, pdf = rendered
    info = pdfinfo(pdf, tmp_path)
    assert pdfinfo_field(info, "Title") == f"SafeTech label {facts.number}"
    assert pdfinfo_field(info, "Author") == facts.authority_name
    subject = pdfinfo_field(info, "Subject")
    assert facts.solution_name in subject and facts.vendor_name in subject
    assert f"level {facts.level}" in subject and facts.norm_code in subject
    assert facts.number in pdfinfo_field(info, "Keywords")


def test_many_criteria_flow_onto_more_pages_and_still_verify(
    signing_key: SigningKey, keys_document: Any
) -> None:
    rows = tuple(CriterionSummary(f"C-{i}", f"Criterion {i}", "Pass") for i in range(80))
    facts = make_facts(criteria=rows)
    credential_json = credential_bytes(issue_label_credential(facts, signing_key, BASE))
    pdf = render_label_pdf(facts, credential_json)
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 2
    assert verify_label_file(pdf, keys_document, current_lists(signing_key)).ok


# --- Nothing is fetched, user text is escaped --------------------------------------------------


HOSTILE = '<img src="file:///etc/passwd"><img src="http://example.org/x.png"><script>x()</script>'


def test_markup_in_names_is_printed_as_text_and_never_fetched(
    signing_key: SigningKey, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    facts = make_facts(solution_name=HOSTILE, vendor_name='"><link rel=attachment href=/etc/hosts>')
    credential_json = credential_bytes(issue_label_credential(facts, signing_key, BASE))
    with caplog.at_level(logging.WARNING):
        pdf = render_label_pdf(facts, credential_json)
    text = pdf_text(pdf, tmp_path)
    assert squeeze(HOSTILE) in text
    # Nothing was even asked for: the markup never became elements.
    assert "refused to fetch" not in caplog.text
    assert list(PdfReader(io.BytesIO(pdf)).attachments) == [ATTACHMENT_NAME]


def test_the_url_fetcher_refuses_files_and_remote_urls() -> None:
    fetcher = DataOnlyURLFetcher()
    for url in ("file:///etc/passwd", "http://example.org/x.png", "https://127.0.0.1/", "ftp://x/"):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    assert fetcher.refused == [
        "file:///etc/passwd",
        "http://example.org/x.png",
        "https://127.0.0.1/",
        "ftp://x/",
    ]
    response = fetcher.fetch("data:text/plain;base64,aGk=")
    assert response.read() == b"hi"


def test_a_page_that_asks_for_files_gets_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for the pdf")
    fetcher = DataOnlyURLFetcher()
    html = (
        f'<html><head><link rel="stylesheet" href="file://{secret}">'
        f'<link rel="attachment" href="file://{secret}"></head><body>'
        f'<img src="file://{secret}"><img src="http://example.org/x.png">'
        '<p style="background: url(https://example.org/bg.png)">text</p></body></html>'
    )
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        pdf = write_pdf(html, url_fetcher=fetcher)
    assert set(fetcher.refused) == {
        f"file://{secret}",
        "http://example.org/x.png",
        "https://example.org/bg.png",
    }
    assert b"not for the pdf" not in pdf
    assert not PdfReader(io.BytesIO(pdf)).attachments


# --- The cache ---------------------------------------------------------------------------------


def _count_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    original = render_label_pdf

    def counting(
        facts: LabelFacts,
        credential_json: bytes,
        as_of: date | None = None,
        remediation: tuple[str, ...] = (),
    ) -> bytes:
        calls.append(facts.number)
        return original(facts, credential_json, as_of, remediation)

    monkeypatch.setattr("evaluations.labels.pdf.render_label_pdf", counting)
    return calls


def test_a_cached_pdf_is_reused_without_rendering(
    rendered: tuple[LabelFacts, bytes, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    facts, credential_json, pdf = rendered
    renders = _count_renders(monkeypatch)

    first = cached_label_pdf(facts, credential_json, tmp_path)
    written = first.stat()
    second = cached_label_pdf(facts, credential_json, tmp_path)

    assert renders == ["STR-2026-00042"]
    assert first == second == pdf_cache_path(facts, credential_json, tmp_path)
    assert second.stat().st_ino == written.st_ino
    assert second.stat().st_mtime_ns == written.st_mtime_ns
    assert second.read_bytes() == pdf
    assert first.name.startswith("STR-2026-00042-")
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_changed_label_renders_anew_and_replaces_the_old_file(
    rendered: tuple[LabelFacts, bytes, bytes],
    signing_key: SigningKey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    facts, credential_json, _ = rendered
    other_label = make_facts(number="STR-2026-00043", verification_url=f"{BASE}/labels/43")
    other_json = credential_bytes(issue_label_credential(other_label, signing_key, BASE))
    renders = _count_renders(monkeypatch)
    old = cached_label_pdf(facts, credential_json, tmp_path)
    untouched = cached_label_pdf(other_label, other_json, tmp_path)

    suspended = dataclasses.replace(facts, status="suspended", status_reason="inquiry")
    new = cached_label_pdf(suspended, credential_json, tmp_path)

    assert renders == ["STR-2026-00042", "STR-2026-00043", "STR-2026-00042"]
    assert new != old
    assert not old.exists()
    assert untouched.exists()
    assert b"SUSPENDED" not in old.name.encode()
    re_signed = credential_json.replace(b"\n", b"\n ")  # same data, other bytes: a new file
    assert pdf_cache_path(suspended, re_signed, tmp_path) != new


def test_a_vulnerability_mark_renders_anew_and_is_printed(
    rendered: tuple[LabelFacts, bytes, bytes], tmp_path: Path
) -> None:
    facts, credential_json, _ = rendered
    plain = cached_label_pdf(facts, credential_json, tmp_path / "cache")
    marked = cached_label_pdf(
        facts, credential_json, tmp_path / "cache", remediation=("VULN-2026-00001",)
    )
    assert marked != plain and not plain.exists()
    assert "Vulnerabilityunderremediation:VULN-2026-00001" in pdf_text(
        marked.read_bytes(), tmp_path
    )
    assert "remediation" not in pdf_text(render_label_pdf(facts, credential_json), tmp_path)
    # The mark ends: the plain label again.
    assert cached_label_pdf(facts, credential_json, tmp_path / "cache") == plain


def test_the_cache_uses_the_configured_directory(
    app: Flask, rendered: tuple[LabelFacts, bytes, bytes]
) -> None:
    facts, credential_json, _ = rendered
    path = cached_label_pdf(facts, credential_json)
    assert path.parent == Path(app.config["PDF_CACHE_DIR"])
    assert path.is_file()
    assert oct(path.stat().st_mode & 0o777) == oct(0o644 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_odd_label_numbers_make_safe_file_names(
    rendered: tuple[LabelFacts, bytes, bytes], tmp_path: Path
) -> None:
    facts, credential_json, _ = rendered
    path = pdf_cache_path(
        dataclasses.replace(facts, number="../../etc/x y"), credential_json, tmp_path
    )
    assert path.parent == tmp_path
    assert "/" not in path.name[:-4] and ".." not in path.name


# --- The verify command ------------------------------------------------------------------------


@pytest.fixture
def app_label(app: Flask) -> tuple[LabelFacts, dict[str, Any]]:
    """A label signed with the application's own key and base URL."""
    facts = make_facts()
    credential = issue_label_credential(facts, current_signing_key(), app.config["BASE_URL"])
    return facts, credential


def test_verify_command_on_json_and_pdf(
    app: Flask,
    runner: FlaskCliRunner,
    app_label: tuple[LabelFacts, dict[str, Any]],
    tmp_path: Path,
) -> None:
    facts, credential = app_label
    keys = tmp_path / "safetech-keys.json"
    keys.write_text(json.dumps(public_keys_document(app.config["BASE_URL"])))
    json_file = tmp_path / "label.json"
    json_file.write_bytes(credential_bytes(credential))
    pdf_file = tmp_path / "label.pdf"
    pdf_file.write_bytes(render_label_pdf(facts, credential_bytes(credential)))
    lists = write_current_lists(tmp_path, app.config["BASE_URL"])

    for path in (json_file, pdf_file):
        result = runner.invoke(args=["labels", "verify", str(path), "--keys", str(keys), *lists])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("VALID: label STR-2026-00042")
        assert "certified versions 2.1, 2.0" in result.output
        assert len(result.output.strip().splitlines()) == 1
        # Without the status lists the status is unknown, and that is not a pass.
        result = runner.invoke(args=["labels", "verify", str(path), "--keys", str(keys)])
        assert result.exit_code == 1, result.output
        assert result.output.startswith("STATUS_UNKNOWN: label STR-2026-00042")
        assert len(result.output.strip().splitlines()) == 1
    # Without --keys the registry's own keys are used.
    result = runner.invoke(args=["labels", "verify", str(pdf_file), *lists])
    assert result.exit_code == 0, result.output


def test_verify_command_reports_tampering_status_and_garbage(
    app: Flask,
    runner: FlaskCliRunner,
    app_label: tuple[LabelFacts, dict[str, Any]],
    tmp_path: Path,
) -> None:
    _, credential = app_label
    base_url = app.config["BASE_URL"]
    tampered = json.loads(json.dumps(credential))
    tampered["credentialSubject"]["label"]["level"] = "Platinum"
    (tmp_path / "tampered.json").write_text(json.dumps(tampered))
    (tmp_path / "label.json").write_bytes(credential_bytes(credential))
    (tmp_path / "junk.pdf").write_bytes(b"%PDF-1.7\n\x00\x01 junk")
    revocation = build_status_list_credential("revocation", [42], current_signing_key(), base_url)
    (tmp_path / "revocation.json").write_text(json.dumps(revocation))

    cases = [
        (["tampered.json"], "BAD_SIGNATURE"),
        (["junk.pdf"], "MALFORMED"),
        (["missing.pdf"], "MALFORMED"),
        (["label.json", "--status-list", str(tmp_path / "revocation.json")], "REVOKED"),
    ]
    for arguments, code in cases:
        arguments[0] = str(tmp_path / arguments[0])
        result = runner.invoke(args=["labels", "verify", *arguments])
        assert result.exit_code == 1, result.output
        assert result.output.startswith(f"{code}: "), result.output
        assert "Traceback" not in result.output


def test_verify_command_refuses_an_unreadable_keys_file(
    runner: FlaskCliRunner, app_label: tuple[LabelFacts, dict[str, Any]], tmp_path: Path
) -> None:
    (tmp_path / "label.json").write_bytes(credential_bytes(app_label[1]))
    (tmp_path / "keys.json").write_text("{not json")
    result = runner.invoke(
        args=[
            "labels",
            "verify",
            str(tmp_path / "label.json"),
            "--keys",
            str(tmp_path / "keys.json"),
        ]
    )
    assert result.exit_code == 1
    assert "cannot read the keys file" in result.output


def test_verify_command_after_a_rotation_still_accepts_old_labels(
    app: Flask,
    runner: FlaskCliRunner,
    app_label: tuple[LabelFacts, dict[str, Any]],
    tmp_path: Path,
) -> None:
    (tmp_path / "label.json").write_bytes(credential_bytes(app_label[1]))
    assert runner.invoke(args=["labels", "rotate-key"]).exit_code == 0
    # The status lists are signed with the new key, the label with the old one.
    lists = write_current_lists(tmp_path, app.config["BASE_URL"])
    result = runner.invoke(args=["labels", "verify", str(tmp_path / "label.json"), *lists])
    assert result.exit_code == 0, result.output


def test_expired_label_fails_the_command(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    facts = make_facts(issued_on=date(2020, 1, 1), expires_on=date(2022, 1, 1))
    credential = issue_label_credential(facts, current_signing_key(), app.config["BASE_URL"])
    (tmp_path / "old.json").write_bytes(credential_bytes(credential))
    result = runner.invoke(args=["labels", "verify", str(tmp_path / "old.json")])
    assert result.exit_code == 1
    assert result.output.startswith("EXPIRED: ")


def test_the_verifier_prints_only_its_verdict_on_a_truncated_pdf(
    app: Flask,
    app_config: dict[str, Any],
    app_label: tuple[LabelFacts, dict[str, Any]],
    tmp_path: Path,
) -> None:
    facts, credential = app_label
    pdf = render_label_pdf(facts, credential_bytes(credential))
    keys = tmp_path / "safetech-keys.json"
    keys.write_text(json.dumps(public_keys_document(app.config["BASE_URL"])))
    # The command as a verifier runs it: its own process, its own stderr.
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SAFETECH_") and key != "DATABASE_URL"
    }
    for name in ("DATABASE_URL", "SECRET_KEY", "KEYS_DIR", "UPLOAD_DIR", "SEARCH_INDEX_DIR"):
        environment[f"SAFETECH_{name}"] = str(app_config[name])
    for name in ("OUTBOX_DIR", "PDF_CACHE_DIR"):
        environment[f"SAFETECH_{name}"] = str(app_config[name])
    root = Path(__file__).resolve().parents[3]
    for length in (len(pdf) // 10, len(pdf) // 2, len(pdf) * 9 // 10, len(pdf) - 8):
        truncated = tmp_path / f"label-{length}.pdf"
        truncated.write_bytes(pdf[:length])
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", "labels", "verify", str(truncated)]
            + ["--keys", str(keys)],
            cwd=root,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 1, (length, result.stdout, result.stderr)
        assert result.stderr == "", (length, result.stderr)
        assert result.stdout.startswith("MALFORMED: "), (length, result.stdout)
        assert len(result.stdout.splitlines()) == 1, (length, result.stdout)
