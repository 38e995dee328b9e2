from django.urls import include, path

urlpatterns = [path("jobs/", include("opsqm.infra.jobs.urls"))]
