"""Demo vulnerability cases on demo labelled solutions (idempotent).

- A researcher's report, confirmed (CVSS v3.1 and v4.0, high), fixed in a patch release the
  vendor declares, its embargo over: disclosed. The label that certifies an affected version is
  marked "vulnerability under remediation" and stays so: the fix is declared but not in the
  label's scope, so the demo shows the mark, and the way out (a minor maintenance bringing the
  fix into the scope ends it).
- A researcher's report, confirmed (CVSS v4.0, high), its embargo ahead: only the vendor and the
  authority see it.
- A vendor's own statement that its solution is not affected (VEX justification), disclosed.
- A CSAF 2.0 advisory (``demo_advisory.json``, a coordinator's, about a third-party library)
  imported by the authority: it names versions of a demo solution by package URL, and one
  product the registry does not know, which waits on the authority's unmatched list.

Runs after the labels' and maintenance demos; files the three cases unless any case that is not
an import exists, or the demo has no fitting labels (valid, with a scope, of three vendors);
imports the advisory unless its tracking id is already known.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from catalog.models import SolutionVersion
from catalog.versions import declare_version
from evaluations.models import Label, LabelScope, LabelStatus, MaintenanceRequest
from registry.database import db, utcnow
from registry.dates import today
from registry.demo import AUTHORITY_EMAIL
from registry.models import User
from vulnerabilities import cases
from vulnerabilities.csaf.importing import import_advisory
from vulnerabilities.labels import apply_label_effects
from vulnerabilities.models import (
    CaseSource,
    UnmatchedProduct,
    VexJustification,
    VulnerabilityCase,
)

ADVISORY = Path(__file__).with_name("demo_advisory.json")

# Scored by the cvss library when the cases are filed (7.5 high, 8.7 high, 7.2 high).
FIXED_V3 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"
FIXED_V4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N"
EMBARGOED_V4 = "CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:N/VI:H/VA:H/SC:N/SI:N/SA:N"

# The disclosed case's history, in days before the demo is loaded: reported, analysis started,
# confirmed, fixed (the day the fix was released); its embargo ended after the fix, giving
# users time to update.
FIXED_HISTORY = (35, 33, 30, 12)
FIX_RELEASED = FIXED_HISTORY[-1]
FIXED_EMBARGO_ENDED = 5
EMBARGO_AHEAD = 75


@dataclass(frozen=True)
class Choice:
    """A valid demo label, a member of its vendor, and its solution's versions."""

    label: Label
    vendor: User
    scope: list[SolutionVersion]
    declared: list[SolutionVersion]


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _choices() -> list[Choice]:
    """Valid labels with a certified scope and an active vendor member, oldest first."""
    found = []
    for label in db.session.scalars(
        select(Label).where(Label.status == LabelStatus.VALID).order_by(Label.id)
    ):
        vendor = db.session.scalar(
            select(User)
            .where(User.organisation_id == label.vendor_id, User.is_active.is_(True))
            .order_by(User.id)
            .limit(1)
        )
        scope = list(
            db.session.scalars(
                select(SolutionVersion)
                .join(LabelScope, LabelScope.version_id == SolutionVersion.id)
                .where(LabelScope.label_id == label.id)
                .order_by(SolutionVersion.released_on, SolutionVersion.id)
            )
        )
        declared = sorted(label.solution.versions, key=lambda v: (v.released_on, v.id))
        if vendor is not None and scope:
            found.append(Choice(label, vendor, scope, declared))
    return found


def _fix_release(choice: Choice) -> SolutionVersion | None:
    """The patch release of the newest certified version that fixes the disclosed case,
    declared by the vendor; None when that version is too recent for the story (the report
    follows the certified release)."""
    latest = choice.scope[-1]
    if latest.released_on >= today() - dt.timedelta(days=FIXED_HISTORY[0]):
        return None
    name = f"{latest.version}.1"
    suffix = f"@{latest.version}"
    purl = latest.purl.removesuffix(suffix) + f"@{name}" if latest.purl.endswith(suffix) else ""
    return declare_version(
        choice.vendor,
        choice.label.solution,
        name,
        today() - dt.timedelta(days=FIX_RELEASED),
        purl=purl,
    )


def _backdate(case: VulnerabilityCase, days_ago: Sequence[int]) -> None:
    """Lay the steps of a case out in the past, one date per event, with the deadlines that
    follow from them (the services stamp today; a disclosed case's history precedes the end
    of its embargo, which must lie in the past)."""
    now = utcnow()
    moments = [now - dt.timedelta(days=days) for days in days_ago]
    for event, moment in zip(case.events, moments, strict=True):
        event.at = moment
    case.reported_at = moments[0]
    case.status_changed_at = moments[-1]
    case.analysis_due = moments[0].date() + dt.timedelta(days=cases.analysis_days())
    confirmed = next(
        (m for e, m in zip(case.events, moments, strict=True) if e.action == "confirmed"), None
    )
    if confirmed is not None:
        case.remediation_due = confirmed.date() + dt.timedelta(
            days=cases.remediation_days(case.severity)
        )


def _disclosed_and_fixed(choice: Choice, fix: SolutionVersion) -> VulnerabilityCase:
    """A researcher's report confirmed on the versions before ``fix``, fixed in it, disclosed."""
    solution = choice.label.solution
    affected = [v for v in choice.declared if v.released_on < fix.released_on]
    names = ", ".join(v.version for v in affected)
    case = cases.open_case(
        None,
        solution,
        CaseSource.RESEARCHER,
        title="Export downloads served without a signed-in session",
        report=(
            "While testing the web console on my own lab installation, I noticed that the "
            "download address of a finished export still returns the file after signing out. "
            "Steps: run an export, copy its download address, sign out, open the address in a "
            "new browser: the file is downloaded. I tried nothing beyond my lab installation "
            "and deleted the files I downloaded."
        ),
        reporter="Camille Martin, independent researcher, camille.martin@research.example",
        version_ids=[v.id for v in affected],
        embargo_until=today() - dt.timedelta(days=FIXED_EMBARGO_ENDED),
    )
    cases.start_analysis(choice.vendor, case, "Reproduced on a lab installation.")
    cases.confirm(
        choice.vendor,
        case,
        analysis=(
            f"Confirmed on versions {names}: the download handler checked that the export "
            "existed, not that the request came from a signed-in operator allowed to see it."
        ),
        affected_version_ids=[v.id for v in affected],
        cvss_v3=FIXED_V3,
        cvss_v4=FIXED_V4,
        cwe_id="CWE-306",
        summary=(
            f"In versions {names}, the download address of a finished export answered without "
            "a signed-in session: anyone who obtained the address could download the export. "
            f"Version {fix.version} requires the operator's session and permission. Update to "
            f"version {fix.version}."
        ),
    )
    cases.mark_fixed(
        choice.vendor, case, fix, "Downloads now require a session; released to all customers."
    )
    _backdate(case, FIXED_HISTORY)
    return case


def _embargoed(choice: Choice) -> VulnerabilityCase:
    """A researcher's report confirmed on the certified versions, its embargo still ahead."""
    case = cases.open_case(
        None,
        choice.label.solution,
        CaseSource.RESEARCHER,
        title="Forged alerts accepted by the event receiver on the local network",
        report=(
            "The event receiver accepts alert messages from any host of the camera network "
            "without checking who sent them. On my test bench, a message I wrote by hand "
            "raised an alert in the console. I can share the bench set-up on request."
        ),
        reporter="Lou Bernard, lou.bernard@research.example",
        version_ids=[v.id for v in choice.scope],
        embargo_until=today() + dt.timedelta(days=EMBARGO_AHEAD),
    )
    cases.start_analysis(choice.vendor, case, "Reproduced on the vendor's test bench.")
    cases.confirm(
        choice.vendor,
        case,
        analysis=(
            "Confirmed: the receiver trusts the network segment instead of authenticating the "
            "sender. A signed event format is in development."
        ),
        affected_version_ids=[v.id for v in choice.scope],
        cvss_v4=EMBARGOED_V4,
        cwe_id="CWE-345",
        summary=(
            "The event receiver accepted unauthenticated alert messages from the local network: "
            "an attacker there could raise false alerts or drown real ones."
        ),
    )
    return case


def _not_affected(choice: Choice) -> VulnerabilityCase:
    """The vendor states that its solution is not affected by a component's flaw (VEX)."""
    versions = [v.id for v in choice.declared]
    case = cases.open_case(
        choice.vendor,
        choice.label.solution,
        CaseSource.VENDOR,
        title="Heap overflow in the Helix RTSP Library: not affected",
        summary=(
            "A coordinator's advisory describes a heap overflow in the RTSP parser of the Helix "
            "RTSP Library 3.4.1, found in several video products. No version of this solution "
            "includes that library: its video streams are handled by its own stack."
        ),
        version_ids=versions,
        # A vendor's statement about its own product has nothing to wait for: public at once.
        embargo_until=today(),
    )
    cases.declare_not_affected(
        choice.vendor,
        case,
        justification=VexJustification.COMPONENT_NOT_PRESENT,
        analysis="The software bill of materials of every declared version lists no Helix "
        "component; the build has no RTSP parser of a third party.",
        version_ids=versions,
    )
    return case


def _file_cases(authority: User) -> None:
    """The disclosed and fixed case, the embargoed one and the not-affected statement."""
    filed = db.session.scalar(
        select(VulnerabilityCase.id).where(VulnerabilityCase.source != CaseSource.CSAF).limit(1)
    )
    if filed is not None:
        return
    # The disclosed case goes on a label no maintenance request touched, so that a minor
    # maintenance bringing the fix into its scope can be shown from a clean start.
    maintained = set(db.session.scalars(select(MaintenanceRequest.label_id)))
    choices = _choices()
    free = [
        c for c in choices if c.label.id not in maintained and c.scope[-1].id == c.declared[-1].id
    ]
    if not free:
        return
    first = free[0]
    others = [c for c in choices if c.label.vendor_id != first.label.vendor_id]
    fix = _fix_release(first)
    if not others or fix is None:
        return
    embargoed = others[0]
    rest = [c for c in others if c.label.vendor_id != embargoed.label.vendor_id] or others
    _disclosed_and_fixed(first, fix)
    _embargoed(embargoed)
    _not_affected(rest[0])
    # The disclosed case marked its label at its confirmation; the daily run would do the same.
    apply_label_effects(authority)


def _import_advisory(authority: User) -> None:
    """The demo CSAF advisory, imported by the authority as an uploaded file would be."""
    document = json.loads(ADVISORY.read_text(encoding="utf-8"))
    tracking_id = document["document"]["tracking"]["id"]
    known = db.session.scalar(
        select(VulnerabilityCase.id).where(VulnerabilityCase.csaf_tracking_id == tracking_id)
    ) or db.session.scalar(
        select(UnmatchedProduct.id).where(UnmatchedProduct.csaf_tracking_id == tracking_id)
    )
    if known is not None:
        return
    result = import_advisory(authority, document, ADVISORY.name)
    if result.refused:
        # Where Node.js is missing the mandatory tests cannot run and the import refuses the
        # file: the rest of the demo stands without it.
        current_app.logger.warning(
            "The demo CSAF advisory was not imported: %s",
            "; ".join(str(problem) for problem in result.problems[:3]),
        )


def seed_demo_vulnerabilities() -> list[Any]:
    """Three demo cases (disclosed and fixed, embargoed, not affected) and an imported CSAF
    advisory; running it twice changes nothing."""
    authority = _user(AUTHORITY_EMAIL)
    if authority is None:
        return []
    _file_cases(authority)
    _import_advisory(authority)
    db.session.flush()
    return []
