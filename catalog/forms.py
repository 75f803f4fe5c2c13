"""The vendor's solution form (only the fields a vendor may set) and its version forms."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from catalog.changes import REASON_MAX
from catalog.models import (
    DESCRIPTION_MAX,
    IDENTIFIER_MAX,
    PRIVACY_FEATURES_MAX,
    SUMMARY_MAX,
    VERSION_MAX,
    Maturity,
    PriceBand,
    PriceModel,
    Solution,
)
from catalog.regions import REGIONS
from catalog.services import NAME_MAX, SolutionData
from registry.forms import InputForm, NameField
from registry.priorities.services import activities, categories

CHOOSE = SelectChoice("", "— choose —")


def _lines(text: str | None) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()]


class SolutionForm(InputForm):
    """Name, category, activities, texts, maturity, standards, privacy, price and regions."""

    name = NameField("Name", validators=[InputRequired(), Length(max=NAME_MAX)])
    primary_category = SelectField("Primary technology category", validators=[Optional()])
    activities = SelectMultipleField("Security activities served", validators=[Optional()])
    summary = StringField("Summary", validators=[Optional(), Length(max=SUMMARY_MAX)])
    description_markdown = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=DESCRIPTION_MAX)],
        render_kw={"rows": 16},
    )
    maturity = SelectField(
        "Maturity",
        choices=[CHOOSE] + [SelectChoice(m.value, m.label) for m in Maturity],
        validators=[Optional()],
    )
    standards = TextAreaField(
        "Standards declared",
        validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 6, "spellcheck": "false"},
    )
    deployments = TextAreaField("Deployment references", validators=[Optional(), Length(max=8000)])
    privacy_sensitive = BooleanField("This solution processes personal or sensitive data")
    uses_biometrics = BooleanField("It uses biometric data")
    uses_facial_recognition = BooleanField("It uses facial recognition")
    privacy_features = TextAreaField(
        "Data-protection features",
        validators=[Optional(), Length(max=PRIVACY_FEATURES_MAX)],
    )
    price_model = SelectField(
        "Price model",
        choices=[CHOOSE] + [SelectChoice(p.value, p.label) for p in PriceModel],
        validators=[Optional()],
    )
    price_band = SelectField(
        "Indicative price band",
        choices=[CHOOSE] + [SelectChoice(b.value, b.label) for b in PriceBand],
        validators=[Optional()],
    )
    regions = SelectMultipleField(
        "Regions served",
        choices=[SelectChoice(code, name) for code, name in REGIONS.items()],
        validators=[Optional()],
    )

    change_reason = TextAreaField(
        "Why do the certified facts change?",
        validators=[Optional(), Length(max=REASON_MAX)],
        render_kw={"rows": 4},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category_choices = [SelectChoice(c.code, c.name) for c in categories()]
        self.primary_category.choices = [CHOOSE, *category_choices]
        self.activities.choices = [SelectChoice(a.code, a.name) for a in activities()]

    @classmethod
    def for_solution(cls, solution: Solution) -> SolutionForm:
        """A form filled with a solution's current values (for the edit page)."""
        return cls(
            data={
                "name": solution.name,
                "primary_category": (
                    solution.primary_category.code if solution.primary_category else ""
                ),
                "activities": solution.activity_codes,
                "summary": solution.summary,
                "description_markdown": solution.description_markdown,
                "maturity": solution.maturity.value if solution.maturity else "",
                "standards": "\n".join(solution.standard_codes),
                "deployments": "\n".join(solution.deployment_texts),
                "privacy_sensitive": solution.privacy_sensitive,
                "uses_biometrics": solution.uses_biometrics,
                "uses_facial_recognition": solution.uses_facial_recognition,
                "privacy_features": solution.privacy_features,
                "price_model": solution.price_model.value if solution.price_model else "",
                "price_band": solution.price_band.value if solution.price_band else "",
                "regions": solution.region_codes,
            }
        )

    def to_data(self) -> SolutionData:
        """The submitted values, as the service expects them (explicit fields only)."""
        return SolutionData(
            name=self.name.data or "",
            primary_category=self.primary_category.data or None,
            activities=list(self.activities.data or []),
            summary=self.summary.data or "",
            description_markdown=self.description_markdown.data or "",
            maturity=Maturity(self.maturity.data) if self.maturity.data else None,
            standards=_lines(self.standards.data),
            deployments=_lines(self.deployments.data),
            privacy_sensitive=bool(self.privacy_sensitive.data),
            uses_biometrics=bool(self.uses_biometrics.data),
            uses_facial_recognition=bool(self.uses_facial_recognition.data),
            privacy_features=self.privacy_features.data or "",
            price_model=PriceModel(self.price_model.data) if self.price_model.data else None,
            price_band=PriceBand(self.price_band.data) if self.price_band.data else None,
            regions=list(self.regions.data or []),
            change_reason=self.change_reason.data or "",
        )


class VersionForm(InputForm):
    """A released version: its version string, release date, identifiers and optional SBOM."""

    version = StringField(
        "Version",
        validators=[InputRequired("Enter the version."), Length(max=VERSION_MAX)],
        description="As the product shows it, e.g. 4.2.1. Unique among this solution's versions.",
    )
    released_on = DateField(
        "Release date",
        validators=[InputRequired("Enter the release date (YYYY-MM-DD).")],
        description="YYYY-MM-DD, today or earlier: declare a version once it is released.",
    )
    purl = StringField(
        "Package URL (purl)",
        validators=[Optional(), Length(max=IDENTIFIER_MAX)],
        description="Optional, e.g. pkg:generic/acme/harbour-watch@4.2.1.",
    )
    cpe = StringField(
        "CPE 2.3 name",
        validators=[Optional(), Length(max=IDENTIFIER_MAX)],
        description="Optional, e.g. cpe:2.3:a:acme:harbour_watch:4.2.1:*:*:*:*:*:*:*.",
    )
    sbom = FileField(
        "SBOM (CycloneDX JSON)",
        description="Optional. A CycloneDX 1.2 to 1.7 JSON document; it is checked against "
        "its schema. Only your organisation and the authority can download it.",
    )


class EndOfSupportForm(InputForm):
    """The date a version's support ends, confirmed: it cannot be changed afterwards."""

    end_of_support_on = DateField(
        "End of support",
        validators=[InputRequired("Enter the date (YYYY-MM-DD).")],
        description="YYYY-MM-DD. It may be in the future, if already announced.",
    )
    confirm = BooleanField(
        "I confirm: this date is final and shown to buyers.",
        validators=[DataRequired("Tick the box to confirm.")],
    )
