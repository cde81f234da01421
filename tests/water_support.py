"""Small water data sets for the water tests: a county chain and a river section."""

from __future__ import annotations

import io
import re

from portal.water import service


def page_text(html: str) -> str:
    """A page's text without its tags, whitespace runs made single spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


SITES = (
    (
        "code,name_zh,name_en,stage,county,water_body,centralized,supplied_by,"
        "latitude,longitude,target_class,disinfectant,small_supply\n"
    )
    + """MH-S1,漠河额木尔河水源地,Emur River source,source,mohe,river,true,,52.97,122.53,,,
MH-G1,漠河地下水源,Mohe groundwater,source,mohe,groundwater,true,,,,,,
MH-P1,漠河水厂,Mohe waterworks,plant,mohe,,,MH-S1;MH-G1,,,,free_chlorine,false
MH-T1,漠河城区末梢水,Mohe town tap,tap,mohe,,,MH-P1,,,,free_chlorine,false
SEC-1,黑龙江洛古河断面,Luoguhe section,section,mohe,river,false,,,,III,,
"""
)

HEADER = "sample_id,site_code,sampled_at,parameter,value,unit,lab,method\n"


def rows(sample: str, site: str, at: str, **values: str) -> str:
    out = []
    for code, cell in values.items():
        value, _, unit = cell.partition("|")
        out.append(f"{sample},{site},{at},{code},{value},{unit},Lab,\n")
    return "".join(out)


GOOD_Q3 = HEADER + (
    rows(
        "S1-Q3",
        "MH-S1",
        "2026-08-12T09:30",
        ph="7.2|",
        dissolved_oxygen="8.1|mg/L",
        ammonia_n="0.3|mg/L",
        codmn="3.5|mg/L",
        mercury="<0.04|μg/L",
    )
    + rows("G1-Q3", "MH-G1", "2026-08-12T10:00", ph="7.0|", manganese="0.32|mg/L", iron="0.1|mg/L")
    + rows(
        "P1-Q3",
        "MH-P1",
        "2026-08-12T11:00",
        turbidity="0.4|NTU",
        total_coliform="未检出|MPN/100mL",
        free_chlorine="0.6|mg/L",
        odor="无异臭、异味|",
    )
    + rows(
        "T1-Q3",
        "MH-T1",
        "2026-08-12T12:00",
        turbidity="1.6|NTU",
        total_coliform="ND|MPN/100mL",
        free_chlorine="0.2|mg/L",
    )
    + rows(
        "SEC1-Q3",
        "SEC-1",
        "2026-08-13T09:00",
        ph="7.5|",
        dissolved_oxygen="8|mg/L",
        ammonia_n="0.2|mg/L",
        codmn="5|mg/L",
    )
)


def load(csv_text: str = GOOD_Q3) -> service.ImportResult:
    result = service.import_sites(io.BytesIO(SITES.encode()), "sites.csv")
    assert result.ok, result.errors
    return service.import_measurements(io.BytesIO(csv_text.encode()), "results.csv")


def published(csv_text: str = GOOD_Q3) -> None:
    result = load(csv_text)
    assert result.ok, result.errors
    service.publish("mohe", "2026Q3")
