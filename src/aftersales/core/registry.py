"""What the business apps tell the shell, so that the shell never imports them (after Wagtail's hooks).

- step pages: for a clocked step of a subject type, the page where the step is done;
- inbox sources: what waits for a role that no clock measures (an approved case whose goods have not
  arrived yet), listed in the role's inbox beside the clocked steps.

Apps register in their `registry.py`, imported by their AppConfig.ready().
"""

from collections import defaultdict
from collections.abc import Callable

StepPage = Callable[[dict], str | None]
InboxSource = Callable[[object], list[dict]]

STEP_PAGES: dict[str, StepPage] = {}
INBOX_SOURCES: dict[str, list[InboxSource]] = defaultdict(list)


def register_step_page(subject_type: str, page: StepPage) -> None:
    STEP_PAGES[subject_type] = page


def register_inbox_source(role: str, source: InboxSource) -> None:
    if source not in INBOX_SOURCES[role]:
        INBOX_SOURCES[role].append(source)


def step_page(item: dict) -> str | None:
    """The page for a deadline (as deadline_data gives it), or None if no app registered one."""
    page = STEP_PAGES.get(item["subject_type"])
    return page(item) if page else None


def waiting_items(role: str, user) -> list[dict]:
    """Items without a clock for the role: each a dict with label, reference, url, since."""
    return [item for source in INBOX_SOURCES.get(role, ()) for item in source(user)]
