from django.urls import path

from opsqm.facts.incidents.views import (
    delivery,
    evaluation,
    incident,
    praise,
    rectification,
    stafflist,
)

app_name = "incidents"
urlpatterns = [
    path("", incident.incident_list, name="list"),
    path("new/", incident.incident_create, name="create"),
    path("<int:pk>/", incident.incident_detail, name="detail"),
    path("<int:pk>/edit/", incident.incident_edit, name="edit"),
    path("<int:pk>/report/", incident.incident_report, name="report"),
    path("<int:pk>/report/file/", incident.incident_file, name="report_file"),
    path("<int:pk>/step/<int:step>/", incident.incident_step, name="step"),
    path("<int:pk>/evidence/new/", incident.incident_evidence, name="evidence_add"),
    path("evidence/<int:pk>/file/", incident.evidence_file, name="evidence_file"),
    path("steps/<int:pk>/file/", incident.step_file, name="step_file"),
    path("evaluations/", evaluation.campaigns, name="campaigns"),
    path("evaluations/rate/", evaluation.rate, name="rate"),
    path("evaluations/<int:pk>/", evaluation.campaign_detail, name="campaign"),
    path("evaluations/<int:pk>/close/", evaluation.campaign_close, name="campaign_close"),
    path("praise/", praise.praise_list, name="praise"),
    path("praise/apply/", praise.praise_apply, name="praise_apply"),
    path("praise/<int:pk>/decide/", praise.praise_decide, name="praise_decide"),
    path("praise/<int:pk>/file/<str:field>/", praise.praise_file, name="praise_file"),
    path("rectifications/", rectification.rectification_list, name="rectifications"),
    path("rectifications/new/", rectification.rectification_create, name="rectification_create"),
    path("rectifications/<int:pk>/", rectification.rectification_detail, name="rectification"),
    path(
        "rectifications/<int:pk>/respond/",
        rectification.rectification_respond,
        name="rectification_respond",
    ),
    path(
        "rectifications/<int:pk>/mail/",
        rectification.rectification_mail,
        name="rectification_mail",
    ),
    path(
        "rectifications/<int:pk>/verify/",
        rectification.rectification_verify,
        name="rectification_verify",
    ),
    path(
        "rectifications/<int:pk>/file/<str:field>/",
        rectification.rectification_file,
        name="rectification_file",
    ),
    path("deliveries/", delivery.delivery_list, name="deliveries"),
    path("deliveries/new/", delivery.delivery_form, name="delivery_create"),
    path("deliveries/<int:pk>/edit/", delivery.delivery_form, name="delivery_edit"),
    path("deliveries/<int:pk>/file/", delivery.delivery_file, name="delivery_file"),
    path("deliveries/<int:pk>/staff-list/", stafflist.staff_list, name="staff_list"),
    path("staff-lists/<int:pk>/file/", stafflist.staff_list_file, name="staff_list_file"),
]
