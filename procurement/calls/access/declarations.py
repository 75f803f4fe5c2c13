"""The vendor's self-declaration made with each offer (directive 2014/24, art. 57 to 59).

Decided here (README, "Lawful joint procurement", gives the overview):

- Every offer, when made and when changed, carries a self-declaration: for each exclusion
  ground of art. 57 whether the vendor is concerned, the measures it took when it is (art.
  57(6), required then), and that it meets the call's selection criteria (art. 58). Without an
  answer on every ground, or without the selection statement, the offer is refused and nothing
  is saved.
- The declaration holds no price and is kept outside the sealed content; like the offer itself
  it is shown to the authority only once the offers are opened.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from procurement.calls.access.models import OfferDeclaration
from procurement.calls.models import Offer
from registry.database import db, utcnow
from registry.exceptions import RuleViolation
from registry.models import User

MEASURES_MAX = 4000

# The exclusion grounds asked, in the order of art. 57: (code, what the vendor answers on).
EXCLUSION_GROUNDS = (
    (
        "convictions",
        "A final conviction of the organisation or of a member of its management for "
        "participation in a criminal organisation, corruption, fraud, terrorist offences, "
        "money laundering, child labour or trafficking in human beings (art. 57(1))",
    ),
    (
        "taxes",
        "A breach of obligations to pay taxes or social security contributions (art. 57(2))",
    ),
    (
        "insolvency",
        "Bankruptcy, insolvency, winding-up, arrangement with creditors or a like situation "
        "(art. 57(4)(b))",
    ),
    ("misconduct", "Grave professional misconduct (art. 57(4)(c))"),
    (
        "distortion",
        "Agreements with other economic operators aimed at distorting competition (art. 57(4)(d))",
    ),
    ("conflict", "A conflict of interest in this procedure (art. 57(4)(e))"),
    (
        "past_performance",
        "Significant or persistent deficiencies in a prior public contract that led to its "
        "early termination, damages or a like sanction (art. 57(4)(g))",
    ),
    (
        "misrepresentation",
        "Serious misrepresentation in supplying information, or undue influence on a "
        "procedure (art. 57(4)(h) and (i))",
    ),
)
GROUND_NAMES = dict(EXCLUSION_GROUNDS)


@dataclass(frozen=True)
class SelfDeclaration:
    """The vendor's answers: ground code → concerned (True) or not (False); the measures taken
    when concerned by any; and that it meets the selection criteria."""

    answers: Mapping[str, bool] = field(default_factory=dict)
    measures: str = ""
    meets_selection: bool = False


def no_grounds(meets_selection: bool = True) -> SelfDeclaration:
    """A declaration concerned by no exclusion ground."""
    return SelfDeclaration(
        answers={code: False for code, _ in EXCLUSION_GROUNDS}, meets_selection=meets_selection
    )


def check(declaration: SelfDeclaration | None) -> SelfDeclaration:
    """The declaration if complete, else RuleViolation naming what to do."""
    if declaration is None:
        raise RuleViolation(
            "Make the self-declaration on the exclusion grounds and the selection criteria: "
            "an offer is not accepted without it. Nothing was saved.",
            "declaration",
        )
    for code, text in EXCLUSION_GROUNDS:
        if declaration.answers.get(code) is None:
            raise RuleViolation(f"Answer whether this applies to you: {text}.", f"ground_{code}")
    unknown = set(declaration.answers) - set(GROUND_NAMES)
    if unknown:
        raise RuleViolation("Answer only the exclusion grounds listed.", "declaration")
    measures = (declaration.measures or "").strip()
    if any(declaration.answers.values()) and not measures:
        raise RuleViolation(
            "You declared an exclusion ground: describe the measures you took to show you are "
            "reliable despite it (art. 57(6)).",
            "measures",
        )
    if len(measures) > MEASURES_MAX:
        raise RuleViolation(
            f"Describe the measures in at most {MEASURES_MAX} characters.", "measures"
        )
    if not declaration.meets_selection:
        raise RuleViolation(
            "Declare that you meet the call's selection criteria; an offer is not accepted "
            "without it.",
            "meets_selection",
        )
    return declaration


def record(vendor: User, offer: Offer, declaration: SelfDeclaration) -> OfferDeclaration:
    """Store the (checked) declaration on the offer, replacing the one made before."""
    row = declaration_of(offer) or OfferDeclaration(offer_id=offer.id)
    row.concerned = ",".join(code for code, _ in EXCLUSION_GROUNDS if declaration.answers.get(code))
    row.measures = (declaration.measures or "").strip()
    row.meets_selection = declaration.meets_selection
    row.declared_at = utcnow()
    row.declared_by_id = vendor.id
    db.session.add(row)
    db.session.flush()
    return row


def declaration_of(offer: Offer) -> OfferDeclaration | None:
    """The offer's declaration (None for an offer made before declarations existed)."""
    return db.session.scalars(
        select(OfferDeclaration).where(OfferDeclaration.offer_id == offer.id)
    ).first()


def concerned_grounds(row: OfferDeclaration) -> list[str]:
    """The exclusion grounds the vendor declared itself concerned by, in words."""
    return [GROUND_NAMES[code] for code in row.concerned.split(",") if code in GROUND_NAMES]
