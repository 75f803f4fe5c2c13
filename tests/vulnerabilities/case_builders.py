"""Helpers for the vulnerability tests: a labelled solution with versions, and cases on it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from catalog.models import SolutionVersion
from catalog.versions import declare_version
from evaluations.labels.issuing import issue_label
from evaluations.models import Label
from registry.database import db
from registry.dates import today
from registry.models import User
from tests.evaluations.labels.label_builders import LabelWorld, certified_evaluation, make_world
from vulnerabilities import cases
from vulnerabilities.models import CaseSource, VulnerabilityCase

CRITICAL_V3 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"  # 9.8 critical
MEDIUM_V3 = "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:U/C:L/I:L/A:N"  # 4.6 medium
HIGH_V4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"  # 9.3 critical


@dataclass
class Scene:
    """A valid label whose scope is version 1.0 of its solution; 1.1 declared, not in scope."""

    world: LabelWorld
    label: Label
    first: SolutionVersion
    fix: SolutionVersion

    @property
    def vendor(self) -> User:
        """A member of the labelled solution's vendor."""
        return self.world.vendor

    @property
    def authority(self) -> User:
        """An officer of the authority."""
        return self.world.authority


def make_scene(create_user: Callable[..., User], name: str = "Quayside Sentinel") -> Scene:
    """People, a norm, a labelled solution with versions 1.0 (certified) and 1.1 (the fix)."""
    world = make_world(create_user)
    evaluation = certified_evaluation(world, solution_name=name)
    solution = evaluation.solution
    day = today()
    first = declare_version(world.vendor, solution, "1.0", day - dt.timedelta(days=90))
    fix = declare_version(world.vendor, solution, "1.1", day - dt.timedelta(days=1))
    evaluation.product_version_id = first.id
    db.session.commit()
    label = issue_label(world.authority, evaluation, public_statement="Meets the norm.")
    db.session.commit()
    return Scene(world, label, first, fix)


def reported(
    scene: Scene, *, title: str = "Unauthenticated stream access", embargo: dt.date | None = None
) -> VulnerabilityCase:
    """A committed researcher report about version 1.0 (default embargo unless given)."""
    case = cases.open_case(
        None,
        scene.label.solution,
        CaseSource.RESEARCHER,
        title=title,
        report="GET /stream without a session returns the live video.",
        reporter="researcher@example.net",
        version_ids=[scene.first.id],
        embargo_until=embargo,
    )
    db.session.commit()
    return case


def confirmed(scene: Scene, case: VulnerabilityCase, vector: str = CRITICAL_V3) -> None:
    """The vendor analyses and confirms the case for version 1.0."""
    cases.start_analysis(scene.vendor, case)
    cases.confirm(
        scene.vendor,
        case,
        analysis="The stream handler skips the session check.",
        affected_version_ids=[scene.first.id],
        cvss_v3=vector,
    )
    db.session.commit()
