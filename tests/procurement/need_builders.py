"""Helpers for the procurement tests: certified solutions and needs ready to pool."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from catalog.models import Solution
from evaluations.models import Evaluation, EvaluationStatus, Label, LabelStatus
from procurement.models import Need, NeedUnit
from procurement.services import needs
from registry.database import db, utcnow
from registry.dates import today
from registry.models import User
from registry.norms.models import NormVersion
from tests.catalog import solution_builders
from tests.norms import norm_builders

_numbers = itertools.count(1)


def certify(solution: Solution, version: NormVersion, level: str = "Certified") -> Label:
    """A valid label for the solution (written directly: the issuing services are elsewhere)."""
    now = utcnow()
    evaluation = Evaluation(
        solution_id=solution.id,
        norm_version_id=version.id,
        vendor_id=solution.vendor_id,
        status=EvaluationStatus.DECIDED,
        status_changed_at=now,
    )
    db.session.add(evaluation)
    db.session.flush()
    number = next(_numbers) + 9000
    label = Label(
        number=f"TST-{number}",
        year=1999,
        sequence=number,
        evaluation_id=evaluation.id,
        solution_id=solution.id,
        norm_version_id=version.id,
        vendor_id=solution.vendor_id,
        level=level,
        score_percent=85.0,
        issued_at=now,
        valid_from=now.date(),
        expires_on=now.date() + dt.timedelta(days=365),
        status=LabelStatus.VALID,
        status_changed_at=now,
        status_list_index=number,
    )
    db.session.add(label)
    db.session.commit()
    return label


def certified_market(authority: User, vendors: list[User], code: str = "TEST-NORM") -> NormVersion:
    """A published norm in video analysis and one certified solution per vendor."""
    version = norm_builders.published(authority, code)
    for index, vendor in enumerate(vendors):
        solution = solution_builders.published(vendor, name=f"Certified {code} {index}")
        certify(solution, version, "Advanced" if index == 0 else "Certified")
    return version


def need_data(**overrides: Any) -> needs.NeedData:
    """Need data that validates: 20 licences of video analysis, by next year."""
    values: dict[str, Any] = {
        "title": "Video analytics licences",
        "category": "video-analysis",
        "norm_code": None,
        "min_level_rank": 0,
        "firm_quantity": 20,
        "optional_quantity": 5,
        "unit": NeedUnit.LICENCE,
        "max_unit_price": Decimal("1000.00"),
        "need_by": today() + dt.timedelta(days=365),
        "region_code": "FR-BRE",
        "accepted_uplift": 0,
        "notes": "",
    }
    values.update(overrides)
    return needs.NeedData(**values)


def open_need(buyer: User, **overrides: Any) -> Need:
    """A committed open need of the buyer's organisation."""
    need = needs.open_need(buyer, needs.create_need(buyer, need_data(**overrides)))
    db.session.commit()
    return need
