"""The accounts feature's words for every refusal it raises (see `portal.core.problems`): a
new official's account, a login, a step on the users page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core.messages import CORE
from portal.core.problems import Messages

MESSAGES = Messages(
    {
        # service.validate_new_user (the users page and `flask users create`).
        "email_invalid": _l("Enter a valid e-mail address."),
        "email_taken": _l("An account with this e-mail address already exists."),
        "role_unknown": _l("Choose a role."),
        "county_unknown": _l("Unknown county code."),
        "password_too_short": _l("The password must have at least %(n)d characters."),
        # views: the login form, and deactivating one's own account.
        "login_failed": _l("The e-mail address or password is not correct."),
        "deactivate_self": _l("You cannot deactivate your own account."),
    },
    fallback=CORE,
)
