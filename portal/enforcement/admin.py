"""Officials' pages for enforcement: registry, cards, draws, inspections, cases.

Each view parses its form into the service's dataclass, calls one service function and
renders; the service's refusals are shown on their fields in the words of
`portal.enforcement.messages`. County scope is checked by the services against the records
as stored (they raise 403); the views' own `require_county` guards only what they show.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.core.extensions import db
from portal.core.permissions import Role, require_county, require_role
from portal.core.problems import Problems, Refusal
from portal.enforcement import (
    cards,
    cases,
    corrections,
    draws,
    forms,
    publication,
    registry,
    worklists,
)
from portal.enforcement.messages import MESSAGES
from portal.enforcement.models import (
    FIELD_LABELS,
    Card,
    CardState,
    Case,
    CaseStatus,
    Draw,
    DrawStatus,
    RecordKind,
)

bp = Blueprint("enforcement_admin", __name__, url_prefix="/admin/enforcement")
OFFICER = Role.ENFORCEMENT_OFFICER
D = TypeVar("D")

# The records a repair or a correction acts on, by the word in their address.
KINDS: dict[str, type[Card] | type[Case]] = {"cards": Card, "cases": Case}


def _data(form: FlaskForm, cls: type[D], **extra: Any) -> D:
    """The service dataclass `cls` filled from the form fields of the same names."""
    values = {
        f.name: form[f.name].data
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.name in form and f.name not in extra
    }
    return cls(**values, **extra)


def _apply(
    form: FlaskForm, problems: Problems | Refusal, aliases: dict[str, str] | None = None
) -> None:
    """Each refusal's words on its field; those of the whole submission, or of a field the
    form lacks, above the form. `aliases`: such a field's words also on this form field."""
    for name, messages in MESSAGES.by_field(problems).items():
        if name and name in form:
            form[name].errors = [*form[name].errors, *messages]
        else:
            form.form_errors.extend(messages)
        if aliases and name in aliases:
            target = form[aliases[name]]
            target.errors = [*target.errors, *messages]


def _submit(
    form: FlaskForm,
    act: Callable[[], Any],
    done: Callable[[Any], tuple[str, str]],
    again: Callable[[], ResponseReturnValue],
    aliases: dict[str, str] | None = None,
) -> ResponseReturnValue:
    """The shape of every form: validate, call one service function, then either confirm
    (`done(result)` gives the message and the address to go to) or show the problems."""
    if form.validate_on_submit():
        try:
            result = act()
        except (Problems, Refusal) as problems:
            _apply(form, problems, aliases)
        else:
            message, url = done(result)
            flash(message, "success")
            return redirect(url)
    return again()


def _render_form(
    form: FlaskForm, title: Any, status: int = 200, **extra: Any
) -> ResponseReturnValue:
    if form.errors and request.method == "POST":
        status = 400
    return render_template("enforcement/admin/form.html", form=form, title=title, **extra), status


def _field_choices(kind: RecordKind) -> list[tuple[str, str]]:
    return [(f, str(FIELD_LABELS[f])) for f in corrections.CORRECTABLE[kind]]


@bp.get("/")
@require_role(OFFICER)
def index() -> ResponseReturnValue:
    return render_template(
        "enforcement/admin/index.html",
        **worklists.dashboard(current_user.county),
        is_public=publication.is_public,
        CardState=CardState,
        DrawStatus=DrawStatus,
    )


# --- registry ----------------------------------------------------------------------------


@bp.route("/enterprises/new", methods=["GET", "POST"])
@require_role(OFFICER)
def enterprise_new() -> ResponseReturnValue:
    form = forms.EnterpriseForm()
    return _submit(
        form,
        lambda: registry.save_enterprise(_data(form, registry.EnterpriseData)),
        lambda e: (
            _("Enterprise %(code)s saved.", code=e.code),
            url_for("enforcement.enterprise", code=e.code),
        ),
        lambda: _render_form(
            form,
            _l("Add or update an enterprise"),
            hints={
                "code": _(
                    "18 characters, as on the business licence; the check character is verified."
                )
            },
        ),
    )


@bp.route("/enterprises/import", methods=["GET", "POST"])
@require_role(OFFICER)
def enterprise_import() -> ResponseReturnValue:
    form = forms.ImportForm()
    report = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        report = registry.import_enterprises(upload.stream, upload.filename or "")
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

    def again() -> ResponseReturnValue:
        status = 400 if form.errors else 200
        return render_template(
            "enforcement/admin/inspectors.html", form=form, people=worklists.inspectors()
        ), status

    return _submit(
        form,
        lambda: registry.save_inspector(
            _data(form, registry.InspectorData, county=form.county.data or None)
        ),
        lambda _i: (_("Inspector saved."), url_for("enforcement_admin.inspectors")),
        again,
    )


# --- cards -------------------------------------------------------------------------------


@bp.route("/cards/new", methods=["GET", "POST"])
@require_role(OFFICER)
def card_new() -> ResponseReturnValue:
    form = forms.CardForm(
        data={
            "enterprise_code": request.args.get("enterprise", ""),
            "decided_on": publication.today(),
        }
        if request.method == "GET"
        else None
    )
    return _submit(
        form,
        lambda: cards.decide_card(_data(form, cards.CardDecision)),
        lambda card: (
            _("Card decision %(number)s recorded and announced.", number=card.number),
            url_for("enforcement_admin.card_manage", card_id=card.id),
        ),
        lambda: _render_form(form, _l("Record a card decision")),
    )


def _item(kind: str, item_id: int) -> Card | Case:
    item = db.get_or_404(KINDS[kind], item_id)
    require_county(item.enterprise.county)
    return item


def _manage(
    item: Card | Case,
    lift: forms.LiftForm | None = None,
    repair: forms.RepairForm | None = None,
    correction: forms.CorrectionForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The officials' page of a card or a case, with its lift, repair and correction forms."""
    kind = RecordKind.CARD if isinstance(item, Card) else RecordKind.CASE
    correction = correction or forms.CorrectionForm(formdata=None)
    correction.field.choices = _field_choices(kind)
    extra: dict[str, Any] = {}
    if kind == RecordKind.CARD:
        extra["lift"] = lift or forms.LiftForm(
            formdata=None, data={"lifted_on": publication.today()}
        )
        extra["CardState"] = CardState
    return render_template(
        f"enforcement/admin/{kind}.html",
        **{kind.value: item},
        repair=repair
        or forms.RepairForm(formdata=None, data={"repaired_on": publication.today()}),
        correction=correction,
        corrections=publication.corrections_for(kind, [item.id]).get(item.id, []),
        public=publication.is_public(item),
        public_until=publication.public_until(item),
        **extra,
    ), status


def _manage_url(item: Card | Case) -> str:
    if isinstance(item, Card):
        return url_for("enforcement_admin.card_manage", card_id=item.id)
    return url_for("enforcement_admin.case_manage", case_id=item.id)


@bp.get("/cards/<int:card_id>")
@require_role(OFFICER)
def card_manage(card_id: int) -> ResponseReturnValue:
    return _manage(_item("cards", card_id))


@bp.post("/cards/<int:card_id>/lift")
@require_role(OFFICER)
def card_lift(card_id: int) -> ResponseReturnValue:
    card = _item("cards", card_id)
    assert isinstance(card, Card)
    form = forms.LiftForm()
    return _submit(
        form,
        lambda: cards.lift_card(card, _data(form, cards.Lifting)),
        lambda _c: (_("Card lifted and announced."), _manage_url(card)),
        lambda: _manage(card, lift=form, status=400),
    )


@bp.post("/cards/<int:item_id>/repair", defaults={"kind": "cards"})
@bp.post("/cases/<int:item_id>/repair", defaults={"kind": "cases"})
@require_role(OFFICER)
def repair(kind: str, item_id: int) -> ResponseReturnValue:
    item = _item(kind, item_id)
    form = forms.RepairForm()
    message = (
        _("Credit repair recorded: the card is no longer public.")
        if kind == "cards"
        else _("Credit repair recorded: the case is no longer public.")
    )
    return _submit(
        form,
        lambda: corrections.repair(item, _data(form, corrections.Repair)),
        lambda _r: (message, _manage_url(item)),
        lambda: _manage(item, repair=form, status=400),
    )


@bp.post("/cards/<int:item_id>/correct", defaults={"kind": "cards"})
@bp.post("/cases/<int:item_id>/correct", defaults={"kind": "cases"})
@require_role(OFFICER)
def correct(kind: str, item_id: int) -> ResponseReturnValue:
    item = _item(kind, item_id)
    form = forms.CorrectionForm()
    form.field.choices = _field_choices(corrections.KINDS[type(item)])
    message = (
        _("Correction recorded; the reason is shown with the card.")
        if kind == "cards"
        else _("Correction recorded; the reason is shown with the case.")
    )
    return _submit(
        form,
        lambda: corrections.correct(
            item,
            corrections.CorrectionData(
                form.field.data or "", form.value.data or "", form.reason.data or ""
            ),
        ),
        lambda _c: (message, _manage_url(item)),
        lambda: _manage(item, correction=form, status=400),
    )


# --- draws -------------------------------------------------------------------------------


def _draw_plan(form: forms.DrawForm) -> draws.DrawPlan:
    return _data(
        form,
        draws.DrawPlan,
        county=form.county.data or None,
        pool_county=form.pool_county.data or None,
        entity_codes=draws.parse_codes(form.pool_codes.data or ""),
        inspector_codes=draws.parse_codes(form.inspector_codes.data or ""),
        conflicts=draws.parse_conflicts(form.conflicts.data or ""),
    )


@bp.route("/draws/new", methods=["GET", "POST"])
@require_role(OFFICER)
def draw_new() -> ResponseReturnValue:
    form = forms.DrawForm(
        data={"county": current_user.county or "", "planned_on": publication.today()}
        if request.method == "GET"
        else None
    )
    return _submit(
        form,
        lambda: draws.commit_draw(_draw_plan(form)),
        lambda draw: (
            _("Draw %(number)s committed; the commitment is now public.", number=draw.number),
            url_for("enforcement_admin.draw_manage", number=draw.number),
        ),
        lambda: _render_form(
            form,
            _l("Set up a random inspection draw"),
            intro=_(
                "Committing freezes the pools and publishes the commitment. Announce now where "
                "the public entropy will come from (for example the Welfare Lottery 3D result of "
                "a stated date); enter it after it is announced to run and reveal the draw."
            ),
        ),
        aliases={"entities": "pool_codes", "inspectors": "inspector_codes"},
    )


def _draw(number: str) -> Draw:
    found = worklists.draw_by_number(number)
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
        DrawStatus=DrawStatus,
    )


@bp.post("/draws/<number>/reveal")
@require_role(OFFICER)
def draw_reveal(number: str) -> ResponseReturnValue:
    found = _draw(number)
    form = forms.RevealForm()
    return _submit(
        form,
        lambda: draws.reveal_draw(found, form.entropy.data or ""),
        lambda _d: (
            _("Draw %(number)s revealed.", number=found.number),
            url_for("enforcement.draw", number=found.number),
        ),
        lambda: (
            render_template(
                "enforcement/admin/draw.html", draw=found, form=form, DrawStatus=DrawStatus
            ),
            400,
        ),
    )


# --- inspections and cases ---------------------------------------------------------------


@bp.route("/inspections/new", methods=["GET", "POST"])
@require_role(OFFICER)
def inspection_new() -> ResponseReturnValue:
    form = forms.InspectionForm(
        data={
            "enterprise_code": request.args.get("enterprise", ""),
            "draw_number": request.args.get("draw", ""),
            "inspected_on": publication.today(),
        }
        if request.method == "GET"
        else None
    )
    return _submit(
        form,
        lambda: cases.record_inspection(_data(form, cases.InspectionData)),
        lambda i: (
            _("Inspection result published and announced."),
            url_for("enforcement.enterprise", code=i.enterprise.code),
        ),
        lambda: _render_form(form, _l("Publish an inspection result")),
    )


@bp.route("/cases/new", methods=["GET", "POST"])
@require_role(OFFICER)
def case_new() -> ResponseReturnValue:
    form = forms.CaseForm(
        data={"enterprise_code": request.args.get("enterprise", ""), "status": CaseStatus.DECIDED}
        if request.method == "GET"
        else None
    )
    return _submit(
        form,
        lambda: cases.record_case(_data(form, cases.CaseData)),
        lambda case: (
            _("Case %(number)s published and announced.", number=case.number),
            url_for("enforcement_admin.case_manage", case_id=case.id),
        ),
        lambda: _render_form(form, _l("Publish a violation case")),
    )


@bp.get("/cases/<int:case_id>")
@require_role(OFFICER)
def case_manage(case_id: int) -> ResponseReturnValue:
    return _manage(_item("cases", case_id))
