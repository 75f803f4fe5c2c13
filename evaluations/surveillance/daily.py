"""The daily surveillance run: attestations due, the year's re-test sample, overdue marks.

Each part is idempotent: an attestation is asked once per interval (one activity per label and
attestation number), a norm's sample is drawn once a year (a `SurveillanceDraw` row records the
seed, the population and the labels drawn; the same year and norm draw the same labels), and an
activity turns overdue once.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypeVar

import click
from sqlalchemy import select

from evaluations.labels.dates import add_months
from evaluations.models import Label, LabelStatus
from evaluations.surveillance import services
from evaluations.surveillance.models import (
    ActivityKind,
    ActivityStatus,
    SurveillanceActivity,
    SurveillanceDraw,
)
from registry.database import db
from registry.dates import today
from registry.norms.models import Norm
from registry.wording import counted

T = TypeVar("T")


def _valid_labels() -> list[Label]:
    return list(
        db.session.scalars(
            select(Label).where(Label.status == LabelStatus.VALID).order_by(Label.id)
        ).all()
    )


def attestation_cycle(label: Label, months: int, on: dt.date) -> int:
    """How many whole attestation intervals of the label's validity have passed on ``on``."""
    cycle = 0
    while add_months(label.valid_from, months * (cycle + 1)) <= on:
        cycle += 1
    return cycle


def _each(items: list[T], progress: str | None) -> Iterator[T]:
    """The items, behind a progress bar named ``progress`` when given (the command's)."""
    if progress is None:
        yield from items
        return
    with click.progressbar(items, label=progress, file=sys.stderr) as bar:
        yield from bar


def schedule_attestations(
    on: dt.date | None = None, progress: str | None = None
) -> list[SurveillanceActivity]:
    """Ask for every valid label's attestation whose interval has come and that was not asked
    yet (only the latest interval's: a missed older one is not asked after the fact)."""
    day = on or today()
    labels = _valid_labels()
    asked = {
        (label_id, cycle)
        for label_id, cycle in db.session.execute(
            select(SurveillanceActivity.label_id, SurveillanceActivity.cycle).where(
                SurveillanceActivity.kind == ActivityKind.ATTESTATION
            )
        )
    }
    opened = []
    for label in _each(labels, progress):
        programme = services.programme_of(label.norm_version.norm_id)
        if not programme.attestation_enabled:
            continue
        cycle = attestation_cycle(label, programme.attestation_interval_months, day)
        if cycle < 1 or (label.id, cycle) in asked:
            continue
        start = add_months(label.valid_from, programme.attestation_interval_months * cycle)
        due = max(start, day) + dt.timedelta(days=programme.days_to_complete)
        opened.append(services.open_attestation(label, cycle, due))
    db.session.flush()
    return opened


def draw_seed(year: int, norm: Norm) -> str:
    """The seed of a norm's draw of a year: anyone can re-draw it from the recorded
    population."""
    return f"surveillance:{year}:{norm.code}"


def draw(year: int, norm: Norm, population: list[Label], percent: int) -> list[Label]:
    """The labels a norm's sample of a year takes from ``population`` (ordered by label
    number): the share rounded up, at random from the seed."""
    if percent <= 0 or not population:
        return []
    ordered = sorted(population, key=lambda label: label.number)
    size = min(len(ordered), math.ceil(len(ordered) * percent / 100))
    return random.Random(draw_seed(year, norm)).sample(ordered, size)  # noqa: S311 - reproducible


@dataclass
class Drawn:
    """A norm's sample of the year."""

    norm: Norm
    draw: SurveillanceDraw
    activities: list[SurveillanceActivity] = field(default_factory=list)


def draw_samples(on: dt.date | None = None, progress: str | None = None) -> list[Drawn]:
    """Draw the year's re-test sample of each norm with valid labels, unless drawn already
    this year; a label re-tested this year (however) is not drawn again."""
    day = on or today()
    year = day.year
    by_norm: dict[int, list[Label]] = {}
    for label in _valid_labels():
        by_norm.setdefault(label.norm_version.norm_id, []).append(label)
    done = set(
        db.session.scalars(select(SurveillanceDraw.norm_id).where(SurveillanceDraw.year == year))
    )
    retested = set(
        db.session.scalars(
            select(SurveillanceActivity.label_id).where(
                SurveillanceActivity.kind == ActivityKind.RETEST,
                SurveillanceActivity.cycle == year,
            )
        )
    )
    results = []
    norms = list(
        db.session.scalars(select(Norm).where(Norm.id.in_(list(by_norm))).order_by(Norm.code))
    )
    for norm in _each(norms, progress):
        if norm.id in done:
            continue
        programme = services.programme_of(norm.id)
        population = [label for label in by_norm[norm.id] if label.id not in retested]
        chosen = draw(year, norm, population, programme.retest_percent)
        record = SurveillanceDraw(
            norm_id=norm.id,
            year=year,
            seed=draw_seed(year, norm),
            percent=programme.retest_percent,
            population=len(population),
            drawn=",".join(label.number for label in chosen),
        )
        db.session.add(record)
        drawn = Drawn(norm, record)
        due = day + dt.timedelta(days=programme.days_to_complete)
        for label in chosen:
            drawn.activities.append(services.open_retest(label, year, due))
        results.append(drawn)
    db.session.flush()
    return results


def mark_overdue(on: dt.date | None = None) -> list[SurveillanceActivity]:
    """Turn every open activity past its due date overdue (once), telling who must act."""
    day = on or today()
    late = db.session.scalars(
        select(SurveillanceActivity)
        .where(
            SurveillanceActivity.status == ActivityStatus.OPEN,
            SurveillanceActivity.due_on < day,
        )
        .order_by(SurveillanceActivity.id)
    ).all()
    for activity in late:
        services.mark_overdue(activity)
    db.session.flush()
    return list(late)


@click.command("daily")
def daily_command() -> None:
    """Ask for the attestations due, draw the year's re-test samples, mark overdue activities
    (run daily; idempotent)."""
    opened = schedule_attestations(progress="Attestations")
    drawn = draw_samples(progress="Re-test samples")
    late = mark_overdue()
    db.session.commit()
    click.echo(f"{counted(len(opened), 'attestation')} requested.")
    for activity in opened:
        click.echo(f"  {activity.label.number}: due {activity.due_on}")
    click.echo(f"{counted(len(drawn), 're-test sample')} drawn.")
    for row in drawn:
        numbers = row.draw.drawn or "none"
        click.echo(f"  {row.norm.code} {row.draw.year}: {numbers} of {row.draw.population}")
    click.echo(f"{len(late)} activit(y/ies) overdue.")
    for activity in late:
        click.echo(f"  {activity.label.number}: {activity.kind.label}, due {activity.due_on}")
