"""What a subscriber can choose and which publications match: pure, no Flask, no database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from email_validator import EmailNotValidError, validate_email

from portal.core.problems import Problems
from portal.core.publications import Topic
from portal.notices.publication import TOPIC_OF_CATEGORY


class Frequency(StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"  # one mail a day (never for warnings)


# Notice categories that are their own topics; the others arrive as notices:<category>.
NOTICE_TOPIC = TOPIC_OF_CATEGORY
BASE_TOPICS: Final = (Topic.WARNINGS, Topic.WATER, Topic.ENFORCEMENT)
URGENT_TOPICS: Final = (Topic.WARNINGS,)  # always sent at once, never in a digest


def topic_keys(notice_categories: Iterable[str]) -> tuple[str, ...]:
    """Every topic key a subscriber can tick, in display order."""
    notices = tuple(f"{Topic.NOTICES}:{c}" for c in notice_categories if c not in NOTICE_TOPIC)
    return BASE_TOPICS + notices


def notice_topic(category: str) -> str:
    """The publication topic of a notice of `category`."""
    return NOTICE_TOPIC.get(category, Topic.NOTICES)


@dataclass(frozen=True)
class Choices:
    email: str
    counties: tuple[str, ...]  # empty: the whole region
    topics: tuple[str, ...]
    frequency: str


def normalize_email(raw: str) -> str | None:
    try:
        result = validate_email((raw or "").strip(), check_deliverability=False)
    except EmailNotValidError:
        return None
    return result.normalized.lower()


def validate(
    email: str,
    counties: Sequence[str],
    whole_region: bool,
    topics: Sequence[str],
    frequency: str,
    *,
    known_counties: Sequence[str],
    known_topics: Sequence[str],
) -> Choices:
    """The choices, or Problems: one refusal per field (email, counties, topics,
    frequency); words in subscriptions/messages.py."""
    problems = Problems()
    address = normalize_email(email)
    if address is None or len(address) > 254:
        problems.add("email_invalid", "email")
    if any(c not in known_counties for c in counties):
        problems.add("county_unknown", "counties")
    elif not counties and not whole_region:
        problems.add("county_missing", "counties")
    if any(t not in known_topics for t in topics):
        problems.add("topic_unknown", "topics")
    elif not topics:
        problems.add("topic_missing", "topics")
    if frequency not in frozenset(Frequency):
        problems.add("frequency_unknown", "frequency")
    problems.check()
    chosen_counties = () if whole_region else tuple(c for c in known_counties if c in counties)
    chosen_topics = tuple(t for t in known_topics if t in topics)
    return Choices(address or "", chosen_counties, chosen_topics, frequency)


def matches(
    sub_topics: Iterable[str],
    sub_counties: Iterable[str],
    topic: str,
    category: str | None,
    counties: Iterable[str],
) -> bool:
    """Does a publication (topic, notice category, counties) concern this subscriber?"""
    wanted = set(sub_topics)
    if topic == Topic.NOTICES:
        hit = (
            f"{Topic.NOTICES}:{category}" in wanted
            if category
            else any(t.startswith(f"{Topic.NOTICES}:") for t in wanted)
        )
    else:
        hit = topic in wanted
    if not hit:
        return False
    mine, theirs = set(sub_counties), set(counties)
    return not mine or not theirs or bool(mine & theirs)
