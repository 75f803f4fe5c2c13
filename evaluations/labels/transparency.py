"""What anyone can check of the decision log from outside: its public audit entries, a signed
checkpoint of the audit chain, and the offline check of both.

Every label event writes a *public* audit entry (``registry.audit.record(..., public=True)``):
it holds public facts only, so the decision log publishes every field its hash covers and its
predecessor's hash. The chain between two public entries runs through internal entries that
are not published, so an outsider cannot follow the chain itself. Instead the checkpoint, signed
with the label-signing key (an eddsa-jcs-2022 Data Integrity proof, the same as the label
credentials'), states the chain's head (sequence number and hash) at a given time together
with the number of public entries up to the head and a digest of their sequence numbers and
hashes (``registry.audit.public_digest``). An outsider holding the whole decision log then
checks that

- each public entry's published fields and previous hash give its hash (nothing altered);
- what the decision log shows (label, action, statuses, reason) is what was hashed;
- the public entries up to the checkpoint are exactly those the registry signed (none
  removed, added, altered or reordered since), also against an older checkpoint they kept;
- the checkpoint was signed by one of the registry's published, unrevoked keys.

They cannot check the internal entries between public ones, nor that the registry signed the
head of its real chain; an auditor given the full log can, since the head hash binds it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeGuard

from flask import current_app
from sqlalchemy import select

from evaluations.labels.credentials import format_created, sign_credential, verify_credential
from evaluations.labels.events import AUDIT_ACTIONS
from evaluations.labels.keys import (
    current_signing_key,
    keys_document_url,
    lookup_in_document,
    resolver_from_document,
)
from registry import audit
from registry.database import db
from registry.models import AuditEntry

CHECKPOINT_TYPE = "AuditCheckpoint"
# The fields of a decision (as /api/v1/decisions shows it) that its public entry's data holds.
DECISION_FIELDS = ("label", "action", "from_status", "to_status", "reason")
_HEX64 = frozenset("0123456789abcdef")


def public_audit(entry: AuditEntry | None) -> dict[str, Any]:
    """A decision's `audit` object: its entry's hash, previous hash and, if public, its fields."""
    if entry is None:
        return {"seq": None, "hash": "", "previous_hash": None, "hashed": None}
    return {
        "seq": entry.seq,
        "hash": entry.hash,
        "previous_hash": entry.prev_hash,
        # Entries written before public entries existed hold e-mail addresses and internal
        # text: their hash is shown, their fields are not.
        "hashed": audit.hashed_fields(entry) if audit.is_public(entry) else None,
    }


# --- The checkpoint ---------------------------------------------------------------------------


@dataclass
class _Digest:
    """The running digest of the public entries, up to `covered` (per process)."""

    covered: int = 0
    covered_hash: str = audit.GENESIS_HASH
    count: int = 0
    last_public: int = 0
    running: Any = field(default_factory=hashlib.sha256)


_lock = threading.Lock()


def _public_digest_up_to(head: int, head_hash: str) -> _Digest:
    # Entries are appended in order of seq and never change: extend the digest from where the
    # last request left it instead of reading every public entry again.
    with _lock:
        state: _Digest = current_app.extensions.setdefault("public_audit_digest", _Digest())
        if state.covered and (
            head < state.covered
            or db.session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == state.covered))
            != state.covered_hash
        ):  # another database (a restore): start again
            state = _Digest()
        rows = db.session.execute(
            select(AuditEntry.seq, AuditEntry.hash, AuditEntry.data)
            .where(
                AuditEntry.action.in_(AUDIT_ACTIONS.values()),
                AuditEntry.seq > state.covered,
                AuditEntry.seq <= head,
            )
            .order_by(AuditEntry.seq)
        ).all()
        running = state.running.copy()
        count, last_public = state.count, state.last_public
        for row in rows:
            if audit.is_public(row):
                running.update(audit.public_digest_line(row.seq, row.hash))
                count, last_public = count + 1, row.seq
        state = _Digest(head, head_hash, count, last_public, running)
        current_app.extensions["public_audit_digest"] = state
        return state


def checkpoint_payload(base_url: str, now: datetime | None = None) -> dict[str, Any]:
    """The unsigned checkpoint: the chain's head and the digest of the public entries."""
    head = db.session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    sequence, head_hash = (head[0], head[1]) if head else (0, audit.GENESIS_HASH)
    digest = _public_digest_up_to(sequence, head_hash)
    return {
        "type": CHECKPOINT_TYPE,
        "issuer": keys_document_url(base_url),
        "sequence": sequence,
        "hash": head_hash,
        "time": format_created(now or datetime.now(UTC)),
        "public_entries": {
            "count": digest.count,
            "last_sequence": digest.last_public,
            "digest": digest.running.hexdigest(),
        },
    }


def signed_checkpoint(base_url: str) -> dict[str, Any]:
    """The checkpoint signed now with the current label-signing key (eddsa-jcs-2022)."""
    payload = checkpoint_payload(base_url)
    key = current_signing_key()
    return sign_credential(
        payload, key.private_key, key.verification_method(base_url), created=payload["time"]
    )


# --- The offline check ------------------------------------------------------------------------


@dataclass
class PublicLogReport:
    """The outcome of checking a decision log against a checkpoint: problems fail it."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def ok(self) -> bool:
        """Whether everything checked held."""
        return not self.problems


def _is_hash(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX64


def _decision_name(item: dict[str, Any], seq: object) -> str:
    return f"decision #{seq} ({item.get('label', '?')}, {item.get('action', '?')})"


def _check_decision(item: dict[str, Any], report: PublicLogReport) -> tuple[int, str] | None:
    """Check one decision's public entry; its (seq, hash) when it is a checked public entry."""
    entry = item.get("audit")
    if not isinstance(entry, dict) or not isinstance(entry.get("seq"), int):
        report.problems.append(f"{_decision_name(item, '?')}: it names no audit entry")
        return None
    seq = entry["seq"]
    name = _decision_name(item, seq)
    hashed = entry.get("hashed")
    if hashed is None:
        report.notes.append(
            f"{name}: written before public entries were published in full; its fields cannot "
            "be checked"
        )
        return None
    problem = _entry_problem(entry, hashed, seq) or _fields_problem(item, entry, hashed)
    if problem:
        report.problems.append(f"{name}: {problem}")
        return None
    report.checked += 1
    return seq, entry["hash"]


def _entry_problem(entry: dict[str, Any], hashed: object, seq: int) -> str | None:
    """What is wrong with the shape of a public audit entry, or None."""
    if not isinstance(hashed, dict) or not _is_hash(entry.get("hash")):
        return "its audit entry is malformed"
    if not _is_hash(entry.get("previous_hash")):
        return "its previous hash is missing or malformed"
    if hashed.get("seq") != seq:
        return f"its hashed fields are those of entry #{hashed.get('seq')}"
    return None


def _fields_problem(
    item: dict[str, Any], entry: dict[str, Any], hashed: dict[str, Any]
) -> str | None:
    """What is wrong with an entry's hash or with the decision's fields it covers, or None."""
    try:
        recomputed = audit.entry_hash(hashed, entry["previous_hash"])
        data = json.loads(hashed.get("data", ""))
    except (TypeError, ValueError, RecursionError):
        return "its hashed fields are malformed"
    if recomputed != entry["hash"]:
        return (
            "its published fields and previous hash do not give its hash "
            "(a field or the previous hash was altered)"
        )
    if not isinstance(data, dict) or data.get(audit.PUBLIC_FLAG) is not True:
        return "its audit entry is not a public entry"
    for key in DECISION_FIELDS:
        if item.get(key) != data.get(key):
            return (
                f"the {key.replace('_', ' ')} shown ({item.get(key)!r}) is not the one "
                f"hashed ({data.get(key)!r})"
            )
    return None


def _unique_decisions(items: list[Any], report: PublicLogReport) -> list[dict[str, Any]]:
    # Pages read while new decisions arrive overlap: the same decision twice is fine.
    by_seq: dict[Any, dict[str, Any]] = {}
    unique = []
    for item in items:
        if not isinstance(item, dict):
            report.problems.append("the decision files hold something that is not a decision")
            continue
        audit_object = item.get("audit")
        seq = audit_object.get("seq") if isinstance(audit_object, dict) else None
        if seq is not None and seq in by_seq:
            if by_seq[seq] != item:
                report.problems.append(f"decision #{seq} appears twice with different content")
            continue
        if seq is not None:
            by_seq[seq] = item
        unique.append(item)
    return unique


def _check_signature(checkpoint: object, keys: object, report: PublicLogReport) -> bool:
    if not isinstance(checkpoint, dict) or checkpoint.get("type") != CHECKPOINT_TYPE:
        report.problems.append(f"checkpoint: not an {CHECKPOINT_TYPE} document")
        return False
    verdict = verify_credential(checkpoint, resolver_from_document(keys))
    if not verdict.ok:
        method = checkpoint.get("proof", {})
        method = method.get("verificationMethod") if isinstance(method, dict) else None
        revoked = lookup_in_document(keys, method).revoked if isinstance(method, str) else None
        why = f"signed with a key revoked on {revoked}" if revoked else verdict.message
        report.problems.append(f"checkpoint: {why}")
        return False
    issuer = keys.get("id") if isinstance(keys, dict) else None
    if checkpoint.get("issuer") != issuer:
        report.problems.append(
            f"checkpoint: issued by {checkpoint.get('issuer')!r}, not by the keys' owner {issuer!r}"
        )
        return False
    public = checkpoint.get("public_entries")
    if (
        not isinstance(checkpoint.get("sequence"), int)
        or not _is_hash(checkpoint.get("hash"))
        or not isinstance(public, dict)
        or not isinstance(public.get("count"), int)
        or not _is_hash(public.get("digest"))
    ):
        report.problems.append("checkpoint: its fields are malformed")
        return False
    return True


def verify_public_log(items: list[Any], checkpoint: object, keys: object) -> PublicLogReport:
    """Check decisions (every page of /api/v1/decisions) against a signed checkpoint, offline."""
    report = PublicLogReport()
    signed = _check_signature(checkpoint, keys, report)
    public: list[tuple[int, str]] = []
    previous_of: dict[int, str] = {}
    for item in _unique_decisions(items, report):
        checked = _check_decision(item, report)
        if checked is not None:
            public.append(checked)
            previous_of[checked[0]] = item["audit"]["previous_hash"]
    public.sort()
    hashes = dict(public)
    for seq, previous in sorted(previous_of.items()):
        # Consecutive public entries (two expiries in a row) must chain to each other.
        if seq - 1 in hashes and previous != hashes[seq - 1]:
            report.problems.append(
                f"decision #{seq}: its previous hash is not the hash of entry #{seq - 1}"
            )
    if not signed or not isinstance(checkpoint, dict):
        return report
    head = checkpoint["sequence"]
    covered = [(seq, entry_hash) for seq, entry_hash in public if seq <= head]
    newer = len(public) - len(covered)
    if newer:
        report.notes.append(
            f"{newer} public entr{'y is' if newer == 1 else 'ies are'} newer than the checkpoint "
            f"(#{head}); fetch a newer checkpoint to cover them"
        )
    if head in hashes and hashes[head] != checkpoint["hash"]:
        report.problems.append(f"checkpoint: the head #{head} it signed is not decision #{head}")
    expected = checkpoint["public_entries"]
    if len(covered) != expected["count"]:
        report.problems.append(
            f"checkpoint: it signed {expected['count']} public entries up to #{head}, the "
            f"decision files hold {len(covered)} that can be checked; give every page of "
            "/api/v1/decisions (per_page=200&page=1, 2, …)"
        )
    elif audit.public_digest(covered) != expected["digest"]:
        report.problems.append(
            f"checkpoint: the public entries up to #{head} are not those it signed (one was "
            "altered, replaced, removed or added since)"
        )
    return report
