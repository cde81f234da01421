"""The subscription form. Choices are checked by choices.validate (one place; its words are
in subscriptions/messages.py), so the fields accept any value here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectMultipleField, StringField

from portal.subscriptions.choices import Frequency


class ChoicesForm(FlaskForm):
    counties = SelectMultipleField(_l("Counties"), choices=[], validate_choice=False)
    whole_region = BooleanField(_l("The whole region"))
    topics = SelectMultipleField(_l("Topics"), choices=[], validate_choice=False)
    frequency = RadioField(
        _l("How often (warnings are always sent at once)"),
        choices=[
            (Frequency.IMMEDIATE.value, _l("Immediately")),
            (Frequency.DIGEST.value, _l("One daily digest")),
        ],
        default=Frequency.IMMEDIATE.value,
        validate_choice=False,
    )


class SubscribeForm(ChoicesForm):
    email = StringField(_l("Your e-mail address"))


class ButtonForm(FlaskForm):
    """Confirm: a button, so a mail scanner following the link confirms nothing."""
