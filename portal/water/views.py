"""Citizens' water pages: overview, county "your water", site, sample, quarter report,
river sections, and the downloads of every published table."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from portal.core import counties
from portal.core.downloads import download
from portal.core.extensions import db
from portal.core.http import conditional
from portal.core.pagecache import cacheable
from portal.core.pagination import paginate
from portal.data.registry import csvw_link_header
from portal.water import calendar, chart, explain, overdue, present, queries
from portal.water.datasets import QUARTERS, SITES
from portal.water.evaluate import Stage
from portal.water.messages import CLASS_LABELS, NOTE_LABELS, STAGE_LABELS, WATER_BODY_LABELS
from portal.water.models import WaterEvaluation, WaterPublication
from portal.water.service import valid_quarter
from portal.water.snapshot import PublishedSite

bp = Blueprint("water", __name__)
MAX_AGE = 300


def _page(template: str, **context: Any) -> ResponseReturnValue:
    context.update(
        stage_labels=STAGE_LABELS,
        class_labels=CLASS_LABELS,
        note_labels=NOTE_LABELS,
        body_labels=WATER_BODY_LABELS,
    )
    return conditional(make_response(render_template(template, **context)), max_age=MAX_AGE)


def stage_verdicts(pub: WaterPublication) -> dict[str, bool | None]:
    """Per stage: True when every site complies, False when one fails, else None."""
    out: dict[str, bool | None] = {}
    for stage, s in pub.summary.get("stages", {}).items():
        out[stage] = False if s["failing"] else (True if s["compliant"] == s["sites"] else None)
    return out


def home_context() -> dict[str, Any]:
    pubs = queries.latest_publications()
    return {
        "water_latest": pubs,
        "water_verdicts": {c: stage_verdicts(p) for c, p in pubs.items()},
        "water_sampled": present.dated(pubs),
        "water_calendars": overdue.county_calendars(),
        "stage_labels": STAGE_LABELS,
    }


@bp.get("/water/")
@cacheable
def index() -> ResponseReturnValue:
    county = request.args.get("county")
    if county:
        if counties.get(county) is None:
            abort(404)
        return redirect(url_for("water.county", county=county))
    pubs = queries.latest_publications()
    sources = [
        (e, site)
        for c in counties.codes()
        if c in pubs
        for e, site in queries.latest_rows(pubs[c], with_result=True)
        if site.stage == Stage.SOURCE and site.centralized
    ]
    return _page(
        "water/index.html",
        latest=pubs,
        sources=sources,
        reasons={e.sample_id: explain.reasons(e.result) for e, _ in sources},
        verdicts={c: stage_verdicts(p) for c, p in pubs.items()},
        sampled=present.dated(pubs),
        calendars=overdue.county_calendars(),
        target=present.regional_sources(sources),
    )


@bp.get("/water/counties/<county>")
@cacheable
def county(county: str) -> ResponseReturnValue:
    c = counties.get(county)
    if c is None:
        abort(404)
    quarters = queries.published_quarters(county)
    latest = quarters[0] if quarters else None
    rows = queries.latest_rows(latest, with_result=True) if latest else []
    return _page(
        "water/county.html",
        county=c,
        quarters=quarters,
        latest=latest,
        rows=rows,
        reasons={e.sample_id: explain.reasons(e.result) for e, _ in rows},
        verdicts=stage_verdicts(latest) if latest else {},
        sampled=present.dated({county: latest}).get(county, {}) if latest else {},
        calendar=overdue.county_calendars()[county],
        exceedances=present.county_exceedances(rows),
        chains=queries.upstreams([site.id for _, site in rows]),
    )


def _series(
    evals: list[WaterEvaluation], parameter: str
) -> tuple[list[dict[str, Any]], Decimal | None]:
    points, limit = [], None
    for e in reversed(evals):  # oldest first
        for p in e.result["parameters"]:
            if p["parameter"] == parameter:
                points.append({"evaluation": e, "item": p})
                if p["limit_value"] is not None:
                    limit = Decimal(p["limit_value"])
    return points, limit


@bp.get("/water/sites/<code>")
@cacheable
def site(code: str) -> ResponseReturnValue:
    s = queries.public_site(code)
    if s is None:
        abort(404)
    # Newest samples first, a page at a time: the page costs the same after ten years.
    page = paginate(queries.site_evaluations(s, with_result=True), default_per_page=8)
    evals = list(page.items)
    params: dict[str, str] = {}
    for e in evals:
        for p in e.result["parameters"]:
            if p["value"] is not None or p["qualifier"] in ("<", "ND"):
                params.setdefault(p["parameter"], p["name_zh"] + "\x00" + p["name_en"])
    # The chart opens on what decided the newest sample: its failures first.
    deciding = [r.parameter for r in explain.reasons(evals[0].result)] if evals else []
    deciding += evals[0].result["deciding_parameters"] if evals else []
    default = next((p for p in deciding if p in params), next(iter(params), None))
    parameter = request.args.get("parameter") or default
    if parameter is not None and parameter not in params:
        abort(404)
    points, limit = _series(evals, parameter) if parameter else ([], None)
    drawn = [
        (
            pt["evaluation"].sampled_at.strftime("%Y-%m-%d"),
            Decimal(pt["item"]["value"]),
            pt["item"]["passed"] is False,
        )
        for pt in points
        if pt["item"]["value"] is not None
    ]
    up, down = queries.chain(s)
    newest = evals[0] if evals and page.page == 1 else None
    return _page(
        "water/site.html",
        site=s,
        exceedance=present.exceedance(newest, s) if newest else None,
        evaluations=evals,
        page=page,
        supplied_by=up,
        supplies=down,
        parameters={k: tuple(v.split("\x00")) for k, v in params.items()},
        parameter=parameter,
        points=points,
        limit=limit,
        chart=chart.trend(drawn, limit),
        phone_chart=chart.trend(drawn, limit, narrow=True),
    )


@bp.get("/water/samples/<sample_id>")
@cacheable
def sample(sample_id: str) -> ResponseReturnValue:
    e = queries.sample(sample_id)
    if e is None:
        abort(404)
    site = queries.sample_site(e)
    return _page(
        "water/sample.html",
        evaluation=e,
        doc=e.result,
        site=site,
        params=explain.failing_first(e.result["parameters"]),
        exceedance=present.exceedance(e, site),
        reasons=explain.reasons(e.result),
    )


def _quarter_or_404(county: str, quarter: str) -> WaterPublication:
    if counties.get(county) is None or not valid_quarter(quarter):
        abort(404)
    pub = queries.publication(county, quarter)
    if pub is None:
        abort(404)
    return pub


@bp.get("/water/quarters/<county>/<quarter>")
@cacheable
def quarter(county: str, quarter: str) -> ResponseReturnValue:
    pub = _quarter_or_404(county, quarter)
    rows = queries.latest_rows(pub)
    order = (Stage.TAP, Stage.PLANT, Stage.SOURCE, Stage.SECTION)  # the citizen's stage first
    return _page(
        "water/quarter.html",
        pub=pub,
        county=counties.get(county),
        rows=rows,
        tap_first=sorted(rows, key=lambda r: order.index(r[1].stage)),
        due=calendar.due_date(quarter, overdue.due_days()),
        first_published=overdue.first_published(county, quarter),
        versions=queries.versions(county, quarter),
        sites={s.code: s for _, s in rows},
        verdicts=stage_verdicts(pub),
    )


@bp.get("/water/sections")
@cacheable
def sections() -> ResponseReturnValue:
    sites, quarters, cells = queries.sections()
    return _page("water/sections.html", sites=sites, quarters=quarters, cells=cells)


# --- downloads -------------------------------------------------------------------------------


def download_rows(pairs: list[tuple[WaterEvaluation, PublishedSite]]) -> list[dict[str, Any]]:
    rows = []
    for e, s in pairs:
        d = e.result
        for p in d["parameters"]:
            rows.append(
                {
                    "county": s.county,
                    "quarter": e.quarter,
                    "site": s.code,
                    "site_name": s.name_zh,
                    "stage": s.stage,
                    "sample_id": e.sample_id,
                    "sampled_at": d["sampled_at"],
                    "standard": d["standard"],
                    "sample_class": d["class"],
                    "sample_compliant": d["compliant"],
                    "parameter": p["parameter"],
                    "parameter_name": p["name_zh"],
                    "reported": p["text"],
                    "value": p["value"],
                    "qualifier": p["qualifier"],
                    "detection_limit": p["detection_limit"],
                    "unit": p["unit"],
                    "limit": p["limit"],
                    "passed": p["passed"],
                    "class": p["class"],
                    "exceedance_multiple": p["exceedance_multiple"],
                }
            )
    return rows


@bp.get("/water/quarters/<county>/<quarter>.<fmt>")
@cacheable
def quarter_download(county: str, quarter: str, fmt: str) -> ResponseReturnValue:
    pub = _quarter_or_404(county, quarter)
    pairs = queries.publication_rows(pub)
    return conditional(
        _with_csvw(
            download(
                fmt, download_rows(pairs), QUARTERS.download_columns(), f"water-{county}-{quarter}"
            ),
            fmt,
            QUARTERS.id,
            county=county,
            quarter=quarter,
        ),
        max_age=MAX_AGE,
    )


@bp.get("/water/sites/<code>.<fmt>")
@cacheable
def site_download(code: str, fmt: str) -> ResponseReturnValue:
    if fmt == "xlsx":
        abort(404)
    s = queries.public_site(code)
    if s is None:
        abort(404)
    evals = db.session.scalars(queries.site_evaluations(s, with_result=True)).all()
    pairs = [(e, s) for e in reversed(evals)]
    return conditional(
        _with_csvw(
            download(fmt, download_rows(pairs), SITES.download_columns(), f"water-site-{code}"),
            fmt,
            SITES.id,
            code=code,
        ),
        max_age=MAX_AGE,
    )


def _with_csvw(response: Response, fmt: str, dataset_id: str, **values: str) -> Response:
    if fmt == "csv":
        response.headers["Link"] = csvw_link_header(dataset_id, **values)
    return response
