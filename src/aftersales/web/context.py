"""What every page needs: the menu for the user's roles (the entries apps register, with what waits behind
them), the site search, and the company's name."""

from django.conf import settings
from django.urls import reverse

from aftersales.core.registry import menu_items, site_search
from aftersales.core.roles import roles_of


def web(request) -> dict:
    user = getattr(request, "user", None)
    roles = roles_of(user)
    current = request.resolver_match.view_name if request.resolver_match is not None else None
    nav = [{"url": reverse(item.url_name), "label": item.label, "current": current == item.url_name,
            "count": item.count(user) if item.count else 0}
           for item in menu_items(roles)]
    search = site_search()
    return {"company_name": settings.COMPANY_NAME, "nav": nav, "roles": roles, "is_customer": "customer" in roles,
            "site_search": {"url": reverse(search.url_name), "label": search.label,
                            "placeholder": search.placeholder} if search else None}
