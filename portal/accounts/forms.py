"""Forms for officials' login and the users page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.core import counties
from portal.core.permissions import ROLE_LABELS


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=512)])
    next = HiddenField()


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    county = SelectField(_l("County"), validators=[Optional()])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=512)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = [(r.value, str(label)) for r, label in ROLE_LABELS.items()]
        self.county.choices = [("", str(_l("Whole region")))] + [
            (c.code, c.name) for c in counties.all_counties()
        ]


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
