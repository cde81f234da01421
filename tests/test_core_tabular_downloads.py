"""The shared import reader and download writer."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import Workbook, load_workbook

from portal.core.downloads import Column, download, safe_cell
from portal.core.tabular import TableError, read_table

CSV_TEXT = "code,name_zh,value\nmohe-01,漠河水源,<0.005\n\nhuma-02,呼玛水厂,1.5\n"


@pytest.mark.parametrize(
    "encoded",
    [CSV_TEXT.encode("utf-8"), b"\xef\xbb\xbf" + CSV_TEXT.encode("utf-8"),
     CSV_TEXT.encode("gb18030")],
    ids=["utf8", "utf8-bom", "gb18030"],
)
def test_csv_in_every_accepted_encoding_reads_the_same(encoded):
    table = read_table(io.BytesIO(encoded), "sites.csv")
    assert table.columns == ["code", "name_zh", "value"]
    rows = list(table)
    assert [(r.number, r.values["name_zh"]) for r in rows] == [(2, "漠河水源"), (4, "呼玛水厂")]
    assert rows[0].values["value"] == "<0.005"


def test_xlsx_reads_with_spreadsheet_row_numbers():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Code", "value"])
    sheet.append(["a", 1.0])
    sheet.append([None, None])
    sheet.append(["b", 0.25])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    rows = list(read_table(buffer, "x.xlsx"))
    assert [(r.number, r.values) for r in rows] == [(2, {"code": "a", "value": "1"}),
                                                    (4, {"code": "b", "value": "0.25"})]


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [(b"", "a.csv", "empty"), (b"not a zip", "a.xlsx", "not_xlsx"),
     (b"PK\x03\x04junk", "a.xlsx", "unreadable"), (b"a,b", "a.pdf", "unsupported_type"),
     (b"a,a\n1,2", "a.csv", "duplicate_columns")],
)
def test_unreadable_files_are_refused_with_a_code(content, name, code):
    with pytest.raises(TableError) as info:
        list(read_table(io.BytesIO(content), name))
    assert info.value.code == code


@pytest.mark.parametrize("text", ["=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_text_is_neutralised(text):
    assert safe_cell(text) == "'" + text
    assert safe_cell(-2) == -2  # numbers stay numbers


def test_csv_json_and_xlsx_downloads(app):
    rows = [{"code": "mohe-01", "note": "=HYPERLINK(\"x\")", "value": 1.5}]
    columns = [Column("code", "Code"), Column("note", "Note"), Column("value", "Value")]
    with app.test_request_context():
        as_csv = download("csv", rows, columns, "水质")
        as_json = download("json", rows, columns, "水质")
        as_xlsx = download("xlsx", rows, columns, "水质")
    assert as_csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "filename*=UTF-8''%E6%B0%B4%E8%B4%A8.csv" in as_csv.headers["Content-Disposition"]
    parsed = list(csv.reader(io.StringIO(as_csv.get_data().decode("utf-8-sig"))))
    assert parsed == [["code", "note", "value"], ["mohe-01", "'=HYPERLINK(\"x\")", "1.5"]]
    assert json.loads(as_json.get_data()) == [
        {"code": "mohe-01", "note": "=HYPERLINK(\"x\")", "value": 1.5}]
    sheet = load_workbook(io.BytesIO(as_xlsx.get_data())).active
    assert [c.value for c in sheet[2]] == ["mohe-01", "'=HYPERLINK(\"x\")", 1.5]


def test_unknown_download_format_is_a_404(app):
    from werkzeug.exceptions import NotFound

    with app.test_request_context(), pytest.raises(NotFound):
        download("pdf", [], [], "x")


def test_pagination_link_header_points_at_absolute_neighbour_pages(app):
    from portal.core.pagination import Page, link_header

    with app.test_request_context("/admin/audit?page=2&action=login"):
        from flask import request

        request.url_rule = app.url_map._rules_by_endpoint["admin.audit_log"][0]
        request.endpoint  # noqa: B018 - resolved from url_rule
        header = link_header(Page(items=[], page=2, per_page=20, total=60))
    # On PORTAL_BASE_URL, not the request's Host (issue 15 #17).
    assert '<https://water.example.gov.cn/admin/audit?page=1&action=login>; rel="first"' in header
    assert 'page=3' in header and 'rel="next"' in header and 'rel="last"' in header
