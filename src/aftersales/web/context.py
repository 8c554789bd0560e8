"""What every page needs: the menu for the user's roles (the entries apps register, with what waits behind
them, grouped in drop-down menus where a user sees several entries of one group), the site search, and the
company's name."""

from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from aftersales.core.registry import menu_group_label, menu_items, site_search
from aftersales.core.roles import roles_of


def web(request) -> dict:
    user = getattr(request, "user", None)
    roles = roles_of(user)
    search = site_search()
    # The menu (and the counts behind it) only when the template draws it: an htmx fragment does not.
    nav = SimpleLazyObject(lambda: _nav(request, user, roles))
    return {"company_name": settings.COMPANY_NAME, "nav": nav, "roles": roles,
            "is_customer": "customer" in roles,
            "site_search": {"url": reverse(search.url_name), "label": search.label,
                            "placeholder": search.placeholder} if search else None}


def _nav(request, user, roles) -> list[dict]:
    """The top bar's entries in order: a link, or a group ({"links": [...]}) at its first entry's place."""
    current = request.resolver_match.view_name if request.resolver_match is not None else None
    entries, groups = [], {}
    for item in menu_items(roles):
        link = {"url": reverse(item.url_name), "label": item.label, "current": current == item.url_name,
                "count": item.count(user) if item.count else 0}
        if not item.group:
            entries.append(link)
        elif item.group in groups:
            groups[item.group]["links"].append(link)
        else:
            groups[item.group] = {"key": item.group, "label": menu_group_label(item.group), "links": [link]}
            entries.append(groups[item.group])
    nav = []
    for entry in entries:
        links = entry.get("links")
        if links is None or len(links) > 1:
            nav.append(entry if links is None else {**entry, "current": any(i["current"] for i in links),
                                                    "count": sum(i["count"] for i in links)})
        else:
            nav.append(links[0])  # a group of one entry is that entry
    return nav
