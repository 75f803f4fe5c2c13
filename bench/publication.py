"""The cost of publishing with a procurement commit, as the number of public calls grows.

`python -m bench publication`: on a fresh SQLite database migrated to head, one call's title is
changed and committed (the commit stores that call's new releases) with 10, then 200 public
calls, each on its own lot with its own need. Each commit is timed twice: as the portal does it,
rebuilding only the processes the commit touched, and rebuilding every public process (what
every commit did before, and what a change whose process cannot be told still does). Median of
REPEATS commits, after a warm-up.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

SIZES = (10, 200)
REPEATS = 5


def _config(folder: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "bench-secret-key",
        "WTF_CSRF_ENABLED": False,
        "UPLOAD_DIR": str(folder / "uploads"),
        "SEARCH_INDEX_DIR": str(folder / "search-index"),
        "KEYS_DIR": str(folder / "keys"),
        "OUTBOX_DIR": str(folder / "outbox"),
        "PDF_CACHE_DIR": str(folder / "pdf-cache"),
        "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
    }


def _copy(row: Any, **changes: Any) -> Any:
    """A new row of the same model with the same columns but its id, and those changes."""
    from sqlalchemy import inspect

    mapper = inspect(type(row))
    values = {a.key: getattr(row, a.key) for a in mapper.column_attrs if a.key != "id"}
    return type(row)(**{**values, **changes})


def _add_calls(count: int) -> None:
    """Public calls up to `count`, each a copy of the first on a lot and need of its own."""
    from sqlalchemy import func, select

    from procurement.calls.models import JointCall
    from procurement.models import LotMember
    from procurement.ocds.formats import call_ocid
    from registry.database import db

    first = db.session.scalars(select(JointCall).order_by(JointCall.id)).first()
    assert first is not None
    member = first.lot.members[0]
    existing = db.session.scalar(select(func.count()).select_from(JointCall)) or 0
    for number in range(existing, count):
        need = _copy(member.need, title=f"{member.need.title} {number}")
        lot = _copy(first.lot, buyers=1)
        db.session.add_all([need, lot])
        db.session.flush()
        db.session.add(_copy(member, lot_id=lot.id, need_id=need.id))
        call = _copy(first, lot_id=lot.id, ocid=f"pending-{need.id}")
        db.session.add(call)
        db.session.flush()
        call.ocid = call_ocid(call.id)
    db.session.commit()
    assert (db.session.scalar(select(func.count()).select_from(LotMember)) or 0) >= count


def _commit_time(everything: bool) -> float:
    """Median milliseconds of a commit renaming the first call (and storing its releases)."""
    from sqlalchemy import select

    from procurement.calls.models import JointCall
    from procurement.publication.on_commit import touched_in
    from registry.database import db

    samples = []
    for attempt in range(REPEATS + 1):
        call = db.session.scalars(select(JointCall).order_by(JointCall.id)).first()
        assert call is not None
        started = time.perf_counter()
        call.title = f"Video analytics licences, version {time.perf_counter_ns()}"
        if everything:
            touched_in(db.session()).everything = True
        db.session.commit()
        if attempt:
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def run() -> None:
    """Time a procurement commit with 10 and 200 public calls, touched processes against all."""
    from flask_migrate import upgrade

    from app import create_app
    from registry.database import db
    from registry.models import OrganisationKind
    from tests.procurement import public_builders

    with tempfile.TemporaryDirectory(prefix="safetech-publication-") as temporary:
        application = create_app(_config(Path(temporary)))
        with application.app_context():
            upgrade()
            authority = public_builders.person(OrganisationKind.AUTHORITY, "Bench Authority")
            authority.is_org_admin = True
            db.session.commit()
            scene = public_builders.scene(authority)
            public_builders.open_call(scene)
            print("## publication on commit (SQLite)")
            print("| public calls | touched processes ms | every process ms | ratio |")
            print("|---|---|---|---|")
            for size in SIZES:
                _add_calls(size)
                touched = _commit_time(everything=False)
                every = _commit_time(everything=True)
                print(f"| {size} | {touched:.1f} | {every:.1f} | {every / touched:.1f} |")
            db.session.remove()
            db.engine.dispose()
