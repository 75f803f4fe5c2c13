"""The append-only, hash-chained audit log: writing entries and verifying the chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text

from registry.database import db, utcnow
from registry.models import AuditEntry, User

GENESIS_HASH = "0" * 64
# The key, in an entry's data, of the flag that marks a public entry (see `record`).
PUBLIC_FLAG = "public"
# Any constant will do: it names the lock that serialises appends on PostgreSQL.
_AUDIT_LOCK_KEY = 0x5AFE7EC


def canonical_json(value: Any) -> str:
    """Serialise to a stable JSON text (sorted keys, no spaces) for hashing."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(fields: dict[str, Any], prev_hash: str) -> str:
    """The SHA-256 that chains an entry to its predecessor."""
    payload = canonical_json({**fields, "prev_hash": prev_hash})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def hashed_fields(entry: Any) -> dict[str, Any]:
    """The fields of an entry that its hash covers."""
    return {
        "seq": entry.seq,
        "at": entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "organisation_id": entry.organisation_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "summary": entry.summary,
        "data": entry.data,
    }


def record(
    actor: User | None,
    action: str,
    obj: Any = None,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    summary: str = "",
    data: dict[str, Any] | None = None,
    organisation_id: int | None = None,
    public: bool = False,
) -> AuditEntry:
    """Append one entry in the current transaction; the caller commits it with the change.

    A `public` entry is published in full (every hashed field) so that anyone can recompute
    its hash: it names its actor only by role ("authority", or "system"), never by account,
    and its data carries `"public": true`; the caller puts only public facts in its summary
    and data.
    """
    session = db.session
    if obj is not None:
        session.flush()  # the object needs its id before we name it
        object_type = object_type or getattr(obj, "__tablename__", type(obj).__name__.lower())
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _AUDIT_LOCK_KEY})
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    if organisation_id is None and actor is not None:
        organisation_id = actor.organisation_id
    actor_id = actor.id if actor is not None else None
    actor_label = actor.email if actor is not None else "system"
    if public:
        actor_id = None
        actor_label = actor.role.value if actor is not None else "system"
        data = {**(data or {}), PUBLIC_FLAG: True}
    entry = AuditEntry(
        seq=seq,
        at=utcnow(),
        actor_id=actor_id,
        actor_label=actor_label,
        organisation_id=organisation_id,
        action=action,
        object_type=object_type or "",
        object_id="" if object_id is None else str(object_id),
        summary=summary[:2000],
        data=canonical_json(data or {}),
        prev_hash=prev_hash,
        hash="",
    )
    entry.hash = entry_hash(hashed_fields(entry), prev_hash)
    session.add(entry)
    session.flush()
    return entry


def is_public(entry: Any) -> bool:
    """Whether an entry was written as public (its own hashed data says so)."""
    try:
        data = json.loads(entry.data)
    except (TypeError, ValueError):
        return False
    return isinstance(data, dict) and data.get(PUBLIC_FLAG) is True


def public_digest_line(seq: int, hash_: str) -> bytes:
    """One public entry's line in the public digest: "<seq> <hash>\n"."""
    return f"{seq} {hash_}\n".encode("ascii")


def public_digest(entries: Iterable[tuple[int, str]]) -> str:
    """SHA-256 over one line "<seq> <hash>\n" per public entry, in ascending order of seq."""
    digest = hashlib.sha256()
    for seq, hash_ in entries:
        digest.update(public_digest_line(seq, hash_))
    return digest.hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """The outcome of verifying the chain: how many entries, and the first bad one if any."""

    checked: int
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        """Whether every entry checked out."""
        return self.first_bad_seq is None and not self.problem


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Recompute every hash in order; report the first entry that breaks the chain."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        entries = db.session.execute(
            select(AuditEntry.__table__)
            .where(AuditEntry.seq > last_seq)
            .order_by(AuditEntry.seq)
            .limit(batch_size)
        ).all()
        if not entries:
            return ChainReport(checked=checked)
        for entry in entries:
            problem = ""
            if entry.seq != expected_seq:
                problem = f"entry #{expected_seq} is missing (next found is #{entry.seq})"
            elif entry.prev_hash != prev_hash:
                problem = "its previous-hash does not match the entry before it"
            elif entry_hash(hashed_fields(entry), entry.prev_hash) != entry.hash:
                problem = "its content does not match its hash"
            if problem:
                return ChainReport(checked, entry.seq, entry.id, problem)
            checked += 1
            prev_hash = entry.hash
            expected_seq += 1
            last_seq = entry.seq
