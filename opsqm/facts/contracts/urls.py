from django.urls import path

from opsqm.facts.contracts import views

app_name = "contracts"
urlpatterns = [
    path("", views.contract_list, name="list"),
    path("export.xlsx", views.contract_export, name="export"),
    path("new/", views.contract_create, name="create"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/edit/", views.contract_edit, name="edit"),
    path("<int:pk>/agreements/<str:kind>/", views.agreement_form, name="agreement"),
    path("<int:pk>/agreements/<str:kind>/file/", views.agreement_file, name="agreement_file"),
    path("vendors/", views.vendor_list, name="vendors"),
    path("vendors/new/", views.vendor_form, name="vendor_create"),
    path("vendors/<int:pk>/edit/", views.vendor_form, name="vendor_edit"),
    path("units/", views.unit_list, name="units"),
    path("units/new/", views.unit_form, name="unit_create"),
    path("units/<int:pk>/edit/", views.unit_form, name="unit_edit"),
]
