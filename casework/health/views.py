"""Probes for a load balancer: no login, no personal data, never cached."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from casework.health.checks import run_checks


@never_cache
@require_safe
def healthz(request):
    """Liveness: the process answers. Touches nothing else (no database)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    """Readiness: every component this instance needs; 503 when one fails."""
    report = run_checks()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
