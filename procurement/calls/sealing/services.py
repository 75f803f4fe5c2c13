"""Opening keys, sealing a call's offers to its key, and the opening by k of n officers.

Decided here (README, "Real sealing of offers", gives the overview):

- Opening key: an authority user sets up an X25519 key pair; the private key is kept wrapped
  under their password (argon2id, AES-GCM). A password change re-wraps it; setting it up again
  replaces it (shares already sealed to the old key can no longer be released by that officer).
- At a call's opening the authority names n officers holding a key and a threshold k (≥ 2,
  default ``OPENING_THRESHOLD``); a fresh key pair is made for the call, its private key split
  k of n, each share sealed to one officer; the private key is forgotten, the public key kept.
- An offer's price-revealing content (tiers, lead time, notes) is sealed to the call's public
  key; the database keeps the ciphertext and its SHA-256 (the vendor's receipt, recorded in the
  offer's audit entry). Until the opening the plain columns hold none of it.
- After the deadline each named officer releases their share with their password. When k are
  in, the call key is rebuilt, every offer checked against its receipt and decrypted, its plain
  content written, and one opening entry recorded (procurement.calls.services.opening).
- ``flask audit verify`` names any offer whose ciphertext no longer hashes to the receipt of its
  last audit entry.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select

from procurement.calls.models import CallStatus, JointCall, Offer, OfferTier
from procurement.calls.sealing import crypto
from procurement.calls.sealing.models import CallSeal, OpeningKey, OpeningShare
from procurement.calls.services import opening
from registry import audit
from registry.access import require_role
from registry.database import db, utcnow
from registry.dates import when
from registry.exceptions import RuleViolation
from registry.models import AuditEntry, Role, User
from registry.passwords import verify_password
from registry.wording import counted

DEFAULT_THRESHOLD = 2
# What the lead time column holds while the offer is sealed (the column is required).
SEALED_LEAD_TIME = 1
OFFER_ACTIONS = ("offer.submit", "offer.update", "offer.withdraw")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def default_threshold() -> int:
    """How many officers open a call's offers unless the authority says otherwise."""
    return int(current_app.config.get("OPENING_THRESHOLD", DEFAULT_THRESHOLD))


def _key_context(user: User) -> bytes:
    return f"safetech-opening-key:{user.id}".encode()


def opening_key_of(user: User) -> OpeningKey | None:
    """The user's opening key, if set up."""
    return db.session.scalar(select(OpeningKey).where(OpeningKey.user_id == user.id))


def set_up_opening_key(actor: User | None, password: str) -> OpeningKey:
    """Make (or replace) the authority user's opening key, wrapped under their password."""
    user = require_role(actor, Role.AUTHORITY)
    if not verify_password(user.password_hash, password or ""):
        raise RuleViolation("Your password is not correct; no key was made.", "password")
    private, public = crypto.new_key_pair()
    wrapped = crypto.wrap(private, password, _key_context(user))
    key = opening_key_of(user)
    replaced = key is not None
    if key is None:
        key = OpeningKey(user_id=user.id)
        db.session.add(key)
    key.public_key = _b64(public)
    key.salt, key.nonce = _b64(wrapped.salt), _b64(wrapped.nonce)
    key.wrapped_private_key = _b64(wrapped.ciphertext)
    key.updated_at = utcnow()
    db.session.flush()
    audit.record(
        user,
        "opening_key.replaced" if replaced else "opening_key.created",
        object_type="opening_key",
        object_id=key.id,
        summary=f"opening key {'replaced' if replaced else 'set up'} by {user.email}",
        data={"public_key": key.public_key},
        organisation_id=user.organisation_id,
    )
    return key


def _private_key(user: User, key: OpeningKey, password: str) -> bytes:
    wrapped = crypto.WrappedKey(
        _unb64(key.salt), _unb64(key.nonce), _unb64(key.wrapped_private_key)
    )
    return crypto.unwrap(wrapped, password, _key_context(user))


def rewrap_opening_key(user: User, old_password: str, new_password: str) -> None:
    """Wrap the user's opening key under their new password (on a password change)."""
    key = opening_key_of(user)
    if key is None:
        return
    try:
        private = _private_key(user, key, old_password)
    except crypto.SealError:
        return  # a key wrapped under another password: it stays as it is
    wrapped = crypto.wrap(private, new_password, _key_context(user))
    key.salt, key.nonce = _b64(wrapped.salt), _b64(wrapped.nonce)
    key.wrapped_private_key = _b64(wrapped.ciphertext)
    key.updated_at = utcnow()


def officers_with_keys(organisation_id: int) -> list[User]:
    """The active users of the authority organisation who have an opening key."""
    return list(
        db.session.scalars(
            select(User)
            .join(OpeningKey, OpeningKey.user_id == User.id)
            .where(User.organisation_id == organisation_id, User.is_active.is_(True))
            .order_by(User.full_name, User.id)
        )
    )


def seal_call(
    authority: User, call: JointCall, officer_ids: Sequence[int] | None, threshold: int | None
) -> CallSeal:
    """Make the call's key pair, split its private key among the officers, keep the public key.

    ``officer_ids`` None names every officer of the authority with a key.
    """
    available = {user.id: user for user in officers_with_keys(authority.organisation_id)}
    if officer_ids is None:
        officers = list(available.values())
    else:
        unknown = [oid for oid in officer_ids if oid not in available]
        if unknown:
            raise RuleViolation(
                "Name only officers of your authority who have set up an opening key.",
                "opening_officers",
            )
        officers = [available[oid] for oid in dict.fromkeys(officer_ids)]
    k = default_threshold() if threshold is None else threshold
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise RuleViolation("At least 2 officers must open the offers.", "opening_threshold")
    if len(officers) < k or len(officers) > 255:
        raise RuleViolation(
            f"Name at least {k} opening officers who have set up an opening key (each sets it "
            "up on their account's opening key page); the call was not opened.",
            "opening_officers",
        )
    private, public = crypto.new_key_pair()
    shares = crypto.split(private, k, len(officers))
    del private
    seal = CallSeal(call_id=call.id, public_key=_b64(public), threshold=k)
    db.session.add(seal)
    for officer, share in zip(officers, shares, strict=True):
        key = opening_key_of(officer)
        if key is None:  # pragma: no cover - officers_with_keys has only officers with keys
            raise RuleViolation("An officer named has no opening key.", "opening_officers")
        sealed = crypto.seal(_unb64(key.public_key), share, _share_context(call, officer))
        seal.shares.append(OpeningShare(officer_id=officer.id, sealed_share=_b64(sealed)))
    db.session.flush()
    return seal


def _share_context(call: JointCall, officer: User) -> bytes:
    return f"safetech-share:{call.id}:{officer.id}".encode()


def _offer_context(offer: Offer) -> bytes:
    return f"safetech-offer:{offer.call_id}:{offer.id}:{offer.vendor_id}".encode()


def seal_of(call: JointCall) -> CallSeal | None:
    """The call's seal (None for calls opened before real sealing)."""
    return db.session.scalar(select(CallSeal).where(CallSeal.call_id == call.id))


def sealed_content(
    tiers: Sequence[tuple[int, Decimal]], lead_time_days: int, notes: str
) -> dict[str, Any]:
    """The price-revealing part of an offer, in the form that is sealed."""
    return {
        "tiers": [[quantity, f"{price:.2f}"] for quantity, price in tiers],
        "lead_time_days": lead_time_days,
        "notes": notes,
    }


def seal_offer(offer: Offer, content: dict[str, Any]) -> None:
    """Seal the content to the call's key; the plain columns keep none of it.

    The offer must have its id (flushed). Calls without a seal keep the content in the clear.
    """
    seal = seal_of(offer.call)
    if seal is None:
        offer.lead_time_days = content["lead_time_days"]
        offer.notes = content["notes"]
        offer.tiers.clear()
        db.session.flush()
        for quantity, price in content["tiers"]:
            offer.tiers.append(OfferTier(min_quantity=quantity, unit_price=Decimal(price)))
        return
    plaintext = audit.canonical_json(content).encode("utf-8")
    blob = crypto.seal(_unb64(seal.public_key), plaintext, _offer_context(offer))
    offer.sealed_content = _b64(blob)
    offer.sealed_hash = hashlib.sha256(blob).hexdigest()
    offer.lead_time_days = SEALED_LEAD_TIME
    offer.notes = ""
    offer.tiers.clear()


def released_count(seal: CallSeal) -> int:
    """How many officers have released their share."""
    return sum(1 for share in seal.shares if share.released_at is not None)


def share_of(seal: CallSeal | None, user: User) -> OpeningShare | None:
    """The user's share of the call's key, if the user is one of its officers."""
    if seal is None:
        return None
    return next((share for share in seal.shares if share.officer_id == user.id), None)


def _locked_seal(call: JointCall) -> CallSeal | None:
    """The call's seal, locked until the transaction ends, with its shares and the call read
    again: another officer may have released a share, or opened the offers, while this
    request waited for the lock."""
    seal = db.session.scalar(
        select(CallSeal)
        .where(CallSeal.call_id == call.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if seal is not None:
        db.session.expire(seal, ["shares"])
        db.session.refresh(call)
    return seal


def release_share(actor: User | None, call: JointCall, password: str) -> bool:
    """An officer releases their share after the deadline; True when this opened the offers."""
    user = require_role(actor, Role.AUTHORITY)
    if call.status is CallStatus.CANCELLED:
        raise RuleViolation("This call is cancelled: its offers are never opened.")
    seal = _locked_seal(call)
    if call.offers_opened_at is not None:
        raise RuleViolation("The offers of this call are already open.")
    if seal is None:
        # A call opened before real sealing: one authority user opens it with their password.
        return _open_unsealed(user, call, password)
    share = share_of(seal, user)
    if share is None:
        raise RuleViolation(
            "Only the opening officers named for this call can release a share; "
            "nothing was released."
        )
    if not call.deadline_passed():
        raise RuleViolation(
            f"The offers open after the deadline, {when(call.deadline)}; nothing was released."
        )
    if share.released_at is not None:
        raise RuleViolation(
            "You have already released your share; "
            f"{counted(seal.threshold - released_count(seal), 'more officer')} must release theirs."
        )
    key = opening_key_of(user)
    if not verify_password(user.password_hash, password or "") or key is None:
        raise RuleViolation("Your password is not correct; nothing was released.", "password")
    try:
        private = _private_key(user, key, password)
        plain_share = crypto.unseal(private, _unb64(share.sealed_share), _share_context(call, user))
    except crypto.SealError:
        raise RuleViolation(
            "Your share does not open with your current opening key (it was replaced after the "
            "call was opened); the other named officers must release theirs.",
            "password",
        ) from None
    share.released_share = _b64(plain_share)
    share.released_at = utcnow()
    db.session.flush()
    audit.record(
        user,
        "call.share_released",
        call,
        summary=f"{user.full_name or user.email} released a share of {call.reference}",
        data={"released": released_count(seal), "threshold": seal.threshold},
    )
    if released_count(seal) < seal.threshold:
        return False
    _open_with_shares(call, seal)
    return True


def _open_unsealed(user: User, call: JointCall, password: str) -> bool:
    if not call.deadline_passed():
        raise RuleViolation(
            f"The offers open after the deadline, {when(call.deadline)}; nothing was opened."
        )
    if not verify_password(user.password_hash, password or ""):
        raise RuleViolation("Your password is not correct; nothing was opened.", "password")
    if not opening.open_offers(call, officers=[user.id]):
        raise RuleViolation("The offers of this call are already open.")
    return True


def _open_with_shares(call: JointCall, seal: CallSeal) -> None:
    released = [share for share in seal.shares if share.released_at is not None]
    private = crypto.combine([_unb64(share.released_share) for share in released])
    if crypto.public_of(private) != _unb64(seal.public_key):
        raise RuleViolation("The released shares do not rebuild the call's key; nothing opened.")
    offers = list(
        db.session.scalars(select(Offer).where(Offer.call_id == call.id).order_by(Offer.id))
    )
    for offer in offers:
        if not offer.sealed_content:
            continue
        blob = _unb64(offer.sealed_content)
        try:
            if hashlib.sha256(blob).hexdigest() != offer.sealed_hash:
                raise crypto.SealError("receipt")
            content = json.loads(crypto.unseal(private, blob, _offer_context(offer)))
        except crypto.SealError:
            raise RuleViolation(
                f"{offer.reference} no longer matches its receipt; run “flask audit verify” "
                "and restore the offer before opening."
            ) from None
        offer.lead_time_days = int(content["lead_time_days"])
        offer.notes = str(content["notes"])
        offer.tiers.clear()
        db.session.flush()
        for quantity, price in content["tiers"]:
            offer.tiers.append(OfferTier(min_quantity=int(quantity), unit_price=Decimal(price)))
    db.session.flush()
    for share in released:
        share.released_share = ""
    officers = [share.officer_id for share in released]
    if not opening.open_offers(call, officers=officers):
        raise RuleViolation("The offers of this call are already open.")


def check_sealed_offers() -> list[str]:
    """Every offer whose ciphertext no longer hashes to the receipt of its last audit entry."""
    problems: list[str] = []
    offers = db.session.execute(
        select(Offer.id, Offer.sealed_content).where(Offer.sealed_content != "")
    ).all()
    for offer_id, blob in offers:
        recorded = db.session.scalar(
            select(AuditEntry.data)
            .where(
                AuditEntry.object_type == Offer.__tablename__,
                AuditEntry.object_id == str(offer_id),
                AuditEntry.action.in_(OFFER_ACTIONS),
            )
            .order_by(AuditEntry.seq.desc())
            .limit(1)
        )
        receipt = json.loads(recorded).get("content_hash") if recorded else None
        if hashlib.sha256(_unb64(blob)).hexdigest() != receipt:
            problems.append(
                f"OFFER-{offer_id:05d}'s sealed content no longer matches its receipt "
                "in the audit log"
            )
    return problems


def opening_counts(call: JointCall) -> dict[str, int] | None:
    """Officers named, threshold and shares released; None for a call without a seal."""
    seal = seal_of(call)
    if seal is None:
        return None
    return {
        "officers": len(seal.shares),
        "threshold": seal.threshold,
        "released": released_count(seal),
    }
