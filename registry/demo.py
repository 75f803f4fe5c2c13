"""Demo organisations and accounts for local use; loading them twice changes nothing."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from registry import services
from registry.database import db
from registry.models import (
    BuyerType,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    User,
    VendorSize,
)

DEMO_PASSWORD = "safetech-demo-2026"  # noqa: S105 - published in README, for local demos
DEMO_DOMAIN = "demo.example"

AUTHORITY_EMAIL = f"authority@{DEMO_DOMAIN}"
# A second authority officer: who records a consensus may not also decide (four eyes).
DEPUTY_EMAIL = f"deputy@{DEMO_DOMAIN}"

EVALUATION_BODIES = [
    ("Laboratoire National d'Essais Sécurité", "lnes", "Île-de-France"),
    ("CyberLab Évaluation", "cyberlab", "Bretagne"),
]

VENDORS = [
    ("Vigilis Analytics", "vigilis", VendorSize.STARTUP, "Auvergne-Rhône-Alpes"),
    ("Orbital Drones", "orbital", VendorSize.STARTUP, "Occitanie"),
    ("Sentinel Access Systems", "sentinel", VendorSize.SME, "Île-de-France"),
    ("Alerta Public Warning", "alerta", VendorSize.SME, "Nouvelle-Aquitaine"),
    ("Nexus Command", "nexus", VendorSize.LARGE, "Île-de-France"),
    ("CipherGuard", "cipherguard", VendorSize.SME, "Bretagne"),
    ("FlowSim Urban", "flowsim", VendorSize.STARTUP, "Hauts-de-France"),
    ("Optica Video Protection", "optica", VendorSize.LARGE, "Provence-Alpes-Côte d'Azur"),
    ("DataSight Intelligence", "datasight", VendorSize.SME, "Grand Est"),
    ("Interop Bridge", "interop", VendorSize.STARTUP, "Pays de la Loire"),
    ("Robotix Patrol", "robotix", VendorSize.SME, "Normandie"),
    ("Securis Integration Group", "securis", VendorSize.LARGE, "Auvergne-Rhône-Alpes"),
]

BUYERS = [
    ("City of Saint-Aubin", "saint-aubin", BuyerType.LOCAL_GOVERNMENT, "Bretagne"),
    ("City of Montclair", "montclair", BuyerType.LOCAL_GOVERNMENT, "Occitanie"),
    (
        "Val-de-Loire Metropolitan Area",
        "val-de-loire",
        BuyerType.LOCAL_GOVERNMENT,
        "Centre-Val de Loire",
    ),
    ("Town of Beaumont", "beaumont", BuyerType.LOCAL_GOVERNMENT, "Hauts-de-France"),
    (
        "Town of Riviera-sur-Mer",
        "riviera",
        BuyerType.LOCAL_GOVERNMENT,
        "Provence-Alpes-Côte d'Azur",
    ),
    ("Beaumont Municipal Police", "police-beaumont", BuyerType.POLICE, "Hauts-de-France"),
    ("National Gendarmerie Procurement", "gendarmerie", BuyerType.POLICE, "Île-de-France"),
    (
        "Regional Fire and Rescue Service 44",
        "sdis44",
        BuyerType.EMERGENCY_SERVICES,
        "Pays de la Loire",
    ),
    ("Montclair Transport Authority", "transport-montclair", BuyerType.TRANSPORT, "Occitanie"),
    ("Port of Brest-Ouest", "port-brest", BuyerType.CRITICAL_SITE, "Bretagne"),
    ("Grand Est Regional Council", "grand-est", BuyerType.REGIONAL_GOVERNMENT, "Grand Est"),
    (
        "Stadium Lyon-Confluence Operator",
        "stadium",
        BuyerType.PRIVATE_SECURITY,
        "Auvergne-Rhône-Alpes",
    ),
]


def demo_totp_secret(email: str) -> str:
    """A fixed TOTP secret per demo account, so README can tell it."""
    digest = hashlib.sha256(f"safetech-demo-totp:{email}".encode()).digest()[:20]
    return base64.b32encode(digest).decode("ascii")


def _demo_emails() -> list[str]:
    return [AUTHORITY_EMAIL, DEPUTY_EMAIL] + [
        f"{slug}@{DEMO_DOMAIN}" for _, slug, _ in EVALUATION_BODIES
    ]


DEMO_TOTP_SECRETS = {email: demo_totp_secret(email) for email in _demo_emails()}


@dataclass
class DemoAccount:
    """A demo account as printed by `seed-demo`."""

    role: str
    organisation: str
    email: str
    password: str
    totp_secret: str | None = None


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _ensure_org(
    authority_user: User,
    name: str,
    kind: OrganisationKind,
    email: str,
    region: str,
    *,
    vendor_size: VendorSize | None = None,
    buyer_type: BuyerType | None = None,
) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        organisation = services.register_organisation(
            services.RegistrationData(
                organisation_name=name,
                kind=kind,
                country="FR",
                region=region,
                full_name=f"{name} administrator",
                email=email,
                password=DEMO_PASSWORD,
                vendor_size=vendor_size,
                buyer_type=buyer_type,
                website=f"https://{email.split('@')[0]}.{DEMO_DOMAIN}",
                description=f"{name} is a demo organisation.",
            )
        )
    if organisation.status is OrganisationStatus.PENDING:
        services.approve_organisation(authority_user, organisation)
    return organisation


def seed_demo() -> list[DemoAccount]:
    """Create (or complete) the demo organisations and accounts; the caller commits."""
    authority = services.authority_organisation()
    authority_user = _user(AUTHORITY_EMAIL)
    if authority_user is None:
        authority_user = services.create_user(
            None,
            authority,
            AUTHORITY_EMAIL,
            "Authority demo officer",
            DEMO_PASSWORD,
            org_admin=True,
        )
    if authority_user.totp_secret is None:
        authority_user.totp_secret = DEMO_TOTP_SECRETS[AUTHORITY_EMAIL]
    deputy = _user(DEPUTY_EMAIL) or services.create_user(
        None, authority, DEPUTY_EMAIL, "Authority deputy officer", DEMO_PASSWORD
    )
    if deputy.totp_secret is None:
        deputy.totp_secret = DEMO_TOTP_SECRETS[DEPUTY_EMAIL]
    accounts = [
        DemoAccount(
            "authority",
            authority.name,
            email,
            DEMO_PASSWORD,
            DEMO_TOTP_SECRETS[email],
        )
        for email in (AUTHORITY_EMAIL, DEPUTY_EMAIL)
    ]
    for name, slug, region in EVALUATION_BODIES:
        email = f"{slug}@{DEMO_DOMAIN}"
        _ensure_org(authority_user, name, OrganisationKind.EVALUATION_BODY, email, region)
        evaluator = _user(email)
        if evaluator is not None and evaluator.totp_secret is None:
            evaluator.totp_secret = DEMO_TOTP_SECRETS[email]
        accounts.append(
            DemoAccount("evaluator", name, email, DEMO_PASSWORD, DEMO_TOTP_SECRETS[email])
        )
    for name, slug, size, region in VENDORS:
        email = f"{slug}@{DEMO_DOMAIN}"
        _ensure_org(authority_user, name, OrganisationKind.VENDOR, email, region, vendor_size=size)
        accounts.append(DemoAccount("vendor", name, email, DEMO_PASSWORD))
    for name, slug, buyer_type, region in BUYERS:
        email = f"{slug}@{DEMO_DOMAIN}"
        _ensure_org(
            authority_user, name, OrganisationKind.BUYER, email, region, buyer_type=buyer_type
        )
        accounts.append(DemoAccount("buyer", name, email, DEMO_PASSWORD))
    db.session.flush()
    return accounts
