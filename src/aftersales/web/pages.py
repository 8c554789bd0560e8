"""What the apps' pages share: a service error as messages beside the fields, the ids ticked in a form."""

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import AppError


def error_details(error: AppError) -> dict:
    """An error's details as {field: [messages]}, for the fields of a form."""
    details = error.details if isinstance(error.details, dict) else {}
    return {key: value if isinstance(value, list) else [value] for key, value in details.items()}


def page_errors(error: AppError) -> dict:
    """An error for a page: the message at the top ("non_field"), then each stock shortage in words; beside
    their fields the per-field messages only. What else the details carry (ids, codes, quantities: data for
    an API client) is never shown as it is."""
    message = str(error.message)
    top = [message, *(sentence for sentence in _shortage_sentences(error.details) if sentence not in message)]
    fields = {key: messages for key, value in error_details(error).items() if (messages := _messages(value))}
    fields.pop("shortages", None)
    return {"non_field": top, **fields}


def _is_text(value) -> bool:
    return isinstance(value, (str, Promise))


def _messages(value) -> list[str]:
    """The messages a detail holds: a string, the strings of a list, and those of the lists and dicts nested in
    it ({"records": {"0": {"fault_found": [...]}}}); the scalars of a dict are data (a shortage's part and
    quantities), not messages."""
    if _is_text(value):
        return [str(value)]
    if isinstance(value, dict):
        return [m for v in value.values() if isinstance(v, (dict, list, tuple)) for m in _messages(v)]
    if isinstance(value, (list, tuple)):
        return [m for v in value if _is_text(v) or isinstance(v, (dict, list, tuple)) for m in _messages(v)]
    return []


def _shortage_sentences(details) -> list[str]:
    shortages = details.get("shortages") if isinstance(details, dict) else None
    sentences = []
    for row in shortages if isinstance(shortages, list) else []:
        if not isinstance(row, dict):
            continue
        item = (_("part %(code)s") % {"code": row["part"]} if row.get("part")
                else _("product model %(code)s") % {"code": row.get("product_model") or "?"})
        sentences.append(_("Not enough %(item)s in warehouse %(warehouse)s: %(available)s available, %(needed)s "
                           "needed.") % {"item": item, "warehouse": row.get("warehouse") or "?",
                                         "available": row.get("available"), "needed": row.get("needed")})
    return sentences


def ids_posted(post, name: str = "unit_ids") -> list[int]:
    """The ids ticked in a form; anything that cannot be an id is left out."""
    return [pk for pk in (parsing.id_or_none(raw) for raw in post.getlist(name)) if pk is not None]
