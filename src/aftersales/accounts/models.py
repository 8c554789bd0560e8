from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Staff of one or more roles (groups), or a customer user bound to exactly one customer."""

    customer = models.ForeignKey(
        "masterdata.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("Set for customer (portal) users only: they see this customer's data and nothing else."),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self) -> str:
        """A Chinese name family name first and without a space (周磊), as it is written; others as Django
        writes them (given name first)."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if any("\u3400" <= ch <= "\u9fff" for ch in first + last):
            return f"{last}{first}"
        return super().get_full_name()

    @property
    def is_customer_user(self) -> bool:
        return self.customer_id is not None

    def role_codes(self) -> set[str]:
        if not hasattr(self, "_role_codes"):
            self._role_codes = set(self.groups.values_list("name", flat=True))
        return self._role_codes
