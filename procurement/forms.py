"""Forms for buyer needs and the authority's aggregation settings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from catalog.regions import REGIONS
from procurement.aggregation.parameters import DEFAULT_MIN_SAVING, AggregationParameters
from procurement.aggregation.pricing import DEFAULT_BETA, PriceCurve
from procurement.models import NOTES_MAX, Need, NeedUnit
from procurement.services.needs import NeedData, level_names
from registry.database import db
from registry.forms import BoundedIntegerField, InputForm, NameField
from registry.models import TechnologyCategory
from registry.norms.models import Norm, NormStatus

LEVEL_CHOICES = [
    SelectChoice("0", "No label level required"),
    SelectChoice("1", "Level 1 of the norm (e.g. Certified)"),
    SelectChoice("2", "Level 2 of the norm (e.g. Advanced)"),
    SelectChoice("3", "Level 3 of the norm"),
]
UPLIFT_CHOICES = [
    SelectChoice("0", "No: only what I asked for"),
    SelectChoice("1", "Yes, up to one level stricter (and a norm if I named none)"),
    SelectChoice("2", "Yes, up to two levels stricter (and a norm if I named none)"),
]
REGION_LEVEL_CHOICES = [
    SelectChoice("1", "National: pool needs from every region"),
    SelectChoice("2", "Regional: pool needs within each region (nationwide needs apart)"),
]


def parse_decimal(text: str | None) -> Decimal | None:
    """A finite decimal from user text, or None (NaN, infinity and garbage included)."""
    try:
        value = Decimal((text or "").strip().replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


class NeedForm(InputForm):
    """What a buyer states about a need."""

    title = NameField("Short title", validators=[InputRequired(), Length(max=200)])
    category = SelectField("Technology category", validators=[InputRequired()])
    norm = SelectField(
        "Norm the solution must be certified against",
        validators=[Optional()],
        description="Optional. With no norm, any certified solution of the category qualifies.",
    )
    min_level_rank = SelectField("Minimum label level", choices=LEVEL_CHOICES, default="0")
    firm_quantity = BoundedIntegerField(
        "Firm quantity",
        validators=[InputRequired(message="Give a whole number.")],
        description="What you commit to buy.",
    )
    optional_quantity = BoundedIntegerField(
        "Optional extra quantity",
        validators=[Optional()],
        default=0,
        description="What you may buy on top (published as part of the maximum).",
    )
    unit = SelectField("Unit", choices=[SelectChoice(u.value, u.label) for u in NeedUnit])
    max_unit_price = StringField(
        "Maximum unit price (EUR, excluding VAT)",
        validators=[InputRequired(), Length(max=30)],
        description="Your ceiling: you will not pay more per unit.",
        render_kw={"inputmode": "decimal"},
    )
    need_by = DateField("Needed by", validators=[InputRequired()])
    region_code = SelectField(
        "Region", choices=[SelectChoice(code, name) for code, name in REGIONS.items()]
    )
    accepted_uplift = SelectField(
        "Do you accept a stricter requirement than yours to join a bigger lot?",
        choices=UPLIFT_CHOICES,
        default="0",
    )
    requires_version_in_scope = BooleanField(
        "Offers must name a version in the label's certified scope",
        description="A joint call for this need then refuses a version no valid label certifies.",
    )
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=NOTES_MAX)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = db.session.scalars(
            select(TechnologyCategory).order_by(TechnologyCategory.position)
        ).all()
        self.category.choices = [SelectChoice("", "— choose —")] + [
            SelectChoice(c.code, c.name) for c in categories
        ]
        norms = [
            norm
            for norm in db.session.scalars(
                select(Norm).where(Norm.status == NormStatus.ACTIVE).order_by(Norm.code)
            )
            if norm.is_public
        ]
        self.norm.choices = [SelectChoice("", "No norm")] + [
            SelectChoice(n.code, f"{n.code} — {n.title}") for n in norms
        ]
        # What the page's script filters the norm and level lists by; without it, the
        # service refuses a norm of another category or a level the norm lacks.
        self.norm_levels = {
            n.code: {"category": n.category.code, "levels": level_names(n)} for n in norms
        }

    def validate_max_unit_price(self, field: StringField) -> None:
        """A finite number; the service checks the range."""
        if parse_decimal(field.data) is None:
            raise ValidationError("Give a price as a number, e.g. 1250.00.")

    @classmethod
    def for_need(cls, need: Need) -> NeedForm:
        """A form filled with a need's values."""
        return cls(
            data={
                "title": need.title,
                "category": need.category.code,
                "norm": need.norm.code if need.norm else "",
                "min_level_rank": str(need.min_level_rank),
                "firm_quantity": need.firm_quantity,
                "optional_quantity": need.optional_quantity,
                "unit": need.unit.value,
                "max_unit_price": f"{need.max_unit_price:.2f}",
                "need_by": need.need_by,
                "region_code": need.region_code,
                "accepted_uplift": str(need.accepted_uplift),
                "requires_version_in_scope": need.requires_version_in_scope,
                "notes": need.notes,
            }
        )

    def to_data(self) -> NeedData:
        """The explicit fields the service takes."""
        price = parse_decimal(self.max_unit_price.data)
        return NeedData(
            title=self.title.data or "",
            category=self.category.data or "",
            norm_code=self.norm.data or None,
            min_level_rank=int(self.min_level_rank.data or 0),
            firm_quantity=self.firm_quantity.data or 0,
            optional_quantity=self.optional_quantity.data or 0,
            unit=self.unit.data or "",
            max_unit_price=price if price is not None else Decimal(0),
            need_by=self.need_by.data or dt.date.min,
            region_code=self.region_code.data or "",
            accepted_uplift=int(self.accepted_uplift.data or 0),
            notes=self.notes.data or "",
            requires_version_in_scope=bool(self.requires_version_in_scope.data),
        )


class AggregationForm(InputForm):
    """The settings of an aggregation round."""

    region_level = SelectField("Pool needs", choices=REGION_LEVEL_CHOICES, default="2")
    min_buyers = BoundedIntegerField(
        "Minimum buyers per lot", default=2, validators=[InputRequired(), NumberRange(1, 50)]
    )
    min_vendors = BoundedIntegerField(
        "Minimum certified solutions able to meet a need",
        default=2,
        validators=[InputRequired(), NumberRange(0, 50)],
    )
    min_saving_percent = StringField(
        "Minimum modelled saving of pooling (%)",
        default=str(DEFAULT_MIN_SAVING * 100),
        description=(
            "The saving the price–volume curve models for pooling the buyers' quantities, "
            "1 − Q^(1+β)/Σqᵢ^(1+β): it depends on the quantities and the slope, not on any "
            "price offered."
        ),
        validators=[InputRequired(), Length(max=20)],
    )
    lot_value_cap = StringField(
        "Lot value cap (EUR, maximum quantity at the ceilings)",
        validators=[Optional(), Length(max=30)],
        description="Optional. Leave empty for no cap.",
    )
    beta = StringField(
        "Default price–volume slope β",
        default=str(DEFAULT_BETA),
        validators=[InputRequired(), Length(max=20)],
        description=(
            "p(Q) = p_ref·(Q/q_ref)^β, where past awards are too few to fit a slope; "
            "between -0.99 and -0.01 (-0.15 by default)."
        ),
    )
    procedure_days = BoundedIntegerField(
        "Procedure days", default=60, validators=[InputRequired(), NumberRange(0, 365)]
    )
    lead_time_days = BoundedIntegerField(
        "Delivery lead time (days)", default=30, validators=[InputRequired(), NumberRange(0, 365)]
    )

    def validate_min_saving_percent(self, field: StringField) -> None:
        """0 to 90 %."""
        value = parse_decimal(field.data)
        if value is None or not Decimal(0) <= value <= Decimal(90):
            raise ValidationError("Give a percentage from 0 to 90.")

    def validate_lot_value_cap(self, field: StringField) -> None:
        """Empty, or a positive amount."""
        if (field.data or "").strip():
            value = parse_decimal(field.data)
            if value is None or not Decimal(0) < value <= Decimal("1e15"):
                raise ValidationError("Give a positive amount, or leave it empty.")

    def validate_beta(self, field: StringField) -> None:
        """A decreasing curve that does not make the total cost fall with volume."""
        value = parse_decimal(field.data)
        if value is None or not Decimal("-0.99") <= value <= Decimal("-0.01"):
            raise ValidationError("Give a slope between -0.99 and -0.01.")

    def fill_from(self, params: AggregationParameters) -> None:
        """Show a round's settings (for an adjusted re-run)."""
        self.region_level.data = str(min(max(params.region_level, 1), 2))
        self.min_buyers.data = params.min_buyers
        self.min_vendors.data = params.min_vendors
        self.min_saving_percent.data = f"{(params.min_saving * 100).normalize():f}"
        self.lot_value_cap.data = (
            "" if params.lot_value_cap is None else f"{params.lot_value_cap.normalize():f}"
        )
        self.beta.data = f"{params.price_curve.beta.normalize():f}"
        self.procedure_days.data = params.procedure_days
        self.lead_time_days.data = params.lead_time_days

    def to_parameters(self, today: dt.date) -> AggregationParameters:
        """The validated settings as the pure aggregation takes them."""
        cap_text = (self.lot_value_cap.data or "").strip()
        saving = parse_decimal(self.min_saving_percent.data) or Decimal(0)
        return AggregationParameters(
            today=today,
            region_level=int(self.region_level.data or 2),
            min_buyers=self.min_buyers.data or 1,
            min_vendors=self.min_vendors.data or 0,
            min_saving=saving / 100,
            lot_value_cap=parse_decimal(cap_text) if cap_text else None,
            procedure_days=self.procedure_days.data or 0,
            lead_time_days=self.lead_time_days.data or 0,
            price_curve=PriceCurve(beta=parse_decimal(self.beta.data) or DEFAULT_BETA),
        )
