"""Account pages.  Thin: forms validate input, services do and audit the change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opsqm.infra.accounts import approvals, identity, services
from opsqm.infra.accounts.forms import (
    OwnPasswordForm,
    PasswordResetForm,
    RoleForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
    apply_service_errors,
)
from opsqm.infra.accounts.models import AdminRequest, User
from opsqm.infra.core.access import (
    can_manage_accounts,
    can_manage_permissions,
    role_required,
)
from opsqm.infra.core.roles import Role

SYS, SEC = Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN


def _user_form(
    request: HttpRequest,
    form: Form,
    save: Callable[[dict[str, Any]], Any],
    done: str,
    title: str,
    account: User | None = None,
    rename: dict[str, str] | None = None,
) -> HttpResponse:
    """An administrator's form on an account: a valid POST calls `save(cleaned_data)`
    (the service) and goes to the account's page with `done` (its %(u)s is the
    username); the service's refusal is shown on the form's fields (`rename`: the
    service's field → the form's)."""
    if request.method == "POST" and form.is_valid():
        try:
            user = save(form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc, rename)
        else:
            if isinstance(user, AdminRequest):
                asked = _("The change to administrator account %(u)s waits for a second approval.")
                messages.success(request, asked % {"u": user.username})
                return redirect("accounts:requests")
            messages.success(request, done % {"u": user.username})
            return redirect("accounts:user", pk=user.pk)
    context: dict[str, Any] = {"form": form, "title": title}
    if account is not None:
        context["account"] = account
    return render(request, "accounts/user_form.html", context)


def _account_step(
    request: HttpRequest, pk: int, service: Callable[[Any, User], Any], done: str
) -> HttpResponse:
    """A one-click POST on an account (`service(actor, account)`), back to its page with
    `done` (its %(u)s is the username) or the service's refusal."""
    account = get_object_or_404(User, pk=pk)
    try:
        service(request.user, account)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done % {"u": account.username})
    return redirect("accounts:user", pk=account.pk)


class LoginView(auth_views.LoginView):
    """The login form, and the single sign-on button where the platform is configured."""

    template_name = "accounts/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = getattr(settings, "OPSQM_OIDC_ENABLED", False)
        return context


def pager_query(request: HttpRequest) -> str:
    """The current filters as a query string, without the page number."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@role_required(SYS, SEC)
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET or None)
    qs = User.objects.select_related("vendor", "unit").order_by("username")
    locked = services.locked_usernames()
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            qs = qs.filter(
                Q(username__icontains=q) | Q(full_name__icontains=q) | Q(phone__icontains=q)
            )
        if form.cleaned_data["role"]:
            qs = qs.filter(role=form.cleaned_data["role"])
        status = form.cleaned_data["status"]
        if status == "active":
            qs = qs.filter(is_active=True)
        elif status == "inactive":
            qs = qs.filter(is_active=False)
        elif status == "locked":
            qs = qs.filter(username__in=locked)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for u in page:
        u.is_locked = u.username in locked  # type: ignore[attr-defined]
    ctx = {
        "refusals": identity.recent_refusals() if can_manage_permissions(request.user) else [],
        "form": form,
        "page": page,
        "can_create": can_manage_accounts(request.user),
        "pager_query": pager_query(request),
    }
    template = "accounts/_user_table.html" if request.htmx else "accounts/user_list.html"  # type: ignore[attr-defined]
    return render(request, template, ctx)


@role_required(SYS)
def user_create(request: HttpRequest) -> HttpResponse:
    def save(d: dict[str, Any]) -> Any:
        return services.create_user(
            request.user,
            username=d["username"],
            password=d["password1"],
            role=d["role"],
            full_name=d["full_name"],
            phone=d["phone"],
            vendor=d["vendor"],
            unit=d["unit"],
        )

    return _user_form(
        request,
        UserCreateForm(request.POST or None),
        save,
        _("Account %(u)s created."),
        _("New account"),
        rename={"password": "password1"},
    )


@role_required(SYS, SEC)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User.objects.select_related("vendor", "unit"), pk=pk)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": account,
            "locked": services.is_locked(account),
            "can_manage": can_manage_accounts(request.user),
            "can_permissions": can_manage_permissions(request.user),
            "is_self": account.pk == request.user.pk,
        },
    )


@role_required(SYS)
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User, pk=pk)
    initial = {
        "full_name": account.full_name,
        "phone": account.phone,
        "vendor": account.vendor,
        "unit": account.unit,
    }
    return _user_form(
        request,
        UserEditForm(request.POST or None, initial=initial),
        lambda d: services.update_user(request.user, account, **d),
        _("Account %(u)s saved."),
        _("Edit account %(u)s") % {"u": account},
        account,
    )


@role_required(SYS)
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _account_step(request, pk, services.deactivate_user, _("Account %(u)s deactivated."))


@role_required(SYS)
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _account_step(request, pk, services.reactivate_user, _("Account %(u)s reactivated."))


@role_required(SEC)
def user_role(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User, pk=pk)
    initial = {"role": account.role, "vendor": account.vendor, "unit": account.unit}
    return _user_form(
        request,
        RoleForm(request.POST or None, initial=initial),
        lambda d: services.change_role(
            request.user, account, d["role"], vendor=d["vendor"], unit=d["unit"]
        ),
        _("Role of %(u)s saved."),
        _("Role of %(u)s") % {"u": account},
        account,
    )


@role_required(SEC)
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    return _account_step(request, pk, services.unlock_user, _("Account %(u)s unlocked."))


@role_required(SEC)
def user_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User, pk=pk)
    return _user_form(
        request,
        PasswordResetForm(request.POST or None),
        lambda d: services.reset_password(request.user, account, d["password1"]),
        _("Password of %(u)s reset; it must be changed at the next login."),
        _("Reset password of %(u)s") % {"u": account},
        account,
        rename={"password": "password1"},
    )


@login_required
def own_password(request: HttpRequest) -> HttpResponse:
    form = OwnPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.set_password(request.user, d["old_password"], d["password1"])  # type: ignore[arg-type]
        except ValidationError as exc:
            apply_service_errors(form, exc, {"password": "password1"})
        else:
            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, _("Your password has been changed."))
            return redirect("home:home")
    return render(
        request,
        "accounts/password_form.html",
        {"form": form, "must_change": getattr(request.user, "must_change_password", False)},
    )


@login_required
def api_token(request: HttpRequest) -> HttpResponse:
    """The account's API tokens: list, create (the secret is shown once), revoke."""
    from opsqm.infra.accounts.models import ApiToken

    user = request.user
    new_key = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            try:
                token_id = int(request.POST.get("token", ""))
            except ValueError:
                token_id = 0
            if services.revoke_token(user, token_id):  # type: ignore[arg-type]
                messages.success(request, _("The API token has been revoked."))
            return redirect("accounts:token")
        try:
            new_key = services.create_token(user, request.POST.get("name", ""))[1]  # type: ignore[arg-type]
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    tokens = ApiToken.objects.filter(user_id=int(user.pk or 0))
    return render(request, "accounts/token.html", {"tokens": tokens, "new_key": new_key})


@role_required(SYS, SEC, Role.AUDIT_ADMIN)
def admin_requests(request: HttpRequest) -> HttpResponse:
    """Administrator changes waiting for a second administrator (two-person rule), and
    the last decided ones."""
    decided = AdminRequest.objects.exclude(state=AdminRequest.State.PENDING)
    return render(
        request,
        "accounts/requests.html",
        {
            "pending": approvals.pending(),
            "decided": decided.select_related("requested_by", "decided_by")[:20],
            "can_decide": getattr(request.user, "role", "") in approvals.DECIDERS,
        },
    )


@role_required(SYS, SEC)
@require_POST
def admin_request_decide(request: HttpRequest, pk: int, verdict: str) -> HttpResponse:
    get_object_or_404(AdminRequest, pk=pk)
    decide = approvals.approve if verdict == "approve" else approvals.reject
    try:
        done = decide(request.user, pk)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request,
            _("Request %(id)s: %(state)s.") % {"id": done.pk, "state": done.get_state_display()},
        )
    return redirect("accounts:requests")
