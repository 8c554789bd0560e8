"""The import page: a file read in the background (a task) with its progress polled by the page."""

import pytest

from aftersales.core.models import Job
from aftersales.masterdata.models import Customer
from aftersales.masterdata.tasks import import_in_background

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
CSV = "客户编码,客户名称,客户类型\nC-NEW1,新客户一,经销商\nC-NEW2,新客户二,电商\n".encode("gbk")


def upload(name="customers.csv", content=CSV):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_the_import_page_is_for_service_and_manager(browser_as):
    for persona, status in (("service", 200), ("manager", 200), ("warehouse", 404), ("alice", 404)):
        assert browser_as(persona).get("/imports/").status_code == status, persona


def test_an_import_runs_as_a_task_and_the_page_follows_its_progress(browser_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    service = browser_as("service")
    response = service.post("/imports/", {"kind": "customers", "file": upload()})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    # Queued on the database backend: nothing is written yet, the page polls.
    assert job.state == "queued" and not Customer.objects.filter(code="C-NEW1").exists()
    waiting = service.get(f"/imports/{job.pk}/", **HX).content.decode()
    assert waiting.lstrip().startswith('<section id="progress"') and 'hx-trigger="every 1s"' in waiting
    assert 'aria-valuenow="0"' in waiting

    seen = []
    from aftersales.core import background as services

    real = services.job_progress
    services.job_progress = lambda job, done, total: (seen.append((done, total)), real(job, done, total))
    try:
        import_in_background.call(job.pk)  # what the worker does
    finally:
        services.job_progress = real
    job.refresh_from_db()
    assert job.state == "done" and job.percent == 100 and job.result["created"] == 2
    assert seen and all(total == 100 for _done, total in seen)  # the reading reported as it went
    assert set(Customer.objects.filter(code__startswith="C-NEW").values_list("name", flat=True)) == {"新客户一", "新客户二"}
    done = service.get(f"/imports/{job.pk}/", **HX).content.decode()
    assert 'aria-valuenow="100"' in done and "every 1s" not in done  # the polling stops
    assert not job.file  # the upload is not kept
    assert browser_as("manager").get(f"/imports/{job.pk}/").status_code == 404  # another user's job


def test_a_refused_file_ends_the_job_failed_with_its_rows(browser_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    bad = "客户编码,客户名称\n,没有编码\n".encode("gbk")
    response = browser_as("service").post("/imports/", {"kind": "customers", "file": upload(content=bad)})
    job = Job.objects.get()
    assert job.state == "failed" and job.result["errors"]
    page = browser_as("service").get(response["Location"]).content.decode()
    assert "error-box" in page and "every 1s" not in page


def test_a_form_without_a_kind_or_a_file_says_so(browser_as):
    response = browser_as("service").post("/imports/", {})
    assert response.status_code == 400 and Job.objects.count() == 0
