"""The subscriptions feature's words for every refusal it raises (see `portal.core.problems`):
the choices on the form, and the links in its mails."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core.messages import CORE
from portal.core.problems import Messages

MESSAGES = Messages(
    {
        # choices.validate: one refusal per field of the form.
        "email_invalid": _l("Enter a valid e-mail address, like name@example.com."),
        "county_unknown": _l("Choose counties from the list."),
        "county_missing": _l("Choose at least one county, or the whole region."),
        "topic_unknown": _l("Choose topics from the list."),
        "topic_missing": _l("Choose at least one topic."),
        "frequency_unknown": _l("Choose immediately or a daily digest."),
        # service.find_request / service.confirm: the confirmation link.
        "unknown": _l("This confirmation link is not valid, or it was already used."),
        "expired": _l(
            "This confirmation link has expired. Please subscribe again to get a new one."
        ),
        # views: a manage or unsubscribe link that opens no subscription (any more).
        "link_gone": _l(
            "This link no longer works: the subscription was ended, or a newer "
            "confirmation replaced it. Nothing more will be sent by this link."
        ),
    },
    fallback=CORE,
)
