"""Public enforcement pages: overview, enterprises, cards, draws, inspections, cases."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.core import counties
from portal.core.downloads import download
from portal.core.extensions import db
from portal.core.http import conditional
from portal.core.pagecache import cacheable
from portal.core.pagination import paginate
from portal.core.permissions import Role
from portal.data.registry import csvw_link_header
from portal.enforcement import credit_code, datasets, publication, queries, timeline
from portal.enforcement import draw as draw_rules
from portal.enforcement.models import (
    CARD_COLORS,
    CARD_MEANING,
    DRAW_STATUSES,
    OUTCOMES,
    VIOLATION_TYPES,
    Case,
    Draw,
    DrawStatus,
    Enterprise,
    Inspection,
    RecordKind,
)

bp = Blueprint("enforcement", __name__, url_prefix="/enforcement")


def _download(fmt: str, rows: list[dict[str, Any]], dataset: Any, stem: str) -> Response:
    response = download(fmt, rows, dataset.download_columns(), stem)
    if fmt == "csv":
        response.headers["Link"] = csvw_link_header(dataset.id)
    return conditional(response, max_age=300)


def officials() -> bool:
    """Enforcement officials also see items whose publication period has ended."""
    return bool(current_user.is_authenticated and current_user.has_role(Role.ENFORCEMENT_OFFICER))


def _cached(body: str, max_age: int = 300) -> ResponseReturnValue:
    response = Response(body, mimetype="text/html")
    if officials():
        return response
    return conditional(response, max_age=max_age)


def _filters() -> dict[str, str]:
    return {
        k: (request.args.get(k) or "").strip()[:100]
        for k in (
            "q",
            "county",
            "industry",
            "card",
            "outcome",
            "type",
            "year",
            "typical",
            "transferred",
        )
    }


def _common() -> dict[str, Any]:
    filters = _filters()
    return {
        "filters": filters,
        "download_args": {k: v for k, v in filters.items() if v},
        "industries": queries.industries(),
        "county_list": counties.all_counties(),
        "officials": officials(),
    }


@bp.get("/")
@cacheable
def index() -> ResponseReturnValue:
    recent_inspections = db.session.scalars(queries.inspections_query({}).limit(6)).all()
    typical = db.session.scalars(queries.cases_query({"typical": "1"}).limit(3)).all()
    recent_draws = db.session.scalars(queries.draws_query().limit(3)).all()
    totals, overall = queries.enforcement_totals()
    return _cached(
        render_template(
            "enforcement/index.html",
            totals=totals[-3:],
            overall=overall,
            counts=queries.card_counts(),
            inspections=recent_inspections,
            typical=typical,
            draws=recent_draws,
            CARD_MEANING=CARD_MEANING,
        )
    )


@bp.get("/enterprises")
@cacheable
def enterprises() -> ResponseReturnValue:
    page = paginate(queries.enterprises_query(request.args), 30)
    active = {
        card.enterprise_id: card
        for card in db.session.scalars(queries.cards_query({}, lifted=False))
    }
    return _cached(
        render_template("enforcement/enterprises.html", page=page, active=active, **_common())
    )


@bp.get("/enterprises/<code>")
@cacheable
def enterprise(code: str) -> ResponseReturnValue:
    canonical = credit_code.normalize(code[:64])
    if canonical != code:
        return redirect(url_for("enforcement.enterprise", code=canonical), 301)
    found = db.session.scalar(sa.select(Enterprise).where(Enterprise.code == canonical))
    if found is None:
        abort(404)
    data = timeline.enterprise_history(found, officials=officials())
    return _cached(
        render_template(
            "enforcement/enterprise.html",
            enterprise=found,
            visible_cases=queries.public_case_ids(
                [i.case_id for i in data["inspections"] if i.case_id]
            ),
            public_until=publication.public_until,
            officials=officials(),
            **data,
        )
    )


@bp.get("/cards")
@cacheable
def cards() -> ResponseReturnValue:
    current = db.session.scalars(
        queries.cards_query(request.args, lifted=False, officials=officials())
    ).all()
    lifted = paginate(queries.cards_query(request.args, lifted=True, officials=officials()), 30)
    return _cached(
        render_template(
            "enforcement/cards.html",
            current=current,
            lifted=lifted,
            CARD_COLORS=CARD_COLORS,
            CARD_MEANING=CARD_MEANING,
            is_public=publication.is_public,
            **_common(),
        )
    )


@bp.get("/cards.<fmt>")
@cacheable
def cards_download(fmt: str) -> ResponseReturnValue:
    lifted = request.args.get("list") == "lifted"
    rows = [
        queries.card_row(c)
        for c in db.session.scalars(queries.cards_query(request.args, lifted=lifted))
    ]
    stem = "enforcement-cards-lifted" if lifted else "enforcement-cards-current"
    return _download(fmt, rows, datasets.CARDS_LIFTED if lifted else datasets.CARDS, stem)


@bp.get("/draws")
@cacheable
def draws() -> ResponseReturnValue:
    page = paginate(queries.draws_query(), 20)
    return _cached(
        render_template("enforcement/draws.html", page=page, DRAW_STATUSES=DRAW_STATUSES)
    )


@bp.get("/draws/<number>")
@cacheable
def draw(number: str) -> ResponseReturnValue:
    found = db.session.scalar(sa.select(Draw).where(Draw.number == number))
    if found is None:
        abort(404)
    enterprises_by_code, inspector_names = queries.draw_names(found)
    return _cached(
        render_template(
            "enforcement/draw.html",
            draw=found,
            doc=found.public_document,
            committed=found.committed_document,
            entropy=draw_rules.entropy_source_of(found.committed_document),
            revealed=found.status == DrawStatus.REVEALED,
            enterprises_by_code=enterprises_by_code,
            inspector_names=inspector_names,
            inspections=queries.drawn_inspections(found),
            DRAW_STATUSES=DRAW_STATUSES,
        ),
        max_age=60,
    )


@bp.get("/inspections")
@cacheable
def inspections() -> ResponseReturnValue:
    page = paginate(queries.inspections_query(request.args), 30)
    visible = queries.public_case_ids([i.case_id for i in page.items if i.case_id])
    return _cached(
        render_template(
            "enforcement/inspections.html",
            page=page,
            visible_cases=visible,
            OUTCOMES=OUTCOMES,
            **_common(),
        )
    )


@bp.get("/inspections.<fmt>")
@cacheable
def inspections_download(fmt: str) -> ResponseReturnValue:
    items = db.session.scalars(queries.inspections_query(request.args)).all()
    visible = queries.public_case_ids([i.case_id for i in items if i.case_id])
    rows = [queries.inspection_row(i, visible) for i in items]
    return _download(fmt, rows, datasets.INSPECTIONS, "enforcement-inspections")


@bp.get("/cases")
@cacheable
def cases() -> ResponseReturnValue:
    page = paginate(queries.cases_query(request.args, officials=officials()), 20)
    years, quarters = queries.case_summary(officials=officials())
    return _cached(
        render_template(
            "enforcement/cases.html",
            page=page,
            years=years,
            quarters=quarters[-12:],
            chart=_chart(quarters[-12:]),
            VIOLATION_TYPES=VIOLATION_TYPES,
            is_public=publication.is_public,
            **_common(),
        )
    )


def _chart(rows: list[Any]) -> dict[str, Any]:
    """Bar geometry for the server-rendered SVG: cases per quarter, transfers marked."""
    width, height, left, bottom, top = 480, 260, 32, 48, 22
    peak = max([r.cases for r in rows] + [1])
    step = (width - left - 8) / max(len(rows), 1)
    bars = []
    for i, row in enumerate(rows):
        h = (height - bottom - top) * row.cases / peak
        bars.append(
            {
                "x": round(left + i * step + step * 0.15, 1),
                "y": round(height - bottom - h, 1),
                "w": round(step * 0.7, 1),
                "h": round(h, 1),
                "label": row.period,
                "cases": row.cases,
                "transfers": row.transfers,
                "cx": round(left + i * step + step / 2, 1),
            }
        )
    ticks = sorted({0, peak, (peak + 1) // 2})
    return {
        "width": width,
        "height": height,
        "left": left,
        "base": height - bottom,
        "bars": bars,
        "ticks": [
            {"value": t, "y": round(height - bottom - (height - bottom - top) * t / peak, 1)}
            for t in ticks
        ],
    }


@bp.get("/cases.<fmt>")
@cacheable
def cases_download(fmt: str) -> ResponseReturnValue:
    rows = [queries.case_row(c) for c in db.session.scalars(queries.cases_query(request.args))]
    return _download(fmt, rows, datasets.CASES, "enforcement-cases")


@bp.get("/cases/summary.<fmt>")
@cacheable
def cases_summary_download(fmt: str) -> ResponseReturnValue:
    years, quarters = queries.case_summary()
    rows = [
        {"period": r.period, "cases": r.cases, "fines_yuan": r.fines, "transfers": r.transfers}
        for r in years + quarters
    ]
    return _download(fmt, rows, datasets.SUMMARY, "enforcement-case-summary")


@bp.get("/cases/<slug>")
@cacheable
def case(slug: str) -> ResponseReturnValue:
    found = db.session.scalar(sa.select(Case).where(Case.slug == slug))
    if found is None or (not publication.is_public(found) and not officials()):
        abort(404)
    return _cached(
        render_template(
            "enforcement/case.html",
            case=found,
            public=publication.is_public(found),
            public_until=publication.public_until(found),
            corrections=queries.correction_list(RecordKind.CASE, found.id),
            inspections=db.session.scalars(
                sa.select(Inspection).where(Inspection.case_id == found.id)
            ).all(),
        )
    )
