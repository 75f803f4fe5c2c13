"""How fast the audit log appends (one transaction per entry, as requests do) and verifies."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from app import create_app
from registry import audit
from registry.database import db


def _app(folder: Path):  # type: ignore[no-untyped-def]
    return create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
            "SECRET_KEY": "bench",
            "OUTBOX_DIR": str(folder / "outbox"),
        }
    )


def run(entries: int = 5000) -> None:
    """Append `entries` entries one commit at a time on SQLite, then verify the chain."""
    with tempfile.TemporaryDirectory() as tmp:
        app = _app(Path(tmp))
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            for i in range(entries):
                audit.record(None, "bench.event", object_type="bench", object_id=i, data={"i": i})
                db.session.commit()
            append_seconds = time.perf_counter() - started
            started = time.perf_counter()
            report = audit.verify_chain()
            verify_seconds = time.perf_counter() - started
            assert report.ok and report.checked == entries
            db.engine.dispose()
    print(
        f"audit append (SQLite, one commit per entry): {entries / append_seconds:,.0f} entries/s "
        f"({append_seconds * 1000 / entries:.2f} ms each)"
    )
    print(f"audit verify: {entries / verify_seconds:,.0f} entries/s ({entries} entries)")
