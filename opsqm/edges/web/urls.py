from django.conf import settings
from django.urls import include, path

urlpatterns = [
    path("", include("opsqm.edges.home.urls")),
    path("", include("opsqm.infra.ops.urls")),
    path("accounts/", include("opsqm.infra.accounts.urls")),
    path("audit/", include("opsqm.infra.audit.urls")),
    path("contracts/", include("opsqm.facts.contracts.urls")),
    path("staff/", include("opsqm.facts.staff.urls")),
    path("attendance/", include("opsqm.facts.attendance.urls")),
    path("ledger/", include("opsqm.derived.ledger.urls")),
    path("incidents/", include("opsqm.facts.incidents.urls")),
    path("settlement/", include("opsqm.derived.settlement.urls")),
    path("dashboards/", include("opsqm.derived.dashboards.urls")),
    path("tickets/", include("opsqm.facts.tickets.urls")),
    path("jobs/", include("opsqm.infra.jobs.urls")),
    path("acceptance/", include("opsqm.derived.acceptance.urls")),
    path("reports/", include("opsqm.derived.reports.urls")),
    path("tickets/", include("opsqm.facts.tickets.print_urls")),
    path("api/v1/", include("opsqm.edges.api.urls")),
]

if settings.DEMO_MAILBOX_FILE:  # `make run`'s read-only view of the loopback mailboxes
    urlpatterns.append(path("demo/", include("opsqm.edges.demo.urls")))
