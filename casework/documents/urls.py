from django.urls import path

from casework.documents import views

app_name = "documents"

urlpatterns = [
    path("verify/", views.verify_lookup, name="verify_lookup"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("documents/<int:pk>/", views.detail, name="detail"),
    path("documents/<int:pk>/download/", views.download, name="download"),
    path("documents/<int:pk>/status/", views.status, name="status"),
    path("documents/<int:pk>/retry/", views.retry, name="retry"),
    path("audit/digests/", views.audit_digests, name="audit_digests"),
]
