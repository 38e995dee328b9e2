from django.urls import path

from opsqm.derived.reports import views

app_name = "reports"
urlpatterns = [
    path("<str:code>/", views.index, name="index"),
    path("<str:code>/<slug:kind>/<str:label>.<slug:fmt>", views.download, name="download"),
    path("<str:code>/<slug:kind>/<str:label>/register/", views.register, name="register"),
]
