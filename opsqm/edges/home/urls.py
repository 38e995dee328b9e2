from django.urls import path

from opsqm.edges.home import views

app_name = "home"
urlpatterns = [
    path("", views.home, name="home"),
]
