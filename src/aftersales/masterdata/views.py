"""The import page for staff: a file of customers, models, parts or shipped units read in the background
(masterdata/tasks.py), its progress shown as it goes; the page and its progress come from one template."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from aftersales.core import parsing
from aftersales.core.errors import AppError
from aftersales.core.roles import role_required
from aftersales.core.uploads import upload_read
from aftersales.core.background import job_create, job_get, jobs_latest
from aftersales.lib.tabular import MAX_FILE_BYTES

from . import importing
from .tasks import IMPORT_JOB, import_in_background

IMPORT_ROLES = ("service", "manager")


def _kinds_for(user) -> list[tuple[str, object]]:
    """The kinds of file the user may import: the permissions the API asks for."""
    found = []
    for key, kind in importing.KINDS.items():
        meta = kind.model._meta
        needed = [f"{meta.app_label}.add_{meta.model_name}"]
        if kind.upsert:
            needed.append(f"{meta.app_label}.change_{meta.model_name}")
        if user.has_perms(needed):
            found.append((key, kind.label))
    return found


@role_required(*IMPORT_ROLES)
@require_http_methods(["GET", "POST"])
def import_page(request):
    kinds = _kinds_for(request.user)
    errors = {}
    if request.method == "POST":
        kind, upload = request.POST.get("kind", ""), request.FILES.get("file")
        if kind not in dict(kinds):
            errors["kind"] = [_("Choose what the file holds.")]
        if upload is None:
            errors["file"] = [_("Choose a file.")]
        if not errors:
            try:
                raw = upload_read(upload, max_bytes=MAX_FILE_BYTES)
            except AppError as error:
                errors["file"] = [str(error.message)]
            else:
                job = job_create(actor=request.user, kind=IMPORT_JOB, file_name=upload.name, content=raw,
                                 params={"kind": kind, "filename": upload.name})
                import_in_background.enqueue(job.pk)
                messages.info(request, _("The import of %(name)s has started.") % {"name": upload.name})
                return redirect("masterdata:import_job", pk=job.pk)
    return render(request, "masterdata/import.html", {
        "kinds": kinds, "errors": errors, "posted": request.POST,
        "jobs": jobs_latest(user=request.user, kind=IMPORT_JOB), "kind_labels": dict(importing.KINDS)},
        status=400 if errors else 200)


@role_required(*IMPORT_ROLES)
def import_job(request, pk: int):
    """An import's progress: the whole page, or (polled by htmx) its progress part until it ends."""
    job_id = parsing.id_or_none(pk)
    job = job_get(user=request.user, pk=job_id, kind=IMPORT_JOB) if job_id else None
    if job is None:
        raise Http404
    context = {"job": job, "kind_label": importing.KINDS[job.params["kind"]].label
               if job.params.get("kind") in importing.KINDS else ""}
    if request.htmx:
        return render(request, "masterdata/import_job.html#progress", context)
    return render(request, "masterdata/import_job.html", context)
