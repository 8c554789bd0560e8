"""What the apps' pages share: a service error as messages beside the fields, the ids ticked in a form."""

from aftersales.core import parsing
from aftersales.core.errors import AppError


def error_details(error: AppError) -> dict:
    """An error's details as {field: [messages]}, for the fields of a form."""
    details = error.details if isinstance(error.details, dict) else {}
    return {key: value if isinstance(value, list) else [value] for key, value in details.items()}


def page_errors(error: AppError) -> dict:
    """An error for a page: the message at the top ("non_field"), the details beside their fields."""
    return {"non_field": [str(error.message)], **error_details(error)}


def ids_posted(post, name: str = "unit_ids") -> list[int]:
    """The ids ticked in a form; anything that cannot be an id is left out."""
    return [pk for pk in (parsing.id_or_none(raw) for raw in post.getlist(name)) if pk is not None]
