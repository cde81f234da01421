"""Officials' forms: publish or update a warning, lift it. The rules live in the service;
these forms only read what was typed (and keep it on error)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.alerts.models import KIND_LABELS, LEVEL_LABELS
from portal.alerts.service import AlertData
from portal.core import counties
from portal.core.extensions import db
from portal.notices.forms import ChinaDateTimeField


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def site_choices(county: str | None = None) -> list[tuple[str, str]]:
    """Plants, taps and sources (of `county` only, for a county-scoped officer)."""
    from portal.core.i18n import localized
    from portal.water.models import WaterSite

    query = (
        sa.select(WaterSite.code, WaterSite.name_zh, WaterSite.name_en, WaterSite.county)
        .where(WaterSite.stage != "section")
        .order_by(WaterSite.county, WaterSite.stage, WaterSite.code)
    )
    if county:
        query = query.where(WaterSite.county == county)
    rows = db.session.execute(query).all()
    return [
        (code, f"{counties.county_name(county)} · {localized(zh, en)} ({code})")
        for code, zh, en, county in rows
    ]


class AlertForm(FlaskForm):
    level = SelectField(
        _l("Warning level"),
        choices=[("", "—"), *((k.value, v) for k, v in LEVEL_LABELS.items())],
        validate_choice=False,
    )
    kind = SelectField(
        _l("Kind of warning"),
        choices=[("", "—"), *((k.value, v) for k, v in KIND_LABELS.items())],
        validate_choice=False,
    )
    counties = CheckboxesField(_l("Affected counties"), choices=[], validate_choice=False)
    sites = CheckboxesField(
        _l("Affected water sites (optional)"), choices=[], validate_choice=False
    )
    headline_zh = StringField(_l("Headline (Chinese)"), validators=[Length(max=200)])
    headline_en = StringField(_l("Headline (English)"), validators=[Length(max=200)])
    instruction_zh = TextAreaField(
        _l("What people should do (Chinese)"), validators=[Length(max=5000)]
    )
    instruction_en = TextAreaField(
        _l("What people should do (English)"), validators=[Length(max=5000)]
    )
    description_zh = TextAreaField(
        _l("Description (Chinese, optional)"), validators=[Optional(), Length(max=20_000)]
    )
    description_en = TextAreaField(
        _l("Description (English, optional)"), validators=[Optional(), Length(max=20_000)]
    )
    effective_from = ChinaDateTimeField(
        _l("In force from (China time; empty: now)"), validators=[Optional()]
    )
    expected_end = ChinaDateTimeField(
        _l("Expected end (China time, optional)"), validators=[Optional()]
    )
    note_zh = StringField(
        _l("What changed (Chinese, shown publicly)"), validators=[Length(max=1000)]
    )
    note_en = StringField(
        _l("What changed (English, shown publicly)"), validators=[Length(max=1000)]
    )
    version = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own = current_user.county if current_user and current_user.is_authenticated else None
        self.counties.choices = [
            (c.code, c.name) for c in counties.all_counties() if own in (None, c.code)
        ]
        self.sites.choices = site_choices(own)

    def data_for_service(self) -> AlertData:
        def text(field: Any) -> str:
            return (field.data or "").strip()

        return AlertData(
            level=self.level.data or "",
            kind=self.kind.data or "",
            counties=tuple(dict.fromkeys(self.counties.data or ())),
            sites=tuple(dict.fromkeys(self.sites.data or ())),
            headline_zh=text(self.headline_zh),
            headline_en=text(self.headline_en),
            instruction_zh=text(self.instruction_zh),
            instruction_en=text(self.instruction_en),
            description_zh=text(self.description_zh),
            description_en=text(self.description_en),
            effective_from=self.effective_from.data,
            expected_end=self.expected_end.data,
        )

    def add_errors(self, messages: dict[str, list[str]]) -> list[str]:
        """Attach the service's messages (MESSAGES.by_field) to their fields; return those
        tied to none."""
        general = []
        for name, texts in messages.items():
            if name and name in self._fields:
                self[name].errors = [*self[name].errors, *texts]
            else:
                general.extend(texts)
        return general


class LiftForm(FlaskForm):
    reason_zh = TextAreaField(
        _l("Reason for lifting (Chinese, shown publicly)"), validators=[Length(max=2000)]
    )
    reason_en = TextAreaField(
        _l("Reason for lifting (English, shown publicly)"), validators=[Length(max=2000)]
    )
