"""Who may do what, in one place shared by the API and the UI.

Model permissions come from the roles table (roles.py). Customer users are further
limited to their own customer's records by `scope_to_customer`, applied to every queryset
they can reach; another customer's record is then simply not found (404).
"""

from rest_framework.permissions import DjangoModelPermissions


class RolePermission(DjangoModelPermissions):
    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }


SHARED = "*"  # customer_field for reference data every customer may read (product models)


def scope_to_customer(queryset, user, customer_field: str | None):
    """Limit a queryset to what `user` may see. Customer users see their customer's rows only
    (`customer_field` names the path to the customer), reference data marked SHARED, and
    nothing of a model with no customer field."""
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    customer_id = getattr(user, "customer_id", None)
    if customer_id is None:
        return queryset
    if customer_field == SHARED:
        return queryset
    if customer_field is None:
        return queryset.none()
    return queryset.filter(**{customer_field: customer_id})
