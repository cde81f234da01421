"""A warning's messages as CAP 1.2 documents (both languages, whatever the request's)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.alerts import cap
from portal.alerts.cap import MsgType, ResponseType, Severity
from portal.alerts.models import Alert, AlertMessage, Kind, Level
from portal.core import counties, urls

LANGUAGES = (("zh_Hans", "zh-CN", "zh"), ("en", "en-US", "en"))
GEOCODE = "DXAL-COUNTY"  # the portal's stable county codes (content/counties.csv)
# The warning's level → CAP severity (the four colours of China's emergency warnings).
SEVERITY: dict[Level, Severity] = {
    Level.BLUE: Severity.MINOR,
    Level.YELLOW: Severity.MODERATE,
    Level.ORANGE: Severity.SEVERE,
    Level.RED: Severity.EXTREME,
}
# The warning's kind → what people are told to do (CAP responseType).
RESPONSE: dict[Kind, ResponseType] = {
    Kind.BOIL_WATER: ResponseType.EXECUTE,
    Kind.DO_NOT_DRINK: ResponseType.AVOID,
    Kind.DO_NOT_USE: ResponseType.AVOID,
    Kind.SUPPLY_INTERRUPTION: ResponseType.PREPARE,
    Kind.SOURCE_POLLUTION: ResponseType.MONITOR,
    Kind.RIVER_POLLUTION: ResponseType.AVOID,
}


def sender() -> str:
    configured = current_app.config.get("ALERTS_CAP_SENDER")
    return configured or urlsplit(urls.base_url()).hostname or "localhost"


def identifier(alert_id: int, version: int) -> str:
    """Stable: the same message always has the same identifier."""
    return f"{sender()}:alert:{alert_id}:v{version}"


def cap_path(alert_id: int, version: int | None = None) -> str:
    return f"/alerts/{alert_id}.cap" if version is None else f"/alerts/{alert_id}/v{version}.cap"


def _info(alert: Alert, message: AlertMessage, locale: str, language: str, suffix: str) -> cap.Info:
    with force_locale(locale):
        names = [(code, counties.get(code)) for code in message.county_codes]
        areas = tuple(
            cap.Area(
                (c.name_zh if suffix == "zh" else c.name_en) if c else code,
                ((GEOCODE, code),),
            )
            for code, c in names
        )
        headline = getattr(message, f"headline_{suffix}")
        instruction = getattr(message, f"instruction_{suffix}")
        description = getattr(message, f"description_{suffix}")
        parameters: list[tuple[str, str]] = [("level", message.level)]
        if message.expected_end:
            parameters.append(("expectedEnd", cap.cap_time(message.expected_end)))
        if message.site_codes:
            parameters.append(("affectedSites", " ".join(message.site_codes)))
        if message.msg_type == MsgType.CANCEL:
            headline = _("Lifted: %(headline)s", headline=headline)
            instruction = ""
            description = _("The warning has been lifted. Reason: %(reason)s",
                            reason=getattr(message, f"note_{suffix}"))  # fmt: skip
        elif message.note_zh:
            description = "\n\n".join(
                p for p in (_("Update: %(note)s", note=getattr(message, f"note_{suffix}")),
                            description) if p
            )  # fmt: skip
        return cap.Info(
            language=language,
            event=_("%(kind)s (%(level)s)", kind=message.kind_label, level=message.level_label),
            event_code=("DXAL-KIND", message.kind),
            headline=headline,
            instruction=instruction,
            description=description,
            severity=SEVERITY[Level(message.level)],
            urgency=cap.urgency(message.msg_type, message.effective_from, message.sent_at),
            response_type=ResponseType.ALL_CLEAR
            if message.msg_type == MsgType.CANCEL
            else RESPONSE[Kind(message.kind)],
            effective=message.sent_at
            if message.msg_type == MsgType.CANCEL
            else message.effective_from,
            sender_name=_("Daxing'anling Ecology and Environment Bureau"),
            web=urls.absolute(f"/alerts/{alert.id}"),
            areas=areas,
            parameters=tuple(parameters),
        )


def message_document(alert: Alert, message: AlertMessage) -> bytes:
    earlier = [m for m in alert.messages if m.version < message.version]
    return cap.write(
        cap.Message(
            identifier=identifier(alert.id, message.version),
            sender=sender(),
            sent=message.sent_at,
            msg_type=MsgType(message.msg_type),
            references=tuple(
                cap.Reference(sender(), identifier(alert.id, m.version), m.sent_at) for m in earlier
            ),
            incidents=f"{sender()}:alert:{alert.id}",
            infos=tuple(_info(alert, message, *lang) for lang in LANGUAGES),
        )
    )


def current_document(alert: Alert) -> bytes:
    return message_document(alert, alert.messages[-1])
