"""The API's documentation page: Redoc (from django-ninja's package) over the schema."""

from csp.decorators import csp_update
from django.shortcuts import render
from django.urls import reverse


# Redoc styles its page with <style> elements it writes itself.
@csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})
def docs(request):
    return render(request, "api/docs.html", {"schema_url": reverse("api:openapi-json")})
