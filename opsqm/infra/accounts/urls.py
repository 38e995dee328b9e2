from django.contrib.auth import views as auth_views
from django.urls import path

from opsqm.infra.accounts import oidc, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sso/start/", oidc.start, name="sso_start"),
    path("sso/callback/", oidc.callback, name="sso_callback"),
    path("password/", views.own_password, name="password"),
    path("token/", views.api_token, name="token"),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("users/<int:pk>/role/", views.user_role, name="user_role"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/password/", views.user_password_reset, name="user_password"),
    path("requests/", views.admin_requests, name="requests"),
    path(
        "requests/<int:pk>/approve/",
        views.admin_request_decide,
        {"verdict": "approve"},
        name="request_approve",
    ),
    path(
        "requests/<int:pk>/reject/",
        views.admin_request_decide,
        {"verdict": "reject"},
        name="request_reject",
    ),
]
