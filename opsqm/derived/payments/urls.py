from django.urls import path

from opsqm.derived.payments import views

app_name = "payments"
urlpatterns = [
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/panel/", views.panel, name="panel"),
    path("<str:code>/termination/", views.terminate, name="terminate"),
    path("<str:code>/termination/file/", views.termination_file, name="termination_file"),
]
