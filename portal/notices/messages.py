"""The notices feature's words for every refusal it raises (see `portal.core.problems`): a
file that cannot be attached, and a step the notice's status does not allow."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core.messages import CORE
from portal.core.problems import Messages

MESSAGES = Messages(
    {
        # attachments.AttachmentError: the file, judged by its content.
        "empty": _l("The file is empty."),
        "too_large": _l("The file is larger than the limit of %(size)s."),
        "wrong_type": _l(
            "Only PDF, XLSX, CSV, PNG and JPEG files can be attached; "
            "this file's content is none of these."
        ),
        # admin: a step the notice's status does not allow.
        "not_a_draft": _l("Only a draft can be published."),
        "not_scheduled": _l("Only a scheduled notice can be taken back to draft."),
        "not_published": _l("Only a published notice can be withdrawn."),
        "withdrawn_unchangeable": _l("A withdrawn notice cannot be changed."),
    },
    fallback=CORE,
)
