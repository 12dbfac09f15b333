"""The portal's URLs: its home page and every workflow's registered party pages."""

from django.urls import path

from portal import registry, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    *registry.url_patterns(),
]
