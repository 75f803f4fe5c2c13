"""The public processes a changed procurement row belongs to, so that a commit rebuilds the
releases of those processes only.

A public process is a need's planning process or a joint call's (its orders' processes are built
with the call). Each procurement model is in ``PROCESSES_OF``, whose function names the processes
an instance belongs to (a call, a lot, a need or an aggregation round, by id), or in
``AFFECTS_ALL``: a change to it rebuilds every process. A row whose process cannot be told (the
row it hangs from is gone) rebuilds every process too. ``tests/procurement/publication/
test_publish_touched.py`` holds every procurement model to one of the two.

Lots, needs and rounds are turned into calls when the releases are built (``touched_calls``): a
lot's call, the calls of the lots a need is pooled in, the calls of a round's lots.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import SQLAlchemyError

from procurement.calls.access.models import (
    EligibilityDecision,
    FrozenEligibility,
    OfferDeclaration,
    WinnerEvidence,
    WinnerEvidenceDocument,
)
from procurement.calls.documents.models import CallDocumentVersion
from procurement.calls.enquiries.models import CallQuestion, Corrigendum
from procurement.calls.legal.models import Mandate
from procurement.calls.models import (
    Award,
    AwardDropout,
    CallDocument,
    ContractLine,
    JointCall,
    Offer,
    OfferTier,
)
from procurement.calls.modifications.models import ContractModification
from procurement.calls.orders.models import CallOrder
from procurement.calls.scoring.models import (
    AwardCriterion,
    AwardScore,
    LowPriceRequest,
    OwnCriterion,
    OwnScore,
)
from procurement.calls.sealing.models import CallSeal, OpeningKey, OpeningShare
from procurement.calls.standstill.models import AwardLetter, ReviewRequest
from procurement.models import AggregationRound, Lot, LotMember, Need
from procurement.publication.models import PublishedRelease
from registry.database import db


@dataclass
class Touched:
    """The processes a transaction changed: by call, lot, need and round ids, or every one."""

    calls: set[int] = field(default_factory=set)
    lots: set[int] = field(default_factory=set)
    needs: set[int] = field(default_factory=set)
    rounds: set[int] = field(default_factory=set)
    everything: bool = False

    def __bool__(self) -> bool:
        return self.everything or bool(self.calls or self.lots or self.needs or self.rounds)

    def add(self, instance: object) -> None:
        """Add the processes a changed row belongs to (every process when it cannot be told)."""
        if self.everything or isinstance(instance, PublishedRelease):
            return
        named = PROCESSES_OF.get(type(instance))
        try:
            told = named is not None and named(instance, self)
        except SQLAlchemyError:
            # A deleted row whose columns were expired cannot be read back.
            told = False
        if not told:
            self.everything = True


def _parent(model: type[Any], key: int | None) -> Any:
    """The row a changed row hangs from, or None when it is gone."""
    return None if key is None else db.session.get(model, key)


def _by_call_id(instance: Any, touched: Touched) -> bool:
    if instance is None:
        return False
    touched.calls.add(instance.call_id)
    return True


def _call(instance: JointCall, touched: Touched) -> bool:
    touched.calls.add(instance.id)
    return True


def _need(instance: Need, touched: Touched) -> bool:
    touched.needs.add(instance.id)
    return True


def _round(instance: AggregationRound, touched: Touched) -> bool:
    touched.rounds.add(instance.id)
    return True


def _lot(instance: Lot, touched: Touched) -> bool:
    touched.lots.add(instance.id)
    return True


def _lot_member(instance: LotMember, touched: Touched) -> bool:
    touched.lots.add(instance.lot_id)
    touched.needs.add(instance.need_id)
    return True


def _mandate(instance: Mandate, touched: Touched) -> bool:
    touched.lots.add(instance.lot_id)
    return True


def _of_award(instance: Any, touched: Touched) -> bool:
    return _by_call_id(_parent(Award, instance.award_id), touched)


def _award_outcome_row(instance: ContractLine | AwardDropout, touched: Touched) -> bool:
    touched.needs.add(instance.need_id)
    return _of_award(instance, touched)


def _of_offer(instance: Any, touched: Touched) -> bool:
    return _by_call_id(_parent(Offer, instance.offer_id), touched)


def _of_line(instance: ContractModification | CallOrder, touched: Touched) -> bool:
    line = _parent(ContractLine, instance.line_id)
    return line is not None and _award_outcome_row(line, touched)


def _evidence_document(instance: WinnerEvidenceDocument, touched: Touched) -> bool:
    return _by_call_id(_parent(WinnerEvidence, instance.evidence_id), touched)


def _document_version(instance: CallDocumentVersion, touched: Touched) -> bool:
    return _by_call_id(_parent(CallDocument, instance.document_id), touched)


def _own_score(instance: OwnScore, touched: Touched) -> bool:
    return _by_call_id(_parent(OwnCriterion, instance.criterion_id), touched)


def _opening_share(instance: OpeningShare, touched: Touched) -> bool:
    return _by_call_id(_parent(CallSeal, instance.seal_id), touched)


# Each procurement model with the processes its rows belong to. A function returns False when it
# cannot tell (the parent row is gone): every process is then rebuilt.
PROCESSES_OF: dict[type, Callable[[Any, Touched], bool]] = {
    Need: _need,
    AggregationRound: _round,
    Lot: _lot,
    LotMember: _lot_member,
    Mandate: _mandate,
    JointCall: _call,
    CallDocument: _by_call_id,
    CallDocumentVersion: _document_version,
    CallQuestion: _by_call_id,
    Corrigendum: _by_call_id,
    Offer: _by_call_id,
    OfferTier: _of_offer,
    FrozenEligibility: _by_call_id,
    EligibilityDecision: _of_offer,
    OfferDeclaration: _of_offer,
    WinnerEvidence: _by_call_id,
    WinnerEvidenceDocument: _evidence_document,
    LowPriceRequest: _by_call_id,
    AwardCriterion: _by_call_id,
    OwnCriterion: _by_call_id,
    OwnScore: _own_score,
    CallSeal: _by_call_id,
    OpeningShare: _opening_share,
    Award: _by_call_id,
    AwardScore: _of_award,
    AwardLetter: _of_award,
    ReviewRequest: _of_award,
    ContractLine: _award_outcome_row,
    AwardDropout: _award_outcome_row,
    ContractModification: _of_line,
    CallOrder: _of_line,
}

# Models a change to which rebuilds every process. An officer's opening key belongs to no call:
# it is set once per officer, so rebuilding everything then costs little.
AFFECTS_ALL: frozenset[type] = frozenset({OpeningKey})


def touched_calls(touched: Touched) -> list[int]:
    """The ids of the calls whose releases the touched processes change, in id order."""
    conditions: list[Any] = []
    if touched.calls:
        conditions.append(JointCall.id.in_(touched.calls))
    if touched.lots:
        conditions.append(JointCall.lot_id.in_(touched.lots))
    if touched.needs:
        members = select(LotMember.lot_id).where(LotMember.need_id.in_(touched.needs))
        conditions.append(JointCall.lot_id.in_(members))
    if touched.rounds:
        lots = select(Lot.id).where(Lot.round_id.in_(touched.rounds))
        conditions.append(JointCall.lot_id.in_(lots))
    if not conditions:
        return []
    return list(
        db.session.scalars(select(JointCall.id).where(or_(*conditions)).order_by(JointCall.id))
    )
