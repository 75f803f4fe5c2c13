"""State changes of organisations and accounts, with the checks that guard them."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from registry import audit, auth, events, legal_identifiers, sealing, text
from registry.access import require_role, require_same_organisation
from registry.database import db, utcnow
from registry.exceptions import AccessDenied, NotVisible, RuleViolation
from registry.mail import send_mail
from registry.models import (
    BuyerType,
    Invitation,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Role,
    User,
    UserSession,
    VendorSize,
)
from registry.passwords import hash_password, password_problem, verify_password

SELF_REGISTERED_KINDS = (
    OrganisationKind.VENDOR,
    OrganisationKind.BUYER,
    OrganisationKind.EVALUATION_BODY,
)
INVITATION_DAYS = 7


@dataclass
class RegistrationData:
    """What a new organisation tells us about itself and its first user."""

    organisation_name: str
    kind: OrganisationKind
    country: str
    region: str
    full_name: str
    email: str
    password: str
    vendor_size: VendorSize | None = None
    buyer_type: BuyerType | None = None
    website: str = ""
    description: str = ""
    legal_identifier_scheme: str = ""
    legal_identifier: str = ""


EMAIL_TAKEN = "An account with this e-mail address already exists."
NAME_TAKEN = "An organisation with this name is already registered."


def _check_new_email(email: str) -> str:
    email = auth.normalise_email(email)
    key = text.email_key(email)
    if db.session.scalar(select(User.id).where(User.email_key == key)) is not None:
        raise RuleViolation(EMAIL_TAKEN, "email")
    return email


def _insert_identities(*rows: Organisation | User) -> None:
    """Add and flush new rows; a name or address taken meanwhile becomes a field error."""
    db.session.add_all(rows)
    try:
        db.session.flush()
    except IntegrityError as error:
        # Another request registered the same key after our check: the index kept one. The
        # caller rolls back on RuleViolation, as after any refusal.
        if "email" in str(error.orig):
            raise RuleViolation(EMAIL_TAKEN, "email") from error
        if "name" in str(error.orig):
            raise RuleViolation(NAME_TAKEN, "organisation_name") from error
        raise


def similar_organisations(organisation: Organisation) -> list[Organisation]:
    """Other organisations whose name, or a member's e-mail address, looks like this one's."""
    shape = text.skeleton(organisation.name)
    addresses = [user.email for user in organisation.users]
    similar: set[int] = set()
    for other_id, other_name in db.session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id != organisation.id)
    ):
        if text.skeleton(other_name) == shape:
            similar.add(other_id)
    for other_id, other_email in db.session.execute(
        select(User.organisation_id, User.email).where(User.organisation_id != organisation.id)
    ):
        if any(text.addresses_look_alike(address, other_email) for address in addresses):
            similar.add(other_id)
    if not similar:
        return []
    return list(
        db.session.scalars(
            select(Organisation).where(Organisation.id.in_(similar)).order_by(Organisation.name)
        )
    )


def _check_password(password: str, email: str, name: str, field: str = "password") -> None:
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise RuleViolation(problem, field)


def _authority_emails() -> list[str]:
    return list(
        db.session.scalars(
            select(User.email)
            .join(Organisation)
            .where(
                Organisation.kind == OrganisationKind.AUTHORITY,
                Organisation.status == OrganisationStatus.ACTIVE,
                User.is_active.is_(True),
            )
        )
    )


def _registration_identifier(data: RegistrationData) -> tuple[str, str]:
    """The identifier a registration gives, normalised as the profile stores it."""
    if not data.legal_identifier_scheme:
        return "", ""
    value = legal_identifiers.normalised(data.legal_identifier)
    problem = legal_identifiers.identifier_problem(data.legal_identifier_scheme, value)
    if problem is not None:
        raise RuleViolation(problem, "legal_identifier")
    return data.legal_identifier_scheme, value


def register_organisation(data: RegistrationData) -> Organisation:
    """Create a pending organisation with its first user, who will administer it."""
    if data.kind not in SELF_REGISTERED_KINDS:
        raise RuleViolation("This kind of organisation cannot register itself.", "kind")
    name = text.clean_name(data.organisation_name)
    if not name:
        raise RuleViolation("Give the organisation's name.", "organisation_name")
    key = text.name_key(name)
    if db.session.scalar(select(Organisation.id).where(Organisation.name_key == key)):
        raise RuleViolation(NAME_TAKEN, "organisation_name")
    if data.kind is OrganisationKind.VENDOR and data.vendor_size is None:
        raise RuleViolation("Tell us the size of the company.", "vendor_size")
    if data.kind is OrganisationKind.BUYER and data.buyer_type is None:
        raise RuleViolation("Tell us what kind of buyer you are.", "buyer_type")
    scheme, identifier = _registration_identifier(data)
    email = _check_new_email(data.email)
    _check_password(data.password, email, data.full_name)
    organisation = Organisation(
        name=name,
        kind=data.kind,
        status=OrganisationStatus.PENDING,
        vendor_size=data.vendor_size if data.kind is OrganisationKind.VENDOR else None,
        buyer_type=data.buyer_type if data.kind is OrganisationKind.BUYER else None,
        country=data.country.upper()[:2],
        region=data.region.strip(),
        website=data.website.strip(),
        description=data.description.strip(),
        legal_identifier_scheme=scheme,
        legal_identifier=identifier,
        status_changed_at=utcnow(),
    )
    user = User(
        organisation=organisation,
        email=email,
        full_name=text.clean_name(data.full_name),
        password_hash=hash_password(data.password),
        is_org_admin=True,
        password_changed_at=utcnow(),
    )
    _insert_identities(organisation, user)
    audit.record(
        None,
        "organisation.registered",
        organisation,
        summary=f"{organisation.name} registered as {organisation.kind.label.lower()}",
        data={
            "first_user": email,
            "kind": organisation.kind.value,
            "legal_identifier": [scheme, identifier],
        },
        organisation_id=organisation.id,
    )
    send_mail(
        email,
        "Your registration is awaiting approval",
        f"Hello {user.full_name},\n\n{organisation.name} is registered with SafeTech Registry.\n"
        "The authority will review it; you will receive an e-mail when you can sign in.\n",
    )
    review_url = url_for(
        "admin.organisation_detail", organisation_id=organisation.id, _external=True
    )
    for authority_email in _authority_emails():
        send_mail(
            authority_email,
            f"New organisation to review: {organisation.name}",
            f"{organisation.name} ({organisation.kind.label}) registered and awaits approval.\n"
            f"{review_url}\n",
        )
    return organisation


def _set_status(
    actor: User, organisation: Organisation, status: OrganisationStatus, reason: str
) -> None:
    previous = organisation.status
    organisation.status = status
    organisation.status_changed_at = utcnow()
    organisation.status_reason = reason
    audit.record(
        actor,
        f"organisation.{status.value}",
        organisation,
        summary=f"{organisation.name}: {previous.value} → {status.value}",
        data={"from": previous.value, "to": status.value, "reason": reason},
        organisation_id=organisation.id,
    )


def _notify_members(organisation: Organisation, subject: str, body: str) -> None:
    for member in organisation.users:
        if member.is_active:
            send_mail(member.email, subject, f"Hello {member.full_name},\n\n{body}")


def approve_organisation(actor: User | None, organisation: Organisation) -> None:
    """Authority approves a pending (or reactivates a suspended) organisation."""
    actor = require_role(actor, Role.AUTHORITY)
    if organisation.status not in (OrganisationStatus.PENDING, OrganisationStatus.SUSPENDED):
        raise RuleViolation(f"The organisation is {organisation.status.value}; nothing to approve.")
    was_pending = organisation.status is OrganisationStatus.PENDING
    _set_status(actor, organisation, OrganisationStatus.ACTIVE, "")
    if not was_pending:
        # Its solutions come back to the catalog; its labels do not come back by themselves.
        events.publish("organisation.reactivated", actor=actor, organisation=organisation)
    _notify_members(
        organisation,
        "Your organisation is approved" if was_pending else "Your organisation is active again",
        f"{organisation.name} can now use SafeTech Registry.\n"
        f"Sign in: {url_for('auth.login', _external=True)}\n",
    )


def suspend_organisation(actor: User | None, organisation: Organisation, reason: str) -> None:
    """Authority suspends an organisation; its members are signed out at once."""
    actor = require_role(actor, Role.AUTHORITY)
    if organisation.kind is OrganisationKind.AUTHORITY:
        raise RuleViolation("The authority itself cannot be suspended.")
    if organisation.status is not OrganisationStatus.ACTIVE:
        raise RuleViolation(f"The organisation is {organisation.status.value}, not active.")
    if not reason.strip():
        raise RuleViolation("Give the reason for the suspension.", "reason")
    _set_status(actor, organisation, OrganisationStatus.SUSPENDED, reason.strip())
    for member in organisation.users:
        auth.revoke_sessions(member)
    # Its labels and catalog entries follow (evaluations and catalog subscribe), in this
    # transaction.
    events.publish(
        "organisation.suspended", actor=actor, organisation=organisation, reason=reason.strip()
    )
    _notify_members(organisation, "Your organisation is suspended", f"Reason: {reason.strip()}\n")


def reject_organisation(actor: User | None, organisation: Organisation, reason: str) -> None:
    """Authority turns down a pending registration, with a reason."""
    actor = require_role(actor, Role.AUTHORITY)
    if organisation.status is not OrganisationStatus.PENDING:
        raise RuleViolation("Only a pending registration can be rejected.")
    if not reason.strip():
        raise RuleViolation("Give the reason for the rejection.", "reason")
    _set_status(actor, organisation, OrganisationStatus.REJECTED, reason.strip())
    _notify_members(organisation, "Your registration was not approved", f"Reason: {reason}\n")


def may_manage_users(actor: User | None, organisation: Organisation) -> bool:
    """Organisation administrators manage their own members; the authority manages anyone's."""
    if actor is None:
        return False
    if actor.role is Role.AUTHORITY:
        return True
    return actor.organisation_id == organisation.id and actor.is_org_admin


def get_visible_organisation(actor: User | None, organisation_id: int) -> Organisation:
    """The organisation, if the actor belongs to it or is the authority; otherwise 404."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotVisible()
    if actor is not None and actor.role is Role.AUTHORITY:
        return organisation
    require_same_organisation(actor, organisation.id)
    return organisation


def invite_user(actor: User | None, organisation: Organisation, email: str) -> Invitation:
    """Invite a person to join an organisation; the link is e-mailed to them."""
    if actor is None or not may_manage_users(actor, organisation):
        if actor is not None and actor.organisation_id == organisation.id:
            raise AccessDenied("Only your organisation's administrators can invite people.")
        raise NotVisible()
    if organisation.status is not OrganisationStatus.ACTIVE:
        raise RuleViolation("Only an active organisation can invite people.")
    email = _check_new_email(email)
    pending = db.session.scalar(
        select(Invitation).where(
            Invitation.organisation_id == organisation.id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
    )
    if pending is not None:
        raise RuleViolation("This person already has a pending invitation.", "email")
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation=organisation,
        email=email,
        token_hash=auth.token_digest(token),
        invited_by=actor,
        expires_at=utcnow() + dt.timedelta(days=INVITATION_DAYS),
    )
    db.session.add(invitation)
    audit.record(
        actor,
        "invitation.created",
        invitation,
        summary=f"{email} invited to {organisation.name}",
        organisation_id=organisation.id,
    )
    link = url_for("auth.accept_invitation", token=token, _external=True)
    send_mail(
        email,
        f"Invitation to join {organisation.name} on SafeTech Registry",
        f"{actor.full_name} invites you to join {organisation.name}.\n\n"
        f"Choose your password here (valid {INVITATION_DAYS} days):\n{link}\n",
    )
    return invitation


def find_invitation(token: str) -> Invitation:
    """An open invitation by its token, or 404 for unknown, used, revoked or expired ones."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == auth.token_digest(token))
    )
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at < utcnow()
        or invitation.organisation.status is not OrganisationStatus.ACTIVE
    ):
        raise NotVisible()
    return invitation


def accept_invitation(token: str, full_name: str, password: str) -> User:
    """Create the invited person's account; the invitation then stops working."""
    invitation = find_invitation(token)
    email = _check_new_email(invitation.email)
    _check_password(password, email, full_name)
    user = User(
        organisation=invitation.organisation,
        email=email,
        full_name=text.clean_name(full_name),
        password_hash=hash_password(password),
        password_changed_at=utcnow(),
    )
    _insert_identities(user)
    invitation.accepted_at = utcnow()
    db.session.flush()
    audit.record(
        user,
        "user.created",
        user,
        summary=f"{email} joined {invitation.organisation.name} by invitation",
        data={"invitation_id": invitation.id},
    )
    return user


def revoke_invitation(actor: User | None, invitation: Invitation) -> None:
    """Withdraw an invitation that has not been used."""
    if actor is None or not may_manage_users(actor, invitation.organisation):
        raise NotVisible()
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise RuleViolation("This invitation is no longer open.")
    invitation.revoked_at = utcnow()
    audit.record(
        actor,
        "invitation.revoked",
        invitation,
        summary=f"invitation of {invitation.email} withdrawn",
        organisation_id=invitation.organisation_id,
    )


def create_user(
    actor: User | None,
    organisation: Organisation,
    email: str,
    full_name: str,
    password: str,
    *,
    org_admin: bool = False,
) -> User:
    """Create an account directly (the CLI, or the authority for its own staff)."""
    if actor is not None:
        require_role(actor, Role.AUTHORITY)
    email = _check_new_email(email)
    _check_password(password, email, full_name)
    user = User(
        organisation=organisation,
        email=email,
        full_name=text.clean_name(full_name) or email,
        password_hash=hash_password(password),
        is_org_admin=org_admin,
        password_changed_at=utcnow(),
    )
    _insert_identities(user)
    audit.record(
        actor,
        "user.created",
        user,
        summary=f"{email} created in {organisation.name}",
        organisation_id=organisation.id,
    )
    return user


def change_password(
    actor: User, current_session: UserSession | None, current_password: str, new_password: str
) -> None:
    """Change one's own password; every other session of the account stops working."""
    if not verify_password(actor.password_hash, current_password):
        raise RuleViolation("Your current password is not correct.", "current_password")
    if current_password == new_password:
        raise RuleViolation("Choose a password different from the current one.", "new_password")
    _check_password(new_password, actor.email, actor.full_name, "new_password")
    actor.password_hash = hash_password(new_password)
    actor.password_changed_at = utcnow()
    sealing.password_changed(current_app, actor, current_password, new_password)
    auth.revoke_sessions(actor)
    audit.record(actor, "user.password_changed", actor, summary="password changed")
    if current_session is not None:
        # A new session id for the person who changed it; every older cookie is dead.
        auth.start_session(actor, current_session.stage)


def set_user_active(actor: User | None, user: User, active: bool) -> None:
    """Disable (signing the person out everywhere) or re-enable an account."""
    if actor is None or not may_manage_users(actor, user.organisation):
        raise NotVisible()
    if user.id == actor.id:
        raise RuleViolation("You cannot disable your own account.")
    if user.is_active == active:
        return
    user.is_active = active
    if not active:
        auth.revoke_sessions(user)
    audit.record(
        actor,
        "user.enabled" if active else "user.disabled",
        user,
        summary=f"{user.email} {'enabled' if active else 'disabled'}",
        organisation_id=user.organisation_id,
    )


def update_organisation_profile(
    actor: User | None, organisation: Organisation, website: str, description: str, region: str
) -> None:
    """An organisation administrator edits its public profile."""
    if actor is None or not may_manage_users(actor, organisation):
        raise NotVisible()
    changes = {}
    for field, value in (("website", website), ("description", description), ("region", region)):
        value = value.strip()
        if getattr(organisation, field) != value:
            changes[field] = value
            setattr(organisation, field, value)
    if changes:
        audit.record(
            actor,
            "organisation.updated",
            organisation,
            summary=f"{organisation.name} profile updated",
            data={"fields": sorted(changes)},
            organisation_id=organisation.id,
        )


def update_legal_identifier(
    actor: User | None, organisation: Organisation, scheme: str, value: str
) -> None:
    """An organisation administrator (or the authority) sets the identifier published with it.

    An empty scheme and value clear it. RuleViolation says what to correct."""
    if actor is None or not may_manage_users(actor, organisation):
        raise NotVisible()
    value = legal_identifiers.normalised(value) if scheme else ""
    if scheme:
        problem = legal_identifiers.identifier_problem(scheme, value)
        if problem is not None:
            raise RuleViolation(problem)
    before = (organisation.legal_identifier_scheme, organisation.legal_identifier)
    if before == (scheme, value):
        return
    organisation.legal_identifier_scheme, organisation.legal_identifier = scheme, value
    audit.record(
        actor,
        "organisation.identifier_changed",
        organisation,
        summary=f"{organisation.name} legal identifier "
        + (f"set to {scheme} {value}" if value else "removed"),
        data={"before": list(before), "after": [scheme, value]},
        organisation_id=organisation.id,
    )


def reset_second_factor(actor: User | None, user: User) -> None:
    """The authority clears a lost TOTP device; the person enrols again at next sign-in."""
    require_role(actor, Role.AUTHORITY)
    user.totp_secret = None
    user.totp_last_counter = None
    auth.revoke_sessions(user)
    audit.record(
        actor,
        "user.totp_reset",
        user,
        summary=f"second factor of {user.email} reset",
        organisation_id=user.organisation_id,
    )


def authority_organisation() -> Organisation:
    """The single authority organisation, created on first need."""
    organisation = db.session.scalar(
        select(Organisation).where(Organisation.kind == OrganisationKind.AUTHORITY)
    )
    if organisation is None:
        organisation = Organisation(
            name=current_app.config["AUTHORITY_NAME"],
            kind=OrganisationKind.AUTHORITY,
            status=OrganisationStatus.ACTIVE,
            country=current_app.config["COUNTRY"],
            status_changed_at=utcnow(),
        )
        db.session.add(organisation)
        db.session.flush()
        audit.record(
            None,
            "organisation.created",
            organisation,
            summary=f"{organisation.name} created",
            organisation_id=organisation.id,
        )
    return organisation
