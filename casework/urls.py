from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from casework.api import site as api_site
from casework.api import views as api_views
from casework.core import views as core_views
from casework.health import views as health_views
from casework.parties import views as parties_views

urlpatterns = [
    path("healthz", health_views.healthz, name="healthz"),
    path("readyz", health_views.readyz, name="readyz"),
    path("", core_views.home, name="home"),
    path("audit/access-log/", core_views.access_log, name="access_log"),
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", core_views.two_factor, name="two_factor"),
    path("accounts/two-factor/enrol/", core_views.two_factor_enrol, name="two_factor_enrol"),
    path(
        "accounts/two-factor/settings/", core_views.two_factor_settings, name="two_factor_settings"
    ),
    path(
        "accounts/two-factor/backup-codes/",
        core_views.two_factor_backup_codes,
        name="two_factor_backup_codes",
    ),
    path("accounts/reminders/", core_views.reminder_settings, name="reminder_settings"),
    # One login page for the site and the admin: the same throttling, the same second factor.
    path("admin/login/", core_views.LoginView.as_view(), name="admin_login"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("casework.documents.urls")),
    path("people/", include("casework.parties.urls")),
    path("search/", parties_views.search, name="search"),
    path("disputes/", include("casework.disputes.urls")),
    path("complaints/", include("casework.complaints.urls")),
    path("", include("casework.complaints.public_urls")),
    path("agreements/", include("agreements.urls")),
    path("assistance/", include("assistance.urls")),
    path("portal/", include("portal.urls")),
    path("statistics/", include("casework.reports.urls")),
    # Legal-aid referrals from the cases of every workflow (casework.legalaid).
    path("legal-aid/", include("casework.legalaid.urls")),
    # The public market directory (no login), its feeds, map and cards.
    path("markets/", include("casework.directory.urls")),
    # The satisfaction survey: the public page of the text's link, and the results.
    path("", include("casework.surveys.urls")),
    # The HTTP API (docs/api.md): its schema at /api/v1/openapi.json, its documentation page.
    path("api/v1/docs/", api_views.docs, name="api_docs"),
    path("api/v1/", api_site.urls()),
]
