"""Tests for portal.water.standards and portal.water.limit_tables: loading, checking and
listing the reference tables."""

from __future__ import annotations

import csv
import dataclasses
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from portal.water.limit_tables import DEFAULT_CONTENT_DIR, list_parameter_limits, load_standards
from portal.water.standards import (
    CLASS_NAMES,
    GB3838,
    GB5749,
    GBT14848,
    THM_TOTAL,
    Limit,
    Standards,
    StandardsError,
    WaterClass,
)

STANDARD_FILES = (
    "gb3838-2002.csv",
    "gb3838-2002-drinking-source-supplement.csv",
    "gbt14848-2017.csv",
    "gb5749-2022.csv",
    "gb5749-2022-disinfectants.csv",
    "gb5749-2022-small-supply.csv",
)


def read_csv(name: str) -> list[dict[str, str]]:
    with (DEFAULT_CONTENT_DIR / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def std() -> Standards:
    return load_standards()


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "standards"
    shutil.copytree(DEFAULT_CONTENT_DIR, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- loading ---------------------------------------------------------------------------


def test_default_content_dir_is_the_repository_content_standards() -> None:
    repository = Path(__file__).resolve().parents[1]
    assert repository / "content" / "standards" == DEFAULT_CONTENT_DIR


def test_tables_are_parsed_once_per_directory(std: Standards) -> None:
    assert load_standards() is std
    assert load_standards(str(DEFAULT_CONTENT_DIR)) is std
    assert load_standards(DEFAULT_CONTENT_DIR / ".." / "standards") is std


def test_an_overridden_content_dir_is_loaded_from_there(content_copy: Path) -> None:
    loaded = load_standards(content_copy)
    assert loaded.content_dir == content_copy.resolve()
    assert loaded is not load_standards()


@pytest.mark.parametrize("name", STANDARD_FILES)
def test_every_parameter_of_every_standard_is_in_parameters_csv(name: str) -> None:
    known = {row["code"] for row in read_csv("parameters.csv")}
    codes = {row["parameter"] for row in read_csv(name)}
    assert codes <= known


def test_only_the_trihalomethane_ratio_sum_is_derived(std: Standards) -> None:
    assert [p.code for p in std.parameters.values() if p.derived] == [THM_TOTAL]
    assert std.parameters[THM_TOTAL].unit == "ratio"
    assert std.parameters[THM_TOTAL].name_zh == "三卤甲烷(总量)"


def test_parameters_keep_their_csv_order_names_and_units(std: Standards) -> None:
    rows = [r for r in read_csv("parameters.csv") if r["code"] != THM_TOTAL]
    measured = [p for p in std.parameters.values() if not p.derived]
    assert [p.code for p in measured] == [r["code"] for r in rows]
    assert std.parameters["ammonia_n"].name_zh == "氨氮"
    assert std.parameters["fecal_coliform"].unit == "MPN/L"


def test_surface_table_has_five_classes_and_worse_than_v(std: Standards) -> None:
    assert std.surface.name == GB3838
    assert std.surface.classes == CLASS_NAMES
    assert std.surface.all_classes == (*CLASS_NAMES, WaterClass.WORSE_THAN_V)
    assert len(std.surface.rows) == len(read_csv("gb3838-2002.csv"))


def test_groundwater_table_has_four_classes_and_v_beyond(std: Standards) -> None:
    assert std.groundwater.name == GBT14848
    assert std.groundwater.classes == ("I", "II", "III", "IV")
    assert std.groundwater.beyond == "V"


def test_total_phosphorus_has_a_river_and_a_lake_reservoir_row(std: Standards) -> None:
    river = std.surface.rows_for("total_phosphorus", ("all", "river"))
    lake = std.surface.rows_for("total_phosphorus", ("all", "lake_reservoir"))
    assert [str(limit) for limit in river[0].limits] == ["≤0.02", "≤0.1", "≤0.2", "≤0.3", "≤0.4"]
    assert [str(limit) for limit in lake[0].limits] == ["≤0.01", "≤0.025", "≤0.05", "≤0.1", "≤0.2"]


def test_total_nitrogen_applies_to_lakes_and_reservoirs_only(std: Standards) -> None:
    assert std.surface.rows_for("total_nitrogen", ("all", "river")) == ()
    assert len(std.surface.rows_for("total_nitrogen", ("all", "lake_reservoir"))) == 1


def test_limits_are_exact_decimals(std: Standards) -> None:
    ammonia = std.surface.rows_for("ammonia_n", ("all",))[0]
    assert ammonia.limits[2] == Limit("max", value=Decimal("1.0"))
    mercury = std.surface.rows_for("mercury", ("all",))[0]
    assert mercury.limits[0].value == Decimal("0.00005")
    for row in (*std.surface.rows, *std.groundwater.rows):
        for limit in row.limits:
            for number in (limit.value, limit.low, limit.high):
                assert number is None or isinstance(number, Decimal)


def test_dissolved_oxygen_is_a_minimum_and_ph_a_range(std: Standards) -> None:
    do = std.surface.rows_for("dissolved_oxygen", ("all",))[0]
    assert do.comparison == "min"
    assert str(do.limits[0]) == "≥7.5"
    ph = std.groundwater.rows_for("ph", ("all",))[0]
    assert [str(limit) for limit in ph.limits] == ["6.5–8.5", "6.5–8.5", "6.5–8.5", "5.5–9.0"]


def test_groundwater_las_class_i_is_not_detected(std: Standards) -> None:
    las = std.groundwater.rows_for("las", ("all",))[0]
    assert las.limits[0] == Limit("not_detected")
    assert str(las.limits[0]) == "ND"
    assert las.limits[1] == Limit("max", value=Decimal("0.1"))


def test_drinking_table_comparisons(std: Standards) -> None:
    kinds = {row.parameter: row.limit.comparison for row in std.drinking}
    assert kinds["total_coliform"] == kinds["e_coli"] == "not_detected"
    assert kinds["odor"] == kinds["visible_matter"] == "text"
    assert kinds["ph"] == "range"
    assert kinds[THM_TOTAL] == "ratio_sum"
    assert kinds["arsenic"] == "max"


def test_disinfectant_table(std: Standards) -> None:
    assert list(std.disinfectants) == [
        "free_chlorine",
        "total_chlorine",
        "ozone",
        "chlorine_dioxide",
    ]
    ozone = std.disinfectants["ozone"]
    assert ozone.plant_outlet_min_residual is None
    assert ozone.tap_min_residual == Decimal("0.02")
    assert std.disinfectants["free_chlorine"].max_limit == Decimal("2")


def test_small_supply_limits_relax_table_1(std: Standards) -> None:
    relaxed = {code: row.limit.value for code, row in std.drinking_small_supply.items()}
    assert relaxed == {
        "total_plate_count": Decimal("500"),
        "fluoride": Decimal("1.2"),
        "nitrate_n": Decimal("20"),
        "turbidity": Decimal("3"),
    }
    for code, value in relaxed.items():
        base = std.drinking_row(code)
        assert base is not None and base.limit.value is not None
        assert value is not None and value > base.limit.value


def test_loaded_tables_are_immutable(std: Standards) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        std.surface = std.groundwater  # type: ignore[misc]
    with pytest.raises(TypeError):
        std.parameters["x"] = std.parameters["ph"]  # type: ignore[index]
    with pytest.raises(TypeError):
        std.disinfectants["x"] = std.disinfectants["ozone"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("limit", "shown"),
    [
        (Limit("max", value=Decimal("1.0")), "≤1.0"),
        (Limit("min", value=Decimal("5")), "≥5"),
        (Limit("range", low=Decimal("6"), high=Decimal("9")), "6–9"),
        (Limit("not_detected"), "ND"),
        (Limit("ratio_sum", value=Decimal("1")), "≤1"),
        (Limit("text"), ""),
    ],
)
def test_limits_display_language_neutrally(limit: Limit, shown: str) -> None:
    assert str(limit) == shown


@pytest.mark.parametrize(
    "kwargs",
    [
        {"comparison": "max"},
        {"comparison": "range", "low": Decimal(1)},
        {"comparison": "range", "low": Decimal(9), "high": Decimal(6)},
        {"comparison": "text", "value": Decimal(1)},
    ],
)
def test_inconsistent_limits_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(StandardsError):
        Limit(**kwargs)  # type: ignore[arg-type]


# --- broken tables fail loudly ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        # class II stricter than class I
        ("gb3838-2002.csv", "codmn,all,max,2,4,", "codmn,all,max,5,4,"),
        # dissolved oxygen requirement rising with a worse class
        ("gb3838-2002.csv", "dissolved_oxygen,all,min,7.5,6,", "dissolved_oxygen,all,min,7.5,8,"),
        # a narrower pH range for a worse class
        (
            "gbt14848-2017.csv",
            "ph,range,6.5-8.5,6.5-8.5,6.5-8.5,5.5-9.0",
            "ph,range,6.5-8.5,6.5-8.5,6.5-8.5,7-8",
        ),
        ("gb3838-2002.csv", "cod,all,max,15,", "chemical_oxygen,all,max,15,"),
        ("gb3838-2002.csv", "cod,all,max,15,", "cod,all,max,1.5.0,"),
        ("gb3838-2002.csv", "cod,all,max,15,", "cod,all,max,NaN,"),
        ("gb3838-2002.csv", "cod,all,max,15,", "cod,all,maximum,15,"),
        ("gb3838-2002.csv", "bod5,all,", "cod,all,"),
        ("gb3838-2002.csv", "copper,all,", "copper,sea,"),
        ("gb5749-2022.csv", "arsenic,toxicological,max,0.01", "arsenic,toxicological,max,"),
        ("gb5749-2022.csv", "odor,general,text,,", "odor,general,text,1,"),
        ("gb5749-2022-small-supply.csv", "fluoride,max,1.2", "fluoride,max,0.8"),
        ("gb5749-2022-small-supply.csv", "fluoride,max,1.2", "cod,max,1.2"),
        ("gb5749-2022-disinfectants.csv", "free_chlorine,2,0.3", "free_chlorine,2,3"),
        ("gb5749-2022-disinfectants.csv", "ozone,0.3", "bleach,0.3"),
        ("parameters.csv", "code,name_zh,name_en,unit", "code,name,name_en,unit"),
        # a surplus cell (a shifted row) and a missing parameter code
        ("gb3838-2002.csv", "cod,all,max,15,15,20,30,40,", "cod,all,max,15,15,20,30,40,,x"),
        ("gb3838-2002.csv", "cod,all,max,15,", ",all,max,15,"),
    ],
)
def test_a_broken_table_is_refused(content_copy: Path, name: str, old: str, new: str) -> None:
    edit(content_copy / name, old, new)
    with pytest.raises(StandardsError):
        load_standards(content_copy)


def test_a_missing_table_is_refused(content_copy: Path) -> None:
    (content_copy / "gb5749-2022-small-supply.csv").unlink()
    with pytest.raises(StandardsError):
        load_standards(content_copy)


# --- public parameter listing ----------------------------------------------------------


def test_listing_covers_every_parameter_in_order(std: Standards) -> None:
    listing = list_parameter_limits(std)
    assert [p.code for p in listing] == list(std.parameters)
    assert listing[-1].code == THM_TOTAL and listing[-1].derived


def test_listing_gives_limits_per_standard_and_class(std: Standards) -> None:
    ammonia = next(p for p in list_parameter_limits(std) if p.code == "ammonia_n")
    assert (ammonia.name_zh, ammonia.name_en, ammonia.unit) == (
        "氨氮",
        "Ammonia nitrogen (as N)",
        "mg/L",
    )
    surface = [(e.level, str(e.limit)) for e in ammonia.limits if e.standard == GB3838]
    assert surface == [
        ("I", "≤0.15"),
        ("II", "≤0.5"),
        ("III", "≤1.0"),
        ("IV", "≤1.5"),
        ("V", "≤2.0"),
    ]
    ground = [e.level for e in ammonia.limits if e.standard == GBT14848]
    assert ground == ["I", "II", "III", "IV"]
    drinking = [(e.applies_to, str(e.limit)) for e in ammonia.limits if e.standard == GB5749]
    assert drinking == [("all", "≤0.5")]


def test_listing_marks_water_body_supplement_and_small_supply_scopes(std: Standards) -> None:
    by_code = {p.code: p for p in list_parameter_limits(std)}
    tp_scopes = {e.applies_to for e in by_code["total_phosphorus"].limits}
    assert tp_scopes == {"river", "lake_reservoir"}
    sulfate = {(e.standard, e.applies_to) for e in by_code["sulfate"].limits}
    assert (GB3838, "centralized_drinking_source") in sulfate
    fluoride = {
        (e.applies_to, str(e.limit)) for e in by_code["fluoride"].limits if e.standard == GB5749
    }
    assert fluoride == {("all", "≤1.0"), ("small_supply", "≤1.2")}


def test_listing_gives_disinfectant_maximum_and_residuals(std: Standards) -> None:
    by_code = {p.code: p for p in list_parameter_limits(std)}
    chlorine = [(e.applies_to, str(e.limit)) for e in by_code["free_chlorine"].limits]
    assert chlorine == [("plant_outlet_and_tap", "≤2"), ("plant_outlet", "≥0.3"), ("tap", "≥0.05")]
    ozone = [(e.applies_to, str(e.limit)) for e in by_code["ozone"].limits]
    assert ozone == [("plant_outlet_and_tap", "≤0.3"), ("tap", "≥0.02")]


def test_listing_leaves_unregulated_parameters_without_limits(std: Standards) -> None:
    by_code = {p.code: p for p in list_parameter_limits(std)}
    assert by_code["water_temperature"].limits == ()
