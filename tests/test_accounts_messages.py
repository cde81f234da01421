"""One table of words for the accounts feature: every code it refuses with has its words in
accounts/messages.py, and every word there belongs to a code it raises."""

from __future__ import annotations

from portal.accounts import service
from portal.accounts.messages import MESSAGES


def test_a_new_account_is_refused_field_by_field(app, db):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        user, errors = service.create_user("no-at-sign", "mayor", "atlantis", "short")
        assert user is None
        assert errors.codes == {
            "email": "email_invalid",
            "role": "role_unknown",
            "county": "county_unknown",
            "password": "password_too_short",
        }
        assert MESSAGES.by_field(errors)["password"] == [
            "The password must have at least 12 characters."
        ]
