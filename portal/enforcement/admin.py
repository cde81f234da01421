"""Officials' pages for enforcement: registry, cards, draws, inspections, cases.

County-scoped enforcement officers act only on enterprises (and draws) of their county.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.accounts.auth import require_county, require_role
from portal.accounts.models import Role
from portal.enforcement import forms, service
from portal.enforcement.models import (
    ACTIVE,
    COMMITTED,
    FIELD_LABELS,
    REVEALED,
    Card,
    Case,
    Draw,
    Enterprise,
    Inspector,
)
from portal.extensions import db

bp = Blueprint("enforcement_admin", __name__, url_prefix="/admin/enforcement")
OFFICER = Role.ENFORCEMENT_OFFICER


def _apply(form: FlaskForm, problems: service.Problems) -> None:
    for name, message in problems.errors.items():
        if name and name in form:
            form[name].errors = [*form[name].errors, message]  # type: ignore[index]
        else:
            form.form_errors.append(message)


def _record(
    form: FlaskForm,
    act: Callable[[], object],
    message: str,
    done_url: str,
    again: Callable[[], ResponseReturnValue],
) -> ResponseReturnValue:
    """The shape of every "record this on a card or case" form: validate, call one service
    function, then either confirm and go back to the record or show the form's problems."""
    if form.validate_on_submit():
        try:
            act()
        except service.Problems as problems:
            _apply(form, problems)
        else:
            flash(message, "success")
            return redirect(done_url)
    return again()


def _enterprise(form: FlaskForm, field: str = "enterprise_code") -> Enterprise | None:
    raw = form[field].data or ""  # type: ignore[index]
    code, problem = service.check_code(raw)
    if problem:
        form[field].errors = [problem]  # type: ignore[index]
        return None
    found = db.session.scalar(sa.select(Enterprise).where(Enterprise.code == code))
    if found is None:
        form[field].errors = [_("No enterprise with this code is in the registry.")]  # type: ignore[index]
        return None
    require_county(found.county)
    return found


def _render_form(
    form: FlaskForm, title: Any, status: int = 200, **extra: Any
) -> ResponseReturnValue:
    if form.errors and request.method == "POST":
        status = 400
    return render_template("enforcement/admin/form.html", form=form, title=title, **extra), status


def _field_choices(kind: str) -> list[tuple[str, str]]:
    return [(f, str(FIELD_LABELS[f])) for f in service.CORRECTABLE[kind]]


def _scoped(query: sa.Select[Any], county_column: Any) -> sa.Select[Any]:
    if current_user.county:
        return query.where(county_column == current_user.county)
    return query


@bp.get("/")
@require_role(OFFICER)
def index() -> ResponseReturnValue:
    cards = db.session.scalars(
        _scoped(sa.select(Card).join(Card.enterprise), Enterprise.county)
        .order_by(Card.state, Card.decided_on.desc())
        .limit(100)
    ).all()
    cases = db.session.scalars(
        _scoped(sa.select(Case).join(Case.enterprise), Enterprise.county)
        .order_by(Case.filed_on.desc())
        .limit(50)
    ).all()
    draws = db.session.scalars(
        _scoped(sa.select(Draw), Draw.county).order_by(Draw.committed_at.desc()).limit(30)
    ).all()
    return render_template(
        "enforcement/admin/index.html",
        cards=cards,
        cases=cases,
        draws=draws,
        is_public=service.is_public,
        ACTIVE=ACTIVE,
        COMMITTED=COMMITTED,
    )


@bp.route("/enterprises/new", methods=["GET", "POST"])
@require_role(OFFICER)
def enterprise_new() -> ResponseReturnValue:
    form = forms.EnterpriseForm()
    if form.validate_on_submit():
        try:
            enterprise = service.save_enterprise(
                {
                    "code": form.code.data or "",
                    "name": form.name.data or "",
                    "name_en": form.name_en.data or "",
                    "county": form.county.data or "",
                    "industry": form.industry.data or "",
                    "address": form.address.data or "",
                    "permit_number": form.permit_number.data or "",
                    "key_discharger": "1" if form.key_discharger.data else "0",
                },
                county_allowed=current_user.may_act_in,
            )
        except service.Problems as problems:
            _apply(form, problems)
        else:
            flash(_("Enterprise %(code)s saved.", code=enterprise.code), "success")
            return redirect(url_for("enforcement.enterprise", code=enterprise.code))
    return _render_form(
        form,
        _l("Add or update an enterprise"),
        hints={
            "code": _("18 characters, as on the business licence; the check character is verified.")
        },
    )


@bp.route("/enterprises/import", methods=["GET", "POST"])
@require_role(OFFICER)
def enterprise_import() -> ResponseReturnValue:
    form = forms.ImportForm()
    report = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        report = service.import_enterprises(
            upload.stream, upload.filename or "", county_allowed=current_user.may_act_in
        )
        if report.ok:
            flash(
                _(
                    "Import complete: %(added)s added, %(updated)s updated.",
                    added=report.added,
                    updated=report.updated,
                ),
                "success",
            )
            return redirect(url_for("enforcement_admin.enterprise_import"))
        status = 400
    elif form.errors:
        status = 400
    return render_template("enforcement/admin/import.html", form=form, report=report), status


@bp.route("/inspectors", methods=["GET", "POST"])
@require_role(OFFICER)
def inspectors() -> ResponseReturnValue:
    form = forms.InspectorForm()
    if form.validate_on_submit():
        require_county(form.county.data or None)
        try:
            service.save_inspector(form.code.data or "", form.name.data or "", form.county.data)
        except service.Problems as problems:
            _apply(form, problems)
        else:
            flash(_("Inspector saved."), "success")
            return redirect(url_for("enforcement_admin.inspectors"))
    people = db.session.scalars(
        sa.select(Inspector).order_by(Inspector.county, Inspector.code)
    ).all()
    status = 400 if form.errors else 200
    return render_template("enforcement/admin/inspectors.html", form=form, people=people), status


# --- cards -------------------------------------------------------------------------------


@bp.route("/cards/new", methods=["GET", "POST"])
@require_role(OFFICER)
def card_new() -> ResponseReturnValue:
    form = forms.CardForm(
        data={"enterprise_code": request.args.get("enterprise", ""), "decided_on": service.today()}
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        enterprise = _enterprise(form)
        escalate = None
        if enterprise is not None and form.escalate_number.data:
            escalate = db.session.scalar(
                sa.select(Card).where(
                    Card.number == form.escalate_number.data.strip(),
                    Card.enterprise_id == enterprise.id,
                )
            )
            if escalate is None:
                form.escalate_number.errors = [_("No card of this enterprise has this number.")]
        if enterprise is not None and not form.errors:
            try:
                card = service.decide_card(
                    enterprise,
                    color=form.color.data or "",
                    number=form.number.data or "",
                    decided_on=form.decided_on.data,  # type: ignore[arg-type]
                    authority=form.authority.data or "",
                    reasons=form.reasons.data or "",
                    measures=form.measures.data or "",
                    deadline=form.deadline.data,
                    escalate=escalate,
                )
            except service.Problems as problems:
                _apply(form, problems)
            else:
                flash(
                    _("Card decision %(number)s recorded and announced.", number=card.number),
                    "success",
                )
                return redirect(url_for("enforcement_admin.card_manage", card_id=card.id))
    return _render_form(form, _l("Record a card decision"))


def _card(card_id: int) -> Card:
    card = db.get_or_404(Card, card_id)
    require_county(card.enterprise.county)
    return card


@bp.get("/cards/<int:card_id>")
@require_role(OFFICER)
def card_manage(card_id: int) -> ResponseReturnValue:
    card = _card(card_id)
    return _manage_card(card)


def _manage_card(
    card: Card,
    lift: forms.LiftForm | None = None,
    repair: forms.RepairForm | None = None,
    correction: forms.CorrectionForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    correction = correction or forms.CorrectionForm(formdata=None)
    correction.field.choices = _field_choices("card")
    return render_template(
        "enforcement/admin/card.html",
        card=card,
        lift=lift or forms.LiftForm(formdata=None, data={"lifted_on": service.today()}),
        repair=repair or forms.RepairForm(formdata=None, data={"repaired_on": service.today()}),
        correction=correction,
        corrections=service.corrections_for("card", [card.id]).get(card.id, []),
        public=service.is_public(card),
        public_until=service.public_until(card),
        ACTIVE=ACTIVE,
    ), status


@bp.post("/cards/<int:card_id>/lift")
@require_role(OFFICER)
def card_lift(card_id: int) -> ResponseReturnValue:
    card = _card(card_id)
    form = forms.LiftForm()
    if form.validate_on_submit():
        try:
            service.lift_card(
                card,
                lifted_on=form.lifted_on.data,  # type: ignore[arg-type]
                reason=form.reason.data or "",
                evidence=form.evidence.data or "",
            )
        except service.Problems as problems:
            _apply(form, problems)
        else:
            flash(_("Card lifted and announced."), "success")
            return redirect(url_for("enforcement_admin.card_manage", card_id=card.id))
    return _manage_card(card, lift=form, status=400)


@bp.post("/cards/<int:card_id>/repair")
@require_role(OFFICER)
def card_repair(card_id: int) -> ResponseReturnValue:
    card = _card(card_id)
    form = forms.RepairForm()
    return _record(
        form,
        lambda: service.repair(
            card, repaired_on=form.repaired_on.data, reason=form.reason.data or ""  # type: ignore[arg-type]
        ),
        _("Credit repair recorded: the card is no longer public."),
        url_for("enforcement_admin.card_manage", card_id=card.id),
        lambda: _manage_card(card, repair=form, status=400),
    )


@bp.post("/cards/<int:card_id>/correct")
@require_role(OFFICER)
def card_correct(card_id: int) -> ResponseReturnValue:
    card = _card(card_id)
    form = forms.CorrectionForm()
    form.field.choices = _field_choices("card")
    return _record(
        form,
        lambda: service.correct(
            card, form.field.data or "", form.value.data or "", form.reason.data or ""
        ),
        _("Correction recorded; the reason is shown with the card."),
        url_for("enforcement_admin.card_manage", card_id=card.id),
        lambda: _manage_card(card, correction=form, status=400),
    )


# --- draws -------------------------------------------------------------------------------


@bp.route("/draws/new", methods=["GET", "POST"])
@require_role(OFFICER)
def draw_new() -> ResponseReturnValue:
    form = forms.DrawForm(
        data={"county": current_user.county or "", "planned_on": service.today()}
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        county = form.county.data or None
        require_county(county)
        pool_county = form.pool_county.data or county
        if county and pool_county != county:
            form.pool_county.errors = [_("A county draw pools only that county's enterprises.")]
        else:
            try:
                codes = service.parse_codes(form.pool_codes.data or "") or service.pool_by_filter(
                    pool_county,
                    (form.pool_industry.data or "").strip() or None,
                    form.pool_key_only.data,
                )
                inspector_codes = service.parse_codes(form.inspector_codes.data or "")
                if not inspector_codes:
                    query = sa.select(Inspector.code).where(Inspector.active.is_(True))
                    if county:
                        query = query.where(Inspector.county == county)
                    inspector_codes = list(db.session.scalars(query))
                draw = service.commit_draw(
                    title=form.title.data or "",
                    title_en=form.title_en.data,
                    county=county,
                    planned_on=form.planned_on.data,  # type: ignore[arg-type]
                    entropy_source=form.entropy_source.data or "",
                    entity_codes=codes,
                    inspector_codes=inspector_codes,
                    conflicts=service.parse_conflicts(form.conflicts.data or ""),
                    select_count=form.select_count.data or 0,
                    inspectors_per_entity=form.inspectors_per_entity.data or 0,
                )
            except service.Problems as problems:
                _apply(form, problems)
                for name in ("entities", "inspectors"):
                    if name in problems.errors:
                        target = form.pool_codes if name == "entities" else form.inspector_codes
                        target.errors = [*target.errors, problems.errors[name]]
            else:
                flash(
                    _(
                        "Draw %(number)s committed; the commitment is now public.",
                        number=draw.number,
                    ),
                    "success",
                )
                return redirect(url_for("enforcement_admin.draw_manage", number=draw.number))
    return _render_form(
        form,
        _l("Set up a random inspection draw"),
        intro=_(
            "Committing freezes the pools and publishes the commitment. Announce now where the "
            "public entropy will come from (for example the Welfare Lottery 3D result of a stated "
            "date); enter it after it is announced to run and reveal the draw."
        ),
    )


def _draw(number: str) -> Draw:
    found = db.session.scalar(sa.select(Draw).where(Draw.number == number))
    if found is None:
        abort(404)
    require_county(found.county)
    return found


@bp.get("/draws/<number>")
@require_role(OFFICER)
def draw_manage(number: str) -> ResponseReturnValue:
    return render_template(
        "enforcement/admin/draw.html",
        draw=_draw(number),
        form=forms.RevealForm(),
        REVEALED=REVEALED,
    )


@bp.post("/draws/<number>/reveal")
@require_role(OFFICER)
def draw_reveal(number: str) -> ResponseReturnValue:
    found = _draw(number)
    form = forms.RevealForm()
    if form.validate_on_submit():
        try:
            service.reveal_draw(found, form.entropy.data or "")
        except service.Problems as problems:
            _apply(form, problems)
        else:
            flash(_("Draw %(number)s revealed.", number=found.number), "success")
            return redirect(url_for("enforcement.draw", number=found.number))
    return render_template(
        "enforcement/admin/draw.html", draw=found, form=form, REVEALED=REVEALED
    ), 400


# --- inspections and cases ---------------------------------------------------------------


@bp.route("/inspections/new", methods=["GET", "POST"])
@require_role(OFFICER)
def inspection_new() -> ResponseReturnValue:
    form = forms.InspectionForm(
        data={
            "enterprise_code": request.args.get("enterprise", ""),
            "draw_number": request.args.get("draw", ""),
            "inspected_on": service.today(),
        }
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        enterprise = _enterprise(form)
        draw = case = None
        if form.draw_number.data:
            draw = db.session.scalar(
                sa.select(Draw).where(Draw.number == form.draw_number.data.strip())
            )
            if draw is None:
                form.draw_number.errors = [_("No draw has this number.")]
        if form.case_number.data:
            case = db.session.scalar(
                sa.select(Case).where(Case.number == form.case_number.data.strip())
            )
            if case is None:
                form.case_number.errors = [_("No case has this decision number.")]
        if enterprise is not None and not form.errors:
            try:
                service.record_inspection(
                    enterprise,
                    inspected_on=form.inspected_on.data,  # type: ignore[arg-type]
                    inspectors=form.inspectors.data or "",
                    items_checked=form.items_checked.data or "",
                    findings=form.findings.data or "",
                    outcome=form.outcome.data or "",
                    follow_up=form.follow_up.data,
                    draw=draw,
                    case=case,
                )
            except service.Problems as problems:
                _apply(form, problems)
            else:
                flash(_("Inspection result published and announced."), "success")
                return redirect(url_for("enforcement.enterprise", code=enterprise.code))
    return _render_form(form, _l("Publish an inspection result"))


@bp.route("/cases/new", methods=["GET", "POST"])
@require_role(OFFICER)
def case_new() -> ResponseReturnValue:
    form = forms.CaseForm(
        data={"enterprise_code": request.args.get("enterprise", ""), "status": "decided"}
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        enterprise = _enterprise(form)
        if enterprise is not None:
            try:
                case = service.record_case(
                    enterprise,
                    number=form.number.data or "",
                    filed_on=form.filed_on.data,  # type: ignore[arg-type]
                    decided_on=form.decided_on.data,
                    violation_type=form.violation_type.data or "",
                    facts=form.facts.data or "",
                    legal_basis=form.legal_basis.data or "",
                    fine_yuan=form.fine_yuan.data or Decimal(0),
                    daily_penalty_yuan=form.daily_penalty_yuan.data or Decimal(0),
                    seizure=form.seizure.data,
                    production_measure=form.production_measure.data or "",
                    police_transferred_on=form.police_transferred_on.data,
                    police_outcome=form.police_outcome.data,
                    status=form.status.data or "",
                    typical=form.typical.data,
                    serious=form.serious.data,
                )
            except service.Problems as problems:
                _apply(form, problems)
            else:
                flash(_("Case %(number)s published and announced.", number=case.number), "success")
                return redirect(url_for("enforcement_admin.case_manage", case_id=case.id))
    return _render_form(form, _l("Publish a violation case"))


def _case(case_id: int) -> Case:
    case = db.get_or_404(Case, case_id)
    require_county(case.enterprise.county)
    return case


def _manage_case(
    case: Case,
    repair: forms.RepairForm | None = None,
    correction: forms.CorrectionForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    correction = correction or forms.CorrectionForm(formdata=None)
    correction.field.choices = _field_choices("case")
    return render_template(
        "enforcement/admin/case.html",
        case=case,
        repair=repair or forms.RepairForm(formdata=None, data={"repaired_on": service.today()}),
        correction=correction,
        corrections=service.corrections_for("case", [case.id]).get(case.id, []),
        public=service.is_public(case),
        public_until=service.public_until(case),
    ), status


@bp.get("/cases/<int:case_id>")
@require_role(OFFICER)
def case_manage(case_id: int) -> ResponseReturnValue:
    return _manage_case(_case(case_id))


@bp.post("/cases/<int:case_id>/repair")
@require_role(OFFICER)
def case_repair(case_id: int) -> ResponseReturnValue:
    case = _case(case_id)
    form = forms.RepairForm()
    return _record(
        form,
        lambda: service.repair(
            case, repaired_on=form.repaired_on.data, reason=form.reason.data or ""  # type: ignore[arg-type]
        ),
        _("Credit repair recorded: the case is no longer public."),
        url_for("enforcement_admin.case_manage", case_id=case.id),
        lambda: _manage_case(case, repair=form, status=400),
    )


@bp.post("/cases/<int:case_id>/correct")
@require_role(OFFICER)
def case_correct(case_id: int) -> ResponseReturnValue:
    case = _case(case_id)
    form = forms.CorrectionForm()
    form.field.choices = _field_choices("case")
    return _record(
        form,
        lambda: service.correct(
            case, form.field.data or "", form.value.data or "", form.reason.data or ""
        ),
        _("Correction recorded; the reason is shown with the case."),
        url_for("enforcement_admin.case_manage", case_id=case.id),
        lambda: _manage_case(case, correction=form, status=400),
    )
