"""Enforcement's words for every refusal code its workflows raise (see `portal.core.problems`):
the registry and its import, cards, corrections and credit repairs, draws (the pure core's
`DrawError` codes too), inspections and cases. Codes this table lacks (the shared table
reader's) are core's, in `portal.core.messages.CORE`.

`Refusal("missing", "number", field=_l("Decision number"))` fills `%(field)s`; `row_=`
fills `%(row)s` (see `Messages.text`).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core.messages import CORE
from portal.core.problems import Messages

MESSAGES = Messages(
    {
        # --- shared by several forms ---------------------------------------------------
        "missing": _l("%(field)s is missing."),  # field: the field's label
        "decision_number_too_long": _l("The decision number is longer than 100 characters."),
        "decided_in_future": _l("The decision date cannot be in the future."),
        # --- credit codes (any field naming an enterprise) ------------------------------
        "credit_code_length": _l(
            "A unified social credit code has 18 characters; %(found)s has %(count)s."
        ),
        "credit_code_division_digit": _l(
            "Position %(position)s should be a digit (the division code), not %(found)s."
        ),
        "credit_code_bad_character": _l(
            "Position %(position)s: %(found)s is not used in credit codes "
            "(the letters I, O, S, V and Z never appear)."
        ),
        "credit_code_check_character": _l(
            "Check character wrong: position 18 should be %(expected)s, not %(found)s. "
            "Please compare the code with the business licence."
        ),
        "enterprise_unknown": _l("No enterprise with this code is in the registry."),
        # --- the registry: enterprises ---------------------------------------------------
        "name_missing": _l("The name is missing."),
        "name_too_long": _l("The name is longer than 200 characters."),
        "county_unknown": _l("Unknown county %(county)s; use one of: %(codes)s."),
        "industry_missing": _l("The industry is missing."),
        "industry_too_long": _l("The industry is longer than 100 characters."),
        "key_discharger_invalid": _l(
            "Key discharger must be yes or no (1/0, 是/否), not %(value)s."
        ),
        "permit_number_too_long": _l("The permit number is longer than 64 characters."),
        "enterprise_of_other_county": _l(
            "Enterprise %(code)s is registered in another county; only that county's or the "
            "region's officials may change it."
        ),
        "enterprise_moved_to_other_county": _l(
            "A county official cannot move an enterprise to another county."
        ),
        "enterprise_outside_own_county": _l("You may record enterprises only in your own county."),
        # --- the registry: the import file (row numbers on each refusal) --------------------
        "import_outside_own_county": _l("You may import enterprises only in your own county."),
        "import_columns_missing": _l("Missing column(s): %(columns)s."),
        "import_code_repeated": _l("Code %(code)s already appears in row %(row)s."),
        "import_no_rows": _l("The file has no data rows."),
        # --- the registry: inspectors -----------------------------------------------------
        "certificate_number_invalid": _l(
            "A certificate number has no spaces or | and at most 64 characters."
        ),
        "inspector_of_other_county": _l(
            "Certificate number %(code)s belongs to an inspector of another county; "
            "only that county's or the region's officials may change it."
        ),
        # --- cards ----------------------------------------------------------------------
        "escalated_card_unknown": _l("No card of this enterprise has this number."),
        "card_color_invalid": _l("Choose a yellow or a red card."),
        "card_number_taken": _l("A card with decision number %(number)s exists."),
        "authority_too_long": _l("The deciding authority is longer than 200 characters."),
        "deadline_before_decision": _l("The rectification deadline is before the decision."),
        "lifted_before_decision": _l("A card cannot be lifted before it was decided."),
        "red_before_yellow": _l("The red card cannot precede the yellow card."),
        "escalated_card_not_yellow_in_force": _l(
            "Only a yellow card in force can be escalated to red."
        ),
        "escalation_not_red": _l("An escalation is a red card."),
        "card_in_force_exists": _l(
            "This enterprise already has a card in force: lift it, or escalate a yellow card."
        ),
        "card_not_in_force": _l("This card is no longer in force."),
        "lifted_in_future": _l("The lifting date cannot be in the future."),
        # --- credit repairs and corrections -------------------------------------------------
        "repair_already_recorded": _l("A credit repair is already recorded."),
        "repaired_in_future": _l("The repair date cannot be in the future."),
        "repair_of_card_in_force": _l("A card in force cannot be repaired: lift it first."),
        "field_not_correctable": _l("This field cannot be corrected."),
        "value_invalid": _l("The new value is not valid for this field."),
        "value_unchanged": _l("The new value is the same as the current one."),
        "correction_ends_publication": _l(
            "With this value the publication period would already have ended "
            "(on %(date)s): a correction cannot take a record off the public pages. "
            "Publication ends at the end of its period or by a credit repair."
        ),
        # --- draws: the portal's checks -------------------------------------------------
        "conflict_line_invalid": _l("Each conflict line is: credit code, inspector code."),
        "pool_county_not_draw_county": _l("A county draw pools only that county's enterprises."),
        "entropy_at_missing": _l("Give the time the source publishes the entropy."),
        "entropy_at_not_future": _l(
            "The entropy must be published after the commitment: give a time in the future."
        ),
        "entropy_pattern_invalid": _l("This is not a valid regular expression."),
        "entities_unknown": _l("Not in the enterprise registry: %(codes)s."),
        "entities_outside_county": _l("Every pooled enterprise must be in the draw's county."),
        "entities_empty": _l("The enterprise pool is empty."),
        "inspectors_inactive": _l("Not an active inspector: %(codes)s."),
        "inspectors_empty": _l("The inspector pool is empty."),
        "draw_already_revealed": _l("This draw has already been revealed."),
        "entropy_too_long": _l("The public entropy is longer than 500 characters."),
        "entropy_not_yet_published": _l(
            "The source publishes the entropy at %(time)s (China time): reveal the draw after that."
        ),
        "entropy_form_mismatch": _l(
            "The entropy does not have the form announced at commit time (%(pattern)s)."
        ),
        # --- draws: the pure core's DrawError codes (subject: the code concerned) ---------
        "bad_code": _l("A code is malformed: %(subject)s."),
        "duplicate_code": _l("%(subject)s is listed twice."),
        "select_count_not_positive": _l("At least one enterprise must be selected."),
        "select_count_too_large": _l("More enterprises to select than are in the pool."),
        "inspectors_per_entity_not_positive": _l("At least one inspector per enterprise."),
        "conflict_unknown_entity": _l(
            "Conflict names %(subject)s, which is not in the enterprise pool."
        ),
        "conflict_unknown_inspector": _l(
            "Conflict names %(subject)s, which is not in the inspector pool."
        ),
        "insufficient_inspectors": _l("Not enough inspectors without a conflict for %(subject)s."),
        "bad_entropy": _l("The public entropy is not valid text."),
        # The portal makes the secret and sorts the pools itself: these two reach only
        # someone verifying a draw document by hand (`inspections verify`).
        "bad_secret": _l("The draw's secret is not valid."),
        "pool_not_sorted": _l("The enterprise or inspector pool is not in sorted order."),
        # --- inspections and cases -------------------------------------------------------
        "draw_unknown": _l("No draw has this number."),
        "case_unknown": _l("No case has this decision number."),
        "outcome_invalid": _l("Choose an outcome."),
        "case_number_needed": _l("Give the decision number of the case that was opened."),
        "case_of_other_enterprise": _l("That case concerns another enterprise."),
        "enterprise_not_drawn": _l("This enterprise was not selected in that draw."),
        "draw_not_revealed": _l("That draw has not been revealed yet."),
        "inspected_in_future": _l("The inspection date cannot be in the future."),
        "case_number_taken": _l("A case with decision number %(number)s exists."),
        "violation_type_invalid": _l("Choose a violation type."),
        "production_measure_invalid": _l("Choose a production measure."),
        "case_status_invalid": _l("Choose a status."),
        "filed_in_future": _l("The filing date cannot be in the future."),
        "decided_before_filing": _l("The decision cannot precede the filing."),
        "transfer_before_filing": _l("The transfer cannot precede the filing."),
        "amount_negative": _l("Amounts cannot be negative."),
        "amount_too_large": _l("The amount is too large."),
    },
    fallback=CORE,
)
