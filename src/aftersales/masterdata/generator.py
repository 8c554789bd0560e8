"""Realistic, reproducible master-data volumes for load tests, benchmarks and demos.

Customers with Chinese names across the sales regions, a catalogue of heaters, motors and
controllers with their parts, and shipped units over several years: shipped one sales order
at a time, from production lots made days before, with serials counted per product family
and month. The same seed, sizes and end date always give the same rows.

Units stream out in shipping-date order, so a million of them never sit in memory at once:
they go to the database in batches (`units_generate`) or to a CSV/XLSX file with the headers
the importer reads (`units_write_csv`, `units_write_xlsx`).
"""

import csv
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from aftersales.lib.xlsx_text import text_safe_row

from .models import Customer, Part, ProductModel, ShippedUnit

Progress = Callable[[int, int], None]

# Rows per transaction when writing to the database, and rows per INSERT statement.
CHUNK_ROWS = 10_000
INSERT_BATCH = 2_000
LOOKUP_BATCH = 2_000

FILE_HEADERS = ["序列号", "品号", "品名", "规格", "生产批号", "客户编码", "客户名称", "发货日期", "销售订单号"]


# --- what the business looks like ---------------------------------------------------------

@dataclass(frozen=True)
class Region:
    name: str
    code: str
    weight: float
    cities: tuple[str, ...]


REGIONS = (
    Region("华东", "HD", 30, ("上海", "杭州", "南京", "苏州", "宁波", "无锡", "合肥", "济南", "青岛", "福州", "厦门", "温州")),
    Region("华南", "HN", 20, ("广州", "深圳", "佛山", "东莞", "中山", "南宁", "海口", "汕头")),
    Region("华北", "HB", 15, ("北京", "天津", "石家庄", "太原", "保定", "唐山", "呼和浩特")),
    Region("华中", "HZ", 12, ("武汉", "长沙", "郑州", "南昌", "洛阳", "宜昌")),
    Region("西南", "XN", 10, ("成都", "重庆", "昆明", "贵阳", "绵阳")),
    Region("西北", "XB", 6, ("西安", "兰州", "乌鲁木齐", "银川", "西宁")),
    Region("东北", "DB", 7, ("沈阳", "大连", "长春", "哈尔滨")),
)
NATIONWIDE, NATIONWIDE_CODE = "全国", "QG"  # e-commerce flagship stores sell everywhere


@dataclass(frozen=True)
class ChannelKind:
    kind: str  # CustomerKind value
    code: str  # two letters in the customer code
    weight: float
    volume: float  # relative size of the channel's customers
    order_size: tuple[float, float]  # lognormal mu, sigma of units per sales order
    families: dict[str, float]  # product families the channel buys, with weights


CHANNELS = (
    ChannelKind("dealer", "JX", 45, 1.0, (3.2, 0.7), {"HT": 3, "HR": 2, "TC": 1, "BM": 1, "MC": 1}),
    ChannelKind("agent", "DL", 22, 2.0, (3.9, 0.7), {"BM": 3, "MC": 3, "HT": 1, "HR": 1, "TC": 1}),
    ChannelKind("ecommerce", "DS", 8, 3.0, (4.2, 0.6), {"HT": 3, "HR": 3, "TC": 2}),
    ChannelKind("direct", "ZX", 25, 0.5, (1.8, 0.8), {"BM": 3, "MC": 3, "TC": 1}),
)

TRADE_SYLLABLES = "鑫恒华瑞盛达通源泰宏丰利兴隆福安顺佳美德诚信和嘉永昌荣汇金海天宇博创智新远星联众"
DEALER_SUFFIXES = ("电器经销部", "商贸有限公司", "家电批发部", "机电设备经销部", "五金机电商行", "电器有限公司")
AGENT_SUFFIXES = ("机电代理有限公司", "电器代理有限公司", "贸易有限公司", "科技有限公司", "机电设备有限公司")
DIRECT_SUFFIXES = ("机械有限公司", "精工机械有限公司", "电动车有限公司", "自动化设备有限公司", "酒店管理有限公司",
                   "物业服务有限公司", "电动工具有限公司", "新能源科技有限公司")
PLATFORMS = ("天猫", "京东", "拼多多", "抖音", "苏宁易购", "唯品会")
ECOMMERCE_BRANDS = ("电器", "家电", "生活电器", "家居")


@dataclass(frozen=True)
class Family:
    prefix: str  # model code and serial prefix
    name: str
    category: str
    warranty_months: int
    plant: str  # factory letter in the serial
    sizes: tuple[tuple[int, str], ...]  # (rating in W, spec)
    parts: tuple[tuple[str, str, str], ...]  # (name, scrap class, base unit cost)
    hardware: str
    software: str
    season: dict[int, float] = field(default_factory=dict)  # month -> demand factor (default 1)


FAMILIES = (
    Family("HT", "储水式电热水器", "电热水器", 36, "D",
           ((1500, "40L 220V"), (2000, "60L 220V"), (2500, "80L 220V"), (3000, "80L 220V 速热"), (3300, "100L 220V")),
           (("加热管", "metal", "35"), ("温控器", "metal", "12.5"), ("镁棒", "metal", "8"), ("内胆", "metal", "120"),
            ("主控板", "other", "65"), ("外壳", "plastic", "48")),
           "H3", "V1.4", {10: 1.4, 11: 1.6, 12: 1.6, 1: 1.4}),
    Family("HR", "油汀电暖器", "取暖器", 12, "D",
           ((1800, "9片 220V"), (2000, "11片 220V"), (2200, "13片 220V"), (2500, "15片 220V")),
           (("发热片组", "metal", "90"), ("温控开关", "metal", "9.5"), ("倾倒开关", "other", "6"),
            ("万向轮", "plastic", "3")),
           "R2", "", {9: 1.5, 10: 3.0, 11: 3.5, 12: 3.0, 1: 2.0, 2: 0.8, 3: 0.3, 4: 0.2, 5: 0.2, 6: 0.2, 7: 0.2,
                      8: 0.6}),
    Family("BM", "无刷直流电机", "电机", 24, "S",
           ((350, "48V 350W 3000rpm"), (500, "48V 500W 3000rpm"), (750, "48V 750W 3000rpm"),
            (1000, "48V 1000W 3000rpm"), (1500, "72V 1500W 3000rpm"), (3000, "72V 3000W 3000rpm")),
           (("定子", "metal", "85"), ("转子", "metal", "70"), ("轴承", "metal", "9.8"), ("霍尔传感器", "other", "5"),
            ("端盖", "metal", "18")),
           "M1", ""),
    Family("MC", "无刷电机控制器", "电机控制器", 18, "S",
           ((350, "48V 350W 正弦波"), (500, "48V 500W 正弦波"), (750, "48V 750W 正弦波"), (1000, "60V 1000W 正弦波"),
            (1500, "72V 1500W 正弦波"), (3000, "72V 3000W 正弦波")),
           (("MOS 管", "other", "3.2"), ("控制板", "other", "55"), ("控制器外壳", "metal", "22"), ("霍尔线束", "wire", "4.5")),
           "C4", "V2.1"),
    Family("TC", "智能温控器", "控制器", 12, "N",
           ((100, "AC220V 16A 液晶"), (200, "AC220V 16A WiFi"), (300, "AC220V 25A WiFi")),
           (("继电器", "other", "4.8"), ("液晶屏", "other", "12"), ("温度探头", "wire", "3.5")),
           "T2", "V3.0"),
)
GENERIC_PARTS = (
    ("TY-001", "电源线", "3×1.5mm² 1.5m", "wire", "6.00"),
    ("TY-002", "包装箱", "五层瓦楞", "packaging", "5.50"),
    ("TY-003", "泡沫护角", "EPE", "packaging", "1.20"),
    ("TY-004", "说明书", "A5 彩印", "packaging", "0.80"),
    ("TY-005", "螺丝包", "M4×12 10只", "metal", "0.50"),
    ("TY-006", "保修防拆标签", "易碎纸", "other", "0.05"),
)
VARIANT_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


# --- the catalogue ------------------------------------------------------------------------

@dataclass(frozen=True)
class VolumeSpec:
    units: int
    seed: int
    until: date  # last shipping day; units are spread over `years` years up to it
    customers: int = 200
    models: int = 24
    years: int = 3

    def __post_init__(self):
        if self.units < 0 or self.customers < 1 or self.models < 1 or self.years < 1:
            raise ValueError("units must be 0 or more; customers, models and years at least 1")


@dataclass(frozen=True)
class CustomerRow:
    code: str
    name: str
    kind: str
    region: str
    is_key_customer: bool
    warranty_extension_months: int
    volume: float  # share of shipments (not stored)
    families: tuple[str, ...]  # families it buys (not stored)


@dataclass(frozen=True)
class ModelRow:
    code: str
    name: str
    spec: str
    category: str
    warranty_months: int
    latest_hardware_revision: str
    latest_software_revision: str
    family: Family
    popularity: float  # not stored


@dataclass(frozen=True)
class PartRow:
    code: str
    name: str
    spec: str
    scrap_class: str
    unit_cost: Decimal


@dataclass(frozen=True)
class Catalogue:
    customers: list[CustomerRow]
    models: list[ModelRow]
    parts: list[PartRow]


def build_catalogue(spec: VolumeSpec) -> Catalogue:
    """The customers (drawn from the seed), product models and parts (codes and names the same for
    every seed, so runs with other seeds reuse them)."""
    rng = random.Random(f"aftersales-generate-customers-{spec.seed}")
    customers = [_customer(rng, number) for number in range(1, spec.customers + 1)]
    models = _models(spec.models, random.Random(f"aftersales-generate-models-{spec.seed}"))
    return Catalogue(customers=customers, models=models, parts=_parts(models))


def _customer(rng: random.Random, number: int) -> CustomerRow:
    channel = rng.choices(CHANNELS, weights=[c.weight for c in CHANNELS])[0]
    region = rng.choices(REGIONS, weights=[r.weight for r in REGIONS])[0]
    city = rng.choice(region.cities)
    trade = "".join(rng.sample(TRADE_SYLLABLES, 2))
    if channel.kind == "dealer":
        name = f"{city}{trade}{rng.choice(DEALER_SUFFIXES)}"
    elif channel.kind == "agent":
        name = f"{city}{trade}{rng.choice(AGENT_SUFFIXES)}"
    elif channel.kind == "ecommerce":
        name = f"{trade}{rng.choice(ECOMMERCE_BRANDS)}{rng.choice(PLATFORMS)}旗舰店"
    else:
        name = f"{city}{trade}{rng.choice(DIRECT_SUFFIXES)}"
    nationwide = channel.kind == "ecommerce"
    is_key = rng.random() < 0.08
    extension = rng.choice((6, 12)) if is_key and rng.random() < 0.6 else 0
    families = list(channel.families)
    wanted = min(len(families), rng.choice((1, 2, 2, 3)))
    chosen: list[str] = []
    while len(chosen) < wanted:
        pick = rng.choices(families, weights=[channel.families[f] for f in families])[0]
        if pick not in chosen:
            chosen.append(pick)
    return CustomerRow(
        code=f"{NATIONWIDE_CODE if nationwide else region.code}{channel.code}{number:04d}", name=name,
        kind=channel.kind, region=NATIONWIDE if nationwide else region.name,
        is_key_customer=is_key, warranty_extension_months=extension,
        volume=channel.volume * min(rng.paretovariate(1.5), 20.0), families=tuple(chosen),
    )


def _models(count: int, rng: random.Random) -> list[ModelRow]:
    bases = [(family, size) for rank in range(max(len(f.sizes) for f in FAMILIES))
             for family in FAMILIES for size in family.sizes[rank:rank + 1]]
    models = []
    for index in range(count):
        family, (rating, spec) = bases[index % len(bases)]
        round_ = index // len(bases)
        variant = _variant(round_)
        code = f"{family.prefix}-{rating}{variant}"
        name = f"{family.name} {rating}W" + (f"（{variant}款）" if variant else "")
        popularity = rng.paretovariate(2.0) / (1 + round_)
        models.append(ModelRow(code, name, spec, family.category, family.warranty_months, family.hardware,
                               family.software, family, popularity))
    return models


def _variant(round_: int) -> str:
    if round_ == 0:
        return ""
    letters = ""
    number = round_ - 1
    while True:
        letters = VARIANT_LETTERS[number % len(VARIANT_LETTERS)] + letters
        number = number // len(VARIANT_LETTERS) - 1
        if number < 0:
            return letters


def _parts(models: list[ModelRow]) -> list[PartRow]:
    parts = [PartRow(code, name, spec, scrap, Decimal(cost)) for code, name, spec, scrap, cost in GENERIC_PARTS]
    for model in models:
        rating = int("".join(ch for ch in model.code.split("-")[1] if ch.isdigit()))
        scale = Decimal(rating) / Decimal(1000)
        for number, (name, scrap, cost) in enumerate(model.family.parts, start=1):
            unit_cost = (Decimal(cost) * (Decimal("0.7") + Decimal("0.3") * scale)).quantize(Decimal("0.01"))
            parts.append(PartRow(f"{model.code}-{number:02d}", name, f"{model.code} 用", scrap, unit_cost))
    return parts


# --- the shipped units --------------------------------------------------------------------

class UnitRow(NamedTuple):
    serial: str
    model_code: str
    production_lot: str
    customer_code: str
    shipped_date: date
    sales_order: str


def iter_units(spec: VolumeSpec, catalogue: Catalogue) -> Iterator[UnitRow]:
    """`spec.units` units in shipping-date order: sales orders of one model to one customer,
    each from one or two production lots made 1-40 days before shipping."""
    rng = random.Random(f"aftersales-generate-units-{spec.seed}")
    days = _shipping_days(spec)
    per_day = _spread(spec.units, [weight for _day, weight in days])
    customers = catalogue.customers
    customer_weights = list(_cumulative(c.volume for c in customers))
    channels = {c.kind: c for c in CHANNELS}
    serial_counters: dict[tuple[str, str], int] = {}
    # Models a customer buys: those of its families, or any when the catalogue has none of them.
    buys: dict[str, list[ModelRow]] = {}
    for customer in customers:
        buys[customer.code] = [m for m in catalogue.models if m.family.prefix in customer.families] or catalogue.models
    for (day, _weight), count in zip(days, per_day):
        order_number = 0
        while count > 0:
            order_number += 1
            customer = rng.choices(customers, cum_weights=customer_weights)[0]
            choices = buys[customer.code]
            model = rng.choices(choices, weights=[m.popularity * m.family.season.get(day.month, 1.0)
                                                  for m in choices])[0]
            mu, sigma = channels[customer.kind].order_size
            quantity = max(1, min(int(rng.lognormvariate(mu, sigma)), 800))
            if quantity >= 20:
                quantity = max(10, round(quantity / 10) * 10)
            quantity = min(quantity, count)
            count -= quantity
            sales_order = f"SO{day:%y%m%d}{order_number:04d}"
            lots = 1 if quantity < 10 or rng.random() < 0.7 else 2
            first_lot = quantity if lots == 1 else rng.randint(1, quantity - 1)
            for lot_quantity in (first_lot, quantity - first_lot)[:lots]:
                made = day - timedelta(days=rng.randint(1, 40))
                lot = f"{made:%y%m%d}-{rng.choices((1, 2, 3), weights=(5, 3, 1))[0]}"
                family = model.family
                key = (family.prefix, f"{made:%y%m}")
                start = serial_counters.get(key, 0)
                serial_counters[key] = start + lot_quantity
                stem = f"{family.prefix}{made:%y%m}{family.plant}"
                for sequence in range(start + 1, start + lot_quantity + 1):
                    yield UnitRow(f"{stem}{sequence:07d}", model.code, lot, customer.code, day, sales_order)


def _shipping_days(spec: VolumeSpec) -> list[tuple[date, float]]:
    """Every day of the period with its share of shipments: growing business, busier before
    winter, quiet on Sundays and around the Spring Festival (February)."""
    first = spec.until - timedelta(days=round(365.25 * spec.years) - 1)
    total = (spec.until - first).days + 1
    days = []
    for offset in range(total):
        day = first + timedelta(days=offset)
        growth = 0.6 + 0.4 * offset / max(total - 1, 1)
        season = 1.0 + 0.25 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 320) / 365)
        weekday = (1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.15)[day.weekday()]
        holiday = 0.5 if day.month == 2 else 1.0
        days.append((day, growth * season * weekday * holiday))
    return days


def _spread(total: int, weights: list[float]) -> list[int]:
    """Whole numbers proportional to the weights that add up to exactly `total`."""
    whole = sum(weights)
    counts, running, placed = [], 0.0, 0
    for weight in weights:
        running += weight
        upto = round(total * running / whole)
        counts.append(upto - placed)
        placed = upto
    return counts


def _cumulative(values) -> Iterator[float]:
    running = 0.0
    for value in values:
        running += value
        yield running


# --- writing ------------------------------------------------------------------------------

@dataclass
class GenerateResult:
    customers_created: int = 0
    models_created: int = 0
    parts_created: int = 0
    units_created: int = 0
    units_skipped: int = 0  # already registered (a rerun with the same seed)
    rows_written: int = 0  # to a file


def catalogue_ensure(*, actor, catalogue: Catalogue, with_history: bool = True,
                     reason: str = "generated volume") -> tuple[dict[str, int], dict[str, int], GenerateResult]:
    """Create the customers, product models and parts that do not exist yet (matched by code;
    existing ones are reused as they are). Return the ids of customers and models by code."""
    result = GenerateResult()
    now = timezone.now()
    with transaction.atomic():
        result.customers_created = _create_missing(Customer, [
            Customer(code=c.code, name=c.name, kind=c.kind, region=c.region, is_key_customer=c.is_key_customer,
                     warranty_extension_months=c.warranty_extension_months, created_at=now, updated_at=now)
            for c in catalogue.customers], actor=actor, with_history=with_history, reason=reason, now=now)
        result.models_created = _create_missing(ProductModel, [
            ProductModel(code=m.code, name=m.name, spec=m.spec, category=m.category, warranty_months=m.warranty_months,
                         latest_hardware_revision=m.latest_hardware_revision,
                         latest_software_revision=m.latest_software_revision, created_at=now, updated_at=now)
            for m in catalogue.models], actor=actor, with_history=with_history, reason=reason, now=now)
        result.parts_created = _create_missing(Part, [
            Part(code=p.code, name=p.name, spec=p.spec, scrap_class=p.scrap_class, unit_cost=p.unit_cost,
                 created_at=now, updated_at=now)
            for p in catalogue.parts], actor=actor, with_history=with_history, reason=reason, now=now)
    customer_ids = _ids_by_code(Customer, [c.code for c in catalogue.customers])
    model_ids = _ids_by_code(ProductModel, [m.code for m in catalogue.models])
    return customer_ids, model_ids, result


def _create_missing(model, objs: list, *, actor, with_history: bool, reason: str, now) -> int:
    existing = set(_ids_by_code(model, [obj.code for obj in objs]))
    missing = [obj for obj in objs if obj.code not in existing]
    if missing:
        _bulk_create(model, missing, actor=actor, with_history=with_history, reason=reason, now=now)
    return len(missing)


def _ids_by_code(model, codes: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(codes), LOOKUP_BATCH):
        found.update(model.objects.filter(code__in=codes[start:start + LOOKUP_BATCH]).values_list("code", "id"))
    return found


def _bulk_create(model, objs: list, *, actor, with_history: bool, reason: str, now) -> None:
    if with_history:
        bulk_create_with_history(objs, model, batch_size=INSERT_BATCH, default_user=actor,
                                 default_change_reason=reason, default_date=now)
    else:
        model.objects.bulk_create(objs, batch_size=INSERT_BATCH)


def units_generate(*, actor, spec: VolumeSpec, with_history: bool = True,
                   progress: Progress | None = None) -> GenerateResult:
    """Write the catalogue and `spec.units` shipped units to the database, a batch per
    transaction. Units already registered (a rerun) are skipped, so running it again is safe."""
    reason = f"generated volume (seed {spec.seed})"
    catalogue = build_catalogue(spec)
    customer_ids, model_ids, result = catalogue_ensure(actor=actor, catalogue=catalogue,
                                                       with_history=with_history, reason=reason)
    check_existing = ShippedUnit.objects.exists()
    done = 0
    chunk: list[UnitRow] = []

    def flush():
        now = timezone.now()
        rows = chunk
        if check_existing:
            rows = _unregistered(rows, model_ids)
            result.units_skipped += len(chunk) - len(rows)
        units = [
            ShippedUnit(serial=row.serial, product_model_id=model_ids[row.model_code],
                        production_lot=row.production_lot, customer_id=customer_ids[row.customer_code],
                        shipped_date=row.shipped_date, sales_order=row.sales_order, created_at=now, updated_at=now)
            for row in rows
        ]
        if units:
            with transaction.atomic():
                _bulk_create(ShippedUnit, units, actor=actor, with_history=with_history, reason=reason, now=now)
        result.units_created += len(units)

    for row in iter_units(spec, catalogue):
        chunk.append(row)
        if len(chunk) >= CHUNK_ROWS:
            flush()
            done += len(chunk)
            chunk = []
            if progress is not None:
                progress(done, spec.units)
    if chunk:
        flush()
        done += len(chunk)
        if progress is not None:
            progress(done, spec.units)
    return result


def _unregistered(rows: list[UnitRow], model_ids: dict[str, int]) -> list[UnitRow]:
    serials = [row.serial for row in rows]
    existing = set()
    for start in range(0, len(serials), LOOKUP_BATCH):
        existing.update(ShippedUnit.objects.filter(serial__in=serials[start:start + LOOKUP_BATCH])
                        .values_list("product_model_id", "serial"))
    return [row for row in rows if (model_ids[row.model_code], row.serial) not in existing]


def _file_rows(spec: VolumeSpec, catalogue: Catalogue, progress: Progress | None) -> Iterator[list]:
    """Rows as an ERP exports them: the header first, then one row per unit."""
    models = {m.code: m for m in catalogue.models}
    customers = {c.code: c for c in catalogue.customers}
    yield FILE_HEADERS
    for done, row in enumerate(iter_units(spec, catalogue), start=1):
        model = models[row.model_code]
        yield [row.serial, model.code, model.name, model.spec, row.production_lot, row.customer_code,
               customers[row.customer_code].name, row.shipped_date, row.sales_order]
        if progress is not None and (done % CHUNK_ROWS == 0 or done == spec.units):
            progress(done, spec.units)


def units_write_csv(*, spec: VolumeSpec, path: Path, encoding: str = "gbk",
                    progress: Progress | None = None) -> int:
    """Write the units as a CSV (GBK and CRLF by default, as Chinese ERPs export). Return the row count."""
    catalogue = build_catalogue(spec)
    with open(path, "w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream)
        for row in _file_rows(spec, catalogue, progress):
            if isinstance(row[7], date):
                row[7] = f"{row[7]:%Y/%m/%d}"
            writer.writerow(row)
    return spec.units


def units_write_xlsx(*, spec: VolumeSpec, path: Path, progress: Progress | None = None) -> int:
    """Write the units as an XLSX workbook (openpyxl's streaming writer; dates as date cells)."""
    from openpyxl import Workbook

    catalogue = build_catalogue(spec)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("发货明细")
    for row in _file_rows(spec, catalogue, progress):
        sheet.append(text_safe_row(sheet, row))
    workbook.save(path)
    return spec.units


def files_generate(*, actor, spec: VolumeSpec, csv_path: Path | None = None, xlsx_path: Path | None = None,
                   encoding: str = "gbk", with_history: bool = True,
                   progress: Progress | None = None) -> GenerateResult:
    """Create the catalogue in the database (so the file imports cleanly), then write the file(s)."""
    catalogue = build_catalogue(spec)
    _customer_ids, _model_ids, result = catalogue_ensure(actor=actor, catalogue=catalogue, with_history=with_history,
                                                         reason=f"generated volume (seed {spec.seed})")
    if csv_path is not None:
        result.rows_written = units_write_csv(spec=spec, path=csv_path, encoding=encoding, progress=progress)
    if xlsx_path is not None:
        result.rows_written = units_write_xlsx(spec=spec, path=xlsx_path, progress=progress)
    return result
