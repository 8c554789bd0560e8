"""Read the table in a CSV or XLSX file as offices send it.

Finds the header row below any title rows, skips blank, totals (合计) and signature rows,
trims cells, and decodes CSV from UTF-8 or GBK/GB18030 (what Chinese Excel and ERPs
write). No Django here: the importer maps columns and validates.
"""

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

HEADER_SEARCH_ROWS = 30
_TOTALS = re.compile(r"^\s*(合\s*计|总\s*计|小\s*计|total|subtotal)\b", re.IGNORECASE)
_SIGNATURE = re.compile(r"(签\s*字|签\s*名|签\s*章|盖\s*章|审\s*核|批\s*准|制\s*表|经\s*办|signature|approved by)\s*[:：]?", re.IGNORECASE)


class TableError(Exception):
    """The file cannot be read as a table at all (format, encoding, no header)."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(code)


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
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        from python_calamine import CalamineError, CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(raw))
            return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except CalamineError:
            raise TableError("unreadable_workbook") from None
    if name.endswith((".csv", ".txt")):
        text = decode_csv(raw)
        sample = text[:4096]
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    raise TableError("unsupported_format", filename=filename)


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
