from django.urls import path

from opsqm.derived.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.index, name="index"),
    path("data/<str:chart>.<str:fmt>", views.data, name="data"),
]
