from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from opsqm.infra.accounts.models import User
from opsqm.infra.core.roles import Role


def apply_service_errors(
    form: forms.Form, exc: ValidationError, rename: dict[str, str] | None = None
) -> None:
    """Show a service's ValidationError on the form, on the fields it names."""
    rename = rename or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        name = rename.get(field, field)
        form.add_error(name if name in form.fields else None, errors)


class NewPasswordMixin(forms.Form):
    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_password2(self) -> str:
        p1, p2 = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if p1 and p2 and p1 != p2:
            raise ValidationError(_("The two passwords differ."))
        return str(p2)


def _related(field: str) -> QuerySet[Any]:
    """Every row the user's `field` may point at.  Read through the foreign key: the
    vendors and units are registers of the contracts app, which stands above accounts."""
    model: Any = User._meta.get_field(field).related_model
    return cast("QuerySet[Any]", model._default_manager.all())


def _vendor_field() -> forms.ModelChoiceField[Any]:
    return forms.ModelChoiceField(
        _related("vendor"),
        label=_("Vendor"),
        required=False,
        help_text=_("Required for vendor managers and engineers."),
    )


def _unit_field() -> forms.ModelChoiceField[Any]:
    return forms.ModelChoiceField(
        _related("unit"),
        label=_("Unit"),
        required=False,
        help_text=_("Required for service recipients."),
    )


class UserCreateForm(NewPasswordMixin):
    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=64, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    field_order = ["username", "full_name", "phone", "role", "vendor", "unit"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vendor"] = _vendor_field()
        self.fields["unit"] = _unit_field()
        self.order_fields(self.field_order)
        self.fields["password1"].label = _("Initial password")


class UserEditForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=64, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vendor"] = _vendor_field()
        self.fields["unit"] = _unit_field()


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vendor"] = _vendor_field()
        self.fields["unit"] = _unit_field()


class PasswordResetForm(NewPasswordMixin):
    pass


class OwnPasswordForm(NewPasswordMixin):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["old_password", "password1", "password2"]


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            ("active", _("Active")),
            ("inactive", _("Deactivated")),
            ("locked", _("Locked")),
        ],
    )
