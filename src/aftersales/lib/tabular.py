"""Read the table in a CSV or XLSX file as offices send it.

Finds the header row below any title rows, skips blank, totals (合计) and signature rows,
trims cells, and decodes CSV from UTF-8 or GBK/GB18030 (what Chinese Excel and ERPs
write). No Django here: the importer maps columns and validates.

Every read is bounded (TableTooLarge past a limit): the file's size; an XLSX's first sheet by
its declared and its real extent before calamine builds it (workbook_extent.py); a CSV by its
line length, rows, columns and cells while it is read. XLS (binary) and ODS files are refused:
their extent cannot be known without parsing them whole, and calamine would build the grid first.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

from .workbook_extent import ExtentExceeded, Limits, NotAWorkbook, xlsx_check

HEADER_SEARCH_ROWS = 30
# What one table read may take. 100,000 shipped units (9 columns, 3.5 MB as XLSX, 8 MB as CSV)
# are well inside; the grid calamine builds is at most MAX_CELLS × 32 bytes (160 MB).
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 256
MAX_CELLS = 5_000_000
MAX_LINE_CHARS = 64 * 1024  # one CSV line; a quoted field over several lines stops at csv's own field limit
LIMITS = Limits(rows=MAX_ROWS, columns=MAX_COLUMNS, cells=MAX_CELLS, unpacked_bytes=256 * 1024 * 1024,
                zip_members=1000, zip_directory_bytes=1024 * 1024)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_TOTALS = re.compile(r"^\s*(合\s*计|总\s*计|小\s*计|total|subtotal)\b", re.IGNORECASE)
_SIGNATURE = re.compile(r"(签\s*字|签\s*名|签\s*章|盖\s*章|审\s*核|批\s*准|制\s*表|经\s*办|signature|approved by)\s*[:：]?", re.IGNORECASE)


class TableError(Exception):
    """The file cannot be read as a table at all (format, encoding, no header)."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(code)


class TableTooLarge(TableError):
    """Past a limit of what is read. code: file_too_large, workbook_too_large, too_many_rows,
    too_many_columns, too_many_cells, line_too_long; params: limit, found, declared, measure."""

    def __init__(self, code: str, *, limit: int, found: int, declared: bool = False, measure: str = ""):
        super().__init__(code, limit=limit, found=found, declared=declared,
                         measure=measure or code.removeprefix("too_many_"))


@dataclass
class Table:
    header_row: int  # 1-based row number of the header, as a spreadsheet shows it
    columns: dict[str, int]  # field name -> column index
    headers: list[str]
    rows: list[tuple[int, list]]  # (1-based row number, cells)


def decode_csv(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise TableError("encoding") from None


def _clean(cell):
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    if isinstance(cell, (datetime, date, time)):
        return cell
    return cell


def raw_rows(raw: bytes, filename: str) -> list[list]:
    if len(raw) > MAX_FILE_BYTES:
        raise TableTooLarge("file_too_large", limit=MAX_FILE_BYTES, found=len(raw), measure="bytes")
    name = filename.lower()
    if name.endswith(WORKBOOK_SUFFIXES):
        from python_calamine import CalamineError, CalamineWorkbook

        workbook_check(raw)
        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(raw))
            return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except CalamineError:
            raise TableError("unreadable_workbook") from None
    if name.endswith((".csv", ".txt")):
        text = decode_csv(raw)
        if "\x00" in text:  # a binary file, or UTF-16 without its byte order mark
            raise TableError("encoding")
        sample = text[:4096]
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
        return csv_rows(io.StringIO(text, newline=""), delimiter=delimiter)
    raise TableError("unsupported_format", filename=filename)


def workbook_check(raw: bytes) -> tuple[int, int]:
    """(rows, columns) of an XLSX's first sheet, or TableTooLarge / TableError("unreadable_workbook")."""
    try:
        return xlsx_check(raw, LIMITS)
    except ExtentExceeded as exc:
        raise TableTooLarge(exc.code, limit=exc.limit, found=exc.found, declared=exc.declared,
                            measure=exc.measure) from None
    except NotAWorkbook:
        raise TableError("unreadable_workbook") from None


def _bounded_lines(lines: Iterable[str]) -> Iterator[str]:
    for line in lines:
        if len(line) > MAX_LINE_CHARS:
            raise TableTooLarge("line_too_long", limit=MAX_LINE_CHARS, found=len(line), measure="characters")
        yield line


def csv_rows(lines: Iterable[str], *, delimiter: str = ",") -> list[list[str]]:
    """The rows of a CSV text, stopping at the first line, row, column or cell past the limits."""
    rows, cells = [], 0
    try:
        for row in csv.reader(_bounded_lines(lines), delimiter=delimiter):
            if len(row) > MAX_COLUMNS:
                raise TableTooLarge("too_many_columns", limit=MAX_COLUMNS, found=len(row))
            cells += len(row)
            if cells > MAX_CELLS:
                raise TableTooLarge("too_many_cells", limit=MAX_CELLS, found=cells)
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise TableTooLarge("too_many_rows", limit=MAX_ROWS, found=len(rows))
    except csv.Error:  # NUL bytes were refused before: what is left is a quoted field past csv's field limit
        raise TableTooLarge("line_too_long", limit=csv.field_size_limit(), found=csv.field_size_limit() + 1,
                            measure="characters") from None
    return rows


def read_table(
    raw: bytes,
    filename: str,
    header_aliases: dict[str, set[str]],
    required: set[str],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Table:
    """Find the header (the first row naming every required field) and collect the data rows."""
    rows = raw_rows(raw, filename)
    alias_to_field = {_norm(alias): field for field, aliases in header_aliases.items() for alias in aliases | {field}}
    header_index = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns = {}
        for col, cell in enumerate(row):
            field = alias_to_field.get(_norm(cell))
            if field is not None and field not in columns:
                columns[field] = col
        if required <= columns.keys():
            header_index = index
            break
    if header_index is None:
        raise TableError("no_header", required=sorted(required))
    headers = [str(_clean(cell)) for cell in rows[header_index]]
    data = []
    total = len(rows)
    for index in range(header_index + 1, total):
        # Text cells (all of a CSV's) only need trimming: done inline, it is the hot loop of an import.
        cells = [cell.strip() if type(cell) is str else _clean(cell) for cell in rows[index]]
        if _skippable(cells):
            continue
        data.append((index + 1, cells))
        if progress is not None and index % 10000 == 0:
            progress(index, total)
    if progress is not None:
        progress(total, total)
    return Table(header_row=header_index + 1, columns=columns, headers=headers, rows=data)


def _norm(cell) -> str:
    return re.sub(r"[\s_*（）()/:：]", "", str(cell or "")).lower()


def _skippable(cells: list) -> bool:
    for cell in cells:
        if cell != "":
            # Only the first filled cell decides: data rows start with a code or serial, never with these.
            first = str(cell)
            return bool(_TOTALS.match(first) or _SIGNATURE.match(first))
    return True


def iter_cells(table: Table, fields: list[str]) -> Iterator[tuple[int, dict]]:
    """Each data row as {field: cell} for the fields the header named."""
    positions = [(field, table.columns[field]) for field in fields if field in table.columns]
    for number, cells in table.rows:
        width = len(cells)
        yield number, {field: (cells[col] if col < width else "") for field, col in positions}
