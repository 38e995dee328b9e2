"""/api/v1/: accounts and audit (here), the registers (opsqm.edges.api.registers), the
OpenAPI document and its offline documentation pages."""

from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import SimpleRouter

from opsqm.edges.api import registers, views

app_name = "api"

router = SimpleRouter(trailing_slash=True)
router.register("users", views.UserViewSet, basename="user")
router.register("audit", views.AuditRecordViewSet, basename="audit")
router.register("admin-requests", views.AdminRequestViewSet, basename="admin-request")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("me/password/", views.MePasswordView.as_view(), name="me-password"),
    path("me/tokens/", views.MeTokensView.as_view(), name="me-tokens"),
    path("me/tokens/<int:pk>/", views.MeTokenView.as_view(), name="me-token"),
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]),
        name="schema",
    ),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", permission_classes=[IsAuthenticated]
        ),
        name="docs",
    ),
    path(
        "redoc/",
        SpectacularRedocView.as_view(
            url_name="api:schema",
            permission_classes=[IsAuthenticated],
            template_name="api/redoc.html",
        ),
        name="redoc",
    ),
    path("", include(router.urls)),
    path("", include(registers.router.urls)),
    path("", include("opsqm.facts.tickets.api")),
    path("", include("opsqm.facts.attendance.api")),
    path("", include("opsqm.facts.incidents.api")),
    path("", include("opsqm.facts.incidents.remedy_api")),
    path("", include("opsqm.derived.settlement.api")),
    path("", include("opsqm.derived.reports.api")),
    path("", include("opsqm.derived.payments.api")),
]
