"""A counted list of returned goods (CSV/XLSX, e.g. a dealer's 退货清单) as receiving items."""

from django.utils.translation import gettext as _

from aftersales.core.errors import ImportRejected
from aftersales.core.uploads import TABLE_ERRORS, table_refusal
from aftersales.lib.tabular import TableError, TableTooLarge, iter_cells, read_table

COLUMNS = {
    "serial": {"序列号", "钢号", "机身号", "sn", "serial number"},
    "product_model": {"品号", "型号", "产品型号", "model code", "model"},
    "quantity": {"数量", "退货数量", "qty", "quantity"},
}


def items_from_file(*, raw: bytes, filename: str, case) -> list[dict]:
    """Serial rows become serial items; rows without a serial become a quantity for the case's
    line of that model without serials. Any row that fits neither rejects the whole list."""
    try:
        table = read_table(raw, filename, COLUMNS, {"product_model"})
    except TableTooLarge as exc:
        raise table_refusal(exc) from None
    except TableError as exc:
        message = str(TABLE_ERRORS[exc.code])
        if exc.code == "no_header":
            message = message % {"required": "品号"}
        raise ImportRejected(details={"errors": [{"row": None, "column": None, "message": message}],
                                      "error_count": 1}) from None
    quantity_lines = {line.product_model.code: line.line_no for line in case.lines.all()
                      if line.product_model_id and not line.serials}
    items, errors = [], []
    for row, cells in iter_cells(table, list(COLUMNS)):
        serial = str(cells.get("serial", "")).strip()
        model = str(cells.get("product_model", "")).strip()
        if serial:
            items.append({"serial": serial, "product_model": model or None})
            continue
        try:
            quantity = int(float(cells.get("quantity") or 0))
        except (TypeError, ValueError):
            quantity = 0
        if quantity < 1:
            errors.append({"row": row, "column": "数量", "message": _("Neither a serial nor a quantity.")})
        elif model not in quantity_lines:
            errors.append({"row": row, "column": "品号",
                           "message": _("No line without serials for model “%(value)s” on this case.") % {"value": model}})
        else:
            items.append({"line": quantity_lines[model], "quantity": quantity})
    if errors:
        raise ImportRejected(details={"errors": errors, "error_count": len(errors)})
    return items
