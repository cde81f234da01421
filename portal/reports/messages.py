"""The reports feature's words for every refusal it raises (see `portal.core.problems`).

Codes come from the workflow (`workflow.ErrorCode`, carried by `IllegalTransition`), the
tracking codes (`codes.CodeError`), the photos (`photos.PhotoError`, `photos.QuarantineFull`)
and the pages' own checks (the form token, the handler's fields). The Open311 API answers in
GeoReport v2's own English error format instead (see `portal.reports.api.open311`).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core.messages import CORE
from portal.core.problems import Messages
from portal.reports.workflow import ErrorCode

NOT_POSSIBLE = _l("This step is not possible in the report's current state.")
FILL_IN = _l("Please fill in every field this step needs.")

MESSAGES = Messages(
    {
        # workflow.IllegalTransition: a handler's or the reporter's step the workflow refuses.
        ErrorCode.NOT_ALLOWED: NOT_POSSIBLE,
        ErrorCode.UNKNOWN_ACTION: NOT_POSSIBLE,
        ErrorCode.UNEXPECTED_DATA: NOT_POSSIBLE,
        ErrorCode.NAIVE_DATETIME: NOT_POSSIBLE,
        ErrorCode.TOO_EARLY: NOT_POSSIBLE,
        ErrorCode.MISSING_DATA: FILL_IN,
        ErrorCode.INVALID_DATA: FILL_IN,
        ErrorCode.ALREADY_EXTENDED: _l("The time limit has already been extended once."),
        ErrorCode.EXTENSION_TOO_LONG: _l("The extension is longer than the law allows."),
        ErrorCode.DEADLINE_PASSED: _l(
            "The time limit has already passed; it can no longer be extended."
        ),
        ErrorCode.DISPUTE_LIMIT: _l("This report has already been disputed once."),
        ErrorCode.FEEDBACK_WINDOW_CLOSED: _l(
            "The period for rating or disputing this outcome has ended."
        ),
        ErrorCode.TIME_BEFORE_PREVIOUS: _l("The time given is earlier than the previous step."),
        # service: the case number given for "merge as a duplicate" is no other report's.
        "not_another_report": _l("Enter the case number of another existing report."),
        # service.publish_summary: only a handled report gets a published summary.
        "summary_before_handling": _l("Only handled reports can be published."),
        # admin: a field the chosen step needs was left empty.
        "required_for_step": _l("This field is required for this step."),
        # codes.CodeError: what was typed as a tracking code.
        "malformed_code": _l("This is not a tracking code. Codes look like DX-7KQ2-M9VX-3HTR-2."),
        "bad_check_symbol": _l(
            "This code has a typing mistake: its last character does not match. Please check it."
        ),
        # tracking: a valid code, but of another report than the status link's.
        "not_this_report": _l("This is not the tracking code of this report."),
        # The report form's token and timing (views, admin phone form).
        "form_expired": _l("The form has expired. Please check your answers and send it again."),
        "too_quick": _l(
            "That was very quick. Please check your answers, then send the form again."
        ),
        # photos.PhotoError (name: the file's name) and the form's photo count (n).
        "too_large": _l("%(name)s is too large (at most 10 MB)."),
        "too_many_pixels": _l("%(name)s has too many pixels."),
        "not_an_image": _l("%(name)s is not a JPEG, PNG or WebP photo."),
        "too_many_photos": _l("You can attach at most %(n)s photos."),
        # photos.QuarantineFull: no room for photos of forms not sent yet.
        "client_quarantine_full": _l(
            "You have attached many photos to forms that were not sent. Send your report "
            "with the photos already attached, or try again tomorrow."
        ),
        "quarantine_full": _l(
            "The portal cannot take more photos right now. Please send the report without "
            "photos, try again later, or call the 12369 hotline."
        ),
        # Not a refusal but an outage (the upload folder failed, OSError): the form says so
        # beside the photos, in the same words wherever it happens.
        "photos_not_stored": _l(
            "Your photos cannot be stored right now. Please try again later, send "
            "the report without photos, or call the 12369 hotline."
        ),
    },
    fallback=CORE,
)
