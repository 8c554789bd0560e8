"""What every page needs: the navigation for the user's roles and the company's name."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.core.roles import roles_of

# (url name, label, roles that see it; empty = every signed-in user)
NAVIGATION = [
    ("web:inbox", _("Inbox"), set()),
    ("web:case_list", _("Cases"), set()),
    ("web:case_new", _("New return"), {"service", "customer"}),
    ("web:receiving", _("Receiving"), {"warehouse"}),
    ("web:quality_bench", _("Quality bench"), {"quality"}),
    ("web:repair_bench", _("Repair bench"), {"repair"}),
    ("web:repair_board", _("Rework board"), {"planning", "repair", "quality", "engineering", "purchasing"}),
    ("web:repair_daily", _("Repair daily report"), {"repair", "quality", "engineering", "manager"}),
    ("web:scrap_list", _("Scrap applications"), {"manager"}),
    ("web:notifications", _("Notifications"), set()),
]


def web(request) -> dict:
    user = getattr(request, "user", None)
    roles = roles_of(user)
    nav = [{"url": reverse(name), "label": label, "current": request.resolver_match is not None
            and request.resolver_match.view_name == name}
           for name, label, needs in NAVIGATION if roles and (not needs or needs & roles)]
    return {"company_name": settings.COMPANY_NAME, "nav": nav, "roles": roles,
            "is_customer": "customer" in roles}
