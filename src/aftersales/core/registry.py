"""What the business apps tell the shell and each other's pages, so that the shell never imports them
and a lower app never imports a higher one (after Wagtail's hooks).

For the shell (`web/`):
- menu entries: url name, label, the roles that see them (none: every signed-in user), order, and the group
  (a drop-down menu of the top bar) they open from;
- the site search: the page the search box in the header sends its query to;
- step pages: for a clocked step of a subject type, the page where the step is done, and the words of the
  button that opens it ("Approve", "Receive", "Inspect"...);
- subject summaries: for ids of a subject type, what a row about each says (customer, models, quantity),
  in a few queries for all of them, so the inbox gives every step its context;
- state groups: per machine, each state's group (waiting, in progress, blocked, done, cancelled), which
  colours its badge the same way on every page;
- subject pages: the page of a subject (a notification about it links there);
- inbox sources: what waits for a role that no clock measures (an approved case whose goods have not
  arrived yet), listed in the role's inbox beside the clocked steps;
- inbox sections: a block of the inbox of its own (a customer's cases), a template and its context;
- print forms: the printed forms of a subject type, rendered by the shell's `web/printing.render_form`;
- documentation sections of docs/workflow.md, health checks of /healthz, and the demo each app adds.

For a subject's own pages, from higher apps (repairs adds to the return case's pages):
- action pages: a workflow action done on a page of its own, which the subject's page links to;
- subject panels: a block of a subject's page (the quotes of a case);
- related documents: the documents that follow from a subject or that it follows from (a case's rework
  orders, material requests, quotes, scrap applications), for its document flow (上查/下查);
- charge checks: whether what a subject charges the customer is settled (the parts shipment of a service
  request waits for its accepted, and per policy paid, quote that repairs keeps).

Apps register in their `registry.py`, imported by their AppConfig.ready().
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

StepPage = Callable[[dict], str | None]
StepAction = Callable[[dict], object]  # a deadline -> the words of the button that opens its page
# (ids, user) -> {id: {"reference", "customer", "models", "quantity", "group"?: (subject_type, id, reference)}}
SubjectSummaries = Callable[[list[int], object], dict[int, dict]]
# (subject, request) -> [{"kind", "number", "url", "state_machine", "state", "state_label", "direction"}]
RelatedDocuments = Callable[[object, object], list[dict]]
InboxSource = Callable[[object], list[dict]]
# A section or panel answers a dict of context with the "template" to render it, or None to show nothing.
InboxSection = Callable[[object], dict | None]
SubjectPanel = Callable[[object, object], dict | None]


@dataclass(frozen=True)
class MenuItem:
    url_name: str
    label: object
    roles: frozenset = frozenset()  # empty: every signed-in user with a role
    order: int = 100
    count: Callable[[object], int] | None = None  # user -> what waits behind the entry ("待办 5")
    group: str = ""  # a key of MENU_GROUPS: entries of one group open from one menu when a user sees several


@dataclass(frozen=True)
class SiteSearch:
    url_name: str
    label: object  # what the search finds, for screen readers
    placeholder: object


@dataclass(frozen=True)
class SubjectPage:
    url: Callable[[int], str]
    link_label: object


@dataclass(frozen=True)
class PrintForm:
    key: str  # in the form's address
    template: str
    title_zh: str  # the form's Chinese name, printed as is whatever the page's language (DOMAIN.md "Forms")
    title_en: str  # its English name, printed beneath
    data: Callable[[object], dict]  # the subject -> the form's context
    link_label: object  # the link on the subject's page
    staff_only: bool = False  # internal paper: not for the customer's portal (404 as for any case not its own)
    order: int = 100
    # subject -> whether the form has anything to show yet (no quote link before a quote); None: always
    available: Callable[[object], bool] | None = None


MENU: dict[str, MenuItem] = {}
MENU_GROUPS: dict[str, object] = {}  # key -> label of a drop-down menu ("返品", "服务台")
SITE_SEARCH: list[SiteSearch] = []
STEP_PAGES: dict[str, StepPage] = {}
STEP_ACTIONS: dict[str, StepAction] = {}
SUBJECT_SUMMARIES: dict[str, SubjectSummaries] = {}
STATE_GROUPS: dict[str, dict[str, str]] = {}
# The groups a state badge is coloured by, in the order a reader goes through them.
GROUPS = ("waiting", "progress", "blocked", "done", "cancelled")
RELATED_DOCUMENTS: dict[str, list[RelatedDocuments]] = defaultdict(list)
SUBJECT_PAGES: dict[str, SubjectPage] = {}
INBOX_SOURCES: dict[str, list[InboxSource]] = defaultdict(list)
# (order, function returning markdown): sections of docs/workflow.md beside the machines' own tables
DOC_SECTIONS: list[tuple[int, Callable[[], str]]] = []
# (order, name, function building an app's part of the demo, returning counts of what it made)
DEMO_BUILDERS: list[tuple[int, str, Callable[[], dict]]] = []
# (name, function returning warnings): what /healthz asks beside the database
HEALTH_CHECKS: list[tuple[str, Callable[[], list[str]]]] = []
INBOX_SECTIONS: list[InboxSection] = []
PRINT_FORMS: dict[str, dict[str, PrintForm]] = defaultdict(dict)
ACTION_PAGES: dict[str, dict[str, str]] = defaultdict(dict)
SUBJECT_PANELS: dict[str, list[SubjectPanel]] = defaultdict(list)
# subject type -> (subject -> None when its charge is settled, else the error code saying what is missing)
CHARGE_CHECKS: dict[str, Callable[[object], str | None]] = {}
UNSETTLED = "quote_not_accepted"  # no app keeps the charges of this subject type: nothing can be settled


# --- registering (from an app's registry.py) ---

def register_menu_item(url_name: str, label, *, roles=(), order: int = 100, count=None, group: str = "") -> None:
    MENU[url_name] = MenuItem(url_name, label, frozenset(roles), order, count, group)


def register_menu_group(key: str, label) -> None:
    MENU_GROUPS[key] = label


def register_site_search(url_name: str, *, label, placeholder) -> None:
    SITE_SEARCH[:] = [SiteSearch(url_name, label, placeholder)]


def register_step_page(subject_type: str, page: StepPage, *, action: StepAction | None = None) -> None:
    STEP_PAGES[subject_type] = page
    if action is not None:
        STEP_ACTIONS[subject_type] = action


def register_subject_summaries(subject_type: str, summaries: SubjectSummaries) -> None:
    SUBJECT_SUMMARIES[subject_type] = summaries


def register_state_groups(machine: str, groups: dict[str, str]) -> None:
    """`groups`: every state of the machine -> one of GROUPS."""
    unknown = {group for group in groups.values() if group not in GROUPS}
    if unknown:
        raise ValueError(f"{machine}: unknown state groups {sorted(unknown)}")
    STATE_GROUPS[machine] = dict(groups)


def register_related_documents(subject_type: str, documents: RelatedDocuments) -> None:
    if documents not in RELATED_DOCUMENTS[subject_type]:
        RELATED_DOCUMENTS[subject_type].append(documents)


def register_subject_page(subject_type: str, url: Callable[[int], str], *, link_label) -> None:
    SUBJECT_PAGES[subject_type] = SubjectPage(url, link_label)


def register_inbox_source(role: str, source: InboxSource) -> None:
    if source not in INBOX_SOURCES[role]:
        INBOX_SOURCES[role].append(source)


def register_demo(order: int, name: str, build: Callable[[], dict]) -> None:
    """`aftersales demo` runs the builders in order after the master data; each is idempotent."""
    if all(existing != name for _order, existing, _build in DEMO_BUILDERS):
        DEMO_BUILDERS.append((order, name, build))


def register_doc_section(order: int, section: Callable[[], str]) -> None:
    if all(existing is not section for _order, existing in DOC_SECTIONS):
        DOC_SECTIONS.append((order, section))


def register_health_check(name: str, check: Callable[[], list[str]]) -> None:
    """`check()` returns warnings (empty when all is well); /healthz lists them under `name`."""
    if all(existing != name for existing, _check in HEALTH_CHECKS):
        HEALTH_CHECKS.append((name, check))


def register_inbox_section(section: InboxSection) -> None:
    if section not in INBOX_SECTIONS:
        INBOX_SECTIONS.append(section)


def register_print_form(subject_type: str, form: PrintForm) -> None:
    PRINT_FORMS[subject_type][form.key] = form


def register_action_page(subject_type: str, action: str, url_name: str) -> None:
    ACTION_PAGES[subject_type][action] = url_name


def register_charge_check(subject_type: str, check: Callable[[object], str | None]) -> None:
    CHARGE_CHECKS[subject_type] = check


def register_subject_panel(subject_type: str, panel: SubjectPanel) -> None:
    if panel not in SUBJECT_PANELS[subject_type]:
        SUBJECT_PANELS[subject_type].append(panel)


# --- reading (the shell, a subject's pages) ---

def menu_items(roles: set[str]) -> list[MenuItem]:
    """The entries a user of these roles sees, in order; nothing for a user without roles."""
    if not roles:
        return []
    return sorted((item for item in MENU.values() if not item.roles or item.roles & roles),
                  key=lambda item: item.order)


def menu_group_label(key: str):
    return MENU_GROUPS.get(key, key)


def site_search() -> SiteSearch | None:
    return SITE_SEARCH[0] if SITE_SEARCH else None


def step_page(item: dict) -> str | None:
    """The page for a deadline (as deadline_data gives it), or None if no app registered one."""
    page = STEP_PAGES.get(item["subject_type"])
    return page(item) if page else None


def step_action(item: dict):
    """The words of the button that opens a step's page, or None (the page is named by the step)."""
    action = STEP_ACTIONS.get(item["subject_type"])
    return action(item) if action else None


def subject_summaries(subject_type: str, ids, user) -> dict[int, dict]:
    """What rows about these subjects say of each (customer, models, quantity), or {} if no app said."""
    summaries = SUBJECT_SUMMARIES.get(subject_type)
    return summaries(sorted(set(ids)), user) if summaries and ids else {}


def state_group(machine: str, state: str) -> str:
    """The group a state's badge is coloured by; a state no app grouped counts as waiting."""
    return STATE_GROUPS.get(machine, {}).get(state, GROUPS[0])


def related_documents(subject_type: str, subject, request) -> list[dict]:
    """The documents apps list on a subject's page; a document whose page the user may not open is named, not
    linked."""
    from .roles import may_open

    return [document if not document.get("url") or may_open(request.user, document["url"]) else
            {**document, "url": None}
            for source in RELATED_DOCUMENTS.get(subject_type, ()) for document in source(subject, request)]


def document_flow(subject_type: str, subject, request) -> dict[str, list[dict]]:
    """The related documents split as a page shows them: "up" what the subject came from (上查), "down" what
    followed from it (下查); a document that names no direction follows from it."""
    flow = {"up": [], "down": []}
    for document in related_documents(subject_type, subject, request):
        flow["up" if document.get("direction") == "up" else "down"].append(document)
    return flow


def subject_link(subject_type: str, subject_id: int | None) -> dict | None:
    """{"url", "label"} of the link to a subject's page, or None if its app registered no page."""
    page = SUBJECT_PAGES.get(subject_type) if subject_id else None
    return {"url": page.url(subject_id), "label": page.link_label} if page else None


def waiting_items(role: str, user) -> list[dict]:
    """Items without a clock for the role: each a dict with label, reference, url, since."""
    return [item for source in INBOX_SOURCES.get(role, ()) for item in source(user)]


def inbox_sections(request) -> list[dict]:
    return [found for section in INBOX_SECTIONS if (found := section(request)) is not None]


def print_forms(subject_type: str) -> list[PrintForm]:
    return sorted(PRINT_FORMS.get(subject_type, {}).values(), key=lambda form: form.order)


def print_form(subject_type: str, key: str) -> PrintForm | None:
    return PRINT_FORMS.get(subject_type, {}).get(key)


def action_page(subject_type: str, action: str) -> str | None:
    """The url name of the page an action is done on, if a higher app registered one."""
    return ACTION_PAGES.get(subject_type, {}).get(action)


def charge_refusal(subject_type: str, subject) -> str | None:
    """None when the subject's charge is settled; else the code of what is missing (quote_not_accepted when
    no app keeps charges of this type)."""
    check = CHARGE_CHECKS.get(subject_type)
    return check(subject) if check is not None else UNSETTLED


def subject_panels(subject_type: str, subject, request) -> list[dict]:
    return [found for panel in SUBJECT_PANELS.get(subject_type, ()) if (found := panel(subject, request)) is not None]
