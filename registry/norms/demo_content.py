"""The content of the demo norms: six norms for the report's priority categories and a
withdrawn legacy one. Plain data; registry.norms.demo loads it through the services.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from registry.norms.models import CriterionKind


@dataclass(frozen=True)
class DemoCriterion:
    """One criterion of a demo version."""

    code: str
    title: str
    guidance: str
    kind: CriterionKind
    weight: int
    mandatory: bool = False
    evidence_required: bool = True


@dataclass(frozen=True)
class DemoVersion:
    """The content of one demo version."""

    validity_months: int
    standards: tuple[str, ...]
    sections: tuple[tuple[str, tuple[DemoCriterion, ...]], ...]
    levels: tuple[tuple[str, int], ...] = (("Certified", 60), ("Advanced", 80))
    change_note: str = ""


@dataclass(frozen=True)
class DemoNorm:
    """A demo norm: its published versions in order, and what happens after."""

    code: str
    title: str
    category: str
    description: str
    versions: tuple[DemoVersion, ...]
    draft: DemoVersion | None = None
    withdrawal_reason: str = ""


def pass_fail(
    code: str, title: str, guidance: str, weight: int, *, evidence: bool = True
) -> DemoCriterion:
    """A pass/fail criterion (always mandatory)."""
    return DemoCriterion(code, title, guidance, CriterionKind.PASS_FAIL, weight, True, evidence)


def scored(
    code: str,
    title: str,
    guidance: str,
    weight: int,
    *,
    mandatory: bool = False,
    evidence: bool = True,
) -> DemoCriterion:
    """A criterion scored 0-5."""
    return DemoCriterion(code, title, guidance, CriterionKind.SCORED, weight, mandatory, evidence)


# ------------------------------------------------------------------------------- VA-INTEROP

VA_ONVIF_S = pass_fail(
    "VA-ONVIF-S",
    "ONVIF Profile S conformance for video ingest",
    "The product ingests live video from any ONVIF Profile S conformant camera (device "
    "discovery, media profiles, RTSP/RTP streaming, PTZ where present). Evidence: the ONVIF "
    "Declaration of Conformance or listing on onvif.org; in the lab, evaluators connect two "
    "reference cameras of different makes without vendor-specific drivers.",
    3,
)
VA_ONVIF_T = scored(
    "VA-ONVIF-T",
    "ONVIF Profile T advanced streaming",
    "Support of ONVIF Profile T: H.265 streams, imaging settings, motion and tampering "
    "events, metadata streaming over RTSP and HTTPS configuration. 5 = conformant product "
    "listed by ONVIF; 3 = H.265 and events work with the reference cameras but no "
    "declaration; 1 = H.264 only; 0 = no Profile T feature.",
    3,
)
VA_ONVIF_M_V1 = scored(
    "VA-ONVIF-M",
    "Analytics metadata and events to ONVIF Profile M",
    "Analytics results (object class, bounding box, track id, time stamp) are published as "
    "ONVIF Profile M metadata and as events (ONVIF event service or MQTT). 5 = Profile M "
    "conformant; 3 = metadata in the ONVIF metadata schema without conformance; 1 = "
    "proprietary but documented format; 0 = no export.",
    4,
)
VA_EXPORT = pass_fail(
    "VA-EXPORT",
    "Evidence export in open formats",
    "Recorded footage and clips export as H.264 or H.265 in an MP4 (ISO/IEC 14496-14) "
    "container playable in a standard player, with the analytics metadata as JSON alongside, "
    "a SHA-256 hash of every exported file and an export log naming the operator, so that "
    "exports can be produced in court (chain of custody).",
    2,
)
VA_RTSP = pass_fail(
    "VA-RTSP",
    "Live RTSP re-streaming",
    "Annotated live streams are available to third-party video management systems over "
    "RTSP (RFC 2326) with H.264, authenticated by digest or TLS.",
    2,
    evidence=False,
)
VA_ACC_V1 = scored(
    "VA-ACC",
    "Detection accuracy on the reference dataset",
    "Run against the authority's reference dataset (2024 edition: 40 hours of annotated "
    "urban footage, day and night, from fixed and PTZ cameras). Person and vehicle detection "
    "scored on recall at a precision of at least 90 %: 5 = recall ≥ 95 %; 4 ≥ 90 %; "
    "3 ≥ 85 %; 2 ≥ 75 %; 1 ≥ 60 %; 0 below.",
    5,
)
VA_FAR_V1 = scored(
    "VA-FAR",
    "False alarm rate",
    "False alarms per camera per 24 hours on the empty-scene part of the reference dataset "
    "(rain, headlights, foliage, animals): 5 = under 0.5; 4 under 1; 3 under 2; 2 under 5; "
    "1 under 10; 0 ten or more.",
    4,
)
VA_LAT = scored(
    "VA-LAT",
    "Alert latency",
    "Time from the event in the footage to the alert on the operator console, measured "
    "over 100 events: 5 = 95th percentile under 1 s; 4 under 2 s; 3 under 3 s; 2 under "
    "5 s; 1 under 10 s; 0 slower.",
    2,
    evidence=False,
)
VA_DPIA = pass_fail(
    "VA-DPIA",
    "Data-protection impact assessment kit",
    "The vendor supplies a completed data-protection impact assessment template for a "
    "typical municipal deployment (GDPR art. 35, Law Enforcement Directive art. 27): "
    "purposes, legal basis, data flows, retention, risks and mitigations, ready for the "
    "buyer's data-protection officer.",
    2,
)
VA_MASK_V1 = scored(
    "VA-MASK",
    "Privacy masking and redaction",
    "Static privacy masks (windows, private gardens) apply to live view, recording and "
    "analytics; exports can be redacted automatically (faces, licence plates) with manual "
    "correction. 5 = masks and automatic redaction on all three; 3 = masks only; 0 = none.",
    3,
)
VA_NOFR = pass_fail(
    "VA-NOFR",
    "No biometric identification by default",
    "Facial recognition and any other biometric identification are absent, or disabled by "
    "default and enabled only by a separately authorised, logged administrator action that "
    "names the legal basis; the product displays when such a function is active.",
    3,
)
VA_RET = pass_fail(
    "VA-RET",
    "Configurable retention with automatic deletion",
    "Retention is configurable per camera and per analytics output (default at most "
    "30 days); expired footage and metadata are deleted automatically and deletions are "
    "logged.",
    2,
)

VA_INTEROP_V1 = DemoVersion(
    validity_months=36,
    standards=(
        "ONVIF Profile S",
        "ONVIF Profile T",
        "ONVIF Profile M",
        "EN 62676-4:2015 — Video surveillance systems, application guidelines",
        "ISO/IEC 14496-10 (H.264/AVC) and ISO/IEC 23008-2 (H.265/HEVC)",
        "IETF RFC 2326 — Real Time Streaming Protocol (RTSP)",
        "Regulation (EU) 2016/679 (GDPR)",
        "Directive (EU) 2016/680 (Law Enforcement Directive)",
    ),
    sections=(
        ("Interoperability", (VA_ONVIF_S, VA_ONVIF_T, VA_ONVIF_M_V1, VA_EXPORT, VA_RTSP)),
        ("Detection performance", (VA_ACC_V1, VA_FAR_V1, VA_LAT)),
        ("Privacy and civil liberties", (VA_DPIA, VA_MASK_V1, VA_NOFR, VA_RET)),
    ),
    change_note="First version.",
)

VA_INTEROP_V2 = DemoVersion(
    validity_months=24,
    standards=(
        "ONVIF Profile S",
        "ONVIF Profile T",
        "ONVIF Profile M",
        "EN 62676-4:2015 — Video surveillance systems, application guidelines",
        "ISO/IEC 14496-10 (H.264/AVC) and ISO/IEC 23008-2 (H.265/HEVC)",
        "Regulation (EU) 2016/679 (GDPR)",
        "Directive (EU) 2016/680 (Law Enforcement Directive)",
        "Regulation (EU) 2024/1689 (Artificial Intelligence Act)",
    ),
    sections=(
        (
            "Interoperability",
            (
                VA_ONVIF_S,
                VA_ONVIF_T,
                replace(
                    VA_ONVIF_M_V1,
                    kind=CriterionKind.PASS_FAIL,
                    mandatory=True,
                    weight=4,
                    guidance="Analytics results (object class, bounding box, track id, time "
                    "stamp) are published as ONVIF Profile M metadata and events; the product "
                    "is listed as Profile M conformant on onvif.org. Proprietary formats alone "
                    "no longer pass.",
                ),
                replace(
                    VA_EXPORT,
                    guidance=VA_EXPORT.guidance
                    + " Live annotated streams are also offered over RTSP with H.264 or H.265.",
                ),
            ),
        ),
        (
            "Detection performance",
            (
                replace(
                    VA_ACC_V1,
                    weight=6,
                    guidance="Run against the authority's reference dataset (2026 edition: 60 "
                    "hours of annotated urban footage including rain, fog, night and crowded "
                    "scenes). Person and vehicle detection scored on recall at a precision of "
                    "at least 90 %: 5 = recall ≥ 95 %; 4 ≥ 90 %; 3 ≥ 85 %; 2 ≥ 75 %; "
                    "1 ≥ 60 %; 0 below.",
                ),
                replace(VA_FAR_V1, weight=5),
                scored(
                    "VA-COND",
                    "Consistent performance across conditions",
                    "Recall in the night, rain and low-resolution subsets of the reference "
                    "dataset compared with daytime: 5 = within 5 points; 4 within 10; 3 within "
                    "15; 2 within 20; 1 within 30; 0 worse. Reported per subset.",
                    3,
                ),
            ),
        ),
        (
            "Privacy and civil liberties",
            (
                VA_DPIA,
                replace(VA_MASK_V1, mandatory=True),
                VA_NOFR,
                VA_RET,
                pass_fail(
                    "VA-AUDIT",
                    "Operator audit trail",
                    "Every view of recorded footage, search, export and configuration change "
                    "is logged with the operator, time and stated purpose; the log is "
                    "tamper-evident and can be handed to the supervisory authority.",
                    2,
                ),
            ),
        ),
    ),
    change_note="Profile M conformance is now required; a new reference dataset (2026) with "
    "a criterion on consistency across conditions; the operator audit trail becomes a "
    "criterion; RTSP re-streaming is folded into VA-EXPORT and alert latency is dropped; "
    "privacy masking is mandatory; labels are valid 24 months to follow the pace of analytics.",
)

# ------------------------------------------------------------------------------- SI-INTEROP

SI_INTEROP = DemoVersion(
    validity_months=36,
    standards=(
        "IEC 62443-3-3:2013 — System security requirements and security levels (SL 2)",
        "OpenAPI Specification 3.1",
        "OASIS MQTT Version 5.0",
        "OASIS Common Alerting Protocol (CAP) 1.2",
        "OASIS Emergency Data Exchange Language Distribution Element (EDXL-DE) 2.0",
        "OpenID Connect Core 1.0",
        "IETF RFC 5424 — The Syslog Protocol",
    ),
    sections=(
        (
            "Open interfaces",
            (
                pass_fail(
                    "SI-API",
                    "Documented open API",
                    "Every function operators use is available through a REST API described "
                    "in OpenAPI 3.x, documented publicly without a non-disclosure agreement, "
                    "versioned, with at least 12 months' notice before a breaking change.",
                    3,
                ),
                scored(
                    "SI-BUS",
                    "Standard event bus",
                    "Events are published and consumed over MQTT 5 or AMQP 1.0 with documented "
                    "topics and payload schemas (AsyncAPI or JSON Schema). 5 = every event "
                    "type, both directions, schemas published; 3 = outbound events only; "
                    "1 = polling API only; 0 = none.",
                    4,
                ),
                pass_fail(
                    "SI-CAP",
                    "CAP 1.2 and EDXL-DE exchange",
                    "Imports and emits alerts as CAP 1.2 messages that validate against the "
                    "OASIS schema, and routes them between agencies in EDXL-DE 2.0 envelopes. "
                    "Tested with the authority's 50-message reference set.",
                    3,
                ),
                scored(
                    "SI-CONNECT",
                    "Demonstrated multi-vendor integration",
                    "Subsystems of different vendors integrated in the test lab through "
                    "standard interfaces (video management over ONVIF, access control, "
                    "computer-aided dispatch, sensors): 5 = five or more; 4 = four; 3 = three; "
                    "2 = two; 1 = one; 0 = none.",
                    3,
                ),
                scored(
                    "SI-EXIT",
                    "Data portability and reversibility",
                    "Full export of configuration, incident records and logs in open formats "
                    "(JSON, CSV, GeoJSON) and a documented reversibility plan for the end of "
                    "the contract. 5 = complete export tested in the lab; 0 = none.",
                    2,
                ),
            ),
        ),
        (
            "Cybersecurity (IEC 62443-3-3, SL 2)",
            (
                pass_fail(
                    "SI-SL2",
                    "IEC 62443-3-3 security level 2",
                    "The system meets the system requirements SR 1 to SR 7 of IEC 62443-3-3 "
                    "at security level 2, shown by an independent assessment report or "
                    "certificate (e.g. ISASecure SSA) no older than 3 years.",
                    4,
                ),
                pass_fail(
                    "SI-IAM",
                    "Identity and access management",
                    "Single sign-on with OpenID Connect, role-based access, multi-factor "
                    "authentication for administrators and remote access, no shared accounts.",
                    3,
                ),
                scored(
                    "SI-LOG",
                    "Security event logging",
                    "Security events sent to an external SIEM in syslog (RFC 5424) or JSON, "
                    "time-synchronised and integrity-protected. 5 = every SR 6.1 event with "
                    "integrity protection; 3 = without integrity protection; 0 = local only.",
                    2,
                ),
            ),
        ),
        (
            "Resilience and privacy",
            (
                scored(
                    "SI-AVAIL",
                    "Availability and degraded mode",
                    "Measured availability in reference deployments over 12 months and a "
                    "tested degraded mode when a subsystem or the network fails: 5 = 99.95 % "
                    "and degraded mode; 4 = 99.9 %; 3 = 99.5 %; 1 = below; 0 = no data.",
                    3,
                ),
                pass_fail(
                    "SI-PRIV",
                    "Purpose-bound data sharing",
                    "Data shared between subsystems is limited to the declared purposes, each "
                    "flow is listed in the records of processing, and every access to personal "
                    "data is logged.",
                    2,
                ),
            ),
        ),
    ),
    change_note="First version.",
)

# ------------------------------------------------------------------------------- CYB-ANOMALY

CYB_ANOMALY = DemoVersion(
    validity_months=24,
    standards=(
        "IEC 62443-3-3:2013 — System security requirements and security levels",
        "IEC 62443-4-1:2018 — Secure product development lifecycle requirements",
        "ISO/IEC 27001:2022 — Information security management systems",
        "MITRE ATT&CK (Enterprise and ICS matrices)",
        "Directive (EU) 2022/2555 (NIS 2)",
        "OASIS STIX 2.1 and TAXII 2.1",
        "IETF RFC 5424 — The Syslog Protocol",
    ),
    sections=(
        (
            "Detection on the reference replay",
            (
                pass_fail(
                    "CYB-LATERAL",
                    "Lateral movement detected on the reference replay",
                    "The authority's 72-hour capture of a municipal video-protection network "
                    "is replayed with 14 scripted intrusion steps (phishing foothold, credential "
                    "dumping, SMB and RDP pivoting, takeover of an RTSP camera). Passes when "
                    "every lateral-movement step (6 to 9) raises an alert within 15 minutes.",
                    5,
                ),
                scored(
                    "CYB-ATTACK",
                    "MITRE ATT&CK coverage",
                    "Share of the 40 techniques on the reference list (ATT&CK Enterprise and "
                    "ICS) with a detection shown on the replay: 5 = 90 % or more; 4 = 75 %; "
                    "3 = 60 %; 2 = 45 %; 1 = 30 %; 0 = less.",
                    4,
                ),
                scored(
                    "CYB-FP",
                    "False positives",
                    "Alerts raised on the 7-day benign part of the replay: 5 = at most 5 a "
                    "day; 4 = 10; 3 = 20; 2 = 50; 1 = 100; 0 = more.",
                    4,
                ),
                scored(
                    "CYB-OT",
                    "Security-system protocol coverage",
                    "Passive decoding of the protocols of security systems: ONVIF, RTSP, OSDP "
                    "over IP, BACnet, Modbus/TCP, MQTT. One point per protocol decoded with "
                    "anomaly rules, up to 5.",
                    3,
                ),
            ),
        ),
        (
            "Integration and operations",
            (
                pass_fail(
                    "CYB-PASSIVE",
                    "Non-intrusive deployment",
                    "Runs on a copy of the traffic (SPAN port or TAP) without touching "
                    "production devices; any active probing of fragile devices is off by "
                    "default and rate-limited.",
                    3,
                    evidence=False,
                ),
                pass_fail(
                    "CYB-SIEM",
                    "Alerts to the SIEM and SOC",
                    "Alerts export in syslog (RFC 5424), CEF or STIX 2.1 with the ATT&CK "
                    "technique id, and reach the buyer's SOC within one minute.",
                    2,
                ),
                scored(
                    "CYB-CTI",
                    "Threat-intelligence ingestion",
                    "Indicators ingested from TAXII 2.1 feeds (including the national CERT's) "
                    "and matched retroactively on stored metadata. 5 = automatic with "
                    "retro-hunting; 3 = automatic; 1 = manual import; 0 = none.",
                    2,
                ),
            ),
        ),
        (
            "Governance, product security and privacy",
            (
                pass_fail(
                    "CYB-27001",
                    "ISO/IEC 27001 controls of the vendor",
                    "The vendor's ISMS is certified ISO/IEC 27001:2022 for development and "
                    "support, or its statement of applicability shows controls 5.23, 8.8, "
                    "8.15, 8.16 and 8.28 implemented and audited.",
                    3,
                ),
                scored(
                    "CYB-62443",
                    "Secure development (IEC 62443-4-1)",
                    "Maturity of the secure development lifecycle against IEC 62443-4-1: "
                    "5 = certified at maturity level 3 or more; 3 = self-assessed with "
                    "evidence; 1 = partial; 0 = none.",
                    3,
                ),
                pass_fail(
                    "CYB-PRIV",
                    "Privacy of captured traffic",
                    "Payload capture is off by default; metadata retention is configurable "
                    "(default at most 90 days); every access to captures is logged.",
                    2,
                ),
            ),
        ),
    ),
    change_note="First version.",
)

CYB_ANOMALY_DRAFT_ADDITION = scored(
    "CYB-RANSOM",
    "Early ransomware detection",
    "Detection of the ransomware stage of the replay (mass SMB writes, shadow-copy deletion) "
    "before 5 % of the test shares are encrypted: 5 = before 1 %; 3 = before 5 %; 0 = later.",
    4,
)

# ------------------------------------------------------------------------------- ACC-ID

ACC_ID = DemoVersion(
    validity_months=36,
    standards=(
        "EN 60839-11-1:2013 — Electronic access control systems, system and components "
        "requirements",
        "IEC 60839-11-5:2020 — Open Supervised Device Protocol (OSDP) v2.2",
        "ISO/IEC 30107-3:2023 — Biometric presentation attack detection, testing and reporting",
        "ISO/IEC 19795-1:2021 — Biometric performance testing and reporting",
        "ISO/IEC 24745:2022 — Biometric information protection",
        "Regulation (EU) 2016/679 (GDPR), article 9",
    ),
    sections=(
        (
            "Access control system",
            (
                pass_fail(
                    "ACC-60839",
                    "EN 60839-11-1 security grade 3",
                    "Conformity with EN 60839-11-1 at security grade 3 or higher, shown by a "
                    "test report from an accredited laboratory.",
                    4,
                ),
                pass_fail(
                    "ACC-OSDP",
                    "OSDP v2 with Secure Channel",
                    "Reader-to-controller links use OSDP v2.2 (IEC 60839-11-5) with Secure "
                    "Channel (AES-128) on by default; the default installation key is refused "
                    "once commissioned; no Wiegand in new installations.",
                    4,
                ),
                scored(
                    "ACC-CRED",
                    "Credential security",
                    "Supported credentials resist cloning: 5 = secure element cards (e.g. "
                    "DESFire EV3) with diversified keys and mobile credentials in a hardware "
                    "keystore; 3 = secure cards with a shared key; 1 = card serial number "
                    "only; 0 = 125 kHz proximity cards.",
                    3,
                ),
                scored(
                    "ACC-OFFLINE",
                    "Offline operation",
                    "Controllers keep deciding and logging when the server is unreachable, and "
                    "synchronise afterwards: 5 = 72 hours with revocations applied; 3 = 24 "
                    "hours; 0 = fails closed or open without logs.",
                    2,
                ),
            ),
        ),
        (
            "Biometric verification (where offered)",
            (
                scored(
                    "ACC-PAD",
                    "Presentation-attack detection (ISO/IEC 30107-3)",
                    "Laboratory report following ISO/IEC 30107-3 with level A and B attack "
                    "instruments (prints, screens, masks, silicone fingers): 5 = APCER ≤ 1 % "
                    "at BPCER ≤ 1 %; 4 = APCER ≤ 3 %; 3 = APCER ≤ 5 %; 2 = ≤ 10 %; 1 = "
                    "≤ 20 %; 0 = no PAD or no report. Products without biometrics score 5.",
                    4,
                    mandatory=True,
                ),
                scored(
                    "ACC-FNMR",
                    "Verification accuracy (ISO/IEC 19795-1)",
                    "False non-match rate at a false match rate of 1 in 10,000, tested per "
                    "ISO/IEC 19795-1 on a population of at least 200 people across age "
                    "groups and skin tones: 5 = FNMR ≤ 1 %; 3 = ≤ 3 %; 1 = ≤ 10 %; 0 = worse "
                    "or not reported by group.",
                    3,
                ),
            ),
        ),
        (
            "Privacy and civil liberties",
            (
                pass_fail(
                    "ACC-TEMPLATE",
                    "Protected biometric templates",
                    "Templates are stored on the holder's card or device, or centrally only in "
                    "protected form meeting ISO/IEC 24745 (irreversible, unlinkable, "
                    "renewable); no raw images are kept after enrolment.",
                    3,
                ),
                pass_fail(
                    "ACC-ALT",
                    "Non-biometric alternative",
                    "Every access point with a biometric reader offers an equivalent "
                    "non-biometric means, so that consent (GDPR article 9) is freely given.",
                    2,
                    evidence=False,
                ),
                scored(
                    "ACC-LOG",
                    "Minimal access logs",
                    "Access-event retention is configurable with a default of at most three "
                    "months; consultations of the logs are themselves logged. 5 = both, with "
                    "automatic deletion; 3 = configurable only; 0 = unlimited.",
                    2,
                ),
            ),
        ),
    ),
    change_note="First version.",
)

# ------------------------------------------------------------------------------- ALERT-CAP

ALERT_CAP = DemoVersion(
    validity_months=24,
    standards=(
        "OASIS Common Alerting Protocol (CAP) 1.2",
        "ETSI TS 102 900 — Emergency Communications, European Public Warning System (EU-Alert)",
        "3GPP TS 23.041 — Cell Broadcast Service",
        "ETSI EN 301 549 V3.2.1 — Accessibility requirements for ICT products and services",
        "W3C Web Content Accessibility Guidelines (WCAG) 2.1, level AA",
        "Directive (EU) 2018/1972 (European Electronic Communications Code), article 110",
    ),
    sections=(
        (
            "Message format",
            (
                pass_fail(
                    "ALERT-CAP12",
                    "CAP 1.2 validation",
                    "Every message validates against the OASIS CAP 1.2 XML schema and the "
                    "national CAP profile, including updates and cancellations that reference "
                    "the original message. Tested with 200 generated messages.",
                    4,
                ),
                scored(
                    "ALERT-GEO",
                    "Geographic targeting",
                    "Areas as CAP polygons and circles drawn on a map or taken from "
                    "administrative boundaries; the share of test handsets outside the area "
                    "that received the alert: 5 = under 2 %; 3 = under 10 %; 1 = under 25 %; "
                    "0 = no targeting.",
                    3,
                ),
                scored(
                    "ALERT-LANG",
                    "Multilingual messages",
                    "One alert carries several CAP info blocks by language, and channels "
                    "deliver the recipient's language: 5 = four or more languages with "
                    "templates; 3 = two; 0 = one.",
                    2,
                    evidence=False,
                ),
            ),
        ),
        (
            "Dissemination",
            (
                scored(
                    "ALERT-MULTI",
                    "Multi-channel dissemination from one message",
                    "Channels reached from one approved CAP message: cell broadcast "
                    "(EU-Alert), location-based SMS, app push, sirens, public displays, "
                    "radio and television, social media, open CAP feed. One point per "
                    "channel demonstrated, up to 5.",
                    4,
                ),
                scored(
                    "ALERT-LATENCY",
                    "End-to-end latency",
                    "Time from the operator's approval to display on the test handsets and "
                    "public displays (95th percentile over 50 alerts): 5 = under 60 s; "
                    "4 = 2 min; 3 = 3 min; 2 = 5 min; 1 = 10 min; 0 = slower.",
                    4,
                ),
                pass_fail(
                    "ALERT-RESIL",
                    "Resilient dissemination",
                    "Geo-redundant operation: alerts still go out with the primary data "
                    "centre down; a monthly test procedure is supplied and logged.",
                    3,
                ),
                pass_fail(
                    "ALERT-AUTH",
                    "Authorised, two-person publication",
                    "Only authenticated, authorised operators publish; alerts of severity "
                    "Extreme need a second approval; messages are signed (CAP signature "
                    "element, XML Signature) and every action is logged.",
                    3,
                ),
            ),
        ),
        (
            "Accessibility, privacy and public trust",
            (
                scored(
                    "ALERT-A11Y",
                    "Accessible messages",
                    "Public channels meet EN 301 549 and WCAG 2.1 AA; templates use plain "
                    "language and pictograms; audio and text-to-speech versions exist; "
                    "tested with screen readers and with deaf and blind users' associations. "
                    "5 = all; 3 = WCAG AA only; 0 = not assessed.",
                    3,
                ),
                pass_fail(
                    "ALERT-PRIV",
                    "No tracking of recipients",
                    "Receiving an alert collects no location or identity beyond what the "
                    "channel needs; the app works without an account and without location "
                    "history.",
                    2,
                ),
            ),
        ),
    ),
    change_note="First version.",
)

# ------------------------------------------------------------------------------- DRONE-SENS

DRONE_SENS = DemoVersion(
    validity_months=24,
    standards=(
        "Commission Delegated Regulation (EU) 2019/945 — unmanned aircraft systems and "
        "class identification",
        "Commission Implementing Regulation (EU) 2019/947 — operation of unmanned aircraft",
        "ASD-STAN EN 4709-002 — Direct remote identification",
        "EUROCAE ED-269 — Geographical zone data model",
        "IEC 60529 — Degrees of protection provided by enclosures (IP code)",
        "Regulation (EU) 2016/679 (GDPR)",
    ),
    sections=(
        (
            "Airworthiness and airspace compliance",
            (
                pass_fail(
                    "DRONE-CLASS",
                    "EU class marking",
                    "Class identification label C1 to C6 under Delegated Regulation (EU) "
                    "2019/945 with the EU declaration of conformity, or, for the specific "
                    "category, the operational authorisation and SORA assessment template.",
                    4,
                ),
                pass_fail(
                    "DRONE-RID",
                    "Remote identification",
                    "Direct remote identification broadcast (Wi-Fi or Bluetooth beacon, "
                    "EN 4709-002) with operator registration number, position, altitude, "
                    "track and take-off point; network remote identification where U-space "
                    "applies.",
                    3,
                ),
                pass_fail(
                    "DRONE-GEO",
                    "Geo-awareness",
                    "Loads official UAS geographical zones in ED-269 format, warns the pilot "
                    "before a zone is entered, and enforces restrictions unless an "
                    "authorisation is recorded.",
                    3,
                ),
            ),
        ),
        (
            "Link and data security",
            (
                pass_fail(
                    "DRONE-C2",
                    "Encrypted command-and-control link",
                    "Command-and-control and video downlinks are encrypted (AES-256 or "
                    "equivalent) with authenticated pairing; spoofed commands are rejected and "
                    "link-loss behaviour (hover, return-to-home) is tested in the range.",
                    4,
                ),
                scored(
                    "DRONE-GNSS",
                    "GNSS jamming and spoofing resilience",
                    "Behaviour under GNSS jamming and spoofing in the test range: 5 = "
                    "detects both and holds position by vision/inertial navigation; 3 = "
                    "detects and lands safely; 0 = undetected.",
                    2,
                ),
                scored(
                    "DRONE-SUPPLY",
                    "Firmware and supply chain",
                    "Signed firmware, a software bill of materials, no transfer of flight "
                    "logs or imagery to the manufacturer without the operator's consent, an "
                    "offline mode. 5 = all four; one point less per missing item.",
                    2,
                ),
            ),
        ),
        (
            "Sensors and mission performance",
            (
                scored(
                    "DRONE-DRI",
                    "Detection, recognition and identification ranges",
                    "Distances at which a standing person is detected, recognised and "
                    "identified (Johnson criteria) with the electro-optical and thermal "
                    "payloads, day and night, measured in the test range against the "
                    "vendor's claims. 5 = claims met or exceeded; 0 = under 50 % of claims.",
                    3,
                ),
                scored(
                    "DRONE-ENDUR",
                    "Endurance and weather",
                    "Flight time with the mission payload, wind resistance and ingress "
                    "protection (IEC 60529): 5 = 40 min, 12 m/s, IP55; 3 = 25 min, 10 m/s, "
                    "IP43; 0 = less than 15 min or no rating.",
                    2,
                    evidence=False,
                ),
            ),
        ),
        (
            "Privacy and civil liberties",
            (
                pass_fail(
                    "DRONE-RET",
                    "Retention and deletion of imagery",
                    "Imagery and telemetry are kept only as long as configured for the "
                    "mission's legal basis (default 30 days), deleted automatically, and "
                    "every export is logged.",
                    3,
                ),
                scored(
                    "DRONE-MASK",
                    "Masking of private spaces",
                    "Private areas (homes, gardens) can be masked in live and recorded video "
                    "by geofenced privacy zones. 5 = automatic from a zone layer; 3 = "
                    "manual masking; 0 = none.",
                    2,
                ),
            ),
        ),
    ),
    change_note="First version.",
)

# ------------------------------------------------------------------------------- VP-ANALOG

VP_ANALOG = DemoVersion(
    validity_months=36,
    standards=(
        "EN 62676-1-1:2014 — Video surveillance systems, system requirements",
        "EN 62676-4:2015 — Video surveillance systems, application guidelines",
    ),
    sections=(
        (
            "Recording",
            (
                pass_fail(
                    "VP-REC",
                    "Continuous recording at 12 images per second",
                    "Every channel records continuously at 12 images per second or more, "
                    "with the time stamp burned in.",
                    2,
                ),
                scored(
                    "VP-RES",
                    "Resolution for recognition",
                    "Pixel density on the target area per EN 62676-4: 5 = identification "
                    "(250 px/m); 3 = recognition (125 px/m); 1 = observation (62.5 px/m); "
                    "0 = detection only.",
                    3,
                ),
                scored(
                    "VP-STORE",
                    "Storage duration",
                    "Days of recording kept on the recorder at the configured quality: "
                    "5 = 30 days; 3 = 15; 1 = 7; 0 = less.",
                    2,
                    evidence=False,
                ),
            ),
        ),
        (
            "Export and privacy",
            (
                pass_fail(
                    "VP-EXPORT",
                    "Evidence export",
                    "Clips export with a player and a checksum for the police.",
                    2,
                ),
                pass_fail(
                    "VP-MASK",
                    "Privacy masks",
                    "Static privacy masks on every channel.",
                    2,
                ),
                scored(
                    "VP-ACCESS",
                    "Access to recordings",
                    "Individual operator accounts and a log of playback and export: 5 = both; "
                    "3 = accounts only; 0 = shared account.",
                    2,
                ),
            ),
        ),
    ),
    change_note="First version.",
)

DEMO_NORMS: tuple[DemoNorm, ...] = (
    DemoNorm(
        "VA-INTEROP",
        "Video analytics: interoperability, performance and privacy",
        "video-analysis",
        "Requirements for video analytics used by public-security operators: open ONVIF "
        "interfaces and export formats so that analytics work with any camera and video "
        "management system, measured detection performance on the authority's reference "
        "dataset, and privacy-by-design safeguards.",
        (VA_INTEROP_V1, VA_INTEROP_V2),
    ),
    DemoNorm(
        "SI-INTEROP",
        "Systems integration platforms: open interfaces and IEC 62443 security",
        "systems-integration",
        "Requirements for platforms that integrate the security systems of a city or site "
        "(video, access control, alerts, sensors, dispatch): open APIs and event buses, "
        "standard alert exchange (CAP, EDXL), IEC 62443-3-3 security level 2 and data "
        "portability, so that buyers are never locked in.",
        (SI_INTEROP,),
    ),
    DemoNorm(
        "CYB-ANOMALY",
        "Anomaly and intrusion detection for security-system networks",
        "cybersecurity",
        "Requirements for tools that detect intrusions on the networks of cameras, access "
        "control and other security systems: detections proven on the authority's reference "
        "replay, MITRE ATT&CK coverage, false positives, integration with the SOC, and the "
        "vendor's own security practices.",
        (CYB_ANOMALY,),
        draft=replace(
            CYB_ANOMALY,
            sections=(
                (
                    CYB_ANOMALY.sections[0][0],
                    (*CYB_ANOMALY.sections[0][1], CYB_ANOMALY_DRAFT_ADDITION),
                ),
                *CYB_ANOMALY.sections[1:],
            ),
            change_note="Draft: adds early ransomware detection on the replay.",
        ),
    ),
    DemoNorm(
        "ACC-ID",
        "Access control and identity verification",
        "access-id-control",
        "Requirements for electronic access control and biometric verification at public "
        "buildings and critical sites: EN 60839-11-1 grading, OSDP secure channel, "
        "presentation-attack detection tested to ISO/IEC 30107-3, and privacy safeguards "
        "for biometric data.",
        (ACC_ID,),
    ),
    DemoNorm(
        "ALERT-CAP",
        "Public alert and information systems (CAP 1.2)",
        "public-alert",
        "Requirements for systems that warn the public: valid CAP 1.2 messages, "
        "dissemination on many channels at once within minutes, resilient and authorised "
        "publication, and messages everyone can understand.",
        (ALERT_CAP,),
    ),
    DemoNorm(
        "DRONE-SENS",
        "Drones and airborne sensors for public-security missions",
        "sensors-drones-robotics",
        "Requirements for unmanned aircraft and their sensors used by police, fire and rescue "
        "services: EU class marking, remote identification and geo-awareness, secure "
        "command-and-control links, measured sensor performance and limits on the imagery "
        "collected.",
        (DRONE_SENS,),
    ),
    DemoNorm(
        "VP-ANALOG",
        "Analogue CCTV recorders (legacy)",
        "video-protection",
        "Minimum requirements for analogue CCTV recorders bought before the move to IP video.",
        (VP_ANALOG,),
        withdrawal_reason="Analogue CCTV is no longer procured; buyers should use IP video "
        "meeting VA-INTEROP and the EN 62676 series.",
    ),
)
