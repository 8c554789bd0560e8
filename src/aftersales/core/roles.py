"""The roles of DOMAIN.md as Django groups, with the model permissions each one holds.

The table below is the one place where who-may-do-what on master data is written; the
groups are brought in line with it after every migrate (`roles_sync`).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Role:
    code: str
    label: object
    description: object


ROLES = [
    Role("service", _("After-sales service"), _("Customer interface: complaints, return applications, quotes, settlement.")),
    Role("warehouse", _("Warehouse"), _("Receives returned goods, counts them against the note, stocks in and out.")),
    Role("quality", _("Quality"), _("Inspects returns, grades defects, decides disposition, final inspection.")),
    Role("planning", _("Planning (PMC)"), _("Plans rework and replenishment; opens rework orders.")),
    Role("repair", pgettext_lazy("role", "Repair"), _("Carries out repair and rework; requests materials; records faults, parts, hours.")),
    Role("engineering", _("Engineering"), _("Rework methods, technical support, analysis of representative units.")),
    Role("purchasing", _("Purchasing"), _("Buys repair materials; chases suppliers for purchased-part failures.")),
    Role("finance", _("Finance"), _("Costs repaired goods, refunds, repair-fee collection.")),
    Role("ecommerce", _("E-commerce desk"),
         _("Takes e-commerce customers' returns; records the refund of a no-reason return within its window.")),
    Role("technician", _("Field technician"), _("On-site repair, installation and commissioning, service reports.")),
    Role("manager", _("Manager"), _("Approvals above a department's authority; edits policies.")),
    Role("customer", _("Customer"), _("Applies for returns and follows its own cases in the portal.")),
]
ROLE_CODES = [role.code for role in ROLES]
CUSTOMER = "customer"
STAFF_ROLE_CODES = [code for code in ROLE_CODES if code != CUSTOMER]
ROLE_LABELS = {role.code: role.label for role in ROLES}


def roles_of(user) -> set[str]:
    """The roles a user acts in, the one answer every service and page asks: none when not signed in;
    a customer user is the customer and nothing else; a superuser holds every staff role; staff hold
    the roles of their groups."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    if getattr(user, "customer_id", None) is not None:
        return {CUSTOMER}
    if getattr(user, "is_superuser", False):
        return set(STAFF_ROLE_CODES)
    return set(user.role_codes())


def require_roles(actor, *codes: str) -> set[str]:
    """For services: the actor's roles, if one of them is among `codes`; otherwise PermissionDenied."""
    from .errors import PermissionDenied

    held = roles_of(actor)
    if not held & set(codes):
        raise PermissionDenied(_("Your roles do not allow this."))
    return held


def role_required(*codes: str):
    """For pages: sign in first; a user without one of `codes` gets a 404 (the page does not exist for them)."""
    from functools import wraps

    from django.contrib.auth.decorators import login_required
    from django.http import Http404

    def decorate(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not roles_of(request.user) & set(codes):
                raise Http404
            return view(request, *args, **kwargs)

        checked.page_roles = frozenset(codes)  # who may open it: a link to it is shown to them only
        return login_required(checked)

    return decorate


def may_open(user, url: str) -> bool:
    """Whether a page (by its URL) opens for the user: pages under `role_required` for its roles only."""
    from django.urls import Resolver404, resolve

    try:
        found = resolve(url.split("?", 1)[0])
    except Resolver404:
        return False
    roles = getattr(found.func, "page_roles", None)
    return roles is None or bool(roles_of(user) & roles)


def _perms(app: str, actions: str, *models: str) -> set[str]:
    return {f"{app}.{action}_{model}" for model in models for action in actions.split()}


_MASTER = ("customer", "contact", "productmodel", "part", "shippedunit", "warehouse", "approver", "testitem",
           "supplier")
_VIEW_ALL = (_perms("masterdata", "view", *_MASTER) | _perms("core", "view", "policy")
             | _perms("returns", "view", "returncase") | _perms("inventory", "view", "stockbalance", "stockmove") | _perms("workcalendar", "view", "calendarday"))
_CASE_WRITE = _perms("returns", "add change", "returncase")

PERMISSIONS: dict[str, set[str]] = {
    "service": _VIEW_ALL | _perms("masterdata", "add change", "customer", "contact", "shippedunit") | _CASE_WRITE,
    "warehouse": _VIEW_ALL | _perms("inventory", "add", "stockmove"),
    "quality": _VIEW_ALL | _perms("masterdata", "add change", "testitem"),
    "planning": _VIEW_ALL,
    "repair": _VIEW_ALL,
    "engineering": _VIEW_ALL | _perms("masterdata", "add change", "productmodel", "part", "testitem"),
    "purchasing": _VIEW_ALL | _perms("masterdata", "add change", "part", "supplier"),
    "finance": _VIEW_ALL | _perms("masterdata", "change", "part"),
    "ecommerce": _VIEW_ALL,
    "technician": _VIEW_ALL,
    "manager": _VIEW_ALL
    | _perms("masterdata", "add change", *_MASTER)
    | _perms("core", "change", "policy")
    | _perms("workcalendar", "add change delete", "calendarday")
    | _perms("inventory", "add", "stockmove"),
    # Customers read their own records only; scoping to their customer is applied on every query.
    "customer": _perms("masterdata", "view", "customer", "contact", "productmodel", "shippedunit")
    | _perms("returns", "view", "returncase") | _CASE_WRITE,
}


def roles_sync(*, using: str = "default") -> None:
    """Make each role's group hold exactly the permissions of the table above."""
    from django.contrib.auth.models import Group, Permission

    wanted_codenames = {perm.split(".", 1)[1] for perms in PERMISSIONS.values() for perm in perms}
    by_name = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.using(using).select_related("content_type").filter(codename__in=wanted_codenames)
    }
    for role in ROLES:
        group, _created = Group.objects.using(using).get_or_create(name=role.code)
        wanted = [by_name[name] for name in sorted(PERMISSIONS[role.code]) if name in by_name]
        group.permissions.set(wanted)
