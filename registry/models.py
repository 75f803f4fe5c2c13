"""Reference data, organisations, users, sessions, invitations and the audit log."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from registry import text
from registry.database import Base, created_at, int_pk, str40, str200

# Room for a 200-character name or a 254-character address after NFKC and case folding
# ("ﬃ" becomes "ffi", "ß" becomes "ss"), and still within PostgreSQL's B-tree entry limit.
KEY_LENGTH = 600
# The key columns have a server default only so that SQLite can add them to existing rows
# without rebuilding tables that other tables refer to; the model always sets the key.


def enum_column(enum_class: type[enum.Enum], length: int = 20) -> Enum:
    """Store an enum by its value as a plain string (portable, readable in SQL)."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda e: [member.value for member in e],
        validate_strings=True,
    )


class SecurityActivity(Base):
    """One of the six security activities of the report's Exhibit 1."""

    __tablename__ = "security_activity"

    id: Mapped[int_pk]
    code: Mapped[str40] = mapped_column(unique=True)
    name: Mapped[str200]
    position: Mapped[int]


class TechnologyCategory(Base):
    """One of the eleven technology categories of the report's Exhibit 2."""

    __tablename__ = "technology_category"

    id: Mapped[int_pk]
    code: Mapped[str40] = mapped_column(unique=True)
    name: Mapped[str200]
    position: Mapped[int]
    high_priority_in_report: Mapped[bool] = mapped_column(Boolean, default=False)


class OrganisationKind(enum.StrEnum):
    """What an organisation is; it gives its members their role."""

    AUTHORITY = "authority"
    EVALUATION_BODY = "evaluation_body"
    VENDOR = "vendor"
    BUYER = "buyer"

    @property
    def label(self) -> str:
        """A human name for the kind."""
        return {
            "authority": "Authority",
            "evaluation_body": "Evaluation body",
            "vendor": "Vendor",
            "buyer": "Buyer",
        }[self.value]


class Role(enum.StrEnum):
    """The role a signed-in user acts in; anonymous visitors are PUBLIC."""

    PUBLIC = "public"
    AUTHORITY = "authority"
    EVALUATOR = "evaluator"
    VENDOR = "vendor"
    BUYER = "buyer"


ROLE_OF_KIND = {
    OrganisationKind.AUTHORITY: Role.AUTHORITY,
    OrganisationKind.EVALUATION_BODY: Role.EVALUATOR,
    OrganisationKind.VENDOR: Role.VENDOR,
    OrganisationKind.BUYER: Role.BUYER,
}


class OrganisationStatus(enum.StrEnum):
    """Self-registered organisations wait for the authority's approval."""

    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REJECTED = "rejected"


class VendorSize(enum.StrEnum):
    """Size of a vendor organisation; startups are first-class and filterable."""

    STARTUP = "startup"
    SME = "sme"
    LARGE = "large"

    @property
    def label(self) -> str:
        """A human name for the size."""
        return {"startup": "Startup", "sme": "SME", "large": "Large firm"}[self.value]


class BuyerType(enum.StrEnum):
    """The kinds of public-security buyers named in the report."""

    NATIONAL_GOVERNMENT = "national_government"
    REGIONAL_GOVERNMENT = "regional_government"
    LOCAL_GOVERNMENT = "local_government"
    POLICE = "police"
    EMERGENCY_SERVICES = "emergency_services"
    TRANSPORT = "transport"
    CRITICAL_SITE = "critical_site"
    PRIVATE_SECURITY = "private_security"

    @property
    def label(self) -> str:
        """A human name for the buyer type."""
        return self.value.replace("_", " ").capitalize()


class Organisation(Base):
    """A body whose members share a role: the authority, a lab, a vendor or a buyer."""

    __tablename__ = "organisation"

    id: Mapped[int_pk]
    name: Mapped[str200]
    # NFKC + case fold of the name: "ÉCOLE", "école" and "ＥＣＯＬＥ" are one organisation.
    name_key: Mapped[str] = mapped_column(
        String(KEY_LENGTH), unique=True, index=True, server_default=""
    )
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind))
    status: Mapped[OrganisationStatus] = mapped_column(enum_column(OrganisationStatus))
    vendor_size: Mapped[VendorSize | None] = mapped_column(enum_column(VendorSize))
    buyer_type: Mapped[BuyerType | None] = mapped_column(enum_column(BuyerType, 40))
    country: Mapped[str] = mapped_column(String(2), default="FR")
    region: Mapped[str200] = mapped_column(default="")
    website: Mapped[str200] = mapped_column(default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created_at]
    status_changed_at: Mapped[dt.datetime | None]
    status_reason: Mapped[str] = mapped_column(Text, default="")
    # Publication: the legal identifier published with the organisation (FR-SIRENE, EU-VAT).
    legal_identifier: Mapped[str] = mapped_column(String(40), default="", server_default="")
    legal_identifier_scheme: Mapped[str] = mapped_column(String(20), default="", server_default="")

    users: Mapped[list[User]] = relationship(back_populates="organisation", order_by="User.id")

    __table_args__ = (
        Index("ix_organisation_kind_status", "kind", "status"),
        UniqueConstraint("name", name="uq_organisation_name"),
    )

    @validates("name")
    def _keep_name_key(self, _key: str, name: str) -> str:
        self.name_key = text.name_key(name)
        return name

    @property
    def role(self) -> Role:
        """The role the organisation's members act in."""
        return ROLE_OF_KIND[self.kind]

    @property
    def is_active(self) -> bool:
        """Whether members may sign in."""
        return self.status is OrganisationStatus.ACTIVE


class User(Base):
    """A person who signs in; belongs to exactly one organisation."""

    __tablename__ = "user_account"

    id: Mapped[int_pk]
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # NFKC + case fold of the whole address, so full-width or differently cased twins collide.
    email_key: Mapped[str] = mapped_column(
        String(KEY_LENGTH), unique=True, index=True, server_default=""
    )
    full_name: Mapped[str200]
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_org_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_counter: Mapped[int | None] = mapped_column(Integer)
    password_changed_at: Mapped[dt.datetime | None]
    last_login_at: Mapped[dt.datetime | None]
    created_at: Mapped[created_at]

    organisation: Mapped[Organisation] = relationship(back_populates="users")

    @validates("email")
    def _keep_email_key(self, _key: str, email: str) -> str:
        self.email_key = text.email_key(email)
        return email

    @property
    def role(self) -> Role:
        """The role this user acts in, given by the organisation's kind."""
        return self.organisation.role

    @property
    def needs_second_factor(self) -> bool:
        """Authority staff and evaluators must use TOTP."""
        return self.role in (Role.AUTHORITY, Role.EVALUATOR)


class SessionStage(enum.StrEnum):
    """How far a login has got: password checked, TOTP pending, or complete."""

    TOTP = "totp"
    ENROL = "enrol"
    FULL = "full"


class UserSession(Base):
    """A server-side session: the cookie carries only a random token whose hash is stored here."""

    __tablename__ = "user_session"

    id: Mapped[int_pk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    stage: Mapped[SessionStage] = mapped_column(enum_column(SessionStage))
    created_at: Mapped[created_at]
    last_seen_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    pending_totp_secret: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    """One login attempt, counted in the database so throttling works across workers."""

    __tablename__ = "login_attempt"

    id: Mapped[int_pk]
    email: Mapped[str] = mapped_column(String(254))
    remote_addr: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[created_at]

    __table_args__ = (
        Index("ix_login_attempt_email_at", "email", "at"),
        Index("ix_login_attempt_remote_addr_at", "remote_addr", "at"),
    )


class PasswordReset(Base):
    """A self-service password reset link: only its hash is kept; single use; it expires."""

    __tablename__ = "password_reset"

    id: Mapped[int_pk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    requested_from: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime]
    # Set when the link was used, or when a newer link or a password change made it void.
    used_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()


class Invitation(Base):
    """An invitation for a person to join an organisation; the token is stored hashed."""

    __tablename__ = "invitation"

    id: Mapped[int_pk]
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime]
    accepted_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User | None] = relationship()


class AuditEntry(Base):
    """One change, chained to the previous entry by hash; the table refuses UPDATE and DELETE."""

    __tablename__ = "audit_entry"

    id: Mapped[int_pk]
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[dt.datetime]
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_label: Mapped[str200]
    organisation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str40]
    object_id: Mapped[str] = mapped_column(String(80))
    summary: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_audit_entry_object", "object_type", "object_id"),
        CheckConstraint("seq > 0", name="seq_positive"),
    )
