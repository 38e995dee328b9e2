"""/jobs/<id>/progress/: an htmx fragment that polls itself until the job ends."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from opsqm.infra.jobs.models import Job, JobStatus

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.jobs.urls")]


@pytest.fixture
def owner(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("owner", password="x", role="assessor")


@pytest.fixture
def other(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("other", password="x", role="assessor")


def _get(client: Client, job: Job) -> Any:
    return client.get(f"/jobs/{job.pk}/progress/", headers={"HX-Request": "true"})


def test_running_job_fragment_polls_itself(client: Client, owner: Any) -> None:
    job = Job.objects.create(
        kind="report.build",
        status=JobStatus.RUNNING,
        progress=42,
        progress_note="Scoring contract 3 of 7",
        created_by=owner,
    )
    client.force_login(owner)
    response = _get(client, job)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert f'hx-get="/jobs/{job.pk}/progress/"' in html
    assert 'value="42"' in html and "Scoring contract 3 of 7" in html
    assert "<html" not in html  # a fragment, not a page
    assert "HX-Trigger" not in response.headers


@pytest.mark.parametrize("status", [JobStatus.DONE, JobStatus.FAILED])
def test_finished_job_stops_polling(client: Client, owner: Any, status: str) -> None:
    job = Job.objects.create(kind="report.build", status=status, progress=100, created_by=owner)
    client.force_login(owner)
    response = _get(client, job)
    assert response.status_code == 200
    assert "hx-trigger" not in response.content.decode()
    event = json.loads(response.headers["HX-Trigger"])
    assert event == {"opsqm:job-finished": {"id": job.pk, "status": status}}


def test_only_the_creator_sees_it(client: Client, owner: Any, other: Any) -> None:
    job = Job.objects.create(kind="report.build", created_by=owner)
    assert _get(client, job).status_code == 404  # anonymous
    client.force_login(other)
    assert _get(client, job).status_code == 404
    nobody = Job.objects.create(kind="mail.poll")  # a worker's own job: no creator
    assert _get(client, nobody).status_code == 404
