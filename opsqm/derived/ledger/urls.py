from django.urls import path

from opsqm.derived.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:code>.json", views.detail_json, name="json"),
    path("<str:code>/", views.detail, name="detail"),
]
