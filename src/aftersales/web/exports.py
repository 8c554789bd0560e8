"""Any list to XLSX (openpyxl's write-only mode: rows stream into the file, memory stays flat).
Text that looks like a formula is written as text (lib/xlsx_text.py)."""

from datetime import datetime

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from aftersales.lib.xlsx_text import text_safe_row

MAX_ROWS = 100_000


class Row(dict):
    """A dict read like an object by the export (rows that are not model instances)."""

    __getattr__ = dict.get


def _value(row, path: str):
    value = row
    for part in path.split("."):
        value = getattr(value, part, None)
        if callable(value):
            value = value()
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def xlsx_response(name: str, columns: list[tuple[object, str]], rows) -> HttpResponse:
    """columns: (header, attribute path); rows: any iterable of objects (a queryset is iterated in chunks)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(name[:31])
    sheet.append(text_safe_row(sheet, [str(header) for header, _path in columns]))
    iterator = rows.iterator(chunk_size=2000) if hasattr(rows, "iterator") else iter(rows)
    for count, row in enumerate(iterator):
        if count >= MAX_ROWS:
            break
        sheet.append(text_safe_row(sheet, [_value(row, path) for _header, path in columns]))
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    book.save(response)
    return response
