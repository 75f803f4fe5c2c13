"""A gunicorn worker SIGKILLed while it renders a label PDF or stores an upload.

Whatever the moment of the kill, no file under a name the application serves is partial, no
evidence row points at a missing or different file, the leftovers of a killed write are never
served and are swept later, and the next request gets a complete answer.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from evaluations.models import Evidence
from registry import uploads
from registry.database import db
from registry.models import User
from tests.evaluations.labels.label_builders import issued_label, make_world
from tests.faults.conftest import Application, Server, kill, read_all
from tests.support import PASSWORD

HOUR = 3600
STORED_NAME = re.compile(r"[0-9a-f]{32}\.[a-z]{3,4}")

pytestmark = pytest.mark.slow


def _pdf_text(data: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, timeout=30, check=False
    )
    assert result.returncode == 0, f"not a readable PDF: {result.stderr!r}"
    return result.stdout.decode()


def _check_pdf_cache(cache: Path, number: str) -> list[Path]:
    """Every entry the application would serve is a whole PDF; returns the temporary files."""
    temporaries = []
    for entry in sorted(cache.iterdir()) if cache.is_dir() else []:
        if entry.name.startswith("."):
            assert entry.name.endswith(".tmp"), entry.name
            temporaries.append(entry)
            continue
        assert entry.name.startswith(f"{number}-") and entry.suffix == ".pdf", entry.name
        assert number in _pdf_text(entry.read_bytes())
    return temporaries


def _kill_mid_write(
    worker: int,
    folder: Path,
    is_partial: Callable[[str], bool],
    is_finished: Callable[[str], bool],
    before: set[str] | None = None,
) -> None:
    """Kill ``worker`` once a partial file shows in ``folder`` (names in ``before`` aside).

    It gives up when a finished file shows first, or after 20 seconds.
    """
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        names = {entry.name for entry in folder.iterdir()} - (before or set())
        if any(is_partial(name) for name in names):
            kill(worker)
            return
        if any(is_finished(name) for name in names):
            return


def _served_pdf(server: Server, number: str) -> bytes:
    status, headers, body = server.request("GET", f"/labels/{number}.pdf")
    assert status == 200, server.log_tail()
    assert headers["content-type"] == "application/pdf"
    assert number in _pdf_text(body)
    return body


def test_a_worker_killed_while_rendering_a_label_pdf_leaves_no_partial_file(
    app: Flask, create_user: Callable[..., User], start_server: Callable[..., Server]
) -> None:
    number = issued_label(make_world(create_user)).number
    cache = Path(app.config["PDF_CACHE_DIR"])
    request = f"GET /labels/{number}.pdf HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()

    def clear() -> None:
        for entry in cache.glob("*.pdf"):
            entry.unlink()

    server = start_server()
    clear()
    started = time.monotonic()
    _served_pdf(server, number)
    render_seconds = time.monotonic() - started
    started = time.monotonic()
    _served_pdf(server, number)
    cached_seconds = time.monotonic() - started

    # Kill between the time a cached answer takes and the time a render takes: mid-render.
    # A kill that came too late (the PDF was done) is aimed earlier next time.
    offset = (cached_seconds + render_seconds) / 2
    attempts: list[tuple[float, str]] = []
    for _ in range(8):
        clear()
        server.wait_for_workers()
        with server.connect() as client:
            client.sendall(request)
            worker = server.worker_holding(client)
            time.sleep(offset)
            kill(worker)
            answer = read_all(client)
        _check_pdf_cache(cache, number)
        if answer.startswith(b"HTTP/1.1 200") or list(cache.glob("*.pdf")):
            attempts.append((offset, "finished"))
            offset = cached_seconds + (offset - cached_seconds) / 2
            continue
        assert answer == b"", answer[:300]
        attempts.append((offset, "cut short"))
        break
    assert attempts[-1][1] == "cut short", (attempts, cached_seconds, render_seconds)

    # Kill at the moment the temporary file appears: a write cut in the middle.
    leftovers: list[Path] = []
    for _ in range(4):
        clear()
        server.wait_for_workers()
        with server.connect() as client:
            client.sendall(request)
            worker = server.worker_holding(client)
            _kill_mid_write(
                worker,
                cache,
                is_partial=lambda name: name.endswith(".tmp"),
                is_finished=lambda name: not name.startswith("."),
            )
            read_all(client)
        leftovers = _check_pdf_cache(cache, number)
        if leftovers:
            break
    if not leftovers:
        # The write was never caught in the act: leave what such a kill leaves.
        leftovers = [cache / f".{number}-{'0' * 40}.pdf.{secrets.token_hex(8)}.tmp"]
        leftovers[0].write_bytes(_served_pdf(server, number)[:1000])
        clear()

    # The next visitor gets a whole PDF; leftovers are never served, and swept once stale.
    assert number in _pdf_text(_served_pdf(server, number))
    assert all(leftover.exists() for leftover in leftovers)
    for leftover in leftovers:
        os.utime(leftover, (time.time() - 2 * HOUR, time.time() - 2 * HOUR))
    clear()
    _served_pdf(server, number)
    assert not any(leftover.exists() for leftover in leftovers)
    assert _check_pdf_cache(cache, number) == []
    assert len(list(cache.glob("*.pdf"))) == 1


# --- uploads ----------------------------------------------------------------------------------


def _multipart(fields: dict[str, str], file_name: str, data: bytes) -> tuple[str, bytes]:
    boundary = f"fault{secrets.token_hex(12)}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{file_name}"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def _upload_request(evaluation_id: int, cookie: str, description: str, data: bytes) -> bytes:
    content_type, body = _multipart(
        {"criterion_id": "", "description": description}, "report.pdf", data
    )
    head = (
        f"POST /evaluations/{evaluation_id}/evidence HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Cookie: {cookie}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


def _check_evidence(folder: Path, data: bytes) -> list[Path]:
    """Rows point at whole files, files under stored names are whole; returns temporaries."""
    db.session.rollback()
    rows = db.session.scalars(select(Evidence)).all()
    for row in rows:
        stored = uploads.path_of(row.stored_name)
        assert stored.is_file(), f"row {row.id} points at a missing file"
        content = stored.read_bytes()
        assert hashlib.sha256(content).hexdigest() == row.sha256
        assert len(content) == row.size_bytes
    db.session.rollback()
    temporaries = []
    for entry in sorted(folder.iterdir()) if folder.is_dir() else []:
        if entry.name.startswith("."):
            assert entry.name.startswith(".upload-"), entry.name
            temporaries.append(entry)
            continue
        assert STORED_NAME.fullmatch(entry.name), entry.name
        assert entry.read_bytes() == data, f"{entry.name} is not the whole upload"
    return temporaries


def test_a_worker_killed_during_an_upload_leaves_no_partial_file_and_no_dangling_row(
    app: Flask, draft_application: Application, start_server: Callable[..., Server]
) -> None:
    evaluation_id = draft_application.evaluation_id
    folder = Path(app.config["UPLOAD_DIR"]) / "evidence"
    data = b"%PDF-1.7\n" + secrets.token_bytes(1024 * 1024) + b"\n%%EOF\n"
    server = start_server()
    cookie = server.login(draft_application.vendor_email, PASSWORD)

    with server.connect() as client:
        client.sendall(_upload_request(evaluation_id, cookie, "first", data))
        started = time.monotonic()  # the whole body is sent: from here the server works
        assert read_all(client).startswith(b"HTTP/1.1 302")
    processing_seconds = time.monotonic() - started

    # 1. Killed while the body is still arriving: nothing is stored.
    raw = _upload_request(evaluation_id, cookie, "cut body", data)
    with server.connect() as client:
        client.sendall(raw[: len(raw) // 2])
        worker = server.worker_holding(client)
        time.sleep(0.2)
        kill(worker)
        assert read_all(client) == b""
    assert _check_evidence(folder, data) == []
    assert len(list(folder.iterdir())) == 1  # the first upload's file only

    # 2. Killed after the last byte, while the upload is checked, written and committed.
    # A kill that came too late (the upload was saved) is aimed earlier next time.
    offset = processing_seconds / 2
    attempts: list[tuple[float, str]] = []
    for _ in range(8):
        server.wait_for_workers()
        description = f"killed after {offset:.4f}s"
        raw = _upload_request(evaluation_id, cookie, description, data)
        with server.connect() as client:
            client.sendall(raw[:2000])
            worker = server.worker_holding(client)
            client.sendall(raw[2000:])
            time.sleep(offset)
            kill(worker)
            answer = read_all(client)
        _check_evidence(folder, data)
        saved = db.session.scalars(select(Evidence).where(Evidence.description == description))
        if answer.startswith(b"HTTP/1.1 302") or saved.first() is not None:
            attempts.append((offset, "finished"))
            offset /= 2
            continue
        db.session.rollback()
        assert answer == b"", answer[:300]
        attempts.append((offset, "cut short"))
        break
    assert attempts[-1][1] == "cut short", (attempts, processing_seconds)

    # 3. Killed at the moment the temporary file appears: a write cut in the middle.
    leftovers: list[Path] = []
    for attempt in range(4):
        server.wait_for_workers()
        before = {entry.name for entry in folder.iterdir()}
        raw = _upload_request(evaluation_id, cookie, f"cut write {attempt}", data)
        with server.connect() as client:
            client.sendall(raw[:2000])
            worker = server.worker_holding(client)
            client.sendall(raw[2000:])
            _kill_mid_write(
                worker,
                folder,
                is_partial=lambda name: name.startswith(".upload-"),
                is_finished=lambda name: True,
                before=before,
            )
            read_all(client)
        leftovers = _check_evidence(folder, data)
        if leftovers:
            break
    if not leftovers:
        # The write was never caught in the act: leave what such a kill leaves.
        leftovers = [folder / f".upload-{secrets.token_hex(4)}"]
        leftovers[0].write_bytes(data[: len(data) // 2])

    # Leftovers can never be served (they are no stored names) and go once they are stale.
    for leftover in leftovers:
        with pytest.raises(ValueError, match="not a stored evidence name"):
            uploads.path_of(leftover.name)
        os.utime(leftover, (time.time() - 2 * HOUR, time.time() - 2 * HOUR))
    server.wait_for_workers()
    raw = _upload_request(evaluation_id, cookie, "after the kills", data)
    with server.connect() as client:
        client.sendall(raw)
        answer = read_all(client)
    assert answer.startswith(b"HTTP/1.1 302"), answer[:500]
    assert not any(leftover.exists() for leftover in leftovers)
    assert _check_evidence(folder, data) == []

    # Every row the vendor sees downloads whole.
    db.session.rollback()
    rows = db.session.scalars(select(Evidence)).all()
    assert any(row.description == "after the kills" for row in rows)
    for row in rows:
        status, _, body = server.request(
            "GET", f"/evaluations/{evaluation_id}/evidence/{row.id}", cookie=cookie
        )
        assert status == 200
        assert body == data
    db.session.rollback()
