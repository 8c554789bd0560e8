"""The shell's pages: the inbox (what waits for the user's roles, and the sections apps register), the
notifications, the language switch. The apps' own pages live with their app (`<app>/views.py`).
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.core.registry import (inbox_sections, step_action, step_page, subject_link, subject_summaries,
                                      waiting_items)
from aftersales.core.roles import ROLE_LABELS, STAFF_ROLE_CODES, roles_of
from aftersales.deadlines.selectors import deadline_data, queue, queue_counts
from aftersales.notifications.models import Notification
from aftersales.notifications.services import render as render_notification

from .exports import Row, xlsx_response

INBOX_ITEMS = 50


# --- inbox ---

@login_required
def inbox(request):
    """What waits for the user's roles now, soonest due first, with overdue and due-today counts."""
    roles = sorted(roles_of(request.user))
    customer_id = request.user.customer_id
    role = request.GET.get("role") if request.GET.get("role") in roles else (roles[0] if roles else None)
    at = timezone.now()
    if role and request.GET.get("export") == "xlsx":
        return xlsx_response(f"queue-{role}", [
            (_("Due"), "due_at"), (_("Step"), "label"), (_("Case"), "reference"), (_("Started at"), "started_at"),
            (_("Overdue"), "overdue"), (_("Provisional due date"), "provisional")],
            (Row(deadline_data(d, at)) for d in queue(role, customer_id=customer_id).iterator(chunk_size=2000)))
    waiting = {r: waiting_items(r, request.user) for r in roles}
    summary = [{**queue_counts(r, customer_id=customer_id, at=at), "label": ROLE_LABELS[r],
                "waiting": len(waiting[r])} for r in roles]
    items = [deadline_data(d, at) for d in queue(role, customer_id=customer_id)[:INBOX_ITEMS]] if role else []
    for item in items:
        item["url"], item["action"] = step_page(item), step_action(item)
    context = {"summary": summary, "role": role, "items": items, "groups": grouped_by_subject(items, request.user),
               "waiting": waiting.get(role, [])}
    if "manager" in roles:
        # The manager's overview: what waits in every department, and how much of it is overdue.
        overview = [{**queue_counts(r, at=at), "label": str(ROLE_LABELS[r])} for r in STAFF_ROLE_CODES]
        context["overview"] = {"labels": [row["label"] for row in overview],
                               "overdue": [row["overdue"] for row in overview],
                               "on_time": [row["open"] - row["overdue"] for row in overview],
                               "legend": [str(_("Overdue")), str(_("On time"))]}
    context["sections"] = inbox_sections(request)
    template = "web/inbox.html#items" if request.htmx and request.GET.get("role") else "web/inbox.html"
    return render(request, template, context)


def grouped_by_subject(items: list[dict], user) -> list[dict]:
    """The steps grouped by what they are about (a case: its own steps and its rework orders' steps), each
    group with what the registered summaries say of it (customer, models, quantity); groups in the order
    of their soonest step. One or two queries per subject type, whatever the number of rows."""
    by_type: dict[str, set] = {}
    for item in items:
        by_type.setdefault(item["subject_type"], set()).add(item["subject_id"])
    summaries = {kind: subject_summaries(kind, ids, user) for kind, ids in by_type.items()}
    groups: dict[tuple, dict] = {}
    for item in items:  # soonest due first: a group's first step is its soonest
        summary = summaries[item["subject_type"]].get(item["subject_id"], {})
        item["summary"] = summary
        kind, pk, reference = summary.get("group") or (item["subject_type"], item["subject_id"],
                                                       summary.get("reference") or item["reference"])
        group = groups.get((kind, pk))
        if group is None:
            link = subject_link(kind, pk)
            group = groups[(kind, pk)] = {"reference": reference, "url": link["url"] if link else None,
                                          "summary": summary, "items": [], "next": item}
        group["items"].append(item)
    return list(groups.values())


# --- notifications ---

@login_required
def notifications(request):
    if request.method == "POST":
        Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
        return redirect("web:notifications")
    page = Paginator(Notification.objects.filter(recipient=request.user).order_by("-id"), 30).get_page(
        request.GET.get("page"))
    for notification in page:
        notification.subject, notification.body = render_notification(notification, request.LANGUAGE_CODE)
        notification.link = subject_link(notification.subject_type, notification.subject_id)
    return render(request, "web/notifications.html", {"page": page})


@require_POST
def set_language(request):
    """Django's language switch, remembered on the user too (notifications follow it)."""
    from django.views.i18n import set_language as django_set_language

    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES) and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response
