"""Opening keys of officers, a call's public key and the shares of its private key.

Binary values (keys, nonces, sealed blobs) are stored as base64 text. The private key of a call
is never stored: only its public key and, per officer, a share sealed to the officer's public key.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.calls.models import JointCall
from registry.database import Base, created_at, int_pk
from registry.models import User

B64_KEY = 64  # base64 of 32 bytes is 44 characters


class OpeningKey(Base):
    """An authority user's X25519 key pair; the private key wrapped under their password."""

    __tablename__ = "opening_key"

    id: Mapped[int_pk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    public_key: Mapped[str] = mapped_column(String(B64_KEY))
    # argon2id(password, salt) is the AES-GCM key that wraps the private key.
    salt: Mapped[str] = mapped_column(String(B64_KEY))
    nonce: Mapped[str] = mapped_column(String(B64_KEY))
    wrapped_private_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime]

    user: Mapped[User] = relationship()


class CallSeal(Base):
    """The public key offers on a call are sealed to, and how many officers open them."""

    __tablename__ = "call_seal"

    id: Mapped[int_pk]
    call_id: Mapped[int] = mapped_column(ForeignKey("joint_call.id"), unique=True)
    public_key: Mapped[str] = mapped_column(String(B64_KEY))
    threshold: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[created_at]

    call: Mapped[JointCall] = relationship()
    shares: Mapped[list[OpeningShare]] = relationship(
        back_populates="seal", order_by="OpeningShare.id"
    )

    __table_args__ = (CheckConstraint("threshold >= 2", name="threshold_at_least_two"),)


class OpeningShare(Base):
    """One named officer's share of a call's private key, sealed to the officer's public key.

    ``released_share`` holds the share in the clear from the officer's release (after the
    deadline) until the opening, which empties it again.
    """

    __tablename__ = "opening_share"

    id: Mapped[int_pk]
    seal_id: Mapped[int] = mapped_column(ForeignKey("call_seal.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    sealed_share: Mapped[str] = mapped_column(Text)
    released_share: Mapped[str] = mapped_column(Text, default="")
    released_at: Mapped[dt.datetime | None]

    seal: Mapped[CallSeal] = relationship(back_populates="shares")
    officer: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("seal_id", "officer_id"),)
