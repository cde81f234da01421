"""Officials' water forms: the two uploads and the publish/correct form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length, Optional

_TYPES = FileAllowed(["csv", "xlsx", "txt"], _l("Upload a CSV or XLSX file."))


class ImportForm(FlaskForm):
    kind = HiddenField(default="measurements")
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file.")), _TYPES])


class PublishForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the correction"),
        validators=[Optional(), Length(max=2000)],
    )


class ExplanationForm(FlaskForm):
    """Cause, measures and advice for one failed or inconclusive site (all required; the
    service checks them again, as it does for the file given to `water publish`)."""

    site_code = HiddenField()
    cause = TextAreaField(_l("Cause"), validators=[Length(max=2000)])
    measures = TextAreaField(_l("Measures taken"), validators=[Length(max=2000)])
    advice = TextAreaField(_l("Advice to residents"), validators=[Length(max=2000)])
