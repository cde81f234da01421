"""Forms for officials' notice workflow and for public comments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import Field, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import DateTimeLocalInput

from portal.core import counties
from portal.core.clock import CHINA
from portal.notices.models import CATEGORY_LABELS, Category, Language

FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")


def parse_china_time(raw: str) -> dt.datetime | None:
    """'2026-07-01 09:00' (China time, as officials think of it) → aware UTC datetime."""
    raw = raw.strip()
    for fmt in FORMATS:
        try:
            local = dt.datetime.strptime(raw, fmt)
        except ValueError:
            continue
        return local.replace(tzinfo=CHINA).astimezone(dt.UTC)
    return None


def china_input(value: dt.datetime | None) -> str:
    return value.astimezone(CHINA).strftime("%Y-%m-%dT%H:%M") if value else ""


class ChinaDateTimeField(Field):
    """A datetime-local input read as China Standard Time; keeps what was typed on error."""

    widget = DateTimeLocalInput()

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.raw = ""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if self.raw:
            self.data = parse_china_time(self.raw)
            if self.data is None:
                raise ValueError(_l("Enter a date and time like 2026-07-01 09:00."))

    def process_data(self, value: dt.datetime | None) -> None:
        self.data = value
        self.raw = china_input(value)

    def _value(self) -> str:
        return self.raw


def _county_choices() -> list[tuple[str, Any]]:
    return [("", _l("Whole region"))] + [(c.code, c.name) for c in counties.all_counties()]


class NoticeForm(FlaskForm):
    category = SelectField(
        _l("Category"), choices=[(k.value, v) for k, v in CATEGORY_LABELS.items()]
    )
    county = SelectField(_l("County"), choices=[], validate_choice=True)
    language = SelectField(
        _l("Primary language"),
        choices=[(Language.ZH_HANS.value, _l("Chinese")), (Language.EN.value, _l("English"))],
    )
    title_zh = StringField(_l("Title (Chinese)"), validators=[Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])
    summary_zh = TextAreaField(_l("Summary (Chinese)"), validators=[Length(max=2000)])
    summary_en = TextAreaField(_l("Summary (English)"), validators=[Optional(), Length(max=2000)])
    body_zh = TextAreaField(_l("Body (Chinese, Markdown)"), validators=[Length(max=200_000)])
    body_en = TextAreaField(
        _l("Body (English, Markdown)"), validators=[Optional(), Length(max=200_000)]
    )
    comments_close_at = ChinaDateTimeField(
        _l("Public comments close at (China time)"), validators=[Optional()]
    )
    reason = StringField(_l("Reason for the update (shown publicly)"), validators=[Length(max=500)])

    def __init__(self, *args: Any, live: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.county.choices = _county_choices()
        self.live = live
        obj = kwargs.get("obj")
        self.saved_close = getattr(obj, "comments_close_at", None)

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        main_title = self.title_en if self.language.data == Language.EN else self.title_zh
        if not (main_title.data or "").strip():
            main_title.errors = [*main_title.errors, _l("Enter a title.")]
            ok = False
        if self.comments_close_at.data and self.category.data != Category.EIA:
            self.comments_close_at.errors = [
                *self.comments_close_at.errors,
                _l("Only environmental impact assessment notices take public comments."),
            ]
            ok = False
        close = self.comments_close_at.data
        if close and close != self.saved_close and close <= dt.datetime.now(dt.UTC):
            self.comments_close_at.errors = [
                *self.comments_close_at.errors,
                _l("The closing time must be in the future."),
            ]
            ok = False
        if self.live and not (self.reason.data or "").strip():
            self.reason.errors = [
                *self.reason.errors,
                _l("Say why the published notice is being changed."),
            ]
            ok = False
        return ok


class PublishForm(FlaskForm):
    publish_at = ChinaDateTimeField(
        _l("Publish at (China time; leave empty to publish now)"), validators=[Optional()]
    )


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for withdrawal (shown publicly)"),
        validators=[DataRequired(_l("Give the reason for the withdrawal.")), Length(max=1000)],
    )


class AttachmentForm(FlaskForm):
    file = FileField(
        _l("File (PDF, XLSX, CSV, PNG or JPEG)"), validators=[FileRequired(_l("Choose a file."))]
    )


class ResponseForm(FlaskForm):
    response_zh = TextAreaField(
        _l("Response summary (Chinese)"),
        validators=[DataRequired(_l("Write the response summary.")), Length(max=20_000)],
    )
    response_en = TextAreaField(
        _l("Response summary (English)"), validators=[Optional(), Length(max=20_000)]
    )


class ActionForm(FlaskForm):
    """Buttons that only need the CSRF token."""


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Your comment"),
        validators=[DataRequired(_l("Write your comment.")), Length(max=5000)],
    )
    name = StringField(
        _l("Name (optional, never published)"), validators=[Optional(), Length(max=100)]
    )
    contact = StringField(
        _l("Phone or e-mail (optional, never published)"),
        validators=[Optional(), Length(max=200)],
    )
    # Honeypot: hidden from people by CSS and labelled "leave empty"; bots fill it in.
    website = StringField(_l("Leave this field empty"))

    def validate_website(self, field: StringField) -> None:
        if field.data:
            raise ValidationError(_l("Leave this field empty"))
