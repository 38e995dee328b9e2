from django.urls import path

from opsqm.facts.staff import views

app_name = "staff"
urlpatterns = [
    path("", views.staff_list, name="list"),
    path("export.xlsx", views.staff_export, name="export"),
    path("new/", views.staff_form, name="create"),
    path("<int:pk>/", views.staff_detail, name="detail"),
    path("<int:pk>/edit/", views.staff_form, name="edit"),
    path("<int:pk>/verify/", views.staff_verify, name="verify"),
    path("<int:pk>/files/<str:field>/", views.staff_file, name="file"),
    path("replacements/", views.replacement_list, name="replacements"),
    path("replacements/new/", views.replacement_create, name="replacement_create"),
]
