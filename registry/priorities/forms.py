"""Forms of the priority maps: the draft grid, publishing, and a new regional map."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from wtforms import BooleanField, Field, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Regexp

from registry.forms import InputForm
from registry.priorities.grid import CellKey, CellValue, cell_problem, normalise_rationale
from registry.priorities.models import (
    CHANGE_NOTE_MAX_LENGTH,
    RATIONALE_MAX_LENGTH,
    REGION_MAX_LENGTH,
    PriorityLevel,
)

LEVEL_CHOICES = [SelectChoice(level.value, level.label) for level in PriorityLevel]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class DraftGridForm(InputForm):
    """Every cell of a draft: a level and a rationale each (built per map by `draft_grid_form`)."""

    lock_version = HiddenField(validators=[InputRequired(), Regexp(r"^\d{1,9}$")])
    # (activity code, category code) -> (level field name, rationale field name)
    cell_fields: ClassVar[dict[CellKey, tuple[str, str]]] = {}

    def cell(self, activity: str, category: str) -> tuple[Field, Field]:
        """The level and rationale fields of one cell."""
        level_name, rationale_name = self.cell_fields[(activity, category)]
        return self[level_name], self[rationale_name]

    def values(self) -> dict[CellKey, CellValue]:
        """The submitted grid, for the service (call after validation)."""
        grid = {}
        for key, (level_name, rationale_name) in self.cell_fields.items():
            grid[key] = CellValue(
                PriorityLevel(self[level_name].data),
                normalise_rationale(self[rationale_name].data),
            )
        return grid

    def add_problem(self, key: CellKey, field: str, message: str) -> None:
        """Attach a service's refusal to the input of the cell it names."""
        level, rationale = self.cell(*key)
        target = level if field == "level" else rationale
        target.errors = [*target.errors, message]

    def validate(self, extra_validators: Any = None) -> bool:
        """The field checks, then the cell rules (so that every problem shows at once)."""
        valid: bool = super().validate(extra_validators)
        for key, (level_name, rationale_name) in self.cell_fields.items():
            level, rationale = self[level_name], self[rationale_name]
            if level.errors or rationale.errors:
                continue
            problem = cell_problem(level.data, normalise_rationale(rationale.data))
            if problem is not None:
                self.add_problem(key, problem.field, problem.message)
                valid = False
        return valid


def _field_name(kind: str, activity: str, category: str) -> str:
    return f"{kind}__{activity.replace('-', '_')}__{category.replace('-', '_')}"


def draft_grid_form(
    activities: Sequence[Any], categories: Sequence[Any], **kwargs: Any
) -> DraftGridForm:
    """A grid form for these activities and categories (objects with `code` and `name`)."""
    attributes: dict[str, Any] = {}
    cell_fields: dict[CellKey, tuple[str, str]] = {}
    for activity in activities:
        for category in categories:
            level_name = _field_name("level", activity.code, category.code)
            rationale_name = _field_name("rationale", activity.code, category.code)
            attributes[level_name] = SelectField(
                f"{category.name} for {activity.name}: level",
                choices=LEVEL_CHOICES,
                validators=[InputRequired(message="Choose a level.")],
            )
            attributes[rationale_name] = TextAreaField(
                f"{category.name} for {activity.name}: rationale",
                validators=[Length(max=RATIONALE_MAX_LENGTH)],
                filters=[_strip],
            )
            cell_fields[(activity.code, category.code)] = (level_name, rationale_name)
    attributes["cell_fields"] = cell_fields
    form_class = type("DraftGridFormForMap", (DraftGridForm,), attributes)
    form: DraftGridForm = form_class(**kwargs)
    return form


class PublishForm(InputForm):
    """What changed and why, and the acknowledgement that a published version is final."""

    change_note = TextAreaField(
        "Change note",
        validators=[InputRequired(), Length(max=CHANGE_NOTE_MAX_LENGTH)],
        filters=[_strip],
        description="Public. Say what changed since the current version, and why.",
    )
    confirm = BooleanField(
        "I understand that a published version can never be changed.",
        validators=[InputRequired(message="Tick the box to confirm.")],
    )


class NewRegionForm(InputForm):
    """The region a new priority map is for."""

    region = StringField(
        "Region",
        validators=[InputRequired(), Length(max=REGION_MAX_LENGTH)],
        filters=[_strip],
        description="For example: Bretagne. The draft starts as a copy of the national map.",
    )
