"""Officials' water area: import uploads with a row-level report, the review screen of a
county's quarter, and publish / correct.  Water officers (and admins) only."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.auth import require_county, require_role
from portal.accounts.models import Role
from portal.core import counties
from portal.water import service
from portal.water.forms import ImportForm, PublishForm
from portal.water.importer import MEASUREMENT_COLUMNS, SITE_COLUMNS, SITE_OPTIONAL
from portal.water.messages import (
    CLASS_LABELS,
    NOTE_LABELS,
    PUBLISH_ERRORS,
    STAGE_LABELS,
    import_error,
)

bp = Blueprint("water_admin", __name__, url_prefix="/admin/water")
officers = require_role(Role.WATER_OFFICER)


@bp.get("/")
@officers
def index() -> ResponseReturnValue:
    return render_template("water/admin/index.html", quarters=service.quarters_overview())


def _import_page(form: ImportForm, result: service.ImportResult | None, kind: str) -> Any:
    return render_template(
        "water/admin/import.html",
        form=form,
        result=result,
        kind=kind,
        import_error=import_error,
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
            error = str(PUBLISH_ERRORS[exc.code])
        else:
            flash(_("The quarter has been published."), "success")
            return redirect(url_for("water.quarter", county=county, quarter=quarter))
    live = service.evaluate_quarter(county, quarter)
    if not live:
        abort(404)
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
    ), (422 if error else 200)
