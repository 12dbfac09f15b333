"""The portal's URLs: its home page and every workflow's registered party pages."""

from django.urls import path

from casework.core import portal as registry
from portal import account_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("signin/", account_views.signin, name="signin"),
    path("signin/code/", account_views.signin_code, name="signin_code"),
    path("register/", account_views.register, name="register"),
    path(
        "register/organisation/",
        account_views.register_organisation,
        name="register_organisation",
    ),
    *registry.url_patterns(),
]
