"""A world whose every confidential field holds a sentinel: a value that cannot appear by
accident, so that finding it on a public surface proves a leak.

Text sentinels carry 16 random hex digits. Money sentinels are odd amounts (7 391.37) looked
for as numbers of their own, in any of the ways a page or a document writes them ("7391.37",
"7,391.37", "7 391,37", "7391.370000"), never inside another token (random hex in generated
names would otherwise match now and then). A lead time is looked for beside its unit.

Everything is made through the services (needs, aggregation, calls, offers, evaluations,
norms, shortlists, invitations, labels, vulnerability cases); only the evaluations behind the
vendors' labels are written directly, as in tests/evaluations/label_builders.py.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select

from catalog.lists.services import add_to_shortlist, create_shortlist
from catalog.versions import declare_version
from evaluations.labels.issuing import issue_label
from evaluations.labels.revocation import propose_revocation
from evaluations.models import Evaluation, Label
from evaluations.services.application import (
    apply_for_evaluation,
    attach_evidence,
    submit_application,
)
from evaluations.services.assignment import assign_evaluator, declare_conflict
from evaluations.services.decision import decide as decide_evaluation
from evaluations.services.scores import save_score, submit_scores
from procurement.aggregation.parameters import AggregationParameters
from procurement.calls.legal.demo import opening_days, sign_all_mandates
from procurement.calls.limits import deadline_on
from procurement.calls.models import JointCall, Offer
from procurement.calls.services.lifecycle import open_call
from procurement.calls.services.offers import submit_offer, update_offer
from procurement.models import Lot, LotStatus, Need
from procurement.ocds.formats import need_ocid
from procurement.services.confirmation import confirm_membership, freeze_lot, request_confirmation
from procurement.services.needs import create_need, open_need
from procurement.services.rounds import lots_in, run_aggregation
from registry.database import db
from registry.dates import today
from registry.models import Organisation, OrganisationKind, User, VendorSize
from registry.norms import drafting
from registry.norms.services import start_draft
from registry.services import (
    RegistrationData,
    invite_user,
    register_organisation,
    reject_organisation,
)
from tests.catalog import solution_builders
from tests.catalog.solution_builders import first_version
from tests.evaluations import scheme_builders
from tests.evaluations.agreement.agreement_builders import accepted
from tests.evaluations.labels import label_builders
from tests.norms import norm_builders
from tests.procurement.calls.call_builders import offer_data, opening_officers, solution_of
from tests.procurement.need_builders import need_data
from tests.support import PASSWORD
from tests.vulnerabilities.case_builders import CRITICAL_V3
from vulnerabilities import cases
from vulnerabilities.models import CaseSource, VulnerabilityCase

_SEPARATORS = "[,\u00a0\u202f ]?"


@dataclass(frozen=True)
class Sentinel:
    """One planted value: the field it stands for and how to find it in a text."""

    field: str
    value: str
    pattern: re.Pattern[str]

    def found_in(self, text: str) -> bool:
        """Whether the text shows the value."""
        return self.pattern.search(text) is not None


def text_sentinel(field: str, prefix: str = "Sentinel") -> Sentinel:
    """A text value nobody would write: a prefix and 16 random hex digits."""
    value = f"{prefix}{secrets.token_hex(8)}"
    return Sentinel(field, value, re.compile(re.escape(value), re.IGNORECASE))


def cve_sentinel(field: str) -> Sentinel:
    """A CVE id nobody assigned: the current year and ten random digits."""
    value = f"CVE-{today().year}-{secrets.randbelow(9 * 10**9) + 10**9}"
    return Sentinel(field, value, re.compile(rf"(?<![0-9]){re.escape(value)}(?![0-9])", re.I))


def literal_sentinel(field: str, value: str) -> Sentinel:
    """A value made elsewhere (a password hash, a TOTP secret), looked for as it is."""
    return Sentinel(field, value, re.compile(re.escape(value)))


def money_sentinel(field: str, amount: Decimal) -> Sentinel:
    """An amount to the cent, found as a number of its own in any common notation."""
    units, cents = f"{amount:.2f}".split(".")
    groups: list[str] = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    body = _SEPARATORS.join(groups) + f"[.,]{cents}0*"
    return Sentinel(field, f"{amount:.2f}", re.compile(rf"(?<![0-9A-Za-z]){body}(?![0-9A-Za-z])"))


def days_sentinel(field: str, days: int) -> Sentinel:
    """A lead time: the number beside its unit ("613 days") or its JSON key."""
    return Sentinel(
        field,
        str(days),
        # Not inside a run of letters and digits: a hex hash ending in "613d" is no lead time.
        re.compile(
            rf"(?<![0-9A-Za-z]){days}\s*(?:days?\b|d\b)|lead_time_days\W+{days}(?![0-9])", re.I
        ),
    )


# The offers and ceilings, chosen so that the award has one buyer drop out at its ceiling:
# at the lot's 53 licences the startup's 7 463.29 is above the first ceiling (7 391.37); the
# 40 licences left are re-priced at 8 693.17, under the two other ceilings. The large firm's
# flat 8 955.43 is above two ceilings and keeps one buyer only.
QUANTITIES = (13, 17, 23)
CEILINGS = (Decimal("7391.37"), Decimal("8817.59"), Decimal("9153.71"))
OPTIONAL = 5
STARTUP_TIERS = ((1, "9011.53"), (31, "8693.17"), (53, "7463.29"))
LARGE_TIERS = ((1, "8955.43"),)
LEAD_TIMES = (613, 587)
AWARDED_PRICE = Decimal("8693.17")


@dataclass
class SentinelWorld:
    """The planted values, by the moment until which each stays confidential, and the ids
    of the objects that hold them (to aim every route of the application at them); the
    values that must be public (a disclosed vulnerability)."""

    always: list[Sentinel] = field(default_factory=list)
    until_deadline: list[Sentinel] = field(default_factory=list)
    until_award: list[Sentinel] = field(default_factory=list)
    until_embargo: list[Sentinel] = field(default_factory=list)
    disclosed: list[Sentinel] = field(default_factory=list)
    ids: dict[str, list[Any]] = field(default_factory=dict)
    authority: User | None = None
    call: JointCall | None = None
    lot: Lot | None = None
    buyers: list[User] = field(default_factory=list)
    vendor: User | None = None
    needs: list[Need] = field(default_factory=list)
    offers: list[Offer] = field(default_factory=list)
    evaluation: Evaluation | None = None
    winner_label: str = ""
    winner_solution: int = 0
    embargoed: VulnerabilityCase | None = None
    case_vendor: User | None = None
    disclosed_case: VulnerabilityCase | None = None
    watched_label: str = ""

    def add_ids(self, name: str, values: Iterable[Any]) -> None:
        """Remember values for a route argument."""
        self.ids.setdefault(name, []).extend(values)


def _person(
    world: SentinelWorld,
    create_user: Callable[..., User],
    kind: OrganisationKind,
    organisation: Organisation | None = None,
    **overrides: Any,
) -> User:
    """A user whose e-mail address, name, password hash and TOTP secret are sentinels."""
    mailbox = text_sentinel("e-mail address (local part)", "mbox")
    full_name = text_sentinel("user's full name", "Person")
    user = create_user(
        organisation,
        kind=kind,
        email=f"{mailbox.value}@example.org",
        full_name=full_name.value,
        totp=True,
        **overrides,
    )
    assert user.totp_secret is not None
    world.always += [
        mailbox,
        full_name,
        literal_sentinel("password hash", user.password_hash),
        literal_sentinel("TOTP secret", user.totp_secret),
    ]
    return user


def build(
    create_organisation: Callable[..., Organisation], create_user: Callable[..., User]
) -> SentinelWorld:
    """The whole world, committed; the call takes offers (its deadline is ahead)."""
    world = SentinelWorld()
    world.authority = _person(world, create_user, OrganisationKind.AUTHORITY)
    _procurement(world, create_organisation, create_user)
    _evaluation(world, create_user)
    _drafts(world)
    _private_organisation(world, create_user)
    _vulnerabilities(world, create_user)
    db.session.commit()
    return world


def _procurement(
    world: SentinelWorld,
    create_organisation: Callable[..., Organisation],
    create_user: Callable[..., User],
) -> None:
    """Three buyers' needs pooled in a frozen lot, a call, an offer of each vendor."""
    authority = world.authority
    assert authority is not None
    startup = _person(world, create_user, OrganisationKind.VENDOR)
    large = _person(world, create_user, OrganisationKind.VENDOR)
    code = f"SNT-{secrets.token_hex(3).upper()}"
    version = norm_builders.published(authority, code)
    evaluators = [_person(world, create_user, OrganisationKind.EVALUATION_BODY) for _ in range(2)]
    for vendor in (startup, large):
        label_builders.issued_label(
            label_builders.LabelWorld(authority, vendor, evaluators, version),
            solution_name=f"{vendor.organisation.name} Analytics",
        )
    buyers = [
        _person(
            world,
            create_user,
            OrganisationKind.BUYER,
            create_organisation(OrganisationKind.BUYER, name=f"Commune {index} {code}"),
        )
        for index in range(len(QUANTITIES))
    ]
    needs: list[Need] = []
    for buyer, quantity, ceiling in zip(buyers, QUANTITIES, CEILINGS, strict=True):
        notes = text_sentinel("need notes (internal)")
        world.always += [
            money_sentinel("buyer's ceiling price", ceiling),
            money_sentinel("buyer's budget at its ceiling (firm)", ceiling * quantity),
            money_sentinel(
                "buyer's budget at its ceiling (maximum)", ceiling * (quantity + OPTIONAL)
            ),
            notes,
        ]
        data = need_data(
            title=f"Licences for {buyer.organisation.name}",
            norm_code=code,
            min_level_rank=1,
            firm_quantity=quantity,
            optional_quantity=OPTIONAL,
            max_unit_price=ceiling,
            notes=notes.value,
        )
        needs.append(open_need(buyer, create_need(buyer, data)))
    db.session.commit()
    run_aggregation(authority, AggregationParameters(today=today(), region_level=1, min_vendors=0))
    need_ids = {need.id for need in needs}
    lot = next(
        lot
        for lot in lots_in(LotStatus.PROPOSED)
        if {member.need_id for member in lot.members} == need_ids
    )
    request_confirmation(authority, lot)
    by_org = {buyer.organisation_id: buyer for buyer in buyers}
    for member in lot.active_members:
        confirm_membership(by_org[member.buyer_id], member)
    freeze_lot(authority, lot)
    sign_all_mandates(lot, by_org)
    world.always += [
        money_sentinel("lot budget at the buyers' ceilings (firm)", lot.total_budget),
        money_sentinel("lot budget at the buyers' ceilings (maximum)", lot.maximum_budget),
    ]
    deadline = deadline_on(today() + dt.timedelta(days=opening_days(lot) + 1))
    opening_officers(authority)
    call = open_call(
        authority, lot, f"Joint call {code}", "Licences for every buyer.", deadline, 24
    )
    offers: list[Offer] = []
    firm = sum(QUANTITIES)
    for vendor, tiers, lead in zip(
        (startup, large), (STARTUP_TIERS, LARGE_TIERS), LEAD_TIMES, strict=True
    ):
        # A first version of the offer, changed before the deadline: it is never published.
        first_price, first_lead = Decimal("9377.51") + len(offers), 529 + len(offers)
        made = submit_offer(vendor, call, offer_data(vendor, ((1, str(first_price)),), first_lead))
        world.always += [
            money_sentinel("replaced offer's price", first_price),
            days_sentinel("replaced offer's lead time", first_lead),
        ]
        offers.append(update_offer(vendor, made, offer_data(vendor, tiers, lead)))
        world.until_deadline.append(days_sentinel("offer's lead time", lead))
        applicable = max((t for t in tiers if t[0] <= firm), key=lambda t: t[0])
        world.until_deadline += [
            money_sentinel("offer's price at the lot's quantity", Decimal(applicable[1])),
            money_sentinel("offer's total at the lot's quantity", Decimal(applicable[1]) * firm),
        ]
        for _, price in tiers:
            if Decimal(price) == AWARDED_PRICE:
                world.until_award.append(money_sentinel("offer's tier price", Decimal(price)))
            elif price != applicable[1]:
                world.always.append(money_sentinel("offer's unused tier price", Decimal(price)))
    name, note = text_sentinel("shortlist name"), text_sentinel("shortlist note")
    shortlist = create_shortlist(buyers[0], name.value)
    add_to_shortlist(buyers[0], shortlist, solution_of(startup).id, note.value)
    world.always += [name, note]
    db.session.commit()
    world.call, world.lot, world.buyers, world.vendor = call, lot, buyers, startup
    world.needs, world.offers = needs, offers
    world.winner_label = offers[0].label.number
    world.winner_solution = offers[0].solution_id
    world.add_ids("number", [offer.label.number for offer in offers])
    world.add_ids("solution_id", [offer.solution_id for offer in offers])
    world.add_ids("need_id", need_ids)
    world.add_ids("lot_id", [lot.id])
    world.add_ids("call_id", [call.id])
    world.add_ids("offer_id", [offer.id for offer in offers])
    world.add_ids("ocid", [call.ocid, *(need_ocid(need) for need in needs)])
    world.add_ids("shortlist_id", [shortlist.id])
    world.add_ids("organisation_id", [b.organisation_id for b in buyers])
    world.add_ids("organisation_id", [startup.organisation_id, large.organisation_id])
    world.add_ids("code", [code])


def _evaluation(world: SentinelWorld, create_user: Callable[..., User]) -> None:
    """An evaluation scored but not decided: evidence, a conflict, justifications."""
    authority = world.authority
    assert authority is not None
    vendor = _person(world, create_user, OrganisationKind.VENDOR)
    code = f"SNE-{secrets.token_hex(3).upper()}"
    version = norm_builders.published(authority, code)
    solution = solution_builders.published(vendor, name=f"Evaluated {code}")
    accepted(vendor, authority)  # applying needs the agreement in force
    evaluation = apply_for_evaluation(
        vendor, solution.id, version.id, product_version_id=first_version(vendor, solution).id
    )
    evidence_ids = []
    for criterion in version.ordered_criteria():
        name = text_sentinel("evidence file name")
        content = text_sentinel("evidence file content")
        world.always += [name, content]
        attached = attach_evidence(
            vendor,
            evaluation,
            f"{name.value}.txt",
            io.BytesIO(f"Test report {content.value}\n".encode()),
            criterion.id,
        )
        world.always += [
            literal_sentinel("evidence file's stored name", attached.stored_name),
            literal_sentinel("evidence file's SHA-256", attached.sha256),
        ]
        evidence_ids.append(attached.id)
    submit_application(vendor, evaluation)
    conflicted, first, second = (
        _person(world, create_user, OrganisationKind.EVALUATION_BODY) for _ in range(3)
    )
    # Another officer reviews the application, assigns and reviews the scores: the authority,
    # who decides, took no other part.
    officer = _person(world, create_user, OrganisationKind.AUTHORITY, authority.organisation)
    for evaluator in (conflicted, first, second):
        scheme_builders.qualify(evaluator, version.norm)
    for person in (authority, officer):
        scheme_builders.confirm_declarations(person)
    scheme_builders.review_application(evaluation, officer)
    blocked = assign_evaluator(officer, evaluation, conflicted.id, None)
    conflict = text_sentinel("conflict-of-interest declaration")
    world.always.append(conflict)
    declare_conflict(conflicted, blocked, True, conflict.value)
    assignments = [assign_evaluator(officer, evaluation, who.id, None) for who in (first, second)]
    for evaluator, assignment in zip((first, second), assignments, strict=True):
        declare_conflict(evaluator, assignment, False, "")
    for evaluator, assignment in zip((first, second), assignments, strict=True):
        for criterion in version.ordered_criteria():
            justification = text_sentinel("evaluator's justification")
            world.always.append(justification)
            value = "pass" if criterion.kind.value == "pass_fail" else "4"
            save_score(evaluator, assignment, criterion, value, justification.value)
        submit_scores(evaluator, assignment)
    scheme_builders.review(evaluation, officer, "certified", "Certified")
    db.session.commit()
    world.evaluation = evaluation
    world.add_ids("evaluation_id", [evaluation.id])
    world.add_ids("evidence_id", evidence_ids)
    world.add_ids("assignment_id", [blocked.id, *(a.id for a in assignments)])
    world.add_ids("solution_id", [solution.id])
    world.add_ids("code", [code])


def decide(world: SentinelWorld) -> Label:
    """Certify the scored evaluation; its label is public (with the decision's public
    statement, on the decision log), its evidence, conflict, justifications, the decision's
    internal rationale and a pending proposal to revoke it stay private."""
    assert world.authority is not None and world.evaluation is not None
    rationale = text_sentinel("decision's internal rationale")
    level_reason = text_sentinel("reason for a lower level")
    world.always += [rationale, level_reason]
    decided = decide_evaluation(
        world.authority,
        world.evaluation,
        "certified",
        "Certified",
        rationale.value,
        level_reason.value,
        public_statement="Meets the norm on the evidence.",
    )
    db.session.commit()
    label = db.session.scalar(select(Label).where(Label.evaluation_id == decided.id))
    assert label is not None
    # A revocation proposal waits for a second officer: until confirmed it is internal.
    reason = text_sentinel("pending revocation proposal's reason")
    proposal = propose_revocation(
        world.authority,
        label,
        reason.value,
        emergency_reason="Evidence of fraud: buyers at risk now.",
    )
    db.session.commit()
    world.always.append(reason)
    world.add_ids("number", [label.number])
    world.add_ids("proposal_id", [proposal.id])
    return label


def _drafts(world: SentinelWorld) -> None:
    """A draft solution, a draft norm, and a draft second version of a published norm."""
    authority = world.authority
    assert authority is not None
    name = text_sentinel("draft solution's name")
    summary = text_sentinel("draft solution's summary")
    description = text_sentinel("draft solution's description")
    assert world.vendor is not None
    draft = solution_builders.draft(
        world.vendor,
        name=name.value,
        summary=summary.value,
        description_markdown=f"## About\n\n{description.value}",
    )
    world.always += [name, summary, description]
    draft_code = text_sentinel("draft norm's code", "SNTDRAFT").value.upper()
    world.always.append(literal_sentinel("draft norm's code", draft_code))
    draft_version = norm_builders.draft(authority, draft_code)
    title = text_sentinel("draft norm criterion's title")
    guidance = text_sentinel("draft norm criterion's guidance")
    published = norm_builders.published(authority, f"SNP-{secrets.token_hex(3).upper()}")
    second = start_draft(authority, published.norm)
    added = drafting.add_criterion(
        authority,
        second,
        norm_builders.criterion(
            second.sections[0].id, "LEAK", title=title.value, guidance=guidance.value
        ),
    )
    world.always += [title, guidance]
    db.session.commit()
    world.add_ids("solution_id", [draft.id])
    world.add_ids("code", [draft_code, published.norm.code])
    world.add_ids("number", [draft_version.number, second.number])
    world.add_ids("section_id", [s.id for s in second.sections])
    world.add_ids("criterion_id", [added.id])


def _private_organisation(world: SentinelWorld, create_user: Callable[..., User]) -> None:
    """A pending organisation registered through the form's service, a rejected one with a
    reason, an invitation to a sentinel address."""
    made = []
    for _ in range(2):
        name = text_sentinel("unapproved organisation's name")
        about = text_sentinel("unapproved organisation's description")
        mailbox = text_sentinel("registrant's e-mail address (local part)", "mbox")
        full_name = text_sentinel("registrant's full name", "Person")
        website = text_sentinel("unapproved organisation's website", "site")
        with current_app.test_request_context():
            organisation = register_organisation(
                RegistrationData(
                    organisation_name=name.value,
                    kind=OrganisationKind.VENDOR,
                    country="FR",
                    region="Bretagne",
                    full_name=full_name.value,
                    email=f"{mailbox.value}@example.org",
                    password=PASSWORD,
                    vendor_size=VendorSize.STARTUP,
                    website=f"https://{website.value.lower()}.example",
                    description=about.value,
                )
            )
        registrant = organisation.users[0]
        world.always += [
            name,
            about,
            mailbox,
            full_name,
            website,
            literal_sentinel("password hash", registrant.password_hash),
        ]
        made.append(organisation)
    reason = text_sentinel("rejection reason")
    reject_organisation(world.authority, made[1], reason.value)
    world.always.append(reason)
    inviter = world.buyers[0]
    invited = text_sentinel("invited e-mail address", "invitee")
    with current_app.test_request_context():
        invite_user(inviter, inviter.organisation, f"{invited.value}@example.org")
    world.always.append(invited)
    db.session.commit()
    world.add_ids("organisation_id", [organisation.id for organisation in made])


def _vulnerabilities(world: SentinelWorld, create_user: Callable[..., User]) -> None:
    """Three cases on a labelled solution (version 1.0 certified, 1.1 the fix): a confirmed
    critical case under embargo, a researcher's report not yet analysed, and a disclosed case
    fixed in 1.1. The reporters' words and contacts are never public; the embargoed case's
    title, summary, CVE and the vendor's analysis are public only once the embargo ends; the
    disclosed case's title and summary are public."""
    authority = world.authority
    assert authority is not None
    vendor = _person(world, create_user, OrganisationKind.VENDOR)
    evaluators = [_person(world, create_user, OrganisationKind.EVALUATION_BODY) for _ in range(2)]
    code = f"SNV-{secrets.token_hex(3).upper()}"
    labelled = label_builders.LabelWorld(
        authority, vendor, evaluators, norm_builders.published(authority, code)
    )
    evaluation = label_builders.certified_evaluation(labelled, solution_name=f"Watched {code}")
    solution = evaluation.solution
    first = declare_version(vendor, solution, "1.0", today() - dt.timedelta(days=90))
    fix = declare_version(vendor, solution, "1.1", today() - dt.timedelta(days=1))
    evaluation.product_version_id = first.id
    db.session.commit()
    label = issue_label(authority, evaluation, public_statement="Meets the norm.")
    db.session.commit()

    def report(kind: str) -> tuple[Sentinel, Sentinel]:
        words = text_sentinel(f"{kind}: researcher's report")
        contact = text_sentinel(f"{kind}: reporter's contact", "reporter")
        world.always += [words, contact]
        return words, contact

    words, contact = report("embargoed case")
    title, summary = (
        text_sentinel("embargoed case's title"),
        text_sentinel("embargoed case's summary"),
    )
    analysis, cve = text_sentinel("embargoed case's vendor analysis"), cve_sentinel("CVE id")
    world.until_embargo += [title, summary, analysis, cve]
    embargoed = cases.open_case(
        None,
        solution,
        CaseSource.RESEARCHER,
        title=title.value,
        report=words.value,
        reporter=f"{contact.value}@example.org",
        version_ids=[first.id],
        embargo_until=today() + dt.timedelta(days=30),
    )
    cases.start_analysis(vendor, embargoed)
    cases.confirm(
        vendor,
        embargoed,
        analysis=analysis.value,
        affected_version_ids=[first.id],
        cvss_v3=CRITICAL_V3,
        cve_id=cve.value,
        summary=summary.value,
    )

    words, contact = report("unanalysed report")
    pending_title = text_sentinel("unanalysed report's title")
    world.always.append(pending_title)
    pending = cases.open_case(
        None,
        solution,
        CaseSource.RESEARCHER,
        title=pending_title.value,
        report=words.value,
        reporter=contact.value,
        version_ids=[first.id],
    )

    words, contact = report("disclosed case")
    shown = [text_sentinel("disclosed case's title"), text_sentinel("disclosed case's summary")]
    world.disclosed += shown
    disclosed = cases.open_case(
        None,
        solution,
        CaseSource.RESEARCHER,
        title=shown[0].value,
        report=words.value,
        reporter=contact.value,
        version_ids=[first.id],
        embargo_until=today(),
    )
    cases.start_analysis(vendor, disclosed)
    cases.confirm(
        vendor,
        disclosed,
        analysis="The handler skipped the session check.",
        affected_version_ids=[first.id],
        cvss_v3=CRITICAL_V3,
        summary=shown[1].value,
    )
    cases.mark_fixed(vendor, disclosed, fix)
    db.session.commit()
    world.embargoed, world.disclosed_case, world.watched_label = embargoed, disclosed, label.number
    world.case_vendor = vendor
    world.add_ids("reference", [embargoed.reference, pending.reference, disclosed.reference])
    world.add_ids("number", [label.number])
    world.add_ids("solution_id", [solution.id])
    world.add_ids("organisation_id", [vendor.organisation_id])
