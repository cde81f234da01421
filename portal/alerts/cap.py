"""A pure OASIS CAP 1.2 writer: plain data in, XML bytes out (no Flask, no database).

https://docs.oasis-open.org/emergency/cap/v1.2/CAP-v1.2-os.html — element order follows the
schema; times are written with an explicit offset and no fractions, as the schema demands.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from enum import StrEnum

from portal.core.clock import CHINA

NS = "urn:oasis:names:tc:emergency:cap:1.2"


class MsgType(StrEnum):
    """CAP 1.2 <msgType> the portal sends: publish, update, lift (Ack and Error unused)."""

    ALERT = "Alert"
    UPDATE = "Update"
    CANCEL = "Cancel"


class Severity(StrEnum):
    """CAP 1.2 <severity>."""

    EXTREME = "Extreme"
    SEVERE = "Severe"
    MODERATE = "Moderate"
    MINOR = "Minor"
    UNKNOWN = "Unknown"


class Urgency(StrEnum):
    """CAP 1.2 <urgency>."""

    IMMEDIATE = "Immediate"
    EXPECTED = "Expected"
    FUTURE = "Future"
    PAST = "Past"
    UNKNOWN = "Unknown"


class ResponseType(StrEnum):
    """CAP 1.2 <responseType>: what people are told to do."""

    SHELTER = "Shelter"
    EVACUATE = "Evacuate"
    PREPARE = "Prepare"
    EXECUTE = "Execute"
    AVOID = "Avoid"
    MONITOR = "Monitor"
    ASSESS = "Assess"
    ALL_CLEAR = "AllClear"
    NONE = "None"


def cap_time(value: dt.datetime) -> str:
    """2026-07-01T09:00:00+08:00 (CAP's dateTime form; China Standard Time)."""
    if value.tzinfo is None:
        raise ValueError("CAP times must be timezone-aware")
    return value.astimezone(CHINA).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Area:
    description: str
    geocodes: tuple[tuple[str, str], ...] = ()  # (valueName, value)


@dataclass(frozen=True)
class Info:
    language: str  # RFC 3066, e.g. zh-CN, en-US
    event: str
    headline: str
    instruction: str
    description: str
    severity: Severity
    urgency: Urgency
    response_type: ResponseType
    effective: dt.datetime
    sender_name: str
    web: str
    areas: tuple[Area, ...]
    categories: tuple[str, ...] = ("Health", "Env")
    certainty: str = "Observed"
    event_code: tuple[str, str] | None = None
    parameters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Reference:
    sender: str
    identifier: str
    sent: dt.datetime

    def text(self) -> str:
        return f"{self.sender},{self.identifier},{cap_time(self.sent)}"


@dataclass(frozen=True)
class Message:
    identifier: str
    sender: str
    sent: dt.datetime
    msg_type: MsgType
    infos: tuple[Info, ...]
    references: tuple[Reference, ...] = ()
    status: str = "Actual"
    scope: str = "Public"
    note: str | None = None
    incidents: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _clean(value: str, what: str) -> str:
    # identifier and sender: no spaces, commas, < or & (CAP 1.2 §3.2.1)
    if not value or any(c in value for c in " ,<&\t\n"):
        raise ValueError(f"invalid CAP {what}: {value!r}")
    return value


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def write(message: Message) -> bytes:
    """The CAP document of `message`, UTF-8 XML with declaration."""
    if message.msg_type not in frozenset(MsgType):
        raise ValueError(f"unknown msgType {message.msg_type!r}")
    if message.msg_type != MsgType.ALERT and not message.references:
        raise ValueError("Update and Cancel messages must reference earlier messages")
    root = ET.Element(f"{{{NS}}}alert")
    _sub(root, "identifier", _clean(message.identifier, "identifier"))
    _sub(root, "sender", _clean(message.sender, "sender"))
    _sub(root, "sent", cap_time(message.sent))
    _sub(root, "status", message.status)
    _sub(root, "msgType", message.msg_type)
    _sub(root, "scope", message.scope)
    if message.note:
        _sub(root, "note", message.note)
    if message.references:
        _sub(root, "references", " ".join(r.text() for r in message.references))
    if message.incidents:
        _sub(root, "incidents", _clean(message.incidents, "incidents"))
    for info in message.infos:
        block = _sub(root, "info")
        _sub(block, "language", info.language)
        for category in info.categories:
            _sub(block, "category", category)
        _sub(block, "event", info.event)
        _sub(block, "responseType", info.response_type)
        _sub(block, "urgency", info.urgency)
        _sub(block, "severity", info.severity)
        _sub(block, "certainty", info.certainty)
        if info.event_code:
            code = _sub(block, "eventCode")
            _sub(code, "valueName", info.event_code[0])
            _sub(code, "value", info.event_code[1])
        _sub(block, "effective", cap_time(info.effective))
        _sub(block, "senderName", info.sender_name)
        _sub(block, "headline", info.headline)
        if info.description:
            _sub(block, "description", info.description)
        if info.instruction:
            _sub(block, "instruction", info.instruction)
        _sub(block, "web", info.web)
        for name, value in info.parameters:
            parameter = _sub(block, "parameter")
            _sub(parameter, "valueName", name)
            _sub(parameter, "value", value)
        for area in info.areas:
            element = _sub(block, "area")
            _sub(element, "areaDesc", area.description)
            for name, value in area.geocodes:
                geocode = _sub(element, "geocode")
                _sub(geocode, "valueName", name)
                _sub(geocode, "value", value)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True, default_namespace=NS)


def urgency(msg_type: str, effective: dt.datetime, sent: dt.datetime) -> Urgency:
    """Cancel: Past; an effective time still ahead: Expected; otherwise Immediate."""
    if msg_type == MsgType.CANCEL:
        return Urgency.PAST
    return Urgency.EXPECTED if effective > sent else Urgency.IMMEDIATE
