"""The portal's URLs: its home page and every workflow's registered party pages."""

from django.urls import path

from casework.core import portal as registry
from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    *registry.url_patterns(),
]
