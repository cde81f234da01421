"""Link secrets: the confirmation token (random, stored as a hash, expiring) and the
manage/unsubscribe token (an HMAC of the subscriber's id and nonce with the app secret, so
nothing usable is stored and a new confirmation kills the old links)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_token(key: str, subscriber_id: int, nonce: str) -> str:
    mac = hmac.new(key.encode(), f"subscriptions:{subscriber_id}:{nonce}".encode(), "sha256")
    return f"{subscriber_id}-{base64.urlsafe_b64encode(mac.digest()[:24]).decode()}"


def parse_link_token(token: str) -> int | None:
    head, _, mac = (token or "").partition("-")
    return int(head) if head.isdigit() and len(head) < 12 and len(mac) == 32 else None


def link_token_valid(key: str, token: str, subscriber_id: int, nonce: str) -> bool:
    return hmac.compare_digest(link_token(key, subscriber_id, nonce), token)
