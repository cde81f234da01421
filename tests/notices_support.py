"""Test support for notices: a published notice saved directly, and the officials' form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from portal.core.extensions import db as _db
from portal.core.models import utcnow
from portal.notices.models import Notice

# What an official fills in on the notice form, in both languages.
FORM = {
    "category": "announcements",
    "county": "mohe",
    "language": "zh_Hans",
    "title_zh": "关于水源地保护的通知",
    "title_en": "Notice on source protection",
    "summary_zh": "请居民保护水源地。",
    "summary_en": "Please protect the water source.",
    "body_zh": "## 要求\n\n禁止在保护区内**倾倒垃圾**。",
    "body_en": "No dumping in the protection zone.",
}


def make_notice(**fields: Any) -> Notice:
    """Save a notice (published an hour ago unless `fields` say otherwise) and return it."""
    values = {
        "category": "announcements",
        "status": "published",
        "title_zh": "通知",
        "summary_zh": "摘要",
        "body_zh": "正文",
        "published_at": utcnow() - dt.timedelta(hours=1),
    }
    values.update(fields)
    notice = Notice(**values)
    notice.refresh_search_text()
    _db.session.add(notice)
    _db.session.commit()
    return notice
