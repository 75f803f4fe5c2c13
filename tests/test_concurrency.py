"""Concurrent writers: no "database is locked", no duplicates, the audit chain stays whole."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from registry import audit
from registry.database import db
from registry.models import AuditEntry, Organisation


def _register(app: Flask, index: int, name: str | None, results: list[int]) -> None:
    client = app.test_client()
    response = client.post(
        "/register",
        data={
            "organisation_name": name or f"Concurrent Vendor {index}",
            "kind": "vendor",
            "vendor_size": "sme",
            "legal_identifier_scheme": "FR-SIRENE",
            "legal_identifier": "732829320",
            "country": "FR",
            "full_name": f"Person {index}",
            "email": f"person{index}@example.org",
            "password": "concurrent passphrase",
        },
    )
    results.append(response.status_code)


def _run(app: Flask, count: int, name: str | None = None) -> list[int]:
    results: list[int] = []
    threads = [
        threading.Thread(target=_register, args=(app, i, name, results)) for i in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_concurrent_registrations_all_succeed_and_chain(app: Flask) -> None:
    results = _run(app, 12)
    assert results == [200] * 12
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 12
    seqs = db.session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
    assert seqs == list(range(1, 13))
    assert audit.verify_chain().ok


def test_the_same_registration_submitted_at_once_is_saved_once(app: Flask) -> None:
    results: Any = _run(app, 6, name="Double Click Security")
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1
    # One succeeds; the others are told it already exists (form error) or was saved once (409).
    assert sorted(set(results)) in ([200], [200, 409])
