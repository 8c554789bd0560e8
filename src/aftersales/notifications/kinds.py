"""Notification kinds: how each reads. The apps that write a kind register it here (as deadlines/kinds.py
does for clocks), with the template (`notifications/<kind>.txt` in the app's own templates, first line the
subject) and, where the template needs more than the stored context, a function that adds it at reading
time in the reader's language. The outbox never imports its writers."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class NotificationKind:
    key: str
    # context (a copy of the stored one) -> the template's context, in the active language
    enrich: Callable[[dict], dict] | None = None


KINDS: dict[str, NotificationKind] = {}


def register(*kinds: NotificationKind) -> None:
    for kind in kinds:
        if kind.key in KINDS and KINDS[kind.key] != kind:
            raise ValueError(f"notification kind {kind.key!r} registered twice")
        KINDS[kind.key] = kind


def due_text(facts: dict) -> tuple[str, str]:
    """A due moment as a message shows it, and its mark when its year's official schedule is not confirmed."""
    due = timezone.localtime(timezone.datetime.fromisoformat(facts["due_at"]))
    mark = (_("provisional: the official holiday schedule of %(year)s is not confirmed") % {"year": due.year}
            if facts.get("provisional") else "")
    return due.strftime("%Y-%m-%d %H:%M"), mark
