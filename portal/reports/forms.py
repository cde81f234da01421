"""Forms: the public report form (two steps), the staff phone form and handling forms."""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    FloatField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from portal.core import counties
from portal.core.clock import CHINA
from portal.reports.models import CATEGORY_LABELS, OUTCOME_LABELS, RATING_LABELS
from portal.reports.workflow import Action

# A generous box around the Daxing'anling region: a point outside it is a typing mistake.
LAT_RANGE = (49.0, 54.5)
LON_RANGE = (119.0, 128.0)
EARLIEST_OBSERVED = dt.datetime(2000, 1, 1)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ReportForm(FlaskForm):
    category = RadioField(_l("What kind of pollution?"), validators=[InputRequired()])
    county = SelectField(_l("County or district"), validators=[InputRequired()])
    place = StringField(_l("Where is it?"), validators=[DataRequired(), Length(max=500)])
    lat = FloatField(
        _l("Latitude (optional)"),
        validators=[
            Optional(),
            NumberRange(*LAT_RANGE, message=_l("This point is outside the Daxing'anling region.")),
        ],
    )
    lon = FloatField(
        _l("Longitude (optional)"),
        validators=[
            Optional(),
            NumberRange(*LON_RANGE, message=_l("This point is outside the Daxing'anling region.")),
        ],
    )
    description = TextAreaField(
        _l("What did you see, hear or smell?"), validators=[DataRequired(), Length(min=5, max=5000)]
    )
    observed_at = DateTimeLocalField(
        _l("When did you notice it? (optional)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    photos = MultipleFileField(_l("Photos (optional, up to 5)"))
    anonymous = RadioField(
        _l("Do you want to stay anonymous?"),
        choices=[
            ("yes", _l("Yes, report anonymously")),
            ("no", _l("No, the bureau may contact me")),
        ],
        default="yes",
        validators=[InputRequired()],
    )
    name = StringField(_l("Your name"), validators=[Optional(), Length(max=100)])
    phone = StringField(
        _l("Phone number"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[0-9 +()\-]{5,40}$", message=_l("Enter a phone number using digits.")),
        ],
    )
    email = EmailField(_l("E-mail address"), validators=[Optional(), Email(), Length(max=254)])
    updates = BooleanField(_l("Send me an e-mail each time the status of my report changes"))
    consent = BooleanField(
        _l(
            "I have read the privacy notice for reporters and agree that my report is handled "
            "as described there."
        ),
        validators=[
            DataRequired(message=_l("Please confirm that you have read the privacy notice."))
        ],
    )
    # Honeypot: hidden from people by CSS, filled in by naive bots.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])
    token = HiddenField()
    photo_ids = HiddenField()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = [(k.value, str(v)) for k, v in CATEGORY_LABELS.items()]
        self.county.choices = [("", str(_l("Choose…")))] + [
            (c.code, c.name) for c in counties.all_counties()
        ]

    def validate_county(self, field: SelectField) -> None:
        if field.data not in counties.codes():
            raise ValidationError(_l("Choose the county or district."))

    def validate(self, extra_validators: object = None) -> bool:
        ok = super().validate(extra_validators)
        # Control characters (a NUL byte above all) cannot be stored in PostgreSQL text nor
        # appear in XML: refused at the door, before anything reaches the database or a log.
        for f in self:
            if isinstance(f.data, str) and CONTROL.search(f.data):
                f.errors = [*f.errors, str(_l("Remove the control characters from this field."))]
                ok = False
        lat, lon = self.lat, self.lon
        if not lat.errors and not lon.errors and (lat.data is None) != (lon.data is None):
            (lon if lon.data is None else lat).errors.append(
                str(_l("Give both latitude and longitude, or neither."))
            )
            ok = False
        return ok

    def validate_observed_at(self, field: DateTimeLocalField) -> None:
        # Out of this range the date is a typing mistake, and some cannot even be stored.
        if field.data is None:
            return
        latest = dt.datetime.now(CHINA).replace(tzinfo=None) + dt.timedelta(days=1)
        if not EARLIEST_OBSERVED <= field.data <= latest:
            raise ValidationError(_l("Enter a date between 2000 and today."))

    def validate_updates(self, field: BooleanField) -> None:
        if field.data and not (self.anonymous.data == "no" and self.email.data):
            raise ValidationError(
                _l("To get updates by e-mail, choose to be contacted and give an e-mail address.")
            )

    def validate_anonymous(self, field: RadioField) -> None:
        if field.data == "no" and not (self.phone.data or self.email.data):
            raise ValidationError(
                _l(
                    "To be contacted, give a phone number or an e-mail address; "
                    "or choose to stay anonymous."
                )
            )


class PhoneReportForm(ReportForm):
    """Staff entering a report received by telephone: the caller consented on the phone."""

    consent = None
    website = None
    photos = None


class TrackForm(FlaskForm):
    code = StringField(_l("Tracking code"), validators=[DataRequired(), Length(max=64)])


class FeedbackForm(FlaskForm):
    """Rating or disputing from the status page: the link only reads, the code decides."""

    code = StringField(_l("Your tracking code"), validators=[DataRequired(), Length(max=64)])
    token = HiddenField(validators=[Length(max=64)])
    rating = RadioField(_l("How satisfied are you with the handling?"), validators=[Optional()])
    reason = TextAreaField(
        _l("What is wrong with the outcome?"), validators=[Optional(), Length(max=2000)]
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.rating.choices = [(k.value, str(v)) for k, v in RATING_LABELS.items()]


HANDLER_ACTIONS = (
    Action.ACCEPT,
    Action.NOT_ACCEPT,
    Action.MARK_DUPLICATE,
    Action.ASSIGN,
    Action.START_INVESTIGATION,
    Action.EXTEND,
    Action.FINISH,
    Action.START_REVIEW,
    Action.CONCLUDE_REVIEW,
)


class ActionForm(FlaskForm):
    """One per action on the page (WTForms prefix = the action), so field ids stay unique."""

    public_note = TextAreaField(
        _l("Public note (shown to the reporter)"), validators=[DataRequired(), Length(max=2000)]
    )
    internal_note = TextAreaField(
        _l("Internal note (never public)"), validators=[Optional(), Length(max=2000)]
    )
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=1000)])
    refer_to = StringField(
        _l("Where the reporter should turn instead"), validators=[Optional(), Length(max=300)]
    )
    duplicate_of = StringField(
        _l("Case number of the report it duplicates"), validators=[Optional(), Length(max=64)]
    )
    assignee = SelectField(_l("County bureau"), validators=[Optional()])
    county = SelectField(_l("County where it happened"), validators=[Optional()])
    days = IntegerField(
        _l("Extension in days"), validators=[Optional(), NumberRange(min=1, max=365)]
    )
    outcome = SelectField(_l("Outcome"), validators=[Optional()])
    action_taken = TextAreaField(_l("Action taken"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.assignee.choices = [(c.code, c.name) for c in counties.all_counties()]
        self.county.choices = [("", "")] + [(c.code, c.name) for c in counties.all_counties()]
        self.outcome.choices = [(k.value, str(v)) for k, v in OUTCOME_LABELS.items()]


class SummaryForm(FlaskForm):
    title_zh = StringField(_l("Title (Chinese)"), validators=[DataRequired(), Length(max=200)])
    summary_zh = TextAreaField(
        _l("Redacted summary (Chinese)"), validators=[DataRequired(), Length(max=5000)]
    )
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])
    summary_en = TextAreaField(
        _l("Redacted summary (English)"), validators=[Optional(), Length(max=5000)]
    )


class ApiKeyForm(FlaskForm):
    name = StringField(_l("Partner channel"), validators=[DataRequired(), Length(max=100)])


class EmptyForm(FlaskForm):
    """Just the CSRF token (reveal, revoke)."""
