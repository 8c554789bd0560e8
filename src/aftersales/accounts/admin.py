from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import InvalidInput

from .models import User
from .services import check_user_roles


class UserForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User

    def clean(self):
        cleaned = super().clean()
        groups = cleaned.get("groups")
        role_codes = {group.name for group in groups} if groups is not None else set()
        try:
            check_user_roles(customer=cleaned.get("customer"), role_codes=role_codes)
        except InvalidInput as exc:
            raise ValidationError({("groups" if key == "roles" else key): messages
                                   for key, messages in exc.details.items()}) from None
        return cleaned


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserForm
    list_display = ["username", "first_name", "last_name", "customer", "is_staff", "is_active"]
    list_filter = ["groups", "is_staff", "is_active"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    fieldsets = DjangoUserAdmin.fieldsets + ((_("Aftersales"), {"fields": ("customer", "language")}),)
