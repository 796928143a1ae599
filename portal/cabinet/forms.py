"""The cabinet's one form: SMS reminders on or off, a one-button POST whose hidden field says which."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import AnyOf


class RemindersForm(FlaskForm):
    reminders = HiddenField(validators=[AnyOf(["on", "off"])])
