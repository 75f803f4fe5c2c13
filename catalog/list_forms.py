"""Forms of the shortlists and the watchlist; the services check every value again."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from catalog.list_models import NOTE_MAX, SHORTLIST_NAME_MAX
from registry.forms import BoundedIntegerField


class ShortlistNameForm(FlaskForm):
    """The name of a new or renamed shortlist."""

    name = StringField("Name", validators=[DataRequired(), Length(max=SHORTLIST_NAME_MAX)])


class ShortlistItemForm(FlaskForm):
    """A solution to put on one of the organisation's shortlists, with a note."""

    shortlist_id = BoundedIntegerField(
        "Shortlist", validators=[DataRequired(), NumberRange(1, 2**31 - 1)]
    )
    solution_id = BoundedIntegerField(
        "Solution", validators=[DataRequired(), NumberRange(1, 2**31 - 1)]
    )
    note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=NOTE_MAX)])


class FollowForm(FlaskForm):
    """What to follow or stop following: a kind and a solution id, vendor id or norm code."""

    kind = HiddenField(validators=[DataRequired(), Length(max=20)])
    target = HiddenField(validators=[DataRequired(), Length(max=40)])
