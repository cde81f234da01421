"""Officials' water area: import uploads with a row-level report, the review screen of a
county's quarter, and publish / correct.  Water officers (and admins) only."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal.core import counties
from portal.core.nav import AdminTask
from portal.core.permissions import Role, require_county, require_role
from portal.water import explanations, overdue, service
from portal.water.forms import ExplanationForm, ImportForm, PublishForm
from portal.water.importer import MEASUREMENT_COLUMNS, SITE_COLUMNS, SITE_OPTIONAL
from portal.water.messages import CLASS_LABELS, MESSAGES, NOTE_LABELS, STAGE_LABELS
from portal.water.models import WaterSite

bp = Blueprint("water_admin", __name__, url_prefix="/admin/water")
officers = require_role(Role.WATER_OFFICER)


def _scope() -> str | None:
    return current_user.county


def _imported() -> set[tuple[str, str]]:
    """(county, quarter) pairs with imported samples: those have a review screen."""
    return {(q["county"], q["quarter"]) for q in service.quarters_overview()}


def _county_name(code: str) -> str:
    c = counties.get(code)
    return c.name if c else code


@bp.get("/")
@officers
def index() -> ResponseReturnValue:
    scope = _scope()
    calendars = overdue.county_calendars()
    return render_template(
        "water/admin/index.html",
        quarters=[q for q in service.quarters_overview() if current_user.may_act_in(q["county"])],
        calendars=[c for code, c in calendars.items() if current_user.may_act_in(code)],
        imported=_imported(),
        tasks=overdue.explanation_tasks(scope),
    )


def dashboard_tasks() -> list[AdminTask]:
    """The water officer's to-dos on /admin/: overdue quarters and missing explanations."""
    if not current_user.is_authenticated or not current_user.has_role(Role.WATER_OFFICER):
        return []
    out = []
    imported = _imported()
    for code, cal in overdue.county_calendars().items():
        if not current_user.may_act_in(code):
            continue
        for d in cal.overdue:
            out.append(
                AdminTask(
                    _(
                        "%(county)s %(quarter)s: not yet published (due %(date)s)",
                        county=_county_name(code),
                        quarter=d.quarter,
                        date=d.due.isoformat(),
                    ),
                    url_for("water_admin.review", county=code, quarter=d.quarter)
                    if (code, d.quarter) in imported
                    else url_for("water_admin.import_file"),
                    True,
                )
            )
    for t in overdue.explanation_tasks(_scope()):
        out.append(
            AdminTask(
                _(
                    "%(county)s %(quarter)s: write the explanation for site %(site)s "
                    "(due %(date)s)",
                    county=_county_name(t.county),
                    quarter=t.quarter,
                    site=t.site_code,
                    date=t.due.isoformat(),
                ),
                url_for("water_admin.review", county=t.county, quarter=t.quarter)
                + f"#explain-{t.site_code}",
                t.overdue,
            )
        )
    return out


def _import_page(form: ImportForm, result: service.ImportResult | None, kind: str) -> Any:
    return render_template(
        "water/admin/import.html",
        form=form,
        result=result,
        kind=kind,
        messages=MESSAGES,
        site_columns=SITE_COLUMNS,
        site_optional=SITE_OPTIONAL,
        measurement_columns=MEASUREMENT_COLUMNS,
    )


@bp.route("/import", methods=["GET", "POST"])
@officers
def import_file() -> ResponseReturnValue:
    form = ImportForm()
    result = None
    kind = form.kind.data if form.kind.data in ("sites", "measurements") else "measurements"
    if form.validate_on_submit():
        upload = form.file.data
        run = service.import_sites if kind == "sites" else service.import_measurements
        # The official's county as stored on their account: the service refuses rows
        # outside it (region-wide officials have none).
        result = run(upload.stream, upload.filename or "", current_user.county)
        if result.ok:
            flash(_("Imported %(rows)s rows.", rows=result.rows), "success")
    status = 422 if result is not None and not result.ok else 200
    return _import_page(form, result, kind), status


@bp.route("/quarters/<county>/<quarter>", methods=["GET", "POST"])
@officers
def review(county: str, quarter: str) -> ResponseReturnValue:
    if counties.get(county) is None or not service.valid_quarter(quarter):
        abort(404)
    require_county(county)
    form = PublishForm()
    error = None
    if form.validate_on_submit():
        try:
            service.publish(county, quarter, form.reason.data)
        except service.PublishError as exc:
            error = MESSAGES.text(exc)
        else:
            flash(_("The quarter has been published."), "success")
            return redirect(url_for("water.quarter", county=county, quarter=quarter))
    return _review_page(county, quarter, form, error)


def _review_page(
    county: str,
    quarter: str,
    form: PublishForm,
    error: str | None,
    explain_form: ExplanationForm | None = None,
    explain_errors: list[str] | None = None,
) -> ResponseReturnValue:
    live = service.evaluate_quarter(county, quarter)
    if not live:
        abort(404)
    needing: dict[str, WaterSite] = {}
    for ev in live:
        if ev.doc["compliant"] is not True:
            needing.setdefault(ev.site.code, ev.site)
    current = {
        code: overdue.explanation(county, quarter, site.id) for code, site in needing.items()
    }
    first = overdue.first_published(county, quarter)
    return render_template(
        "water/admin/review.html",
        county=counties.get(county),
        quarter=quarter,
        live=live,
        summary=service.summarize(live),
        publication=service.current_publication(county, quarter),
        changed=service.changed_samples(county, quarter, live),
        form=form,
        error=error,
        stage_labels=STAGE_LABELS,
        class_labels=CLASS_LABELS,
        note_labels=NOTE_LABELS,
        needing=needing,
        explanations=current,
        explanation_due=overdue.explanation_due(first) if first else None,
        explain_form=explain_form,
        explain_errors=explain_errors or [],
    ), (422 if error or explain_errors else 200)


@bp.post("/quarters/<county>/<quarter>/explanations")
@officers
def explain(county: str, quarter: str) -> ResponseReturnValue:
    """Write a site's cause, measures and advice (before or after publication)."""
    if counties.get(county) is None or not service.valid_quarter(quarter):
        abort(404)
    require_county(county)
    form = ExplanationForm()
    text = explanations.Text(
        form.site_code.data or "",
        form.cause.data or "",
        form.measures.data or "",
        form.advice.data or "",
    )
    if form.validate_on_submit():
        try:
            explanations.write(county, quarter, text, _scope())
        except explanations.ExplanationError as exc:
            return _review_page(county, quarter, PublishForm(), None, form, MESSAGES.texts(exc))
        flash(_("The explanation has been saved."), "success")
        return redirect(
            url_for("water_admin.review", county=county, quarter=quarter)
            + f"#explain-{text.site_code}"
        )
    refused = explanations.field_errors(text) or [explanations.ExplanationError("invalid_form")]
    errors = [MESSAGES.text(e) for e in refused]
    return _review_page(county, quarter, PublishForm(), None, form, errors)
