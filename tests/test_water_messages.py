"""The water feature's words (`portal.water.messages.MESSAGES`; that every code has its
words is tests/test_core_problems.py's): table errors are worded once (by core), and the
officials read them in their language."""

from __future__ import annotations

import io

from flask_babel import force_locale

from portal.core.messages import CORE
from portal.water import explanations, service
from portal.water.importer import Report, RowError
from portal.water.messages import MESSAGES, TABLE_PREFIX
from tests.water_support import SITES


def test_table_errors_are_worded_once_by_core(app):
    assert {c for c in MESSAGES.codes if c.startswith(TABLE_PREFIX)} == {
        TABLE_PREFIX + code for code in CORE.codes
    }
    with app.test_request_context(), force_locale("en"):
        for code in CORE.codes:
            refusal = RowError(TABLE_PREFIX + code)
            assert MESSAGES.text(refusal) == str(CORE.words[code])
        # Water's own "empty" is an empty value cell, not an empty file.
        assert MESSAGES.text(RowError("empty", "value")) == "The value is empty."
        assert MESSAGES.text(RowError("table_empty")) == "The file is empty."


def test_a_report_keeps_the_first_errors_and_counts_them_all(monkeypatch):
    monkeypatch.setattr("portal.water.importer.MAX_ERRORS", 2)
    report = Report()
    for row in (2, 3, 4):
        report.add("required", "site_code", row=row, value="x" * 100)
    assert report.count == 3 and report.truncated and len(report) == 2
    assert [(e.row, e.column, e.code, e.value) for e in report.errors] == [
        (2, "site_code", "required", "x" * 80),
        (3, "site_code", "required", "x" * 80),
    ]
    assert report.codes == {"site_code": "required"}


def test_a_file_the_reader_refuses_is_reported_in_cores_words(client, login_as, db):
    login_as("water_officer")
    data = {"kind": "sites", "file": (io.BytesIO(b"code,code\nA,B\n"), "sites.csv")}
    page = client.post("/admin/water/import?lang=en", data=data, content_type="multipart/form-data")
    assert page.status_code == 422
    assert "The header names a column twice." in page.get_data(as_text=True)
    result = service.import_sites(io.BytesIO(b"code,code\nA,B\n"), "sites.csv")
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (0, "", "table_duplicate_columns")
    ]


def test_the_publish_refusals_are_worded_for_the_cli(runner, db):
    service.import_sites(io.BytesIO(SITES.encode()), "sites.csv")
    out = runner.invoke(args=["water", "publish", "mohe", "2026Q3"])  # the CLI speaks Chinese
    assert out.exit_code == 1 and "该县（区）本季度没有样品。" in out.output
    out = runner.invoke(args=["water", "import-sites", "--county", "atlantis", __file__])
    assert out.exit_code != 0 and "未知的县（市、区）代码。" in out.output


def test_the_field_refusals_of_an_explanation_name_their_field():
    text = explanations.Text("MH-T1", "", "x" * 2001, "advice")
    errors = explanations.field_errors(text)
    assert [(e.code, e.field) for e in errors] == [
        ("cause_required", "cause"),
        ("measures_too_long", "measures"),
    ]
