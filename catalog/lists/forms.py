"""Forms of the shortlists and the watchlist; the services check every value again."""

from __future__ import annotations

from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from catalog.lists.models import NOTE_MAX, SHORTLIST_NAME_MAX
from registry.forms import BoundedIntegerField, InputForm, NameField


class ShortlistNameForm(InputForm):
    """The name of a new or renamed shortlist."""

    name = NameField("Name", validators=[DataRequired(), Length(max=SHORTLIST_NAME_MAX)])


class ShortlistItemForm(InputForm):
    """A solution to put on one of the organisation's shortlists, with a note."""

    shortlist_id = BoundedIntegerField(
        "Shortlist", validators=[DataRequired(), NumberRange(1, 2**31 - 1)]
    )
    solution_id = BoundedIntegerField(
        "Solution", validators=[DataRequired(), NumberRange(1, 2**31 - 1)]
    )
    note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=NOTE_MAX)])


class FollowForm(InputForm):
    """What to follow or stop following: a kind and a solution id, vendor id or norm code."""

    kind = HiddenField(validators=[DataRequired(), Length(max=20)])
    target = HiddenField(validators=[DataRequired(), Length(max=40)])
