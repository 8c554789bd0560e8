"""What the business apps tell the shell, so that the shell never imports them (after Wagtail's hooks).

- step pages: for a clocked step of a subject type, the page where the step is done;
- inbox sources: what waits for a role that no clock measures (an approved case whose goods have not
  arrived yet), listed in the role's inbox beside the clocked steps;
- documentation sections of docs/workflow.md, and health checks of /healthz.

Apps register in their `registry.py`, imported by their AppConfig.ready().
"""

from collections import defaultdict
from collections.abc import Callable

StepPage = Callable[[dict], str | None]
InboxSource = Callable[[object], list[dict]]

STEP_PAGES: dict[str, StepPage] = {}
INBOX_SOURCES: dict[str, list[InboxSource]] = defaultdict(list)
# (order, function returning markdown): sections of docs/workflow.md beside the machines' own tables
DOC_SECTIONS: list[tuple[int, Callable[[], str]]] = []
# (name, function returning warnings): what /healthz asks beside the database
HEALTH_CHECKS: list[tuple[str, Callable[[], list[str]]]] = []


def register_step_page(subject_type: str, page: StepPage) -> None:
    STEP_PAGES[subject_type] = page


def register_inbox_source(role: str, source: InboxSource) -> None:
    if source not in INBOX_SOURCES[role]:
        INBOX_SOURCES[role].append(source)


def register_doc_section(order: int, section: Callable[[], str]) -> None:
    if all(existing is not section for _order, existing in DOC_SECTIONS):
        DOC_SECTIONS.append((order, section))


def register_health_check(name: str, check: Callable[[], list[str]]) -> None:
    """`check()` returns warnings (empty when all is well); /healthz lists them under `name`."""
    if all(existing != name for existing, _check in HEALTH_CHECKS):
        HEALTH_CHECKS.append((name, check))


def step_page(item: dict) -> str | None:
    """The page for a deadline (as deadline_data gives it), or None if no app registered one."""
    page = STEP_PAGES.get(item["subject_type"])
    return page(item) if page else None


def waiting_items(role: str, user) -> list[dict]:
    """Items without a clock for the role: each a dict with label, reference, url, since."""
    return [item for source in INBOX_SOURCES.get(role, ()) for item in source(user)]
