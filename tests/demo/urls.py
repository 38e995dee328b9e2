"""The site's URLs with the demo's mailbox page, as `make run` serves them."""

from django.urls import include, path

from opsqm.edges.web.urls import urlpatterns as site

urlpatterns = [*site, path("demo/", include("opsqm.edges.demo.urls"))]
