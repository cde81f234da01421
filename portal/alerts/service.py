"""Warnings' write side: publish, update, lift. Each call checks the official's role and
counties against the warning as stored (403 otherwise, the core permission path), validates
everything (refusing with every problem at once: `Problems`, words in alerts/messages.py),
then in ONE transaction writes the new state, its message row, the audit entry and the
publication signal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.alerts.cap import MsgType
from portal.alerts.models import CONTENT, Alert, AlertMessage, AlertStatus, Kind, Level
from portal.core import audit
from portal.core import counties as county_list
from portal.core.extensions import db
from portal.core.models import utcnow
from portal.core.permissions import Role
from portal.core.problems import Problems, Refusal
from portal.core.publications import Publication, Topic, publish

WRITERS = (Role.PUBLISHER, Role.WATER_OFFICER)


@dataclass
class AlertData:
    level: str
    kind: str
    counties: tuple[str, ...]
    sites: tuple[str, ...]
    headline_zh: str
    headline_en: str
    instruction_zh: str
    instruction_en: str
    description_zh: str
    description_en: str
    effective_from: dt.datetime | None  # None: now
    expected_end: dt.datetime | None

    def columns(self, now: dt.datetime) -> dict[str, Any]:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["counties"] = ";".join(self.counties)
        values["sites"] = ";".join(self.sites)
        values["effective_from"] = self.effective_from or now
        for key in ("headline_zh", "headline_en", "instruction_zh", "instruction_en"):
            values[key] = values[key].strip()
        for key in ("description_zh", "description_en"):
            values[key] = (values[key] or "").strip()
        return values


def may_write(user: User, county_codes: tuple[str, ...] | list[str]) -> bool:
    """Publishers and water officers (admins always); a county-scoped one only when every
    county concerned is theirs."""
    if not (user.is_authenticated and user.has_role(*WRITERS)):
        return False
    return all(user.may_act_in(code) for code in county_codes)


def validate(data: AlertData, now: dt.datetime | None = None) -> Problems:
    """Every problem at once, each refusal tied to its form field (the caller checks)."""
    from portal.water.models import WaterSite

    problems = Problems()
    if data.level not in frozenset(Level):
        problems.add("no_level", "level")
    if data.kind not in frozenset(Kind):
        problems.add("no_kind", "kind")
    known = set(county_list.codes())
    if not data.counties:
        problems.add("no_county", "counties")
    for code in data.counties:
        if code not in known:
            problems.add("unknown_county", "counties", code=code)
    for name in ("headline_zh", "headline_en", "instruction_zh", "instruction_en"):
        if not (getattr(data, name) or "").strip():
            problems.add("required_in_both_languages", name)
    if len(data.headline_zh.strip()) > 200 or len(data.headline_en.strip()) > 200:
        problems.add("headline_too_long", "headline_zh")
    start = data.effective_from or now or utcnow()
    if data.expected_end is not None and data.expected_end <= start:
        problems.add("end_before_start", "expected_end")
    if data.sites:
        found = dict(
            db.session.execute(
                sa.select(WaterSite.code, WaterSite.county).where(
                    WaterSite.code.in_(data.sites), WaterSite.stage != "section"
                )
            ).all()
        )
        for code in data.sites:
            if code not in found:
                problems.add("unknown_site", "sites", code=code)
            elif found[code] not in data.counties:
                problems.add("site_outside_counties", "sites", code=code)
    return problems


def _audit_view(alert: Alert) -> dict[str, Any]:
    return {
        "status": alert.status,
        "version": alert.version,
        **{name: getattr(alert, name) for name in CONTENT},
    }


def _message(
    alert: Alert, msg_type: MsgType, now: dt.datetime, user: User | None, **extra: Any
) -> AlertMessage:
    message = AlertMessage(
        alert=alert,
        version=alert.version,
        msg_type=msg_type,
        sent_at=now,
        author_id=user.id if user is not None else None,
        **{name: getattr(alert, name) for name in CONTENT},
        **extra,
    )
    db.session.add(message)
    return message


def _announce(alert: Alert) -> None:
    """The publication signal, in this transaction (subscribers' mail goes in its outbox)."""
    texts: dict[str, tuple[str, str]] = {}
    for locale, suffix in (("zh_Hans", "zh"), ("en", "en")):
        with force_locale(locale):
            headline = getattr(alert, f"headline_{suffix}")
            if alert.is_lifted:
                title = str(_l("Lifted: %(headline)s", headline=headline))
                summary = getattr(alert, f"lift_reason_{suffix}") or alert.lift_reason_zh or ""
            else:
                title = f"{alert.level_label} · {headline}"
                summary = getattr(alert, f"instruction_{suffix}")
            texts[suffix] = (title, summary)
    publish(
        Publication(
            topic=Topic.WARNINGS,
            urgent=True,
            source=f"alert:{alert.id}:v{alert.version}",
            path=f"/alerts/{alert.id}",
            counties=alert.county_codes,
            title_zh=texts["zh"][0],
            summary_zh=texts["zh"][1],
            title_en=texts["en"][0],
            summary_en=texts["en"][1],
        )
    )


def create(data: AlertData, user: User, now: dt.datetime | None = None) -> Alert:
    """Publish a new warning (in force from its effective time); raises Problems."""
    now = now or utcnow()
    if not may_write(user, data.counties):
        abort(403)
    validate(data, now).check()
    alert = Alert(
        status=AlertStatus.ACTIVE, version=1, published_at=now, revised_at=now,
        author_id=user.id, **data.columns(now),
    )  # fmt: skip
    db.session.add(alert)
    db.session.flush()
    _message(alert, MsgType.ALERT, now, user)
    audit.record("publish", "alert", alert.id, after=_audit_view(alert))
    _announce(alert)
    db.session.commit()
    return alert


def _locked(alert_id: int) -> Alert | None:
    """The stored warning, locked against a concurrent update or lift (PostgreSQL)."""
    return db.session.scalar(
        sa.select(Alert)
        .where(Alert.id == alert_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def update(
    alert_id: int,
    data: AlertData,
    note_zh: str,
    note_en: str,
    user: User,
    *,
    seen_version: int | None = None,
    now: dt.datetime | None = None,
) -> Alert:
    """A new version: content changed, the old one kept as its message row; raises a
    Refusal (the step) or Problems (the content)."""
    now = now or utcnow()
    alert = _locked(alert_id)
    if alert is None:
        raise Refusal("no_such_warning")
    # As stored AND as sent: a Tahe officer can neither touch a Mohe warning nor widen theirs.
    if not may_write(user, (*alert.county_codes, *data.counties)):
        db.session.rollback()
        abort(403)
    if alert.is_lifted:
        db.session.rollback()
        raise Refusal("lifted_cannot_update")
    if seen_version is not None and seen_version != alert.version:
        db.session.rollback()
        raise Refusal("changed_meanwhile")
    if data.effective_from is None:
        data.effective_from = alert.effective_from  # left empty: unchanged
    problems = validate(data, now)
    if not note_zh.strip() or not note_en.strip():
        problems.add("no_change_note", "note_zh")
    new = data.columns(now)
    for name in ("effective_from", "expected_end"):
        # The form shows times to the minute: the same minute is no change.
        stored, sent = getattr(alert, name), new[name]
        if stored and sent and stored.replace(second=0, microsecond=0) == sent:
            new[name] = stored
    changed = [name for name in CONTENT if getattr(alert, name) != new[name]]
    if not problems and not changed:
        problems.add("nothing_changed")
    if problems:
        db.session.rollback()
        raise problems
    before = _audit_view(alert)
    for name in changed:
        setattr(alert, name, new[name])
    alert.version += 1
    alert.revised_at = now
    _message(alert, MsgType.UPDATE, now, user, changed=changed, note_zh=note_zh.strip(),
             note_en=note_en.strip())  # fmt: skip
    audit.record("update", "alert", alert.id, before=before, after=_audit_view(alert),
                 reason=note_zh.strip())  # fmt: skip
    _announce(alert)
    db.session.commit()
    return alert


def lift(
    alert_id: int,
    reason_zh: str,
    reason_en: str,
    user: User,
    *,
    now: dt.datetime | None = None,
) -> Alert:
    """解除: the warning ends now, with the reason; it keeps its address. Raises a Refusal
    or Problems."""
    now = now or utcnow()
    alert = _locked(alert_id)
    if alert is None:
        raise Refusal("no_such_warning")
    if not may_write(user, alert.county_codes):
        db.session.rollback()
        abort(403)
    problems = Problems()
    if alert.is_lifted:
        problems.add("already_lifted")
    if not reason_zh.strip() or not reason_en.strip():
        problems.add("no_lift_reason", "reason_zh")
    if problems:
        db.session.rollback()
        raise problems
    before = _audit_view(alert)
    alert.status = AlertStatus.LIFTED
    alert.lifted_at = now
    alert.lift_reason_zh = reason_zh.strip()
    alert.lift_reason_en = reason_en.strip()
    alert.version += 1
    alert.revised_at = now
    _message(alert, MsgType.CANCEL, now, user, note_zh=alert.lift_reason_zh,
             note_en=alert.lift_reason_en)  # fmt: skip
    audit.record("lift", "alert", alert.id, before=before, after=_audit_view(alert),
                 reason=alert.lift_reason_zh)  # fmt: skip
    _announce(alert)
    db.session.commit()
    return alert
