from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from opsqm.edges.home import inbox_views, views


def favicon(request: HttpRequest) -> HttpResponse:
    """The icon itself for clients that ask for /favicon.ico without reading the page
    (the pages link opsqm/img/favicon.svg); found in the app's static folder, so it
    answers before and without collectstatic."""
    found = finders.find("opsqm/img/favicon.ico")
    if not found:
        raise Http404
    response = HttpResponse(Path(str(found)).read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


app_name = "home"
urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
    path("inbox/", inbox_views.inbox_page, name="inbox"),
    path("inbox/bell/", inbox_views.bell, name="inbox_bell"),
    path("inbox/read/", inbox_views.read, name="inbox_read"),
    path("inbox/read-all/", inbox_views.read_all, name="inbox_read_all"),
]
