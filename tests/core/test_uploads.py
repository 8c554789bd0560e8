"""Hostile uploads at every endpoint and command that takes a file, as every persona.

The corner-cell workbook (tests/files.py: 1.5 KB, cells in A1 and XFD1048576) made calamine
ask for 549 GB and abort the server process. Now each upload is answered with an error code
(400 past a limit, 403 or 404 before the file is read), nothing is written, and the request's
memory stays small. Permissions are checked before any file is read.
"""

import io
import resource
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from aftersales.core import uploads
from aftersales.lib import tabular
from aftersales.masterdata.importing import KINDS
from aftersales.returns.models import ReturnCase
from tests.files import corner_xlsx

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
PEAK_LIMIT = 100 * MB
PERSONAS = ["service", "warehouse", "quality", "planning", "repair", "engineering", "purchasing", "finance",
            "technician", "manager", "alice", "bob", "nobody"]
LIMIT_CODES = {"too_many_rows", "too_many_columns", "too_many_cells", "workbook_too_large", "file_too_large"}


@pytest.fixture(autouse=True)
def media(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path / "media"


def world(media: Path) -> dict:
    """Every row of every model, each case's state and version, and the files under MEDIA_ROOT:
    equal before and after means nothing was written."""
    counts = {model._meta.label: model.objects.count() for model in apps.get_models()}
    cases = list(ReturnCase.objects.order_by("id").values_list("id", "state", "version"))
    files = sorted(str(path) for path in media.rglob("*") if path.is_file()) if media.exists() else []
    return {"rows": counts, "cases": cases, "files": files}


def corner_upload(name: str = "corner.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, corner_xlsx(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def measured(send):
    """The response, and the peak of Python memory while it was made."""
    tracemalloc.start()
    try:
        response = send()
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, peak


@pytest.fixture
def receiving_case(new_case, flow, registry):  # noqa: F811
    case = new_case()
    flow("service", "submit", case)
    flow("service", "approve", case)
    flow("warehouse", "start_receiving", case)
    return case


def _answers(api, persona: str, url: str, field: str = "file", **data) -> tuple[int, str]:
    response, peak = measured(lambda: api(persona).post(url, {field: corner_upload(), **data}, format="multipart"))
    assert peak < PEAK_LIMIT, (url, persona, peak)
    body = response.json()
    assert body["code"], (url, persona, body)
    return response.status_code, body["code"]


def _page_answers(client: Client, persona: str) -> int:
    application = {"channel": "dealer", "line-0-product_model": "HT-2000", "line-0-item_name": "电热水器",
                   "line-0-serials": "HT26090001", "submit_now": "1", "customer": "C-ALICE"}
    response, peak = measured(lambda: client.post("/cases/new/", {**application, "photos": [corner_upload()]}))
    assert peak < PEAK_LIMIT, ("/cases/new/", persona, peak)
    return response.status_code


def test_the_corner_cell_workbook_is_refused_everywhere_as_everyone(api, users, receiving_case, new_case,  # noqa: F811
                                                                     media):
    draft = new_case()  # Alice's, for attachments (customers add files to drafts and submitted cases)
    browsers = {persona: Client() for persona in PERSONAS}
    for persona, browser in browsers.items():
        browser.force_login(users[persona])  # before the snapshot: logging in writes a session and an attempt
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    before = world(media)
    answers, pages = {}, {}
    for persona in PERSONAS:
        for kind in KINDS:
            answers[("import", kind, persona)] = _answers(api, persona, f"/api/v1/imports/{kind}/")
        answers[("receiving-list", persona)] = _answers(
            api, persona, f"/api/v1/cases/{receiving_case['id']}/receiving-list/")
        answers[("attachments", persona)] = _answers(api, persona, f"/api/v1/cases/{draft['id']}/attachments/")
        pages[persona] = _page_answers(browsers[persona], persona)
    after = world(media)
    assert {label: rows for label, rows in after["rows"].items() if before["rows"][label] != rows} == {}
    assert after == before
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < PEAK_LIMIT / 1024

    for key, (status, code) in answers.items():
        persona = key[-1]
        if key[0] == "receiving-list":
            expected = {"warehouse": (400, "too_many_rows"), "bob": (404, "not_found")}.get(
                persona, (403, "permission_denied"))
            assert (status, code) == expected, key
        elif key[0] == "attachments":
            expected = {"bob": (404, "not_found"), "nobody": (403, "permission_denied")}.get(
                persona, (400, "too_many_rows"))
            assert (status, code) == expected, key
        elif (status, code) != (403, "permission_denied"):
            assert (status, code) == (400, "too_many_rows"), key
    # The new application page: those who apply get the refusal beside the photos, the others no page.
    assert pages == {persona: 400 if persona in {"service", "alice", "bob"} else 404 for persona in PERSONAS}
    importers = {key[2] for key, answer in answers.items() if key[0] == "import" and answer[0] == 400}
    assert importers == {"service", "engineering", "purchasing", "manager"}  # the roles that import master data
    assert answers[("import", "units", "alice")] == (403, "permission_denied")


def test_the_refusal_names_the_limit_and_what_the_file_declares(api, users):
    response = api("manager").post("/api/v1/imports/units/", {"file": corner_upload()}, format="multipart")
    body = response.json()
    assert (response.status_code, body["code"]) == (400, "too_many_rows")
    assert body["details"]["limit"] == tabular.MAX_ROWS
    assert (body["details"]["found"], body["details"]["declared"]) == (1_048_576, True)
    assert "200,000" in body["message"] and "1,048,576" in body["message"]
    english = api("manager").post("/api/v1/imports/units/", {"file": corner_upload()}, format="multipart",
                                  headers={"Accept-Language": "en"})
    assert "split the file" in english.json()["message"]
    chinese = api("manager").post("/api/v1/imports/units/", {"file": corner_upload()}, format="multipart",
                                  headers={"Accept-Language": "zh-hans"})
    assert "拆分" in chinese.json()["message"]


def test_a_receiving_list_is_not_read_before_the_role_and_the_case_are_checked(api, receiving_case, monkeypatch):
    read = []
    monkeypatch.setattr("aftersales.returns.api.items_from_file", lambda **kwargs: read.append(kwargs) or [])
    url = f"/api/v1/cases/{receiving_case['id']}/receiving-list/"
    for persona, status in (("alice", 403), ("bob", 404), ("quality", 403), ("nobody", 403)):
        assert api(persona).post(url, {"file": corner_upload()}, format="multipart").status_code == status
    assert read == []


def test_a_receiving_list_for_a_case_not_receiving_is_refused_unread(api, new_case, registry,  # noqa: F811
                                                                   monkeypatch):
    case = new_case()
    monkeypatch.setattr("aftersales.returns.api.items_from_file", lambda **kwargs: pytest.fail("read"))
    response = api("warehouse").post(f"/api/v1/cases/{case['id']}/receiving-list/", {"file": corner_upload()},
                                     format="multipart")
    assert (response.status_code, response.json()["code"]) == (409, "invalid_state")


def test_an_upload_past_the_size_limit_is_refused_by_its_size(api, users, monkeypatch):
    monkeypatch.setattr(tabular, "read_table", lambda *args, **kwargs: pytest.fail("the file was parsed"))
    big = SimpleUploadedFile("units.csv", b"x" * (tabular.MAX_FILE_BYTES + 1), content_type="text/csv")
    response = api("manager").post("/api/v1/imports/units/", {"file": big}, format="multipart")
    body = response.json()
    assert (response.status_code, body["code"]) == (400, "file_too_large")
    assert body["details"]["limit"] == tabular.MAX_FILE_BYTES
    assert "20 MB" in body["message"]


def test_the_upload_handler_keeps_nothing_past_the_largest_limit(users):
    handler = uploads.BoundedUploadHandler()
    handler.new_file("file", "units.csv", "text/csv", None)
    chunk = b"x" * MB
    passed = [handler.receive_data_chunk(chunk, n * MB) for n in range(uploads.MAX_UPLOAD_BYTES // MB + 3)]
    assert sum(len(data) for data in passed if data is not None) == uploads.MAX_UPLOAD_BYTES
    cut = handler.file_complete(uploads.MAX_UPLOAD_BYTES + 3 * MB)
    assert (cut.size, cut.read()) == (uploads.MAX_UPLOAD_BYTES + 3 * MB, b"")

    client = Client()
    client.force_login(users["manager"])
    big = io.BytesIO(b"x" * (uploads.MAX_UPLOAD_BYTES + 3 * MB))
    big.name = "units.csv"
    response = client.post("/api/v1/imports/units/", {"file": big})
    assert (response.status_code, response.json()["code"]) == (400, "file_too_large")
    assert response.json()["details"]["found"] > uploads.MAX_UPLOAD_BYTES


def test_the_import_command_refuses_the_corner_workbook(tmp_path):
    path = tmp_path / "corner.xlsx"
    path.write_bytes(corner_xlsx())
    with pytest.raises(CommandError) as info:
        call_command("import", "units", str(path))
    assert "too_many_rows" in str(info.value) and "200,000" in str(info.value)


def test_the_calendar_import_refuses_the_corner_workbook(tmp_path):
    from aftersales.workcalendar.models import CalendarDay

    path = tmp_path / "corner.xlsx"
    path.write_bytes(corner_xlsx())
    with pytest.raises(CommandError) as info:
        call_command("calendar", "import", str(path))
    assert "too_many_rows" in str(info.value)
    assert CalendarDay.objects.count() == 0
    with pytest.raises(CommandError) as info:
        call_command("calendar", "import", str(tmp_path / "none.csv"))
    assert "No file" in str(info.value)


def _limit_address_space():
    limit = 1536 * MB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def test_the_import_command_survives_the_corner_workbook_in_limited_memory(tmp_path):
    """In a process limited to 1.5 GB of address space: before the fix, calamine's 549 GB request
    aborted it (SIGABRT, no message); now it ends with a one-line error."""
    path = tmp_path / "corner.xlsx"
    path.write_bytes(corner_xlsx())
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "aftersales.config.test_settings",
           "AFTERSALES_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite3'}",
           "LANG": "C.UTF-8"}
    migrated = subprocess.run([sys.executable, "-m", "aftersales", "migrate", "--noinput", "-v", "0"], env=env,
                              capture_output=True, text=True, timeout=300)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    result = subprocess.run([sys.executable, "-m", "aftersales", "import", "units", str(path)], env=env,
                            capture_output=True, text=True, timeout=120, preexec_fn=_limit_address_space)
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("CommandError:") and "too_many_rows" in lines[0]
