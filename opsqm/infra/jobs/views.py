from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from opsqm.infra.jobs.models import Job


@require_GET
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar of one job, as an htmx fragment that polls itself every
    second until the job is done or failed.  Only the job's creator sees it:
    anyone else (and anonymous users) get 404, so a job's existence does not leak."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    job = Job.objects.filter(pk=pk, created_by=user).first()
    if job is None:
        raise Http404
    response = render(request, "jobs/_progress.html", {"job": job})
    response["Cache-Control"] = "no-store"
    if job.finished:
        # Lets the page react (reload a table, show a link) when the job ends.
        response["HX-Trigger"] = json.dumps(
            {"opsqm:job-finished": {"id": job.pk, "status": job.status}}
        )
    return response
