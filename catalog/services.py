"""Creating, editing, publishing and archiving solutions, and what each actor may see of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from catalog.changes import certified_state, hold_certified_changes
from catalog.models import (
    DEPLOYMENT_MAX,
    DESCRIPTION_MAX,
    MAX_DEPLOYMENTS,
    MAX_STANDARDS,
    PRIVACY_FEATURES_MAX,
    STANDARD_MAX,
    SUMMARY_MAX,
    Maturity,
    PriceBand,
    PriceModel,
    Solution,
    SolutionDeployment,
    SolutionRegion,
    SolutionStandard,
    SolutionStatus,
    solution_activity,
)
from catalog.plain_text import check_length, clean_list, multi_line, one_line
from catalog.regions import REGIONS, sort_regions
from catalog.search.index import enqueue_solution_change
from registry import audit
from registry.access import require_role, require_same_organisation
from registry.arguments import MAX_ID
from registry.database import db, utcnow
from registry.exceptions import NotVisible, RuleViolation
from registry.models import (
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Role,
    SecurityActivity,
    TechnologyCategory,
    User,
)

NAME_MAX = 200
# Ids are 32-bit integers in PostgreSQL; a larger id in a URL must read as "missing", not fail.


@dataclass
class SolutionData:
    """Everything a vendor may set on a solution; nothing else reaches the model."""

    name: str
    primary_category: str | None = None  # a TechnologyCategory code
    activities: list[str] = field(default_factory=list)  # SecurityActivity codes
    summary: str = ""
    description_markdown: str = ""
    maturity: Maturity | None = None
    standards: list[str] = field(default_factory=list)
    deployments: list[str] = field(default_factory=list)
    privacy_sensitive: bool = False
    uses_biometrics: bool = False
    uses_facial_recognition: bool = False
    privacy_features: str = ""
    price_model: PriceModel | None = None
    price_band: PriceBand | None = None
    regions: list[str] = field(default_factory=list)  # codes of catalog.regions.REGIONS
    # Why certified facts change (required when they do on a certified solution).
    change_reason: str = ""


# --- who may see and change what ---------------------------------------------------------


def _require_plausible_id(object_id: int) -> None:
    if not 0 < object_id <= MAX_ID:
        raise NotVisible()


def may_edit_solution(actor: User | None, solution: Solution) -> bool:
    """Only members of the owning vendor edit; used by templates to show or hide actions."""
    return (
        actor is not None
        and actor.role is Role.VENDOR
        and actor.organisation_id == solution.vendor_id
    )


def _require_owner(actor: User | None, solution: Solution) -> User:
    if actor is not None and actor.role is Role.AUTHORITY:
        require_role(actor, Role.VENDOR)  # the authority may look, not edit: 403
    actor = require_same_organisation(actor, solution.vendor_id)
    return require_role(actor, Role.VENDOR)


def get_solution_for_management(actor: User | None, solution_id: int) -> Solution:
    """A solution in any state, for its own vendor or the authority; 404 for everyone else."""
    actor = require_role(actor, Role.VENDOR, Role.AUTHORITY)
    _require_plausible_id(solution_id)
    solution = db.session.get(Solution, solution_id)
    if solution is None:
        raise NotVisible()
    if actor.role is Role.VENDOR:
        require_same_organisation(actor, solution.vendor_id)
    return solution


def managed_solutions(
    actor: User | None, status: SolutionStatus | None = None, vendor_id: int | None = None
) -> Select[Solution]:
    """The solutions an actor manages: a vendor its own (every state), the authority all."""
    actor = require_role(actor, Role.VENDOR, Role.AUTHORITY)
    statement = (
        select(Solution)
        .options(selectinload(Solution.primary_category), selectinload(Solution.vendor))
        .order_by(Solution.updated_at.desc(), Solution.id.desc())
    )
    if actor.role is Role.VENDOR:
        statement = statement.where(Solution.vendor_id == actor.organisation_id)
    elif vendor_id is not None:
        statement = statement.where(Solution.vendor_id == vendor_id)
    if status is not None:
        statement = statement.where(Solution.status == status)
    return statement


def status_counts(actor: User | None) -> dict[SolutionStatus, int]:
    """How many solutions the actor manages in each state (for the status filter)."""
    statement = managed_solutions(actor).order_by(None).subquery()
    rows = db.session.execute(
        select(statement.c.status, func.count()).group_by(statement.c.status)
    ).all()
    counts = dict.fromkeys(SolutionStatus, 0)
    for status, count in rows:
        counts[SolutionStatus(status)] = count
    return counts


# --- public reads ------------------------------------------------------------------------


def _listed() -> Select[Solution]:
    return (
        select(Solution)
        .join(Organisation, Solution.vendor_id == Organisation.id)
        .where(Organisation.status == OrganisationStatus.ACTIVE)
    )


def public_solutions(
    category: str | None = None,
    activity: str | None = None,
    vendor_id: int | None = None,
    *,
    with_archived: bool = False,
) -> Select[Solution]:
    """Published solutions of active vendors, by name, optionally filtered (codes, vendor id);
    `with_archived` adds the ones their vendor archived (compare still shows them)."""
    shown = [SolutionStatus.PUBLISHED, SolutionStatus.ARCHIVED]
    statement = (
        _listed()
        .where(Solution.status.in_(shown if with_archived else shown[:1]))
        .options(
            selectinload(Solution.vendor),
            selectinload(Solution.primary_category),
            selectinload(Solution.activities),
        )
        .order_by(Solution.name, Solution.id)
    )
    if category:
        statement = statement.where(
            Solution.primary_category_id.in_(
                select(TechnologyCategory.id).where(TechnologyCategory.code == category)
            )
        )
    if activity:
        statement = statement.where(
            Solution.id.in_(
                select(solution_activity.c.solution_id)
                .join(SecurityActivity, SecurityActivity.id == solution_activity.c.activity_id)
                .where(SecurityActivity.code == activity)
            )
        )
    if vendor_id is not None:
        statement = statement.where(Solution.vendor_id == vendor_id)
    return statement


def get_listed_solution(solution_id: int) -> Solution:
    """A published or archived solution of an active vendor; drafts and the rest are 404.

    Archived solutions were public once; their pages say "no longer offered" rather than
    vanish, so links from labels, buyers' notes and search engines still explain themselves.
    """
    _require_plausible_id(solution_id)
    solution = db.session.scalar(
        _listed().where(
            Solution.id == solution_id,
            Solution.status.in_([SolutionStatus.PUBLISHED, SolutionStatus.ARCHIVED]),
        )
    )
    if solution is None:
        raise NotVisible()
    return solution


def public_vendors() -> Select[Organisation]:
    """Active vendor organisations, by name."""
    return (
        select(Organisation)
        .where(
            Organisation.kind == OrganisationKind.VENDOR,
            Organisation.status == OrganisationStatus.ACTIVE,
        )
        .order_by(Organisation.name, Organisation.id)
    )


def get_public_vendor(organisation_id: int) -> Organisation:
    """An active vendor organisation, or 404."""
    _require_plausible_id(organisation_id)
    vendor = db.session.scalar(public_vendors().where(Organisation.id == organisation_id))
    if vendor is None:
        raise NotVisible()
    return vendor


def published_solution_ids(vendor_ids: list[int]) -> dict[int, list[int]]:
    """The published solution ids of each vendor, in one query."""
    result: dict[int, list[int]] = {vendor_id: [] for vendor_id in vendor_ids}
    rows = db.session.execute(
        select(Solution.vendor_id, Solution.id)
        .where(Solution.vendor_id.in_(vendor_ids), Solution.status == SolutionStatus.PUBLISHED)
        .order_by(Solution.id)
    ).all()
    for vendor_id, solution_id in rows:
        result[vendor_id].append(solution_id)
    return result


# --- changes -----------------------------------------------------------------------------


def _resolve_category(code: str | None) -> TechnologyCategory | None:
    if not code:
        return None
    category = db.session.scalar(select(TechnologyCategory).where(TechnologyCategory.code == code))
    if category is None:
        raise RuleViolation("Choose a category from the list.", "primary_category")
    return category


def _resolve_activities(codes: list[str]) -> list[SecurityActivity]:
    wanted = set(codes)
    if not wanted:
        return []
    activities = list(
        db.session.scalars(
            select(SecurityActivity)
            .where(SecurityActivity.code.in_(wanted))
            .order_by(SecurityActivity.position)
        )
    )
    if len(activities) != len(wanted):
        raise RuleViolation("Choose activities from the list.", "activities")
    return activities


def _check_name(vendor_id: int, name: str, solution_id: int | None) -> str:
    name = one_line(name)
    if not name:
        raise RuleViolation("Give the solution a name.", "name")
    check_length(name, NAME_MAX, "name", "The name")
    statement = select(Solution.id).where(
        Solution.vendor_id == vendor_id, func.lower(Solution.name) == name.lower()
    )
    if solution_id is not None:
        statement = statement.where(Solution.id != solution_id)
    if db.session.scalar(statement) is not None:
        raise RuleViolation("You already have a solution with this name.", "name")
    return name


def _apply(solution: Solution, data: SolutionData) -> None:
    """Validate `data` and copy it onto the solution (lists are replaced as a whole)."""
    solution.name = _check_name(solution.vendor_id, data.name, solution.id)
    solution.primary_category = _resolve_category(data.primary_category)
    activities = _resolve_activities(data.activities)
    solution.summary = check_length(one_line(data.summary), SUMMARY_MAX, "summary", "The summary")
    solution.description_markdown = check_length(
        multi_line(data.description_markdown),
        DESCRIPTION_MAX,
        "description_markdown",
        "The description",
    )
    standards = clean_list(data.standards, STANDARD_MAX, MAX_STANDARDS, "standards", "standard")
    deployments = clean_list(
        data.deployments, DEPLOYMENT_MAX, MAX_DEPLOYMENTS, "deployments", "deployment reference"
    )
    regions = sort_regions(list(dict.fromkeys(data.regions)))
    if any(code not in REGIONS for code in regions):
        raise RuleViolation("Choose regions from the list.", "regions")
    solution.maturity = data.maturity
    # Biometrics and facial recognition are privacy-sensitive whatever box was ticked.
    solution.uses_biometrics = data.uses_biometrics
    solution.uses_facial_recognition = data.uses_facial_recognition
    solution.privacy_sensitive = (
        data.privacy_sensitive or data.uses_biometrics or data.uses_facial_recognition
    )
    solution.privacy_features = check_length(
        multi_line(data.privacy_features),
        PRIVACY_FEATURES_MAX,
        "privacy_features",
        "The data-protection features",
    )
    solution.price_model = data.price_model
    solution.price_band = data.price_band

    solution.activities = activities
    # Replacing child rows: delete the old ones first so unique keys can be reused.
    if solution.id is not None:
        solution.standards.clear()
        solution.deployments.clear()
        solution.regions.clear()
        db.session.flush()
    solution.standards = [
        SolutionStandard(position=i, code=code) for i, code in enumerate(standards, 1)
    ]
    solution.deployments = [
        SolutionDeployment(position=i, description=text) for i, text in enumerate(deployments, 1)
    ]
    solution.regions = [SolutionRegion(region_code=code) for code in regions]


def publication_problems(solution: Solution) -> list[tuple[str, str]]:
    """What is still missing before the solution can be public: (field, message) pairs."""
    problems = []
    if solution.primary_category is None:
        problems.append(("primary_category", "Choose the primary technology category."))
    if not solution.activities:
        problems.append(("activities", "Tick at least one security activity it serves."))
    if not solution.summary:
        problems.append(("summary", "Write a short summary."))
    if not solution.description_markdown.strip():
        problems.append(("description_markdown", "Write the description."))
    if solution.maturity is None:
        problems.append(("maturity", "Choose the maturity."))
    if solution.price_model is None:
        problems.append(("price_model", "Choose the price model."))
    if solution.price_band is None:
        problems.append(("price_band", "Choose the indicative price band."))
    if not solution.regions:
        problems.append(("regions", "Tick at least one region where it is offered."))
    if solution.privacy_sensitive and not solution.privacy_features.strip():
        problems.append(
            ("privacy_features", "Describe the data-protection features (it is privacy-sensitive).")
        )
    return problems


def _raise_if_incomplete(solution: Solution, doing: str) -> None:
    problems = publication_problems(solution)
    if problems:
        field_name, message = problems[0]
        details = " ".join(m for _, m in problems)
        raise RuleViolation(f"{doing}, complete the solution first: {details}", field_name)


def _snapshot(solution: Solution) -> dict[str, Any]:
    return {
        **certified_state(solution),
        "summary": solution.summary,
        "description_markdown": solution.description_markdown,
        "maturity": solution.maturity.value if solution.maturity else None,
        "deployments": solution.deployment_texts,
        "privacy_features": solution.privacy_features,
        "price_model": solution.price_model.value if solution.price_model else None,
        "price_band": solution.price_band.value if solution.price_band else None,
        "regions": solution.region_codes,
    }


def data_of(solution: Solution) -> SolutionData:
    """The solution's current values, as an edit starts from them."""
    return SolutionData(
        name=solution.name,
        primary_category=solution.primary_category.code if solution.primary_category else None,
        activities=solution.activity_codes,
        summary=solution.summary,
        description_markdown=solution.description_markdown,
        maturity=solution.maturity,
        standards=solution.standard_codes,
        deployments=solution.deployment_texts,
        privacy_sensitive=solution.privacy_sensitive,
        uses_biometrics=solution.uses_biometrics,
        uses_facial_recognition=solution.uses_facial_recognition,
        privacy_features=solution.privacy_features,
        price_model=solution.price_model,
        price_band=solution.price_band,
        regions=solution.region_codes,
    )


def create_solution(actor: User | None, data: SolutionData) -> Solution:
    """A vendor starts a solution as a draft of its own organisation (it may be incomplete)."""
    actor = require_role(actor, Role.VENDOR)
    now = utcnow()
    solution = Solution(
        vendor=actor.organisation,
        vendor_id=actor.organisation_id,
        status=SolutionStatus.DRAFT,
        created_at=now,
        updated_at=now,
    )
    _apply(solution, data)
    db.session.add(solution)
    db.session.flush()
    audit.record(
        actor,
        "solution.created",
        solution,
        summary=f"{solution.name} created as a draft",
        data={"name": solution.name},
    )
    return solution


def update_solution(actor: User | None, solution: Solution, data: SolutionData) -> Solution:
    """The owning vendor edits; a published solution must stay complete."""
    actor = _require_owner(actor, solution)
    before = _snapshot(solution)
    certified_before = certified_state(solution)
    _apply(solution, data)
    published = solution.status is SolutionStatus.PUBLISHED
    if published:
        # As asked: an approval of the held change must not leave a published record incomplete.
        _raise_if_incomplete(solution, "It is published: to save")
    # A certified field's new value waits for the authority as a change request.
    hold_certified_changes(actor, solution, certified_before, data.change_reason)
    if published:
        # As kept until the authority decides.
        _raise_if_incomplete(solution, "It is published: to save")
    after = _snapshot(solution)
    changed = sorted(key for key in after if after[key] != before[key])
    if not changed:
        return solution
    solution.updated_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        "solution.updated",
        solution,
        summary=f"{solution.name} edited ({', '.join(changed)})",
        data={"changed": changed, "status": solution.status.value},
    )
    if solution.status is SolutionStatus.PUBLISHED:
        enqueue_solution_change(solution.id, "solution.updated")
    return solution


def publish_solution(actor: User | None, solution: Solution) -> Solution:
    """Make a complete draft (or an archived solution, offered again) public."""
    actor = _require_owner(actor, solution)
    if solution.status is SolutionStatus.PUBLISHED:
        raise RuleViolation("The solution is already published.")
    _raise_if_incomplete(solution, "To publish")
    previous = solution.status
    now = utcnow()
    solution.status = SolutionStatus.PUBLISHED
    solution.published_at = now
    solution.archived_at = None
    solution.updated_at = now
    db.session.flush()
    audit.record(
        actor,
        "solution.published",
        solution,
        summary=f"{solution.name}: {previous.value} → published",
        data={"from": previous.value, "to": SolutionStatus.PUBLISHED.value},
    )
    enqueue_solution_change(solution.id, "solution.published")
    return solution


def archive_solution(actor: User | None, solution: Solution) -> Solution:
    """Withdraw a published solution from the catalog; its page says it is no longer offered."""
    actor = _require_owner(actor, solution)
    if solution.status is not SolutionStatus.PUBLISHED:
        raise RuleViolation("Only a published solution can be archived.")
    now = utcnow()
    solution.status = SolutionStatus.ARCHIVED
    solution.archived_at = now
    solution.updated_at = now
    db.session.flush()
    audit.record(
        actor,
        "solution.archived",
        solution,
        summary=f"{solution.name}: published → archived",
        data={"from": SolutionStatus.PUBLISHED.value, "to": SolutionStatus.ARCHIVED.value},
    )
    enqueue_solution_change(solution.id, "solution.archived")
    return solution
