"""Bounded table reading (lib/tabular, lib/workbook_extent), without a database.

Every hostile file here would make calamine build a grid of many gigabytes, or csv keep
millions of cells: each is refused, with the limit and what the file has, before that happens.
"""

import io
import zipfile

import pytest

from aftersales.lib import tabular
from aftersales.lib.tabular import TableError, TableTooLarge, raw_rows
from aftersales.lib.workbook_extent import ExtentExceeded, Limits, NotAWorkbook, column_letters, xlsx_check
from tests.files import corner_xlsx, sheet_xml, workbook

SMALL = Limits(rows=1000, columns=50, cells=10_000, unpacked_bytes=1024 * 1024, zip_members=20,
               zip_directory_bytes=4096)


def refused(raw: bytes, filename: str = "list.xlsx") -> TableTooLarge:
    with pytest.raises(TableTooLarge) as info:
        raw_rows(raw, filename)
    return info.value


def test_the_corner_cell_workbook_is_refused_by_its_declared_dimension():
    raw = corner_xlsx()
    assert len(raw) < 2000
    error = refused(raw)
    assert error.code == "too_many_rows"
    assert error.params == {"limit": tabular.MAX_ROWS, "found": 1_048_576, "declared": True, "measure": "rows"}


def test_without_a_dimension_the_cells_themselves_are_refused():
    raw = workbook({"sheet1.xml": sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>')})
    error = refused(raw)
    assert (error.code, error.params["found"], error.params["declared"]) == ("too_many_rows", 1_048_576, False)


def test_a_small_declared_dimension_does_not_hide_far_cells():
    raw = workbook({"sheet1.xml": sheet_xml('<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>2</v></c></row>',
                                            dimension="A1:B2")})
    error = refused(raw)
    assert (error.code, error.params["found"]) == ("too_many_columns", 16384)


def test_a_cell_reference_past_its_row_counts():
    raw = workbook({"sheet1.xml": sheet_xml('<row r="1"><c r="A1"><v>1</v></c><c r="B900000"><v>2</v></c></row>')})
    assert refused(raw).code == "too_many_rows"


def test_cells_without_references_are_counted_along_their_row():
    cells = "<c><v>1</v></c>" * (tabular.MAX_COLUMNS + 1)
    raw = workbook({"sheet1.xml": sheet_xml(f"<row>{cells}</row>")})
    error = refused(raw)
    assert (error.code, error.params["found"]) == ("too_many_columns", tabular.MAX_COLUMNS + 1)


def test_rows_and_columns_each_within_limits_can_still_span_too_many_cells():
    far = f"{column_letters(tabular.MAX_COLUMNS)}{tabular.MAX_ROWS}"
    raw = workbook({"sheet1.xml": sheet_xml(f'<row r="1"><c r="A1"><v>1</v></c></row>'
                                            f'<row r="{tabular.MAX_ROWS}"><c r="{far}"><v>2</v></c></row>')})
    error = refused(raw)
    assert (error.code, error.params["found"]) == ("too_many_cells", tabular.MAX_ROWS * tabular.MAX_COLUMNS)


def test_prefixed_element_names_are_read_as_calamine_reads_them():
    xml = ('<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>'
           '<x:row r="1048576"><x:c r="A1048576"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>')
    assert refused(workbook({"sheet1.xml": xml})).code == "too_many_rows"


def test_the_first_sheet_is_found_through_the_workbook_not_by_its_file_name():
    harmless = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')
    hostile = sheet_xml('<row r="1048576"><c r="A1048576"><v>1</v></c></row>')
    raw = workbook({"sheet1.xml": harmless, "sheet2.xml": hostile}, first="sheet2.xml")
    assert refused(raw).code == "too_many_rows"


def test_a_zip_bomb_stops_at_the_unpacked_limit():
    padding = " " * (2 * 1024 * 1024)  # compresses to a few kilobytes
    raw = workbook({"sheet1.xml": sheet_xml(f'<row r="1"><c r="A1"><v>1</v></c></row>{padding}')})
    assert len(raw) < 20_000
    with pytest.raises(ExtentExceeded) as info:
        xlsx_check(raw, SMALL)
    assert (info.value.code, info.value.measure, info.value.limit) == ("workbook_too_large", "unpacked_bytes",
                                                                       1024 * 1024)


def test_shared_strings_and_every_other_part_count_towards_the_unpacked_limit():
    raw = workbook({"sheet1.xml": sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')},
                   extra={"xl/sharedStrings.xml": "<sst>" + " " * (2 * 1024 * 1024) + "</sst>"})
    with pytest.raises(ExtentExceeded) as info:
        xlsx_check(raw, SMALL)
    assert info.value.measure == "unpacked_bytes"


def test_a_zip_with_too_many_parts_is_refused_before_zipfile_reads_its_directory():
    raw = workbook({"sheet1.xml": sheet_xml("")}, extra={f"xl/media/{n}.bin": b"" for n in range(30)})
    with pytest.raises(ExtentExceeded) as info:
        xlsx_check(raw, SMALL)
    assert (info.value.code, info.value.measure) == ("workbook_too_large", "zip_members")


def test_a_document_type_declaration_is_refused():
    xml = ('<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           '<row r="1"><c r="A1" t="inlineStr"><is><t>&a;</t></is></c></row></sheetData></worksheet>')
    with pytest.raises(NotAWorkbook):
        xlsx_check(workbook({"sheet1.xml": xml}), SMALL)
    with pytest.raises(TableError) as info:
        raw_rows(workbook({"sheet1.xml": xml}), "list.xlsx")
    assert info.value.code == "unreadable_workbook"


@pytest.mark.parametrize("raw", [b"", b"PK\x03\x04 not really a zip", b"plain text"])
def test_what_is_not_a_workbook_is_unreadable(raw):
    with pytest.raises(TableError) as info:
        raw_rows(raw, "list.xlsx")
    assert info.value.code == "unreadable_workbook"


def test_a_bad_cell_reference_is_unreadable():
    raw = workbook({"sheet1.xml": sheet_xml('<row r="1"><c r="1A"><v>1</v></c></row>')})
    with pytest.raises(TableError) as info:
        raw_rows(raw, "list.xlsx")
    assert info.value.code == "unreadable_workbook"


def test_a_sheet_within_the_limits_reads_as_before():
    raw = workbook({"sheet1.xml": sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>序列号</t></is></c><c r="C1"><v>3</v></c></row>'
        '<row r="3"><c r="B3"><v>7</v></c></row>', dimension="A1:C3")})
    assert xlsx_check(raw, SMALL) == (3, 3)
    assert raw_rows(raw, "list.xlsx") == [["序列号", "", 3.0], ["", "", ""], ["", 7.0, ""]]


@pytest.mark.parametrize("filename", ["old.xls", "calc.ods", "binary.xlsb"])
def test_formats_whose_extent_cannot_be_known_first_are_refused(filename):
    with pytest.raises(TableError) as info:
        raw_rows(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, filename)
    assert info.value.code == "unsupported_format"


def test_a_file_past_the_size_limit_is_refused_unread(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 1000)
    error = refused(b"a,b\n" * 300, "list.csv")
    assert (error.code, error.params["limit"], error.params["found"]) == ("file_too_large", 1000, 1200)


# --- CSV ---

def test_csv_rows_past_the_limit(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_ROWS", 100)
    error = refused(b"serial,model\n" * 150, "list.csv")
    assert (error.code, error.params["limit"], error.params["found"]) == ("too_many_rows", 100, 101)


def test_csv_columns_past_the_limit():
    error = refused(b",".join([b"x"] * (tabular.MAX_COLUMNS + 1)) + b"\n", "list.csv")
    assert (error.code, error.params["found"]) == ("too_many_columns", tabular.MAX_COLUMNS + 1)


def test_csv_cells_past_the_limit(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_CELLS", 1000)
    assert refused(b"a,b,c,d,e,f,g,h,i,j\n" * 101, "list.csv").code == "too_many_cells"


def test_a_csv_line_past_the_limit():
    error = refused(b"x" * (tabular.MAX_LINE_CHARS + 10) + b"\n", "list.csv")
    assert (error.code, error.params["limit"]) == ("line_too_long", tabular.MAX_LINE_CHARS)


def test_a_quoted_field_over_many_lines_stops_at_the_field_limit():
    raw = b'serial\n"' + b"x" * 1000 + b"\n" * 1 + (b"y" * 60_000 + b"\n") * 5 + b'"\n'
    assert refused(raw, "list.csv").code == "line_too_long"


def test_a_csv_with_nul_bytes_is_not_text():
    with pytest.raises(TableError) as info:
        raw_rows("序列号\n".encode("utf-16-le"), "list.csv")
    assert info.value.code == "encoding"


def test_an_ordinary_csv_reads_as_before():
    assert raw_rows("序列号,品号\r\nHT1,HT-2000\r\n".encode("gbk"), "list.csv") == [["序列号", "品号"], ["HT1", "HT-2000"]]


def test_column_letters():
    assert [column_letters(n) for n in (1, 26, 27, 256, 16384)] == ["A", "Z", "AA", "IV", "XFD"]


def test_zip_members_are_counted_from_the_directory_record():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(25):
            archive.writestr(f"{n}.xml", "")
    with pytest.raises(ExtentExceeded):
        xlsx_check(buffer.getvalue(), SMALL)
