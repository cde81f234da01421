"""The warnings feature's words for every refusal its service raises (see
`portal.core.problems`): the official's form is refused field by field, all at once.

An official writing outside their role or counties is not refused here: that is the core
permission path (403), like every other officials' page.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core.messages import CORE
from portal.core.problems import Messages

MESSAGES = Messages(
    {
        # service.validate: the warning's content (field: the form field).
        "no_level": _l("Choose a warning level."),
        "no_kind": _l("Choose what kind of warning this is."),
        "no_county": _l("Choose at least one affected county."),
        "unknown_county": _l("Unknown county: %(code)s."),
        "required_in_both_languages": _l("This is required in both languages."),
        "headline_too_long": _l("Keep the headline under 200 characters."),
        "end_before_start": _l("The expected end must be after the effective time."),
        "unknown_site": _l("Unknown water site: %(code)s."),
        "site_outside_counties": _l("Site %(code)s is not in an affected county."),
        # service.update and service.lift: the step, against the warning as stored.
        "no_such_warning": _l("There is no such warning."),
        "lifted_cannot_update": _l("This warning has been lifted; it can no longer be updated."),
        "changed_meanwhile": _l(
            "Someone else updated this warning meanwhile; check it and try again."
        ),
        "no_change_note": _l("Say what changed, in both languages."),
        "nothing_changed": _l("Nothing was changed."),
        "already_lifted": _l("This warning has already been lifted."),
        "no_lift_reason": _l("Give the reason for lifting the warning, in both languages."),
    },
    fallback=CORE,
)
