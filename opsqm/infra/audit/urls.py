from django.urls import path

from opsqm.infra.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.record_list, name="list"),
    path("<int:seq>/", views.record_detail, name="detail"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("verify/", views.verify, name="verify"),
]
