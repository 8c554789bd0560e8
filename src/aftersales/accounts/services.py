"""Users: staff of one or more roles, or a customer user bound to one customer."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.core.errors import InvalidInput
from aftersales.core.roles import ROLE_CODES

from .models import User


def check_user_roles(*, customer, role_codes: set[str]) -> None:
    """A customer user holds the customer role only; staff never hold it. Raise InvalidInput."""
    unknown = role_codes - set(ROLE_CODES)
    if unknown:
        raise InvalidInput(details={"roles": [_("Unknown role: %(roles)s.") % {"roles": ", ".join(sorted(unknown))}]})
    if customer is not None and role_codes != {"customer"}:
        raise InvalidInput(details={"roles": [_("A customer user has the customer role and no other.")]})
    if customer is None and "customer" in role_codes:
        raise InvalidInput(details={"customer": [_("A user with the customer role must be linked to a customer.")]})


@transaction.atomic
def user_create(*, username: str, password: str | None, role_codes: set[str], customer=None,
                language: str = "zh-hans", **fields) -> User:
    check_user_roles(customer=customer, role_codes=role_codes)
    user = User(username=username, customer=customer, language=language, is_staff=customer is None, **fields)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set(Group.objects.filter(name__in=role_codes))
    return user
