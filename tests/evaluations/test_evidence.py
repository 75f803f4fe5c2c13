"""Evidence uploads (docs/SECURITY.md, "Files"): content checks, names, storage."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from evaluations.models import Evidence
from evaluations.services.application import apply_for_evaluation, attach_evidence, remove_evidence
from registry import audit, stored_files, uploads
from registry.database import db
from registry.exceptions import RuleViolation
from registry.models import AuditEntry, User
from tests.catalog.solution_builders import first_version
from tests.evaluations.agreement.agreement_builders import accepted
from tests.evaluations.evaluation_builders import PDF, Cast, make_cast

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "hello")
    return buffer.getvalue()


@pytest.fixture
def cast(app: Flask, create_user: Callable[..., User]) -> Iterator[Cast]:
    """People, a norm and a solution."""
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        made = make_cast(create_user)
        accepted(made.vendor, made.authority)  # applying needs the agreement in force
        yield made


@pytest.fixture
def evaluation(cast: Cast) -> Any:
    """A draft application of the vendor."""
    found = apply_for_evaluation(
        cast.vendor,
        cast.solution_id,
        cast.version.id,
        product_version_id=first_version(cast.vendor, cast.solution_id).id,
    )
    db.session.commit()
    return found


def _stored_files(app: Flask) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"]) / "evidence"
    return sorted(folder.iterdir()) if folder.is_dir() else []


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("report.pdf", PDF, "application/pdf"),
        ("photo.PNG", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("notes.txt", "Résultats: conformes.\n".encode(), "text/plain; charset=utf-8"),
        ("data.csv", b"metric,value\nlatency,12\n", "text/csv; charset=utf-8"),
    ],
)
def test_accepted_files_are_stored_with_their_hash(
    app: Flask, cast: Cast, evaluation: Any, name: str, data: bytes, content_type: str
) -> None:
    item = attach_evidence(cast.vendor, evaluation, name, io.BytesIO(data))
    db.session.commit()
    assert item.content_type == content_type
    assert item.size_bytes == len(data)
    stored = uploads.path_of(item.stored_name)
    assert stored.read_bytes() == data
    assert item.stored_name != name and name not in item.stored_name
    assert item.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.pdf", b"", "empty"),
        ("x.pdf.exe", PDF, "not accepted"),
        ("page.html", b"<html></html>", "not accepted"),
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not accepted"),
        ("noextension", PDF, "not accepted"),
        ("archive.pdf", _zip_bytes(), "not a PDF"),
        ("page.pdf", b"<!DOCTYPE html><html><body>hi</body></html>", "not a PDF"),
        ("photo.png", JPEG, "not a PNG"),
        ("photo.jpg", PNG, "not a JPG"),
        ("notes.txt", b"<script>alert(1)</script>", "web markup"),
        ("notes.txt", b"hello <svg onload=alert(1)>", "web markup"),
        ("notes.txt", b"<!doctype html>", "web markup"),
        ("data.csv", b"a,b\n<HTML>", "web markup"),
        ("notes.txt", b"\xff\xfe\x00h\x00i", "UTF-8"),
        ("notes.txt", b"abc\x00def", "binary"),
        ("zip.txt", _zip_bytes(), "UTF-8|binary"),
    ],
)
def test_bad_files_are_refused_with_a_reason(
    app: Flask, cast: Cast, evaluation: Any, name: str, data: bytes, reason: str
) -> None:
    with pytest.raises(RuleViolation, match=reason):
        attach_evidence(cast.vendor, evaluation, name, io.BytesIO(data))
    db.session.rollback()
    assert _stored_files(app) == []
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0


def test_oversized_file_is_refused(app: Flask, cast: Cast, evaluation: Any) -> None:
    app.config["EVIDENCE_MAX_BYTES"] = 1024
    with pytest.raises(RuleViolation, match="larger than"):
        attach_evidence(cast.vendor, evaluation, "big.pdf", io.BytesIO(PDF + b"0" * 2000))
    assert _stored_files(app) == []


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("a\x00b.pdf", "ab.pdf"),
        ("invoice\u202egpj.pdf", "invoicegpj.pdf"),
        ("x" * 400 + ".pdf", None),
        ('"><img src=x onerror=alert(1)>.pdf', '"><img src=x onerror=alert(1)>.pdf'),
    ],
)
def test_names_are_cleaned_and_files_stored_under_a_generated_name(
    app: Flask, cast: Cast, evaluation: Any, raw: str, shown: str | None
) -> None:
    data = b"plain text\n" if raw.endswith(".txt") else PDF
    item = attach_evidence(cast.vendor, evaluation, raw, io.BytesIO(data))
    db.session.commit()
    if shown is not None:
        assert item.original_name == shown
    assert len(item.original_name) <= uploads.DISPLAY_NAME_MAX
    assert item.original_name.endswith(".pdf") or item.original_name.endswith(".txt")
    stored = _stored_files(app)
    assert [p.name for p in stored] == [item.stored_name]
    assert stored[0].parent == Path(app.config["UPLOAD_DIR"]) / "evidence"


def test_a_database_failure_after_writing_leaves_no_file(
    app: Flask, cast: Cast, evaluation: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the audit log failed")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        attach_evidence(cast.vendor, evaluation, "report.pdf", io.BytesIO(PDF))
    db.session.rollback()
    assert _stored_files(app) == []
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0


def test_removed_evidence_file_is_left_to_the_sweep_after_commit(
    app: Flask, cast: Cast, evaluation: Any
) -> None:
    item = attach_evidence(cast.vendor, evaluation, "report.pdf", io.BytesIO(PDF))
    db.session.commit()
    (stored,) = _stored_files(app)
    two_hours_ago = time.time() - 7200
    os.utime(stored, (two_hours_ago, two_hours_ago))
    remove_evidence(cast.vendor, evaluation, item)
    db.session.rollback()
    assert _stored_files(app) == [stored]
    assert stored.stat().st_mtime == pytest.approx(two_hours_ago)  # untouched by the rollback
    item = db.session.scalars(select(Evidence)).one()
    remove_evidence(cast.vendor, evaluation, item)
    db.session.commit()
    # Still there, so a backup whose snapshot still names it finds it; its grace period
    # starts at the removal, so the sweep keeps it for now and removes it once it is over.
    assert _stored_files(app) == [stored]
    assert time.time() - stored.stat().st_mtime < 60
    assert [found.path for found in stored_files.sweep()] == []
    os.utime(stored, (two_hours_ago, two_hours_ago))
    assert [found.path for found in stored_files.sweep()] == [f"evidence/{stored.name}"]
    db.session.commit()
    assert _stored_files(app) == []


# --- through the web layer -------------------------------------------------------------


def _upload(client: FlaskClient, evaluation_id: int, name: str, data: bytes) -> Any:
    return client.post(
        f"/evaluations/{evaluation_id}/evidence",
        data={"file": (io.BytesIO(data), name), "criterion_id": "", "description": "Test <b>"},
        content_type="multipart/form-data",
    )


def test_upload_page_shows_the_reason_and_escapes_the_name(
    app: Flask, client: FlaskClient, login: Any, cast: Cast, evaluation: Any
) -> None:
    login(client, cast.vendor)
    refused = _upload(client, evaluation.id, "x.pdf.exe", PDF)
    assert refused.status_code == 400
    assert "Files of this type are not accepted" in refused.get_data(as_text=True)
    accepted = _upload(client, evaluation.id, "<img src=x onerror=alert(1)>.pdf", PDF)
    assert accepted.status_code == 302
    page = client.get(f"/evaluations/{evaluation.id}").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in page
    assert "<img src=x" not in page


def test_upload_over_the_request_limit_gets_the_413_page(
    app_factory: Callable[..., Flask], login: Any, cast: Cast, evaluation: Any
) -> None:
    small = app_factory(MAX_CONTENT_LENGTH=4096)
    client = small.test_client()
    login(client, cast.vendor)
    response = _upload(client, evaluation.id, "big.pdf", PDF + b"0" * 10_000)
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    with small.app_context():
        assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0
    assert not (Path(small.config["UPLOAD_DIR"]) / "evidence").exists() or not list(
        (Path(small.config["UPLOAD_DIR"]) / "evidence").iterdir()
    )


@pytest.mark.parametrize("failure", ["read-only folder", "disk full"])
def test_storage_failure_gives_503_and_keeps_the_input(
    app_factory: Callable[..., Flask],
    login: Any,
    cast: Cast,
    evaluation: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
) -> None:
    if failure == "read-only folder":
        # A path under a regular file cannot be created, even by root (who ignores modes).
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("")
        broken = app_factory(UPLOAD_DIR=str(blocker / "uploads"))
    else:
        broken = app_factory()

        def full_disk(*args: Any, **kwargs: Any) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, "replace", full_disk)
    client = broken.test_client()
    login(client, cast.vendor)
    response = _upload(client, evaluation.id, "report.pdf", PDF)
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert "Files cannot be stored right now" in body
    assert "Test &lt;b&gt;" in body  # the description typed is kept, escaped
    folder = Path(broken.config["UPLOAD_DIR"]) / "evidence"
    if folder.is_dir():
        assert list(folder.iterdir()) == []  # not even the temporary file
    with broken.app_context():
        assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0


def test_download_only_to_those_allowed_as_attachment(
    app: Flask, client: FlaskClient, login: Any, cast: Cast, evaluation: Any
) -> None:
    item = attach_evidence(cast.vendor, evaluation, "report.pdf", io.BytesIO(PDF))
    db.session.commit()
    path = f"/evaluations/{evaluation.id}/evidence/{item.id}"
    for outsider in (cast.other_vendor, cast.evaluator):
        other = app.test_client()
        login(other, outsider)
        assert other.get(path).status_code == 404
    login(client, cast.vendor)
    response = client.get(path)
    assert response.status_code == 200
    assert response.data == PDF
    response.close()
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert client.get(f"/evaluations/{evaluation.id}/evidence/{item.id + 1}").status_code == 404


def _upload_many(
    client: FlaskClient, evaluation_id: int, files: list[tuple[str, bytes]], criterion: str = ""
) -> Any:
    return client.post(
        f"/evaluations/{evaluation_id}/evidence",
        data={
            "file": [(io.BytesIO(data), name) for name, data in files],
            "criterion_id": criterion,
            "description": "Test reports",
        },
        content_type="multipart/form-data",
    )


def test_several_files_are_attached_in_one_go_for_one_criterion(
    app: Flask, client: FlaskClient, login: Any, cast: Cast, evaluation: Any
) -> None:
    login(client, cast.vendor)
    criterion = evaluation.norm_version.ordered_criteria()[0]
    page = client.get(f"/evaluations/{evaluation.id}").get_data(as_text=True)
    # The vendor reads what each criterion asks for, and which still lack evidence.
    assert f"What to provide: {criterion.guidance}" in page
    assert f"<li>{criterion.code} — {criterion.title}</li>" in page
    files = [("a.pdf", PDF), ("b.csv", b"metric,value\nlatency,12\n"), ("c.txt", b"ok\n")]
    response = _upload_many(client, evaluation.id, files, str(criterion.id))
    assert response.status_code == 302
    stored = db.session.scalars(select(Evidence).where(Evidence.evaluation_id == evaluation.id))
    assert sorted((item.original_name, item.criterion_id) for item in stored) == [
        (name, criterion.id) for name, _ in files
    ]
    assert len(_stored_files(app)) == 3
    page = client.get(f"/evaluations/{evaluation.id}").get_data(as_text=True)
    assert "3 files are attached." in page
    assert f"<li>{criterion.code} — {criterion.title}</li>" not in page
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("evidence.attach") == 3


def test_one_refused_file_attaches_none_and_is_named(
    app: Flask, client: FlaskClient, login: Any, cast: Cast, evaluation: Any
) -> None:
    login(client, cast.vendor)
    files = [("a.pdf", PDF), ("tool.exe", b"MZ"), ("c.txt", b"ok\n")]
    refused = _upload_many(client, evaluation.id, files)
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "tool.exe: Files of this type are not accepted" in text
    assert "No file was attached." in text
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0
    assert _stored_files(app) == []
    too_many = _upload_many(client, evaluation.id, [(f"{n}.txt", b"ok\n") for n in range(11)])
    assert too_many.status_code == 400
    assert "Attach at most 10 files at a time; you chose 11." in too_many.get_data(as_text=True)
    empty = client.post(
        f"/evaluations/{evaluation.id}/evidence",
        data={"criterion_id": "", "description": ""},
        content_type="multipart/form-data",
    )
    assert empty.status_code == 400 and "Choose at least one file." in empty.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0
