"""Bulk import of master data from CSV and XLSX, all or nothing.

A file with any bad row imports nothing: the answer lists every bad row with its row
number (as the spreadsheet shows it), its column (as the file names it) and why.
Customers, product models and parts are matched by code and updated in place; shipped
units are new by definition, so a serial already registered for its model is an error.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from aftersales.core.bulk import db_date, db_datetime, history_of_new_rows, insert_rows
from aftersales.core.errors import ImportRejected
from aftersales.core.uploads import TABLE_ERRORS, table_refusal
from aftersales.lib.dates import parse_date
from aftersales.lib.tabular import TableError, TableTooLarge, iter_cells, read_table

from .models import Customer, CustomerKind, Part, ProductModel, ScrapClass, ShippedUnit, Supplier

BATCH_SIZE = 2000


class RowError(Exception):
    def __init__(self, message: str):
        self.message = message


@dataclass
class Column:
    field: str
    aliases: set[str]
    required: bool = False
    parse: Callable[[Any, "Context"], Any] | None = None
    max_length: int | None = None


@dataclass
class Context:
    """Lookups loaded once per file, so validating a row never queries the database."""

    product_models: dict[str, ProductModel] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    today: date | None = None


@dataclass
class ImportResult:
    kind: str
    rows: int
    created: int
    updated: int
    unchanged: int

    def as_dict(self) -> dict:
        return self.__dict__.copy()


# --- cell parsers: return the value or raise RowError with a message for the user ---

_YES = {"是", "y", "yes", "true", "1", "√", "✓", "x"}
_NO = {"否", "n", "no", "false", "0", ""}


def _bool(cell, ctx):
    text = str(cell).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise RowError(_("“%(value)s” is not yes or no (是/否).") % {"value": cell})


def _whole_number(cell, ctx):
    try:
        number = Decimal(str(cell))
    except InvalidOperation:
        number = None
    if number is None or number != number.to_integral_value() or number < 0:
        raise RowError(_("“%(value)s” is not a whole number of 0 or more.") % {"value": cell})
    return int(number)


def _money(cell, ctx):
    try:
        number = Decimal(str(cell).replace(",", "").replace("¥", "").replace("￥", "").strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number < 0:
        raise RowError(_("“%(value)s” is not an amount of 0 or more.") % {"value": cell})
    return number.quantize(Decimal("0.01"))


def _shipped_date(cell, ctx):
    try:
        value = parse_date(cell)
    except ValueError:
        raise RowError(
            _("“%(value)s” is not a date (write 2025-03-07, 2025/03/07 or 2025年3月7日).") % {"value": cell}
        ) from None
    if value > ctx.today:
        raise RowError(_("The date %(value)s is in the future.") % {"value": value.isoformat()})
    return value


def _product_model(cell, ctx):
    found = ctx.product_models.get(str(cell))
    if found is None:
        raise RowError(_("Unknown product model “%(value)s”: import it first.") % {"value": cell})
    return found


def _customer(cell, ctx):
    found = ctx.customers.get(str(cell))
    if found is None:
        raise RowError(_("Unknown customer “%(value)s”: import it first.") % {"value": cell})
    return found


def _user(cell, ctx):
    found = ctx.users.get(str(cell))
    if found is None:
        raise RowError(_("Unknown user “%(value)s”.") % {"value": cell})
    return found


def _choice(choices_cls, extra: dict[str, str]):
    lookup = {value.lower(): value for value in choices_cls.values}
    lookup.update({str(label).lower(): value for value, label in choices_cls.choices})
    lookup.update(extra)

    def parse(cell, ctx):
        found = lookup.get(str(cell).strip().lower())
        if found is None:
            allowed = "、".join(extra) or "、".join(choices_cls.values)
            raise RowError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": cell, "allowed": allowed})
        return found

    return parse


_customer_kind = _choice(
    CustomerKind,
    {"经销商": "dealer", "代理商": "agent", "电商": "ecommerce", "电商平台": "ecommerce",
     "直销": "direct", "直销客户": "direct", "直客": "direct", "其他": "other"},
)
_scrap_class = _choice(
    ScrapClass,
    {"五金": "metal", "金属": "metal", "塑胶": "plastic", "塑料": "plastic", "包材": "packaging",
     "线材": "wire", "其他": "other"},
)


@dataclass
class ImportKind:
    key: str
    label: Any
    model: type
    columns: list[Column]
    upsert: bool  # match existing records by code and update them; otherwise existing is an error


KINDS: dict[str, ImportKind] = {
    kind.key: kind
    for kind in [
        ImportKind(
            "customers", gettext_lazy("customers"), Customer,
            [
                Column("code", {"客户编码", "客户代码", "客户编号", "customer code"}, required=True, max_length=40),
                Column("name", {"客户名称", "名称", "客户"}, required=True, max_length=200),
                Column("kind", {"客户类型", "类型", "渠道"}, parse=_customer_kind),
                Column("region", {"区域", "地区", "大区"}, max_length=100),
                Column("regional_sales_manager", {"区域销售经理", "销售经理", "regional sales manager"}, parse=_user),
                Column("is_key_customer", {"重点客户", "key customer"}, parse=_bool),
                Column("warranty_extension_months", {"延保月数", "延保(月)", "延保", "warranty extension"},
                       parse=_whole_number),
            ],
            upsert=True,
        ),
        ImportKind(
            "models", gettext_lazy("product models"), ProductModel,
            [
                Column("code", {"品号", "型号", "产品型号", "model code", "model"}, required=True, max_length=60),
                Column("name", {"品名", "产品名称", "名称"}, required=True, max_length=200),
                Column("spec", {"规格", "规格型号", "specification"}, max_length=200),
                Column("category", {"类别", "分类", "产品类别", "品类"}, max_length=100),
                Column("warranty_months", {"保修期(月)", "保修月数", "保修期", "warranty months"},
                       parse=_whole_number),
                Column("latest_hardware_revision", {"硬件版本", "hardware revision"}, max_length=40),
                Column("latest_software_revision", {"软件版本", "software revision"}, max_length=40),
            ],
            upsert=True,
        ),
        ImportKind(
            "parts", gettext_lazy("parts"), Part,
            [
                Column("code", {"料号", "物料编码", "物料代码", "part code"}, required=True, max_length=60),
                Column("name", {"品名", "物料名称", "名称"}, required=True, max_length=200),
                Column("spec", {"规格", "规格型号", "specification"}, max_length=200),
                Column("unit_of_measure", {"单位", "unit"}, max_length=20),
                Column("scrap_class", {"报废类别", "废料类别", "scrap class"}, parse=_scrap_class),
                Column("unit_cost", {"单价", "单位成本", "成本单价", "unit cost"}, parse=_money),
            ],
            upsert=True,
        ),
        ImportKind(
            "suppliers", gettext_lazy("suppliers"), Supplier,
            [
                Column("code", {"供应商编码", "供应商代码", "供应商编号", "supplier code"}, required=True, max_length=40),
                Column("name", {"供应商名称", "名称", "供应商"}, required=True, max_length=200),
                Column("contact_name", {"联系人", "contact"}, max_length=100),
                Column("phone", {"电话", "联系电话", "phone"}, max_length=40),
                Column("email", {"邮箱", "电子邮件", "e-mail", "email"}, max_length=254),
                Column("address", {"地址", "address"}, max_length=300),
                Column("warranty_months", {"保修期(月)", "质保期(月)", "质保月数", "warranty months"},
                       parse=_whole_number),
                Column("warranty_terms", {"质保条款", "保修条款", "warranty terms"}, max_length=5000),
            ],
            upsert=True,
        ),
        ImportKind(
            "units", gettext_lazy("shipped units"), ShippedUnit,
            [
                Column("serial", {"序列号", "钢号", "机身号", "sn", "serial number"}, required=True, max_length=80),
                Column("product_model", {"品号", "型号", "产品型号", "model code", "model"}, required=True,
                       parse=_product_model),
                Column("production_lot", {"生产批号", "批号", "lot", "production lot"}, max_length=60),
                Column("customer", {"客户编码", "客户代码", "客户编号", "customer code"}, required=True,
                       parse=_customer),
                Column("shipped_date", {"发货日期", "出货日期", "ship date", "shipped date"}, required=True,
                       parse=_shipped_date),
                Column("sales_order", {"销售订单号", "订单号", "销售单号", "sales order"}, max_length=60),
            ],
            upsert=False,
        ),
    ]
}

def _context(kind: ImportKind) -> Context:
    ctx = Context(today=timezone.localdate())
    if kind.key == "units":
        ctx.product_models = {m.code: m for m in ProductModel.objects.only("id", "code")}
        ctx.customers = {c.code: c for c in Customer.objects.only("id", "code")}
    if kind.key == "customers":
        ctx.users = {u.username: u for u in get_user_model().objects.filter(customer__isnull=True).only("id", "username")}
    return ctx


def _read(kind: ImportKind, raw: bytes, filename: str, progress):
    aliases = {c.field: c.aliases for c in kind.columns}
    required = {c.field for c in kind.columns if c.required}
    try:
        return read_table(raw, filename, aliases, required, progress=progress)
    except TableTooLarge as exc:
        raise table_refusal(exc) from None
    except TableError as exc:
        message = TABLE_ERRORS[exc.code]
        if exc.code == "no_header":
            names = "、".join(str(kind.model._meta.get_field(f).verbose_name) for f in exc.params["required"])
            message = message % {"required": names}
        raise ImportRejected(
            _("The file was not imported: %(reason)s") % {"reason": message},
            details={"errors": [{"row": None, "column": None, "message": str(message)}], "error_count": 1},
        ) from None


def _validate(kind: ImportKind, table, ctx: Context):
    """Parse every row; return (records, errors) where each record is (row, {field: value})."""
    fields = [c.field for c in kind.columns]
    column_name = {c.field: table.headers[table.columns[c.field]] for c in kind.columns if c.field in table.columns}
    records, errors = [], []
    key_field = "serial" if kind.key == "units" else "code"
    seen: dict[Any, int] = {}
    present = [column for column in kind.columns if column.field in table.columns]
    # Dates, models and customers repeat down a file: each distinct cell is parsed once.
    parsed: dict[tuple, Any] = {}
    for row_number, cells in iter_cells(table, fields):
        values, row_errors = {}, []
        for column in present:
            cell = cells[column.field]
            if cell == "":
                if column.required:
                    row_errors.append((column.field, _("This field is required.")))
                continue
            if column.parse is not None:
                value = _parse_once(column, cell, ctx, parsed)
                if isinstance(value, RowError):
                    row_errors.append((column.field, value.message))
                    continue
            else:
                value = str(cell)
                if column.max_length and len(value) > column.max_length:
                    row_errors.append((column.field, _("Longer than %(max)s characters.") % {"max": column.max_length}))
                    continue
            values[column.field] = value
        if not row_errors:
            key = (values["product_model"].pk, values["serial"]) if kind.key == "units" else values["code"]
            first_row = seen.get(key)
            if first_row is not None:
                message = (_("Duplicate serial: also on row %(row)s.") if kind.key == "units"
                           else _("Duplicate code: also on row %(row)s.")) % {"row": first_row}
                row_errors.append((key_field, message))
            else:
                seen[key] = row_number
        for field_name, message in row_errors:
            errors.append({"row": row_number, "column": column_name.get(field_name, field_name),
                           "field": field_name, "message": str(message)})
        if not row_errors:
            records.append((row_number, values))
    return records, errors


def _parse_once(column: Column, cell, ctx: Context, parsed: dict[tuple, Any]):
    """The parsed value, or the RowError, for this cell; remembered per column and value (and type,
    so that 1 and True, equal in Python, keep their own messages)."""
    key = (column.field, type(cell), cell)
    try:
        if key in parsed:
            return parsed[key]
    except TypeError:  # an unhashable cell: parse it every time
        key = None
    try:
        value = column.parse(cell, ctx)
    except RowError as exc:
        value = exc
    if key is not None:
        parsed[key] = value
    return value


def _existing_units(records) -> dict[tuple[int, str], bool]:
    by_model: dict[int, list[str]] = {}
    for _row, values in records:
        by_model.setdefault(values["product_model"].pk, []).append(values["serial"])
    existing = set()
    for model_id, serials in by_model.items():
        for start in range(0, len(serials), BATCH_SIZE):
            chunk = serials[start:start + BATCH_SIZE]
            existing.update(
                (model_id, serial)
                for serial in ShippedUnit.objects.filter(product_model_id=model_id, serial__in=chunk)
                .values_list("serial", flat=True)
            )
    return existing


def import_file(*, actor, kind: str, raw: bytes, filename: str, progress=None, dry_run: bool = False) -> ImportResult:
    """Validate the whole file, then write all of it in one transaction, or nothing."""
    import_kind = KINDS[kind]
    table = _read(import_kind, raw, filename, progress)
    ctx = _context(import_kind)
    records, errors = _validate(import_kind, table, ctx)
    reason = _("Import from %(filename)s") % {"filename": filename}

    if import_kind.upsert:
        _reject(errors)
        return _upsert(import_kind, records, actor=actor, reason=reason, dry_run=dry_run)
    serial_column = table.headers[table.columns["serial"]]
    if errors or dry_run:
        _reject(errors + _registered_serials(records, serial_column))
        return ImportResult(kind, len(records), len(records), 0, 0)
    # A clean file goes straight in: the unique constraint finds serials already registered,
    # and only then are they looked up one by one for the answer (the usual file has none).
    if not _insert_units(records, actor=actor, reason=reason):
        _reject(_registered_serials(records, serial_column) or [
            {"row": None, "column": serial_column, "field": "serial",
             "message": _("Some serials were registered by someone else meanwhile; import again to see which.")}])
    return ImportResult(kind, len(records), len(records), 0, 0)


def _reject(errors: list[dict]) -> None:
    if errors:
        errors.sort(key=lambda e: (e["row"] or 0))
        raise ImportRejected(details={"errors": errors, "error_count": len(errors)})


def _registered_serials(records, column: str) -> list[dict]:
    existing = _existing_units(records) if records else set()
    return [{"row": row_number, "column": column, "field": "serial",
             "message": _("Serial %(serial)s is already registered for model %(model)s.")
             % {"serial": values["serial"], "model": values["product_model"].code}}
            for row_number, values in records if (values["product_model"].pk, values["serial"]) in existing]


def _insert_units(records, *, actor, reason: str) -> bool:
    """The units by plain multi-row INSERTs, then their history rows (as simple-history writes
    them: type "+", the actor, the reason) copied inside the database: see core/bulk.py.
    False, with nothing written, when a serial is already registered for its model."""
    now = timezone.now()
    stamp = db_datetime(now)
    fields = ["serial", "product_model", "production_lot", "customer", "shipped_date", "sales_order",
              "created_at", "updated_at"]
    rows = [(values["serial"], values["product_model"].pk, values.get("production_lot", ""), values["customer"].pk,
             db_date(values["shipped_date"]), values.get("sales_order", ""), stamp, stamp) for _row, values in records]
    try:
        with transaction.atomic():
            before = ShippedUnit.objects.aggregate(last=Max("id"))["last"] or 0
            insert_rows(ShippedUnit, fields, rows)
            history_of_new_rows(ShippedUnit, after_id=before, created_at=now, reason=reason,
                                user_id=getattr(actor, "pk", None))
    except IntegrityError:
        return False
    return True


def _upsert(kind: ImportKind, records, *, actor, reason: str, dry_run: bool) -> ImportResult:
    model = kind.model
    codes = [values["code"] for _row, values in records]
    now = timezone.now()
    with transaction.atomic():
        existing = {obj.code: obj for obj in model.objects.select_for_update().filter(code__in=codes)} if codes else {}
        to_create, to_update, unchanged = [], [], 0
        changed_fields: set[str] = set()
        for _row, values in records:
            obj = existing.get(values["code"])
            if obj is None:
                to_create.append(model(**values, created_at=now, updated_at=now))
                continue
            diff = {name: value for name, value in values.items() if getattr(obj, name) != value}
            if not diff:
                unchanged += 1
                continue
            for name, value in diff.items():
                setattr(obj, name, value)
            obj.updated_at = now
            changed_fields.update(diff)
            to_update.append(obj)
        if not dry_run:
            if to_create:
                bulk_create_with_history(to_create, model, batch_size=BATCH_SIZE, default_user=actor,
                                         default_change_reason=reason, default_date=now)
            if to_update:
                bulk_update_with_history(to_update, model, sorted(changed_fields | {"updated_at"}),
                                         batch_size=BATCH_SIZE, default_user=actor,
                                         default_change_reason=reason, default_date=now)
    return ImportResult(kind.key, len(records), len(to_create), len(to_update), unchanged)
