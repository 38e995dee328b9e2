from django.urls import path

from opsqm.edges.demo import views

app_name = "demo"

urlpatterns = [path("mailbox/", views.mailbox_view, name="mailbox")]
