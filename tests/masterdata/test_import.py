import io
from datetime import date

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from aftersales.core.errors import ImportRejected
from aftersales.masterdata.importing import import_file
from aftersales.masterdata.models import Customer, Part, ProductModel, ShippedUnit

pytestmark = pytest.mark.django_db

HEADER = "序列号,品号,品名,规格,生产批号,客户编码,客户名称,发货日期,销售订单号"
GOOD_ROWS = [
    " HT2602000001 ,HT-2000,电热水器 2000W,60L,260209-3,C-ALICE,华东经销商（上海）,2026/02/09,SO26020000",
    "HT2607000002,HT-2000,电热水器 2000W,60L,260703-1,C-ALICE,华东经销商（上海）,2026-07-03,SO26070000",
    "MC2606000003,MC-750,无刷电机控制器,48V 750W,260604-1,C-BOB,天猫旗舰店,2026年6月4日,SO26060000",
]


def gbk_csv(rows, header=HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode("gbk")


def xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rejected(**kwargs) -> list[dict]:
    with pytest.raises(ImportRejected) as info:
        import_file(actor=None, **kwargs)
    assert info.value.code == "import_rejected"
    return info.value.details["errors"]


def counts():
    return (ShippedUnit.objects.count(), ShippedUnit.history.count())


# --- good files ---

def test_gbk_csv_from_the_erp_imports_with_three_date_styles(users, customers, product_models):
    result = import_file(actor=users["service"], kind="units", raw=gbk_csv(GOOD_ROWS), filename="erp.csv")
    assert (result.rows, result.created) == (3, 3)
    first = ShippedUnit.objects.get(serial="HT2602000001")  # stray spaces trimmed
    assert first.shipped_date == date(2026, 2, 9)
    assert first.customer.code == "C-ALICE"
    assert first.production_lot == "260209-3"
    assert ShippedUnit.objects.get(serial="MC2606000003").shipped_date == date(2026, 6, 4)
    history = ShippedUnit.history.get(serial="HT2602000001")
    assert history.history_user == users["service"]
    assert history.history_type == "+"
    assert "erp.csv" in history.history_change_reason


def test_utf8_csv_with_bom_and_english_headers(customers, product_models):
    text = "\ufeffserial number,model code,production lot,customer code,shipped date,sales order\nA1,HT-2000,L1,C-BOB,2025-01-02,SO1\n"
    assert import_file(actor=None, kind="units", raw=text.encode("utf-8"), filename="units.csv").created == 1


def test_xlsx_with_title_totals_and_signature_rows(customers, product_models):
    raw = xlsx([
        ["华东经销商（上海） 发货明细"],
        ["导出日期：", date(2026, 11, 20)],
        [],
        ["序号", "序列号", "品号", "生产批号", "客户编码", "发货日期", "销售订单号"],
        [1, "HT2601000001", "HT-2000", "260105-1", "C-ALICE", date(2026, 1, 5), "SO1"],
        [2, 26010002, "HT-2000", "260105-1", "C-ALICE", "2026/01/05", "SO1"],
        [],
        ["合计", None, None, None, None, None, 2],
        ["经办人：张伟", None, None, "审核：李四"],
    ])
    result = import_file(actor=None, kind="units", raw=raw, filename="list.xlsx")
    assert result.created == 2
    assert ShippedUnit.objects.filter(serial="26010002").exists()  # numeric serial cell read as text


def test_dry_run_writes_nothing(customers, product_models):
    result = import_file(actor=None, kind="units", raw=gbk_csv(GOOD_ROWS), filename="erp.csv", dry_run=True)
    assert result.created == 3
    assert counts() == (0, 0)


# --- each kind of bad row: reported with row, column, message; nothing imported ---

@pytest.mark.parametrize("row,column,fragment", [
    ("X1,HT-2000,,,L1,C-ALICE,,2026/13/45,SO1", "发货日期", "不是日期"),
    ("X1,HT-2000,,,L1,C-ALICE,,昨天,SO1", "发货日期", "不是日期"),
    ("X1,HT-9999,,,L1,C-ALICE,,2026-01-01,SO1", "品号", "HT-9999"),
    ("X1,HT-2000,,,L1,C-NOBODY,,2026-01-01,SO1", "客户编码", "C-NOBODY"),
    (",HT-2000,,,L1,C-ALICE,,2026-01-01,SO1", "序列号", "必填"),
    ("X1,HT-2000,,,L1,C-ALICE,,,SO1", "发货日期", "必填"),
    ("X1,HT-2000,,,L1,C-ALICE,,2099-01-01,SO1", "发货日期", "未来"),
    ("X" * 81 + ",HT-2000,,,L1,C-ALICE,,2026-01-01,SO1", "序列号", "80"),
])
def test_bad_row_rejects_the_whole_file(customers, product_models, row, column, fragment):
    errors = rejected(kind="units", raw=gbk_csv([*GOOD_ROWS, row]), filename="erp.csv")
    assert len(errors) == 1
    assert errors[0]["row"] == 5  # header is row 1, the bad row follows three good ones
    assert errors[0]["column"] == column
    assert fragment in errors[0]["message"]
    assert counts() == (0, 0)


def test_duplicate_serial_within_the_file(customers, product_models):
    errors = rejected(kind="units", raw=gbk_csv([*GOOD_ROWS, GOOD_ROWS[1]]), filename="erp.csv")
    assert [(e["row"], e["column"]) for e in errors] == [(5, "序列号")]
    assert "3" in errors[0]["message"]  # names the row it repeats
    assert counts() == (0, 0)


def test_duplicate_serial_already_registered(customers, product_models):
    import_file(actor=None, kind="units", raw=gbk_csv(GOOD_ROWS[:1]), filename="first.csv")
    before = counts()
    errors = rejected(kind="units", raw=gbk_csv(GOOD_ROWS), filename="again.csv")
    assert [(e["row"], e["field"]) for e in errors] == [(2, "serial")]
    assert "HT2602000001" in errors[0]["message"]
    assert counts() == before


def test_every_bad_row_is_reported(customers, product_models):
    rows = [GOOD_ROWS[0], "B1,HT-9999,,,L1,C-ALICE,,2026-01-01,", "B2,HT-2000,,,L1,C-ALICE,,bad,", GOOD_ROWS[1]]
    errors = rejected(kind="units", raw=gbk_csv(rows), filename="erp.csv")
    assert [e["row"] for e in errors] == [3, 4]


def test_wrong_encoding_is_refused_with_a_clear_message(customers, product_models):
    raw = gbk_csv(GOOD_ROWS) + b"\xff\xfe\xff\x00\x81"
    errors = rejected(kind="units", raw=raw, filename="erp.csv")
    assert "编码" in errors[0]["message"]
    assert counts() == (0, 0)


def test_file_without_the_needed_columns(customers, product_models):
    errors = rejected(kind="units", raw="名称,数量\n加热管,3\n".encode(), filename="x.csv")
    assert "序列号" in errors[0]["message"] and "发货日期" in errors[0]["message"]


def test_unsupported_file_type(customers):
    errors = rejected(kind="units", raw=b"%PDF-1.4", filename="x.pdf")
    assert "CSV" in errors[0]["message"]


def test_corrupt_workbook(customers):
    errors = rejected(kind="units", raw=b"not a zip", filename="x.xlsx")
    assert errors[0]["row"] is None


# --- customers, models and parts: matched by code, updated in place ---

def test_customers_import_creates_and_updates_by_code(users, customers):
    raw = gbk_csv([
        "C-ALICE,华东经销商（上海）,经销商,华东,manager,是,6",
        "D100,西南代理商（成都）,代理商,西南,,否,0",
    ], header="客户编码,客户名称,客户类型,区域,区域销售经理,重点客户,延保月数")
    result = import_file(actor=users["manager"], kind="customers", raw=raw, filename="c.csv")
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    alice = Customer.objects.get(code="C-ALICE")
    assert (alice.is_key_customer, alice.warranty_extension_months, alice.regional_sales_manager.username) == (True, 6, "manager")
    assert Customer.objects.get(code="D100").kind == "agent"
    # The same file again changes nothing and writes no history.
    history = Customer.history.count()
    again = import_file(actor=users["manager"], kind="customers", raw=raw, filename="c.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Customer.history.count() == history


def test_customers_import_bad_kind_and_flag(users, customers):
    raw = gbk_csv(["D1,甲,批发商,华东,,是,0", "D2,乙,经销商,华东,,也许,x"],
                  header="客户编码,客户名称,客户类型,区域,区域销售经理,重点客户,延保月数")
    errors = rejected(kind="customers", raw=raw, filename="c.csv")
    assert [(e["row"], e["column"]) for e in errors] == [(2, "客户类型"), (3, "重点客户"), (3, "延保月数")]
    assert not Customer.objects.filter(code__in=["D1", "D2"]).exists()


def test_product_models_import(users):
    raw = gbk_csv(["HT-2000,电热水器 2000W,60L,电热水器,12,H2,V1.3", "MC-750,无刷电机控制器,48V 750W,电机控制器,18,C4,V2.1"],
                  header="品号,品名,规格,类别,保修期(月),硬件版本,软件版本")
    assert import_file(actor=users["engineering"], kind="models", raw=raw, filename="m.csv").created == 2
    assert ProductModel.objects.get(code="MC-750").warranty_months == 18


def test_parts_import_with_scrap_class_and_cost(users):
    raw = gbk_csv(["P-1,加热管,2000W,支,五金,35.5", "P-2,包装箱,,个,包材,￥5.50"],
                  header="料号,品名,规格,单位,报废类别,单价")
    import_file(actor=users["purchasing"], kind="parts", raw=raw, filename="p.csv")
    assert Part.objects.get(code="P-1").scrap_class == "metal"
    assert str(Part.objects.get(code="P-2").unit_cost) == "5.50"
    errors = rejected(kind="parts", raw=gbk_csv(["P-3,x,,,五金,-3"], header="料号,品名,规格,单位,报废类别,单价"),
                      filename="p.csv")
    assert errors[0]["column"] == "单价"


# --- the API upload and the command ---

def test_api_upload_imports_units(api, customers, product_models):
    upload = io.BytesIO(gbk_csv(GOOD_ROWS))
    upload.name = "erp.csv"
    response = api("service").post("/api/v1/imports/units/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["created"] == 3


def test_api_upload_rejected_file_answers_every_bad_row(api, customers, product_models):
    upload = io.BytesIO(gbk_csv([*GOOD_ROWS, "X1,HT-9999,,,L1,C-ALICE,,bad,SO1"]))
    upload.name = "erp.csv"
    response = api("service").post("/api/v1/imports/units/", {"file": upload}, format="multipart",
                                   HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_rejected"
    assert body["details"]["error_count"] == 2
    assert {e["column"] for e in body["details"]["errors"]} == {"品号", "发货日期"}
    assert "Unknown product model" in body["details"]["errors"][0]["message"]
    assert counts() == (0, 0)


@pytest.mark.parametrize("role", ["warehouse", "quality", "alice"])
def test_api_upload_needs_the_right_role(api, customers, product_models, role):
    upload = io.BytesIO(gbk_csv(GOOD_ROWS))
    upload.name = "erp.csv"
    response = api(role).post("/api/v1/imports/units/", {"file": upload}, format="multipart")
    assert response.status_code == 403
    assert counts() == (0, 0)


def test_api_upload_unknown_kind_and_missing_file(api):
    assert api("manager").post("/api/v1/imports/orders/", {}, format="multipart").status_code == 404
    response = api("manager").post("/api/v1/imports/units/", {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["details"]


def test_command_imports_and_shows_progress(tmp_path, customers, product_models, capsys):
    rows = [f"S{n:06d},HT-2000,,,L1,C-ALICE,,2026-01-01,SO1" for n in range(6000)]
    path = tmp_path / "big.csv"
    path.write_bytes(gbk_csv(rows))
    call_command("import", "units", str(path))
    captured = capsys.readouterr()
    assert "6000" in captured.out
    assert "6,001/6,001" in captured.err
    assert ShippedUnit.objects.count() == 6000


def test_command_reports_bad_rows_and_fails(tmp_path, customers, product_models):
    path = tmp_path / "bad.csv"
    path.write_bytes(gbk_csv(["X1,HT-9999,,,L1,C-ALICE,,2026-01-01,SO1"]))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", "units", str(path))
    assert counts() == (0, 0)
