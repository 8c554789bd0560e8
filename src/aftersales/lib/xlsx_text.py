"""Rows for openpyxl's writers in which no text becomes a formula.

openpyxl writes a string that starts with "=" as a live formula: a customer's reference
`=HYPERLINK("http://…","open")` would be a link in the staff's export. Any string that starts
as a formula or a DDE payload can (=, +, -, @, tab, carriage return) is written as a text cell
instead, its value unchanged; numbers, dates and other strings are left as they are.
"""

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_safe_row(sheet, values: Iterable) -> list:
    """The row for sheet.append (a write-only sheet): risky strings as text cells."""
    from openpyxl.cell import WriteOnlyCell

    row = []
    for value in values:
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            value = cell
        row.append(value)
    return row
