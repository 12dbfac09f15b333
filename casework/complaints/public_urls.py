"""Public pages (no login): the complaint form, tracking by code, the list of sanctions."""

from django.urls import path

from casework.complaints.views import public

app_name = "complaints_public"
urlpatterns = [
    path("report/", public.report, name="report"),
    path("report/track/", public.track, name="track"),
    path("report/track/status/", public.status, name="status"),
    path("report/track/documents/<int:pk>/", public.tracked_document, name="document"),
    path("report/track/leave/", public.track_leave, name="track_leave"),
    path("intermediaries/sanctioned/", public.sanctioned, name="sanctioned"),
]
