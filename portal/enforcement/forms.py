"""Officials' forms for the enforcement registry, cards, draws, inspections and cases."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.core import counties
from portal.enforcement.models import (
    CARD_COLORS,
    CASE_STATUSES,
    OUTCOMES,
    PRODUCTION_MEASURES,
    VIOLATION_TYPES,
    CardColor,
    CaseStatus,
    Outcome,
    ProductionMeasure,
    ViolationType,
)
from portal.notices.forms import ChinaDateTimeField


def _choices(codes: type[StrEnum], labels: Mapping[Any, Any]) -> list[tuple[str, str]]:
    """A closed set as select options, in its order: (code, translated label)."""
    return [(member.value, str(labels[member])) for member in codes]


def _county_choices(blank: object) -> list[tuple[str, str]]:
    return [("", str(blank))] + [(c.code, c.name) for c in counties.all_counties()]


class EnterpriseForm(FlaskForm):
    code = StringField(
        _l("Unified social credit code"), validators=[DataRequired(), Length(max=64)]
    )
    name = StringField(_l("Enterprise name"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    county = SelectField(_l("County"), validators=[DataRequired()])
    industry = StringField(_l("Industry"), validators=[DataRequired(), Length(max=100)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=500)])
    permit_number = StringField(
        _l("Discharge permit number"), validators=[Optional(), Length(max=64)]
    )
    key_discharger = BooleanField(_l("Key pollutant discharger"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.county.choices = _county_choices(_l("Choose a county"))


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])


class InspectorForm(FlaskForm):
    code = StringField(
        _l("Enforcement certificate number"), validators=[DataRequired(), Length(max=64)]
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    county = SelectField(_l("County"), validators=[Optional()])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.county.choices = _county_choices(_l("Whole region"))


class CardForm(FlaskForm):
    enterprise_code = StringField(
        _l("Enterprise credit code"), validators=[DataRequired(), Length(max=64)]
    )
    color = SelectField(_l("Card"), validators=[DataRequired()])
    number = StringField(_l("Decision number"), validators=[DataRequired(), Length(max=100)])
    decided_on = DateField(_l("Decided on"), validators=[DataRequired()])
    authority = StringField(_l("Deciding authority"), validators=[DataRequired(), Length(max=200)])
    reasons = TextAreaField(_l("Reasons"), validators=[DataRequired(), Length(max=5000)])
    measures = TextAreaField(_l("Measures"), validators=[DataRequired(), Length(max=5000)])
    deadline = DateField(_l("Rectification deadline"), validators=[Optional()])
    escalate_number = StringField(
        _l("Escalates yellow card (decision number)"), validators=[Optional(), Length(max=100)]
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.color.choices = _choices(CardColor, CARD_COLORS)


class LiftForm(FlaskForm):
    lifted_on = DateField(_l("Lifted on"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=5000)])
    evidence = TextAreaField(_l("Evidence"), validators=[DataRequired(), Length(max=5000)])


class RepairForm(FlaskForm):
    repaired_on = DateField(_l("Credit repair approved on"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=5000)])


class CorrectionForm(FlaskForm):
    field = SelectField(_l("Field"), validators=[DataRequired()])
    value = TextAreaField(_l("Correct value"), validators=[Optional(), Length(max=5000)])
    reason = TextAreaField(
        _l("Reason for the correction"), validators=[DataRequired(), Length(max=2000)]
    )


class DrawForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=200)])
    county = SelectField(_l("County"), validators=[Optional()])
    planned_on = DateField(_l("Date of the draw"), validators=[DataRequired()])
    entropy_source = StringField(
        _l("Source of the public entropy"), validators=[DataRequired(), Length(max=500)]
    )
    entropy_at = ChinaDateTimeField(
        _l("The source publishes the entropy at (China time)"), validators=[DataRequired()]
    )
    entropy_pattern = StringField(
        _l("Form of the value (regular expression, optional)"),
        validators=[Optional(), Length(max=200)],
    )
    pool_county = SelectField(_l("Enterprise pool: county"), validators=[Optional()])
    pool_industry = StringField(
        _l("Enterprise pool: industry"), validators=[Optional(), Length(max=100)]
    )
    pool_key_only = BooleanField(_l("Enterprise pool: key dischargers only"))
    pool_codes = TextAreaField(
        _l("Enterprise pool: list of credit codes (instead of the filter)"),
        validators=[Optional(), Length(max=100_000)],
    )
    inspector_codes = TextAreaField(
        _l("Inspector pool: certificate numbers (empty: every active inspector of the county)"),
        validators=[Optional(), Length(max=20_000)],
    )
    conflicts = TextAreaField(
        _l("Conflicts of interest: one per line, credit code and certificate number"),
        validators=[Optional(), Length(max=20_000)],
    )
    select_count = IntegerField(
        _l("Enterprises to inspect"), validators=[DataRequired(), NumberRange(min=1, max=10_000)]
    )
    inspectors_per_entity = IntegerField(
        _l("Inspectors per enterprise"),
        validators=[DataRequired(), NumberRange(min=1, max=20)],
        default=2,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.county.choices = _county_choices(_l("Whole region"))
        self.pool_county.choices = _county_choices(_l("Same as the draw"))


class RevealForm(FlaskForm):
    entropy = StringField(
        _l("Public entropy, exactly as announced"), validators=[Optional(), Length(max=500)]
    )


class InspectionForm(FlaskForm):
    enterprise_code = StringField(
        _l("Enterprise credit code"), validators=[DataRequired(), Length(max=64)]
    )
    draw_number = StringField(_l("Draw number (if drawn)"), validators=[Optional(), Length(max=20)])
    inspected_on = DateField(_l("Inspected on"), validators=[DataRequired()])
    inspectors = StringField(_l("Inspectors"), validators=[Optional(), Length(max=300)])
    items_checked = TextAreaField(
        _l("Items checked"), validators=[DataRequired(), Length(max=5000)]
    )
    findings = TextAreaField(_l("Findings"), validators=[DataRequired(), Length(max=5000)])
    outcome = SelectField(_l("Outcome"), validators=[DataRequired()])
    case_number = StringField(
        _l("Case decision number (if a case was opened)"), validators=[Optional(), Length(max=100)]
    )
    follow_up = TextAreaField(
        _l("Rectification follow-up"), validators=[Optional(), Length(max=5000)]
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.outcome.choices = _choices(Outcome, OUTCOMES)


class CaseForm(FlaskForm):
    enterprise_code = StringField(
        _l("Enterprise credit code"), validators=[DataRequired(), Length(max=64)]
    )
    number = StringField(_l("Decision number"), validators=[DataRequired(), Length(max=100)])
    filed_on = DateField(_l("Filed on"), validators=[DataRequired()])
    decided_on = DateField(_l("Decided on"), validators=[Optional()])
    violation_type = SelectField(_l("Violation type"), validators=[DataRequired()])
    facts = TextAreaField(_l("Facts"), validators=[DataRequired(), Length(max=10_000)])
    legal_basis = TextAreaField(_l("Legal basis"), validators=[DataRequired(), Length(max=5000)])
    fine_yuan = DecimalField(
        _l("Fine (yuan)"), places=2, validators=[Optional(), NumberRange(min=0)]
    )
    daily_penalty_yuan = DecimalField(
        _l("Daily continuous penalty (yuan)"), places=2, validators=[Optional(), NumberRange(min=0)]
    )
    seizure = BooleanField(_l("Facilities seized or detained"))
    production_measure = SelectField(_l("Production measure"), validators=[Optional()])
    police_transferred_on = DateField(_l("Transferred to the police on"), validators=[Optional()])
    police_outcome = TextAreaField(
        _l("Police outcome (when known)"), validators=[Optional(), Length(max=2000)]
    )
    status = SelectField(_l("Status"), validators=[DataRequired()])
    typical = BooleanField(_l("Typical case (featured for public exposure)"))
    serious = BooleanField(_l("Serious violation (published for the longer period)"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.violation_type.choices = _choices(ViolationType, VIOLATION_TYPES)
        self.production_measure.choices = _choices(ProductionMeasure, PRODUCTION_MEASURES)
        self.status.choices = _choices(CaseStatus, CASE_STATUSES)
