"""Forms for joint calls: opening one, its documents, offers, and ending it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from procurement.calls.access.declarations import EXCLUSION_GROUNDS, MEASURES_MAX, SelfDeclaration
from procurement.calls.documents.forms import kind_field
from procurement.calls.legal.forms import LEGAL_BASIS_CHOICES
from procurement.calls.legal.models import LegalBasis
from procurement.calls.limits import DESCRIPTION_MAX, REASON_MAX
from procurement.calls.models import MAX_CONTRACT_MONTHS, MAX_LEAD_TIME_DAYS, Offer
from procurement.calls.services.offers import OfferData
from procurement.forms import parse_decimal
from procurement.models import NOTES_MAX
from procurement.services.eligibility import Certified
from registry.forms import BoundedIntegerField, InputForm, NameField

TIER_ROWS = 4


class OpenCallForm(InputForm):
    """What the authority states when opening a call from a frozen lot."""

    title = NameField("Call title", validators=[InputRequired(), Length(max=200)])
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=DESCRIPTION_MAX)],
        description="What is bought, delivery, and how offers are compared.",
    )
    deadline = DateField(
        "Deadline for offers",
        validators=[InputRequired(message="Give a valid date (YYYY-MM-DD).")],
        description="Offers close at 12:00 UTC on this date.",
    )
    contract_months = BoundedIntegerField(
        "Duration of the framework agreement (months)",
        default=24,
        validators=[
            InputRequired(message="Give a whole number of months."),
            NumberRange(1, MAX_CONTRACT_MONTHS),
        ],
    )
    requires_version_in_scope = BooleanField(
        "Offers must name a version in the label's certified scope",
        description=(
            "A vendor then names the version it offers, and only a valid label whose certified "
            "scope holds that version makes the offer eligible."
        ),
    )
    max_open_vulnerability_severity = SelectField(
        "Exclude solutions with an open vulnerability of this severity or above",
        choices=[
            SelectChoice("", "No exclusion"),
            SelectChoice("critical", "Critical"),
            SelectChoice("high", "High or critical"),
            SelectChoice("medium", "Medium, high or critical"),
            SelectChoice("low", "Low or above"),
            SelectChoice("none", "Any open vulnerability"),
        ],
        default="",
        validators=[Optional()],
        description=(
            "An open vulnerability is a disclosed case the vendor confirmed and has not yet "
            "fixed. A solution with one at or above this severity is not eligible: its vendor "
            "is not told of the call and cannot offer it, and an offer is not compliant at the "
            "award if such a case is disclosed meanwhile."
        ),
    )
    # Award criteria (procurement.calls.scoring): whole-percent weights adding up to 100.
    weight_price = BoundedIntegerField(
        "Weight of the price (%)",
        default=100,
        validators=[Optional(), NumberRange(0, 100)],
        description="The final unit price after buyers above their maximum drop out.",
    )
    weight_lead_time = BoundedIntegerField(
        "Weight of the lead time (%)",
        default=0,
        validators=[Optional(), NumberRange(0, 100)],
        description="Full marks for delivery by the buyers' earliest need-by date.",
    )
    weight_quality = BoundedIntegerField(
        "Weight of the quality (%)",
        default=0,
        validators=[Optional(), NumberRange(0, 100)],
        description="The overall score of the offered solution's label.",
    )
    # Criteria the authority defines itself, scored by hand at the award (one a line).
    own_criteria = TextAreaField(
        "Criteria of your own (optional)",
        validators=[Optional(), Length(max=10000)],
        description=(
            "One a line: name | weight in % | description, e.g. “Support in French | 10 | "
            "Hotline and documentation in French”. Their weights and the ones above add up to "
            "100. You score every offer on each of them (0 to 100, with a reason) before the "
            "award."
        ),
    )
    legal_basis = SelectField(
        "Legal basis",
        choices=LEGAL_BASIS_CHOICES,
        default=LegalBasis.CENTRAL_PURCHASING.value,
        validators=[Optional()],
        description=(
            "Whom the authority acts for. Every buyer of the lot must have signed its mandate "
            "before the call opens; above the EU threshold the open procedure needs a longer "
            "offer period."
        ),
    )
    # Real sealing: who opens the offers after the deadline, k of n.
    opening_officers = SelectMultipleField(
        "Opening officers",
        coerce=int,
        validators=[Optional()],
        description=(
            "Officers of your authority who have set up an opening key. Each receives a share "
            "of the call's key; after the deadline the offers open only when enough of them "
            "release their share with their password."
        ),
    )
    opening_threshold = BoundedIntegerField(
        "Officers needed to open the offers",
        validators=[Optional(), NumberRange(2, 255)],
        description="At least 2; left empty, the portal's default.",
    )


class DocumentForm(InputForm):
    """One tender document."""

    title = NameField("Document title", validators=[InputRequired(), Length(max=200)])
    file = FileField("File", validators=[FileRequired("Choose a file.")])
    kind = kind_field()


class ReasonForm(InputForm):
    """Why a call ends without an award."""

    reason = TextAreaField(
        "Reason",
        validators=[InputRequired(message="Give the reason."), Length(max=REASON_MAX)],
        description="Sent to the buyers and to the vendors that offered.",
    )


class OfferForm(InputForm):
    """A vendor's offer: a solution, price tiers as fixed rows, a lead time."""

    solution = SelectField(
        "Solution offered", validators=[DataRequired(message="Choose a solution.")]
    )
    version = SelectField(
        "Version offered",
        validators=[Optional()],
        description="A version of the solution chosen above, as you declared it.",
    )
    lead_time_days = BoundedIntegerField(
        "Lead time (days from the order to delivery)",
        validators=[
            InputRequired(message="Give a whole number of days."),
            NumberRange(1, MAX_LEAD_TIME_DAYS),
        ],
    )
    tier_quantity_1 = BoundedIntegerField(
        "From quantity (tier 1)", validators=[Optional()], default=1
    )
    tier_price_1 = StringField("Unit price (tier 1, EUR)", validators=[Optional(), Length(max=30)])
    tier_quantity_2 = BoundedIntegerField("From quantity (tier 2)", validators=[Optional()])
    tier_price_2 = StringField("Unit price (tier 2, EUR)", validators=[Optional(), Length(max=30)])
    tier_quantity_3 = BoundedIntegerField("From quantity (tier 3)", validators=[Optional()])
    tier_price_3 = StringField("Unit price (tier 3, EUR)", validators=[Optional(), Length(max=30)])
    tier_quantity_4 = BoundedIntegerField("From quantity (tier 4)", validators=[Optional()])
    tier_price_4 = StringField("Unit price (tier 4, EUR)", validators=[Optional(), Length(max=30)])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=NOTES_MAX)])
    measures = TextAreaField(
        "Measures taken (only if you answered yes above)",
        validators=[Optional(), Length(max=MEASURES_MAX)],
        description="How you show you are reliable despite the ground (art. 57(6)).",
    )
    meets_selection = BooleanField(
        "We meet the selection criteria of this call (suitability, economic and financial "
        "standing, technical and professional ability), and will provide the supporting "
        "documents if asked."
    )

    def __init__(
        self,
        solutions: list[Certified],
        *args: Any,
        versions: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.solution.choices = [
            SelectChoice(str(item.solution_id), item.solution_name) for item in solutions
        ]
        self.version.choices = [
            SelectChoice("", "No version named"),
            *(SelectChoice(str(version_id), text) for version_id, text in versions or []),
        ]
        if len(solutions) == 1 and not self.solution.data:
            self.solution.data = str(solutions[0].solution_id)

    def rows(self) -> list[tuple[Any, Any]]:
        """The tier rows' (quantity, price) fields."""
        return [
            (getattr(self, f"tier_quantity_{n}"), getattr(self, f"tier_price_{n}"))
            for n in range(1, TIER_ROWS + 1)
        ]

    def validate(self, extra_validators: Any = None) -> bool:
        """Field checks, then each row is either blank or complete with a numeric price."""
        valid: bool = super().validate(extra_validators)
        for quantity, price in self.rows():
            has_quantity = quantity.data is not None
            has_price = bool((price.data or "").strip())
            if has_quantity and not has_price:
                price.errors = [*price.errors, "Give the unit price of this tier."]
                valid = False
            elif has_price and not has_quantity:
                quantity.errors = [*quantity.errors, "Give the quantity this tier starts at."]
                valid = False
            elif has_price and parse_decimal(price.data) is None:
                price.errors = [*price.errors, "Give a price as a number, e.g. 1250.00."]
                valid = False
        if not any(q.data is not None for q, _ in self.rows()) and not self.tier_price_1.errors:
            self.tier_price_1.errors = [*self.tier_price_1.errors, "Give at least one tier."]
            valid = False
        return valid

    def validate_solution(self, field: SelectField) -> None:
        """A number (the service checks eligibility)."""
        if not (field.data or "").isdigit():
            raise ValidationError("Choose a solution.")

    def validate_version(self, field: SelectField) -> None:
        """Blank or a number (the service checks it is a version in scope when required)."""
        if field.data and not str(field.data).isdigit():
            raise ValidationError("Choose a version.")

    @classmethod
    def for_offer(
        cls, solutions: list[Certified], offer: Offer, versions: list[tuple[int, str]]
    ) -> OfferForm:
        """A form filled with an offer's values."""
        data: dict[str, Any] = {
            "solution": str(offer.solution_id),
            "version": str(offer.version_id or ""),
            "lead_time_days": offer.lead_time_days,
            "notes": offer.notes,
            "tier_quantity_1": None,
        }
        for index, tier in enumerate(offer.tiers[:TIER_ROWS], start=1):
            data[f"tier_quantity_{index}"] = tier.min_quantity
            data[f"tier_price_{index}"] = f"{tier.unit_price:.2f}"
        return cls(solutions, data=data, versions=versions)

    def to_data(self) -> OfferData:
        """The explicit fields the service takes; blank rows are left out."""
        tiers: list[tuple[int, Decimal | str]] = []
        for quantity, price in self.rows():
            if quantity.data is not None:
                tiers.append((quantity.data, parse_decimal(price.data) or Decimal(0)))
        return OfferData(
            solution_id=int(self.solution.data or 0),
            lead_time_days=self.lead_time_days.data or 0,
            tiers=tiers,
            notes=self.notes.data or "",
            version_id=int(self.version.data) if str(self.version.data or "").isdigit() else None,
            declaration=self.declaration(),
        )

    def ground_fields(self) -> list[Any]:
        """The self-declaration's exclusion-ground questions, in the order of art. 57."""
        return [getattr(self, f"ground_{code}") for code, _ in EXCLUSION_GROUNDS]

    def declaration(self) -> SelfDeclaration:
        """The self-declaration as answered (unanswered grounds left out: the service refuses)."""
        answers = {
            code: getattr(self, f"ground_{code}").data == "yes"
            for code, _ in EXCLUSION_GROUNDS
            if getattr(self, f"ground_{code}").data in ("yes", "no")
        }
        return SelfDeclaration(
            answers=answers,
            measures=self.measures.data or "",
            meets_selection=bool(self.meets_selection.data),
        )


GROUND_ANSWERS = [SelectChoice("", "Choose"), SelectChoice("no", "No"), SelectChoice("yes", "Yes")]
for ground_code, ground_text in EXCLUSION_GROUNDS:
    setattr(
        OfferForm,
        f"ground_{ground_code}",
        SelectField(
            ground_text,
            choices=list(GROUND_ANSWERS),
            validators=[AnyOf(["no", "yes"], message="Answer yes or no.")],
        ),
    )
