from django.urls import path

from opsqm.facts.incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.incident_create, name="create"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/edit/", views.incident_edit, name="edit"),
    path("<int:pk>/report/", views.incident_report, name="report"),
    path("<int:pk>/report/file/", views.incident_file, name="report_file"),
    path("<int:pk>/step/<int:step>/", views.incident_step, name="step"),
    path("<int:pk>/evidence/new/", views.incident_evidence, name="evidence_add"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
    path("steps/<int:pk>/file/", views.step_file, name="step_file"),
    path("evaluations/", views.campaigns, name="campaigns"),
    path("evaluations/rate/", views.rate, name="rate"),
    path("evaluations/<int:pk>/", views.campaign_detail, name="campaign"),
    path("evaluations/<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("praise/", views.praise_list, name="praise"),
    path("praise/apply/", views.praise_apply, name="praise_apply"),
    path("praise/<int:pk>/decide/", views.praise_decide, name="praise_decide"),
    path("praise/<int:pk>/file/<str:field>/", views.praise_file, name="praise_file"),
    path("rectifications/", views.rectification_list, name="rectifications"),
    path("rectifications/new/", views.rectification_create, name="rectification_create"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification"),
    path(
        "rectifications/<int:pk>/respond/",
        views.rectification_respond,
        name="rectification_respond",
    ),
    path(
        "rectifications/<int:pk>/verify/", views.rectification_verify, name="rectification_verify"
    ),
    path(
        "rectifications/<int:pk>/file/<str:field>/",
        views.rectification_file,
        name="rectification_file",
    ),
    path("deliveries/", views.delivery_list, name="deliveries"),
    path("deliveries/new/", views.delivery_form, name="delivery_create"),
    path("deliveries/<int:pk>/edit/", views.delivery_form, name="delivery_edit"),
    path("deliveries/<int:pk>/file/", views.delivery_file, name="delivery_file"),
]
