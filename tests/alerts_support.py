"""Helpers for the warnings tests: the form as an official fills it in, and a listener that
records the publications sent."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from portal.core.publications import Publication, published

CHINA = ZoneInfo("Asia/Shanghai")


def china(value: dt.datetime) -> str:
    return value.astimezone(CHINA).strftime("%Y-%m-%dT%H:%M")


def form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "level": "red",
        "kind": "do_not_drink",
        "counties": ["mohe"],
        "headline_zh": "漠河市城区自来水暂停饮用",
        "headline_en": "Mohe town: do not drink tap water",
        "instruction_zh": "请勿饮用自来水，改用瓶装水。",
        "instruction_en": "Do not drink tap water; use bottled water.",
        "description_zh": "额木尔河上游发生柴油泄漏。",
        "description_en": "Diesel spilled into the Emur River upstream.",
        "effective_from": "",
        "expected_end": "",
    }
    data.update(overrides)
    return data


def publish(client, **overrides: object):
    return client.post("/admin/alerts/new", data=form(**overrides))


@contextlib.contextmanager
def publications() -> Iterator[list[Publication]]:
    sent: list[Publication] = []

    def receive(_sender: object, publication: Publication) -> None:
        sent.append(publication)

    published.connect(receive)
    try:
        yield sent
    finally:
        published.disconnect(receive)
