"""/healthz and /metrics: for load balancers and Prometheus, no login."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from opsqm.infra.core.request_context import client_ip
from opsqm.infra.ops import health, metrics


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when every check passes, else 503; the JSON names each failing check."""
    data = health.as_json(health.run_checks())
    return JsonResponse(
        data,
        status=200 if data["status"] == "ok" else 503,
        json_dumps_params={"ensure_ascii": False},
    )


def _metrics_allowed(request: HttpRequest) -> bool:
    token = settings.OPSQM_METRICS_TOKEN
    given = request.META.get("HTTP_AUTHORIZATION", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip(), token):
        return True
    ip = client_ip(request.META)
    if ip is None:
        return False
    addr = ipaddress.ip_address(ip)
    return any(
        addr.version == net.version and addr in net
        for net in (ipaddress.ip_network(n) for n in settings.OPSQM_METRICS_ALLOWED)
    )


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _metrics_allowed(request):
        return HttpResponse(
            "403 Forbidden: /metrics answers OPSQM_METRICS_ALLOWED or a bearer token\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    from prometheus_client import CONTENT_TYPE_LATEST

    return HttpResponse(metrics.render(), content_type=CONTENT_TYPE_LATEST)
