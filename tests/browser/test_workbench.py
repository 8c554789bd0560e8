"""Issue 12, the workbench, in a real browser: the main flow counted from each role's inbox, toasts after
htmx actions, confirmations, tabs and photos on the case page, the application form, tables as cards on a
phone, screenshots of every main page (Chinese and English, desktop and phone) and an accessibility check
with axe-core (vendored for the tests only: tests/browser/vendor/axe.min.js)."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from aftersales.returns.models import CaseState, ReturnCase, ReturnUnit
from aftersales.returns.services.actions import apply_action
from aftersales.returns.services.attachments import attachment_add
from aftersales.returns.workflow import ACTIONS

from .conftest import TIMEOUT_MS, axe_violations, browser_test, en, log_in, png, zh

pytestmark = browser_test

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
SERIALS = ["HT26090001", "HT26090002", "HT26090003"]


@pytest.fixture
def session(new_context, base_url, users):
    """session("service", language="en", phone=True) -> a signed-in page in its own browser context."""

    def make(username: str, *, language: str = "zh-hans", phone: bool = False):
        context = new_context(**(PHONE if phone else DESKTOP))
        context.set_default_timeout(TIMEOUT_MS)
        context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
        return log_in(context.new_page(), base_url, username)

    return make


def case_id_of(page) -> int:
    return int(re.search(r"/cases/(\d+)/", page.url).group(1))


def from_inbox(page, reference: str, clicks: dict, role: str):
    """From the role's inbox, the button of its next job on the case `reference`: one click, counted."""
    page.goto("/")
    group = page.locator("#items tbody").filter(has_text=reference)
    button = group.locator("a.do").first
    expect(button).to_be_visible()
    button.click()
    clicks[role] = clicks.get(role, 0) + 1
    return page


def expect_toast(page, text: str):
    toast = page.locator("#toasts .toast.show").filter(has_text=text)
    expect(toast).to_be_visible()


def test_the_main_flow_from_each_inbox_one_click_each(session, registry, shoot, capsys):
    clicks: dict[str, int] = {}

    # The customer applies: the button on her inbox opens the form.
    alice = session("alice")
    alice.locator("main a.button.primary[href='/cases/new/']").click()
    clicks["customer"] = 1
    expect(alice).to_have_url(re.compile(r"/cases/new/$"))
    alice.select_option("#l0-model", "HT-2000")
    expect(alice.locator("#l0-name")).to_have_value("电热水器 2000W")  # the model fills its name
    alice.locator("#l0-serials").fill("\n".join(SERIALS))
    alice.locator("#l0-serials").dispatch_event("change")
    expect(alice.locator("#l0-lookup .lookup-hit")).to_have_count(3)  # each pasted serial looked up
    alice.fill("#l0-lot", "260910-1")
    alice.fill("#l0-defect", "不加热")
    alice.locator("button[name=submit_now]").click()
    expect(alice).to_have_url(re.compile(r"/cases/\d+/$"))
    case = ReturnCase.objects.get(pk=case_id_of(alice))
    expect_toast(alice, case.number)

    # Service approves: the inbox row of the case opens the case page, where the approval is a button.
    service = session("service")
    from_inbox(service, case.number, clicks, "service")
    expect(service).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    service.locator("#case-body .primary-actions button[value=approve]").click()
    expect(service.locator("h1 .state")).to_have_class(re.compile(r"\bs-approved\b"))
    expect_toast(service, zh(ACTIONS["approve"].label))  # the htmx swap brings its message as a toast

    # The warehouse receives three units: the awaited goods open the receiving page.
    warehouse = session("warehouse")
    from_inbox(warehouse, case.number, clicks, "warehouse")
    expect(warehouse).to_have_url(re.compile(rf"/cases/{case.pk}/receive/$"))
    warehouse.locator("main form[action$='/actions/start_receiving/'] button").click()
    for serial in SERIALS:
        warehouse.locator("#scan").press_sequentially(serial)
        warehouse.locator("#scan").press("Enter")
        expect(warehouse.locator("#scan-log .scan").first).to_contain_text(serial)
    expect(warehouse.locator("#counts tbody tr")).to_have_class("done")
    warehouse.locator(f"main form[action='/cases/{case.pk}/actions/close_receipt/'] button").click()
    expect(warehouse.locator("h1 .state")).to_have_class(re.compile(r"\bs-received\b"))

    # Quality inspects and disposes on the bench the inbox opens.
    quality = session("quality")
    from_inbox(quality, case.number, clicks, "quality")
    expect(quality).to_have_url(re.compile(rf"/cases/{case.pk}/inspect/$"))
    quality.locator("#bench thead input[data-select-all]").check()
    quality.select_option("#i-defect", "function")
    quality.select_option("#i-resp", "company")
    quality.select_option("#i-grade", "B")
    quality.select_option("#i-rep", "yes")
    quality.locator("#bench [data-apply-selected]").click()
    expect(quality.locator("#bench tbody select[data-field=grade]").first).to_have_value("B")
    quality.locator("#bench button[name=step][value=inspect]").click()
    expect_toast(quality, zh(ACTIONS["inspect"].label))
    quality.locator("#bench thead input[data-select-all]").check()
    quality.select_option("#i-disp", "return_as_is")
    quality.locator("#bench button[name=step][value=dispose]").click()
    expect(quality).to_have_url(re.compile(r"/bench/quality/$"))  # the last unit done: back to the bench
    expect_toast(quality, case.number)
    assert {u.state for u in ReturnUnit.objects.filter(return_case=case)} == {"ready_to_ship"}

    # The warehouse ships back: its inbox step opens the case page with the shipping form.
    from_inbox(warehouse, case.number, clicks, "warehouse-ship")
    expect(warehouse).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    ship = warehouse.locator("details.unit-action").filter(has=warehouse.locator("#form-ship_back"))
    ship.locator("summary").click()
    warehouse.fill("#ship_back-carrier", "顺丰")
    warehouse.fill("#ship_back-tracking_number", "SF1234567890")
    ship.locator("button[type=submit]").click()
    expect(warehouse.locator("h1 .state")).to_have_class(re.compile(r"\bs-settled\b"))

    # Service closes, after saying yes in the confirmation dialog.
    from_inbox(service, case.number, clicks, "service-close")
    expect(service).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    service.locator("#case-body .primary-actions button[value=close]").click()
    dialog = service.locator("#confirm-modal")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(zh("Close this case? It cannot be reopened."))
    assert ReturnCase.objects.get(pk=case.pk).state == "settled"  # nothing sent before the yes
    shoot(service, "confirm-close")
    dialog.locator("#confirm-ok").click()
    expect(service.locator("h1 .state")).to_have_class(re.compile(r"\bs-closed\b"))
    assert ReturnCase.objects.get(pk=case.pk).state == CaseState.CLOSED

    with capsys.disabled():
        print(f"\nclicks from the inbox to the page where the job is done: {clicks}")
    assert clicks == {"customer": 1, "service": 1, "warehouse": 1, "quality": 1, "warehouse-ship": 1,
                      "service-close": 1}


def test_a_confirmation_dialog_sends_nothing_when_declined(session, case_at):
    case = case_at("submitted")
    service = session("service")
    service.goto(f"/cases/{case.pk}/")
    service.locator("#case-body .primary-actions a[href='#do-reject']").click()
    service.fill("#reject-comment", "型号不符")
    service.locator("#do-reject button[type=submit]").click()
    expect(service.locator("#confirm-modal")).to_be_visible()
    service.locator("#confirm-modal button[data-bs-dismiss=modal]").last.click()
    expect(service.locator("#confirm-modal")).to_be_hidden()
    assert ReturnCase.objects.get(pk=case.pk).state == "submitted"


def test_the_case_page_tabs_photos_and_timeline(session, case_at, users, shoot):
    case = case_at("approved", serials=SERIALS)
    apply_action(actor=users["warehouse"], case_id=case.pk, action="start_receiving")
    for serial in SERIALS:  # one scan after another
        apply_action(actor=users["warehouse"], case_id=case.pk, action="receive", params={"items": [{"serial": serial}]})
    apply_action(actor=users["warehouse"], case_id=case.pk, action="close_receipt")
    attachment_add(actor=users["service"], case_id=case.pk,
                   upload=SimpleUploadedFile("defect.png", png(64, 48), content_type="image/png"),
                   description="外壳裂纹")
    service = session("service")
    service.goto(f"/cases/{case.pk}/")
    expect(service.locator("#tab-units")).to_be_visible()
    expect(service.locator("#tab-units table.units tbody tr")).to_have_count(3)
    service.locator("#t-attachments").click()
    expect(service).to_have_url(re.compile(r"#tab-attachments$"))  # the open tab is in the address
    thumb = service.locator("#att-h + ul a")
    expect(thumb).to_have_count(1)
    thumb.locator("img").click()
    modal = service.locator("#photo-modal")
    expect(modal).to_be_visible()
    expect(modal.locator("img")).to_have_attribute("src", re.compile(r"^/attachments/\d+/$"))
    shoot(service, "case-photo-large")
    modal.locator(".btn-close").click()
    service.locator("#t-timeline").click()
    label = re.compile(rf"^{re.escape(zh(ACTIONS['receive'].label))}$")
    received = service.locator("#tab-timeline ol.timeline li").filter(has=service.locator("strong", has_text=label))
    expect(received).to_have_count(1)  # three scans, one entry
    expect(received).to_contain_text("3")
    service.reload()
    expect(service.locator("#tab-timeline")).to_be_visible()  # back on the tab of the address


def test_the_application_form_adds_and_removes_lines_and_presets_the_channel(session, registry, customers):
    service = session("service")
    service.goto("/cases/new/")
    lines = service.locator("#line-list [data-line]")
    expect(lines).to_have_count(3)
    service.locator("[data-add-line]").click()
    expect(lines).to_have_count(4)
    lines.nth(1).locator("[data-remove-line]").click()
    expect(lines).to_have_count(3)
    last = lines.last
    last.locator("select[name$='-product_model']").select_option("HT-2000")
    expect(last.locator("input[name$='-item_name']")).to_have_value("电热水器 2000W")
    last.locator("textarea[name$='-serials']").fill("HT26090001\nNOT-A-UNIT")
    last.locator("textarea[name$='-serials']").dispatch_event("change")  # a line added on the page looks up too
    expect(last.locator(".lookup .lookup-hit")).to_have_count(1)
    expect(last.locator(".lookup .lookup-miss")).to_contain_text("NOT-A-UNIT")
    service.select_option("#id_channel", "direct")
    service.select_option("#id_customer", "C-ALICE")  # a dealer: the channel follows
    expect(service.locator("#id_channel")).to_have_value("dealer")
    expect(service.locator("#l0-lot")).to_have_attribute("aria-required", "true")


def test_on_a_phone_tables_are_cards_and_the_menu_folds(session, case_at, shoot):
    case = case_at("received", serials=SERIALS)
    page = session("service", phone=True)
    expect(page.locator("#top-menu")).to_be_hidden()
    page.locator("header .navbar-toggler").click()
    expect(page.locator("#top-menu nav")).to_be_visible()
    page.goto(f"/cases/{case.pk}/")
    row = page.locator("table.units tbody tr").first
    assert row.evaluate("e => getComputedStyle(e).display") == "block"
    cell = row.locator("td.serial")
    assert cell.evaluate("e => getComputedStyle(e, '::before').content") == f'"{zh("Serial number")}"'
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing wider than the phone: no table squeezed, nothing to scroll sideways
    shoot(page, "case-page-phone-cards")


# --- every main page, in both languages, on a desk and on a phone; and axe-core on each ---

@pytest.fixture
def stages(case_at, users):
    """A case at each main stage, a photo on the received one."""
    received = case_at("received", serials=SERIALS)
    attachment_add(actor=users["service"], case_id=received.pk,
                   upload=SimpleUploadedFile("defect.png", png(64, 48), content_type="image/png"), description="外观")
    return {"received": received, "submitted": case_at("submitted", serials=["HT26090004"]),
            "approved": case_at("approved", serials=["HT26090005"])}


def main_pages(stages) -> list[tuple[str, str, str]]:
    received, approved = stages["received"], stages["approved"]
    return [
        ("inbox-service", "service", "/"), ("inbox-warehouse", "warehouse", "/"), ("inbox-quality", "quality", "/"),
        ("inbox-customer", "alice", "/"), ("case-list", "service", "/cases/"),
        ("case-page", "service", f"/cases/{received.pk}/"), ("case-page-customer", "alice", f"/cases/{received.pk}/"),
        ("new-application", "service", "/cases/new/"), ("receiving-bench", "warehouse", "/receiving/"),
        ("receiving", "warehouse", f"/cases/{approved.pk}/receive/"), ("quality-bench", "quality", "/bench/quality/"),
        ("inspection-bench", "quality", f"/cases/{received.pk}/inspect/"), ("import", "service", "/imports/"),
        ("notifications", "alice", "/notifications/"),
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_screenshots_and_accessibility_of_every_main_page(session, stages, shoot, language):
    sessions = {}
    found = {}
    for phone in (False, True):
        for name, username, path in main_pages(stages):
            key = (username, phone)
            if key not in sessions:
                sessions[key] = session(username, language=language, phone=phone)
            page = sessions[key]
            response = page.goto(path)
            assert response.status == 200, (name, path)
            expect(page.locator("html")).to_have_attribute("lang", language)
            shoot(page, f"{name}-{language}-{'phone' if phone else 'desktop'}")
            if not phone:
                found[name] = axe_violations(page)
    serious = {name: violations for name, violations in found.items() if violations}
    assert serious == {}, serious
    title = en("Cases") if language == "en" else zh("Cases")
    assert title  # both catalogues answer


def test_on_the_bench_enter_goes_from_field_to_field(session, case_at):
    case = case_at("received", serials=SERIALS)
    (first, *_rest) = ReturnUnit.objects.filter(return_case=case).order_by("id")
    quality = session("quality")
    quality.goto(f"/cases/{case.pk}/inspect/")
    quality.locator(f"select[name='defect_class-{first.pk}']").focus()
    quality.keyboard.press("Enter")
    expect(quality.locator(f"select[name='responsibility-{first.pk}']")).to_be_focused()
    quality.keyboard.press("Enter")
    expect(quality.locator(f"select[name='grade-{first.pk}']")).to_be_focused()
    quality.keyboard.press("Shift+Enter")
    expect(quality.locator(f"select[name='responsibility-{first.pk}']")).to_be_focused()


def test_an_import_shows_its_progress_bar_and_its_result(session, settings, tmp_path, shoot):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    csv = tmp_path / "customers.csv"
    csv.write_bytes("客户编码,客户名称\nC-IMP1,导入客户一\nC-IMP2,导入客户二\n".encode("gbk"))
    service = session("service")
    service.locator("header nav a[href='/imports/']").click()
    service.select_option("#im-kind", "customers")
    service.set_input_files("#im-file", str(csv))
    service.locator("main form button[type=submit]").click()
    expect(service).to_have_url(re.compile(r"/imports/\d+/$"))
    bar = service.locator("#progress .progress")
    expect(bar).to_have_attribute("aria-valuenow", "100")
    expect(service.locator("#progress .result")).to_contain_text("2")
    expect_toast(service, "customers.csv")
    shoot(service, "import-done")
