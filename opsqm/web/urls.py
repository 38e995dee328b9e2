from django.urls import include, path

urlpatterns = [
    path("", include("opsqm.core.urls")),
    path("accounts/", include("opsqm.accounts.urls")),
    path("audit/", include("opsqm.audit.urls")),
    path("contracts/", include("opsqm.contracts.urls")),
    path("staff/", include("opsqm.staff.urls")),
    path("attendance/", include("opsqm.attendance.urls")),
    path("ledger/", include("opsqm.ledger.urls")),
    path("incidents/", include("opsqm.incidents.urls")),
    path("settlement/", include("opsqm.settlement.urls")),
    path("dashboards/", include("opsqm.dashboards.urls")),
    path("tickets/", include("opsqm.tickets.urls")),
    path("jobs/", include("opsqm.jobs.urls")),
    path("acceptance/", include("opsqm.acceptance.urls")),
    path("reports/", include("opsqm.reports.urls")),
    path("tickets/", include("opsqm.tickets.print_urls")),
    path("api/v1/", include("opsqm.api.urls")),
]
