"""Demo data: one user per role, a few customers, models, parts and shipped units.

Idempotent: what exists is left as it is (even if edited since), so a second run changes nothing.
Demo only: migrations never create users.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from aftersales.accounts.models import User
from aftersales.accounts.services import user_create
from aftersales.core.audit import record_save
from aftersales.core.roles import ROLES

from .models import Approver, Contact, Customer, Part, ProductModel, ShippedUnit

DEMO_PASSWORD = "aftersales-demo"
REASON = "demo data"

STAFF_NAMES = {
    "service": ("晓敏", "王"), "warehouse": ("建国", "李"), "quality": ("丽华", "张"), "planning": ("伟", "刘"),
    "repair": ("强", "陈"), "engineering": ("志远", "杨"), "purchasing": ("芳", "赵"), "finance": ("静", "黄"),
    "ecommerce": ("婷", "郑"), "technician": ("磊", "周"), "manager": ("总", "吴"), "customer": ("经理", "孙"),
}

CUSTOMERS = [
    # code, name, kind, region, key customer, warranty extension
    ("D001", "华东经销商（上海）", "dealer", "华东", True, 6),
    ("D002", "华南代理商（广州）", "agent", "华南", False, 0),
    ("E001", "天猫旗舰店", "ecommerce", "全国", False, 0),
    ("E002", "京东自营", "ecommerce", "全国", False, 0),
    ("C001", "苏州精工机械有限公司", "direct", "华东", False, 0),
]
CONTACTS = {
    "D001": [("孙经理", "采购经理", "13800010001", "sun@example.com")],
    "D002": [("钱小姐", "售后专员", "13800020002", "qian@example.com")],
    "E001": [("天猫客服主管", "客服", "4008000001", "")],
    "E002": [("京东售后对接", "售后", "4008000002", "")],
    "C001": [("郑工", "设备科", "13900030003", "zheng@example.com")],
}
PRODUCT_MODELS = [
    # code, name, spec, category, warranty months, hardware, software
    ("HT-2000", "电热水器 2000W", "60L", "电热水器", 12, "H2", "V1.3"),
    ("HT-3000", "电热水器 3000W", "80L", "电热水器", 12, "H2", "V1.3"),
    ("MC-750", "无刷电机控制器", "48V 750W", "电机控制器", 18, "C4", "V2.1"),
    ("BM-1500", "无刷电机", "1500W", "电机", 24, "M1", ""),
]
PARTS = [
    ("P-HT-001", "加热管", "2000W", "metal", "35.00"),
    ("P-HT-002", "温控器", "75°C", "metal", "12.50"),
    ("P-HT-003", "镁棒", "Φ22×300", "metal", "8.00"),
    ("P-HT-004", "外壳", "60L 白色", "plastic", "48.00"),
    ("P-HT-005", "主控板", "HT-CTRL-V3", "other", "65.00"),
    ("P-MC-001", "MOS 管", "IRF3205", "other", "3.20"),
    ("P-MC-002", "控制器外壳", "铝合金", "metal", "22.00"),
    ("P-MC-003", "霍尔线束", "5P 30cm", "wire", "4.50"),
    ("P-BM-001", "轴承", "6204-2RS", "metal", "9.80"),
    ("P-GEN-001", "电源线", "3×1.5mm² 1.5m", "wire", "6.00"),
    ("P-GEN-002", "包装箱", "五层瓦楞", "packaging", "5.50"),
    ("P-GEN-003", "泡沫护角", "EPE", "packaging", "1.20"),
]
UNITS_PER_CUSTOMER = 40
# The approvers the manuals name (售后客返品管理流程 5.1.1.1; 售后返退货产品流程描述 一.2-4), managers by role:
# username, given and family name, approval kind, product line, region.
APPROVERS = [
    ("vp_heating", "国栋", "钱", "vp", "电热水器", ""),
    ("vp_motors", "海峰", "孙", "vp", "电机控制器", ""),
    ("vp_motors", "海峰", "孙", "vp", "电机", ""),
    ("gm", "建华", "郑", "gm", "", ""),
    ("rsm_east", "明", "冯", "rsm", "", "华东"),
    ("rsm_south", "婷", "何", "rsm", "", "华南"),
]
REGIONAL_SALES_MANAGERS = {"D001": "rsm_east", "D002": "rsm_south", "C001": "rsm_east"}


def _ensure(model, lookup: dict, defaults: dict):
    found = model.objects.filter(**lookup).first()
    if found is not None:
        return found, False
    return record_save(model(**lookup, **defaults), actor=None, reason=REASON), True


@transaction.atomic
def load_demo_data() -> dict[str, int]:
    created = {"users": 0, "customers": 0, "contacts": 0, "product_models": 0, "parts": 0, "units": 0}
    customers = {}
    for code, name, kind, region, key, extension in CUSTOMERS:
        customers[code], new = _ensure(Customer, {"code": code}, {
            "name": name, "kind": kind, "region": region, "is_key_customer": key,
            "warranty_extension_months": extension})
        created["customers"] += new
    for role in ROLES:
        if User.objects.filter(username=role.code).exists():
            continue
        first, last = STAFF_NAMES[role.code]
        user_create(username=role.code, password=DEMO_PASSWORD, role_codes={role.code},
                    customer=customers["D001"] if role.code == "customer" else None,
                    first_name=first, last_name=last, email=f"{role.code}@example.com")
        created["users"] += 1
    if not User.objects.filter(username="customer2").exists():
        user_create(username="customer2", password=DEMO_PASSWORD, role_codes={"customer"},
                    customer=customers["E001"], first_name="客服", last_name="天猫")
        created["users"] += 1
    created["users"] += _ensure_approvers()
    for code, username in REGIONAL_SALES_MANAGERS.items():
        if customers[code].regional_sales_manager_id is None:
            customers[code].regional_sales_manager = User.objects.get(username=username)
            record_save(customers[code], actor=None, reason=REASON)
    for code, contacts in CONTACTS.items():
        for index, (name, position, phone, email) in enumerate(contacts):
            _contact, new = _ensure(Contact, {"customer": customers[code], "name": name}, {
                "position": position, "phone": phone, "email": email, "is_primary": index == 0})
            created["contacts"] += new
    models = {}
    for code, name, spec, category, warranty, hardware, software in PRODUCT_MODELS:
        models[code], new = _ensure(ProductModel, {"code": code}, {
            "name": name, "spec": spec, "category": category, "warranty_months": warranty,
            "latest_hardware_revision": hardware, "latest_software_revision": software})
        created["product_models"] += new
    for code, name, spec, scrap_class, cost in PARTS:
        _part, new = _ensure(Part, {"code": code}, {
            "name": name, "spec": spec, "scrap_class": scrap_class, "unit_cost": Decimal(cost)})
        created["parts"] += new
    created["units"] = _ensure_units(customers, models)
    return created


def _ensure_approvers() -> int:
    """The named approvers of the approval matrix, each a manager by role."""
    made = 0
    for username, first, last, kind, product_line, region in APPROVERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(username=username, password=DEMO_PASSWORD, role_codes={"manager"}, first_name=first,
                               last_name=last, email=f"{username}@example.com")
            made += 1
        _ensure(Approver, {"kind": kind, "user": user, "product_line": product_line, "region": region}, {})
    return made


def _ensure_units(customers, models) -> int:
    """Units shipped between mid-2024 and autumn 2026, the same every run (fixed seed)."""
    rng = random.Random(2026)
    start = date(2024, 6, 1)
    span = (date(2026, 10, 31) - start).days
    wanted = []
    for customer in customers.values():
        for n in range(UNITS_PER_CUSTOMER):
            model = models[rng.choice(list(models))]
            shipped = start + timedelta(days=rng.randrange(span))
            prefix = model.code.split("-")[0]
            serial = f"{prefix}{shipped:%y%m}{customer.code[-2:]}{n:04d}"
            lot = f"{shipped:%y%m%d}-{rng.randint(1, 3)}"
            wanted.append(ShippedUnit(serial=serial, product_model=model, production_lot=lot, customer=customer,
                                      shipped_date=shipped, sales_order=f"SO{shipped:%y%m}{rng.randint(0, 9999):04d}"))
    existing = set(ShippedUnit.objects.filter(serial__in=[u.serial for u in wanted])
                   .values_list("product_model_id", "serial"))
    missing = [u for u in wanted if (u.product_model_id, u.serial) not in existing]
    if missing:
        bulk_create_with_history(missing, ShippedUnit, default_change_reason=REASON)
    return len(missing)
