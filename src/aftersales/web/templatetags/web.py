from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

from aftersales.core.registry import state_group

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template (a QueryDict or dict), or ""."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def menu_count(n) -> str:
    """A menu badge's count: past web.registry.MENU_COUNT_CAP it says "999+" (the count stopped there)."""
    from aftersales.web.registry import MENU_COUNT_CAP

    return f"{MENU_COUNT_CAP}+" if n > MENU_COUNT_CAP else str(n)


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


def _left_words(overdue: bool, unit: str, n: int) -> str:
    """The time left in words ("剩 3 小时", "逾期 2 个工作日"); each form written out for the catalogue."""
    if overdue:
        if unit == "working_days":
            text = ngettext("overdue by %(n)s working day", "overdue by %(n)s working days", n)
        elif unit == "hours":
            text = ngettext("overdue by %(n)s hour", "overdue by %(n)s hours", n)
        else:
            text = ngettext("overdue by %(n)s minute", "overdue by %(n)s minutes", n)
    elif unit == "working_days":
        text = ngettext("%(n)s working day left", "%(n)s working days left", n)
    elif unit == "hours":
        text = ngettext("%(n)s hour left", "%(n)s hours left", n)
    else:
        text = ngettext("%(n)s minute left", "%(n)s minutes left", n)
    return text % {"n": n}


@register.simple_tag(takes_context=True)
def due_badge(context, item):
    """A step's due badge: the time left (or overdue) in words on the working-day calendar, the due moment,
    and the provisional mark. `item` is a deadline as deadlines.selectors.deadline_data gives it. The one
    place its markup is written (web/_due.html includes it); a tag, not a template, because an inbox or a
    case list draws a hundred of them."""
    get = item.get if hasattr(item, "get") else (lambda key, default=None: default)
    due_at, provisional = get("due_at"), get("provisional")
    classes, words = ["due"], ""
    if due_at is not None and get("state", "open") == "open":
        overdue, unit, amount = _calendar(context).time_left(timezone.now(), due_at)
        classes.append("overdue" if overdue else "soon" if unit != "working_days" else "")
        words = format_html('<span class="left">{}</span>', _left_words(overdue, unit, amount))
    elif get("overdue"):
        words = gettext("overdue")
    if provisional:
        classes.append("provisional")
    moment = timezone.localtime(due_at) if due_at is not None else None
    mark = ""
    if provisional:
        title = gettext("The official holiday schedule of %(year)s is not confirmed yet: this due moment may "
                        "still move.") % {"year": dateformat.format(moment, "Y") if moment else ""}
        mark = format_html(' <abbr class="provisional" title="{}">{}</abbr>', title, gettext("provisional"))
    return format_html('<span class="{}">{} <time datetime="{}">{}</time>{}</span>',
                       " ".join(c for c in classes if c), words,
                       dateformat.format(moment, "c") if moment else "",
                       dateformat.format(moment, "Y-m-d H:i") if moment else "", mark)
