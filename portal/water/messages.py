"""User-facing words for the water feature's machine codes, translated lazily, in one place:
``MESSAGES`` for every refusal the feature raises or reports (import cells and files,
explanations, publication), and the labels of stages, water bodies, classes and item notes.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from portal.core.messages import CORE
from portal.core.problems import Messages
from portal.water.evaluate import Stage, WaterBody
from portal.water.standards import WaterClass

STAGE_LABELS: dict[Stage, Any] = {
    Stage.SOURCE: _l("Water source"),
    Stage.PLANT: _l("Treatment plant outlet"),
    Stage.TAP: _l("Tap water"),
    Stage.SECTION: _l("River monitoring section"),
}
WATER_BODY_LABELS: dict[WaterBody, Any] = {
    WaterBody.RIVER: _l("River"),
    WaterBody.LAKE: _l("Lake"),
    WaterBody.RESERVOIR: _l("Reservoir"),
    WaterBody.GROUNDWATER: _l("Groundwater"),
}
CLASS_LABELS: dict[WaterClass, Any] = {
    WaterClass.I: _l("Class I"),
    WaterClass.II: _l("Class II"),
    WaterClass.III: _l("Class III"),
    WaterClass.IV: _l("Class IV"),
    WaterClass.V: _l("Class V"),
    WaterClass.WORSE_THAN_V: _l("Worse than class V"),
}
NOTE_LABELS = {
    "no_limit": _l("The standard sets no limit for this item."),
    "not_used_for_class": _l("Reported, but not used to classify the water."),
    "drinking_source_supplement": _l("Supplementary item for drinking-water sources."),
    "detection_limit_above_limit": _l(
        "The laboratory's detection limit is above the limit: the result is inconclusive."
    ),
    "detection_limit_above_class_limit": _l("The detection limit only shows this class or better."),
    "class_undetermined": _l("The class cannot be determined from the reported values."),
    "class_uncertain_detection_limit": _l(
        "The class is not published: a detection limit was too coarse to determine it."
    ),
    "guidance_exceeded_nuclide_analysis_needed": _l(
        "Above the screening value: nuclide analysis is needed."
    ),
    "disinfection_unknown": _l(
        "The disinfection method is not known: the site declares none and no disinfectant "
        "residual was measured. The water officer should declare it in the site file "
        "(column disinfectant: free_chlorine, total_chlorine, chlorine_dioxide or ozone)."
    ),
    "disinfection_inferred": _l(
        "The site declares no disinfection method; the residual the laboratory measured "
        "shows it, and the residual was judged for that method."
    ),
    "disinfection_contradictory": _l(
        "The disinfection method is not known: the residuals measured point to different "
        "methods. The water officer should declare it in the site file (column "
        "disinfectant, e.g. chlorine_dioxide;free_chlorine for a mixed method)."
    ),
    "disinfectant_not_in_use": _l("This disinfectant is not used at this site."),
    "residual_below_minimum": _l("The disinfectant residual is below the minimum."),
    "residual_met_by_other_disinfectant": _l(
        "The residual requirement is met by the other disinfectant."
    ),
    "residual_partner_not_measured": _l("The other disinfectant in use was not measured."),
    "small_supply_limit": _l("Limit for small supplies (GB 5749-2022 note b)."),
    "trihalomethanes_incomplete": _l("Not all four trihalomethanes were measured."),
    "text_not_recognised": _l("The laboratory's description needs to be read by a person."),
    "nothing_evaluated": _l("No item of this sample has a limit in the standard."),
    "small_supply": _l("Evaluated as a small supply."),
}
# The shared reader's refusals (portal.core.tabular.TableError) in an import report carry
# core's code with this prefix: this table's own "empty" is an empty value cell, core's an
# empty file. The words are core's.
TABLE_PREFIX = "table_"

MESSAGES = Messages(
    {
        **{TABLE_PREFIX + code: words for code, words in CORE.words.items()},
        # Import reports (portal.water.importer, service): the file as a whole.
        "missing_column": _l("This column is missing from the header."),
        "empty_file": _l("The file has no data rows."),
        # Site files.
        "required": _l("This cell must not be empty."),
        "invalid_code": _l("Use letters, digits, '-' or '_' (at most 64)."),
        "duplicate_site": _l("This site code appears twice in the file."),
        "invalid_stage": _l("Use source, plant, tap or section."),
        "invalid_county": _l("Unknown county code."),
        "water_body_required": _l("Sources and sections need a water body type."),
        "invalid_water_body": _l("Use river, lake, reservoir or groundwater (not for sections)."),
        "not_applicable": _l("This column does not apply to this kind of site; leave it empty."),
        "invalid_boolean": _l("Use true or false."),
        "invalid_target_class": _l("Sections need a target class I, II, III, IV or V."),
        "invalid_disinfectant": _l("Unknown disinfectant code."),
        "invalid_coordinate": _l("Not a valid coordinate in decimal degrees."),
        "unknown_site": _l("No site has this code."),
        "wrong_upstream_stage": _l("A plant is supplied by sources, a tap by plants."),
        "outside_county": _l(
            "Outside your county: you may import only your own county's sites and results, "
            "and you cannot move a site to another county."
        ),
        # Result files: the row, and the value cell (portal.water.values.WaterDataError).
        "invalid_time": _l("Use an ISO 8601 date and time, e.g. 2026-07-15T09:30."),
        "unknown_parameter": _l("Unknown parameter code."),
        "derived_parameter": _l("This indicator is calculated by the portal; do not import it."),
        "unknown_unit": _l("This unit cannot be used for this parameter."),
        "missing_unit": _l("The unit is missing."),
        "empty": _l("The value is empty."),
        "too_long": _l("The value is too long."),
        "not_measured": _l("The value says the parameter was not measured; leave the row out."),
        "not_a_number": _l("The value is not a number, '<' detection limit or ND."),
        "greater_than_not_supported": _l("Values given as '>' cannot be evaluated."),
        "negative": _l("The value is negative."),
        "out_of_range": _l("The value is out of the plausible range."),
        "invalid_detection_limit": _l("The detection limit is not valid."),
        "qualifier_not_allowed": _l("This parameter cannot be reported below detection."),
        "too_precise": _l("The value has too many digits."),
        "inconsistent_measurement": _l("The value is not consistent."),
        "float_not_accepted": _l("The value is not a number, '<' detection limit or ND."),
        "duplicate_measurement": _l("This parameter appears twice for the same sample."),
        "sample_site_differs": _l("The same sample id is given with different sites."),
        "sample_time_differs": _l("The same sample id is given with different sampling times."),
        "sample_of_other_site": _l("This sample id already belongs to another site."),
        # A stored site the engine cannot evaluate (portal.water.evaluate.InvalidInput; the
        # import refuses such sites, so these are worded as the import's refusals).
        "missing_water_body": _l("Sources and sections need a water body type."),
        "missing_target_class": _l("Sections need a target class I, II, III, IV or V."),
        "invalid_disinfection": _l("Unknown disinfectant code."),
        "measurement_type_mismatch": _l("The value is not consistent."),
        # A county's quarter: publication (service.PublishError) and the explanations of
        # exceedances (explanations.ExplanationError: the review form and
        # `water publish --explanations FILE`).
        "unknown_county": _l("Unknown county code."),
        "invalid_quarter": _l("Write the quarter as 2026Q3."),
        "no_samples": _l("There are no samples for this county and quarter."),
        "reason_required": _l(
            "This quarter is already published: give the reason for the correction."
        ),
        "site_not_in_quarter": _l("This site has no samples in this county's quarter."),
        "invalid_form": _l("The form could not be read; send it again."),
        "cause_required": _l("Write the cause."),
        "measures_required": _l("Write the measures taken."),
        "advice_required": _l("Write the advice to residents."),
        "cause_too_long": _l("At most 2000 characters."),
        "measures_too_long": _l("At most 2000 characters."),
        "advice_too_long": _l("At most 2000 characters."),
    },
    fallback=CORE,
)
