from django import template
from django.utils import timezone
from django.utils.html import format_html

from aftersales.core.registry import state_group

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template (a QueryDict or dict), or ""."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.simple_tag
def state_badge(machine: str, state: str, label=""):
    """A state's badge, coloured by the group its machine puts it in (core.registry.register_state_groups).
    The one place its markup is written (web/_state.html includes it); a tag, not a template, because a
    1,000-unit case draws a thousand of them."""
    return format_html('<span class="state s-{} g-{}">{}</span>', state, state_group(machine, state), label or state)


def _calendar(context):
    """The working-day calendar, loaded once per request (two queries) for every due badge of the page."""
    from aftersales.workcalendar.calendar import calendar_load

    request = context.get("request")
    found = getattr(request, "_work_calendar", None)
    if found is None:
        found = calendar_load()
        if request is not None:
            request._work_calendar = found
    return found


@register.inclusion_tag("web/_due.html", takes_context=True)
def due_badge(context, item):
    """A step's due badge: the time left (or overdue) in words on the working-day calendar, the due moment,
    and the provisional mark. `item` is a deadline as deadlines.selectors.deadline_data gives it."""
    due_at = item.get("due_at") if hasattr(item, "get") else None
    words = None
    if due_at is not None and item.get("state", "open") == "open":
        overdue, unit, amount = _calendar(context).time_left(timezone.now(), due_at)
        words = {"overdue": overdue, "unit": unit, "n": amount, "soon": not overdue and unit != "working_days"}
    return {"item": item, "left": words}
