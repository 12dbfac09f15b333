"""Settings for Lingong Casework, read from environment variables.

Defaults give the embedded set-up (SQLite under var/, Celery tasks run
in-process, files on local disk). Every variable is documented in
.env.example and the README.
"""

import datetime
import secrets
from pathlib import Path
from typing import cast

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from casework.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_networks,
    env_str,
    env_time_range,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CASEWORK_VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _embedded_secret_key() -> str:
    # The embedded set-up keeps a generated key under var/ so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY") or _embedded_secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# The reverse proxies whose X-Real-IP / X-Forwarded-For are believed (casework.core.audit.
# client_ip); from any other peer the socket address is the client. The deploy kit's nginx
# runs on the same host: TRUSTED_PROXIES=127.0.0.1,::1.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")

INSTALLED_APPS = [
    "django.contrib.admin",
    "axes",  # failed logins (django-axes): see LOGIN_FAILURE_LIMIT below
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_fsm",
    "viewflow",
    "viewflow.workflow",
    "casework.core",
    "casework.parties",
    "casework.documents",
    "casework.reports",
    "casework.notifications",
    "casework.surveys",
    "casework.directory",  # the public market directory, feeds and map
    "casework.disputes",
    "casework.complaints",
    "agreements",
    "assistance",
    # Legal-aid referrals from disputes and complaints: beside reports in the layers, listed
    # after the workflows so their statistics and demo cases come first.
    "casework.legalaid",
    # The HTTP API (/api/v1/, docs/api.md): django-ninja, and our app over the services.
    "ninja",
    "casework.api",
    "portal",
    "casework.health",
    "django.forms",  # Django's form templates for the form renderer below (after ours)
]

MIDDLEWARE = [
    # First: every log line of the request, and the tasks it sends, carry its id.
    "casework.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "casework.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A session signed in by a text code reaches the portal's pages only (docs/portal.md).
    "portal.middleware.PortalSessionMiddleware",
    # Whether the session passed its second factor; then those who owe it reach nothing else.
    "django_otp.middleware.OTPMiddleware",
    "casework.core.twofactor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A 405 or a bare 429 gets the site's page (templates/405.html, 429.html).
    "casework.core.middleware.ErrorPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response (below).
    "csp.middleware.CSPMiddleware",
    "casework.core.middleware.PermissionsPolicyMiddleware",
    # Last, as django-axes asks: answers a locked-out login with registration/locked_out.html.
    "axes.middleware.AxesMiddleware",
]

# Failed logins (django-axes; 等保 2.0 asks for failed-login handling). After
# LOGIN_FAILURE_LIMIT wrong passwords for one user name, that account refuses logins for
# LOGIN_LOCKOUT_MINUTES, on the staff login, the portal and the admin alike; a success
# resets the count. An administrator unlocks at once: `manage.py axes_reset_username NAME`
# or by deleting the access attempt in the admin. Per client address the login page is
# rate-limited instead (LOGIN_IP_LIMIT), so that one mistyping colleague behind a market's
# shared address does not lock out the whole office.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with a user's permissions read in one query, not two.
    "casework.core.permissions.PermissionBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "casework.core.audit.client_ip"
AXES_LOCKOUT_CALLABLE = "casework.core.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
LOGIN_IP_LIMIT = env_int("LOGIN_IP_LIMIT", 60, minimum=1)  # attempts per address per hour
# axes.W006 asks for ip_address among the lockout parameters: addresses are limited by
# LOGIN_IP_LIMIT instead (casework.core.views.LoginView), for the reason above.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Two-step verification (django-otp: an authenticator app's TOTP codes and one-time backup
# codes; casework.core.twofactor). Required of these roles; "superuser" means superusers.
# TWO_FACTOR_DEMO_EXEMPT lets a session logged in with the demo password skip it: `make
# run` sets it, and `check --deploy` refuses it (core.E013).
TWO_FACTOR_ROLES = env_list("TWO_FACTOR_ROLES", ["supervisor", "auditor", "superuser"])
TWO_FACTOR_DEMO_EXEMPT = env_bool("TWO_FACTOR_DEMO_EXEMPT", False)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "零工市场案件办理")

# The public market map (/markets/map/, casework.directory): the tile server's URL template
# for Leaflet ({s} subdomain, {z}/{x}/{y} tile), e.g. 天地图's WMTS with the site's key;
# empty: no tiles, the markers on a plain background. Its host is allowed for images only.
MARKET_MAP_TILE_URL = env_str("MARKET_MAP_TILE_URL")
MARKET_MAP_TILE_ATTRIBUTION = env_str("MARKET_MAP_TILE_ATTRIBUTION")
MARKET_MAP_TILE_SUBDOMAINS = env_str("MARKET_MAP_TILE_SUBDOMAINS", "01234567")
# Seconds a cache may keep the directory's feeds and cards.
MARKET_DIRECTORY_MAX_AGE = env_int("MARKET_DIRECTORY_MAX_AGE", 300, minimum=0)


def _tile_source(url: str) -> list[str]:
    """The CSP source of the tile host: a {s} subdomain label becomes a wildcard."""
    if not url:
        return []
    scheme, _sep, rest = url.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0]
    labels = ["*" if "{" in label else label for label in host.split(".")]
    return [f"{scheme}://{'.'.join(labels)}"]


# Scripts and styles come only from this site's static files: no inline script or style
# attribute anywhere (tests/shell/test_headers.py scans the templates), no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_tile_source(MARKET_MAP_TILE_URL)],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Nothing here uses the camera, microphone, location or payment APIs (uploads use a file
# input, which needs none of them).
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)

# The HTTP API (docs/api.md): requests per caller and minute (a party's token, a system's
# key, else the client address), and the lifetimes of the parties' tokens.
API_RATE_PARTY = env_str("API_RATE_PARTY", "120/min")
API_RATE_SYSTEM = env_str("API_RATE_SYSTEM", "600/min")
API_RATE_ANONYMOUS = env_str("API_RATE_ANONYMOUS", "30/min")
API_ACCESS_TOKEN_SECONDS = env_int("API_ACCESS_TOKEN_SECONDS", 900, minimum=60)
API_REFRESH_TOKEN_SECONDS = env_int("API_REFRESH_TOKEN_SECONDS", 30 * 24 * 3600, minimum=3600)
API_IDEMPOTENCY_HOURS = env_int("API_IDEMPOTENCY_HOURS", 24, minimum=1)

ROOT_URLCONF = "casework.urls"
WSGI_APPLICATION = "casework.wsgi.application"

# Forms rendered whole use the project's field template (casework/core/formrendering.py).
FORM_RENDERER = "casework.core.formrendering.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "casework.core.context_processors.roles",
            ],
        },
    },
]


def _database(url: str, *, pgbouncer: bool = False) -> dict:
    # A database server keeps connections for 60 s by default (measured: twice the
    # requests a second of opening one per request); health checks drop a connection
    # that died meanwhile (a PostgreSQL restart) before the request uses it, so the
    # first request after a restart does not fail. SQLite opens a file: nothing to keep.
    server = not url.startswith("sqlite")
    try:
        config = dj_database_url.parse(
            url,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if server else 0, minimum=0),
            conn_health_checks=True,
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL: {exc}") from None
    if pgbouncer:
        _behind_pgbouncer(cast(dict, config))
    return config


def _behind_pgbouncer(config: dict) -> None:
    """A PgBouncer in transaction pooling hands each transaction any server connection
    (deploy/README.md, "PgBouncer"): nothing may outlive a transaction on the server."""
    # Iterating a large query (.iterator()) outside a transaction would open a WITH HOLD
    # cursor on one server connection and fetch from another.
    config["DISABLE_SERVER_SIDE_CURSORS"] = True
    # No prepared statements (Django's default, kept whatever OPTIONS say): another client
    # given the same server connection would find the name taken, or a later transaction
    # of the same client miss it.
    config.setdefault("OPTIONS", {})["prepare_threshold"] = None


DATABASE_PGBOUNCER = env_bool("DATABASE_PGBOUNCER")
DATABASES = {
    "default": _database(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'casework.sqlite3'}",
        pgbouncer=DATABASE_PGBOUNCER,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a lock instead of failing at once when a task and a request write together.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # A transaction takes the write lock when it begins: one that read first and then
    # wrote (numbering a new case) failed with "database is locked" under concurrent
    # requests, since SQLite cannot wait for a lock it would have to upgrade.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not DATABASE_PGBOUNCER:
    # No JIT compilation: the statistics' aggregate queries spend 0.5-1 s compiling per
    # page and run in 0.1-0.7 s without it (docs/reports.md, "Speed"). PgBouncer refuses
    # startup options: behind it the role carries the setting (ALTER ROLE ... SET jit =
    # off, deploy/README.md, "PgBouncer").
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    if "jit" not in _pg_options.get("options", ""):
        _pg_options["options"] = f"{_pg_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = env_str("CACHE_URL")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            # A Redis that accepts connections but never answers must not hang requests.
            "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The CSRF failure page says the page had expired and what to do (templates/403_csrf.html).
CSRF_FAILURE_VIEW = "casework.core.views.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"

S3_BUCKET = env_str("STORAGE_S3_BUCKET")
STORAGES = {
    "default": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": S3_BUCKET,
                "endpoint_url": env_str("STORAGE_S3_ENDPOINT_URL") or None,
                "region_name": env_str("STORAGE_S3_REGION") or None,
                "access_key": env_str("STORAGE_S3_ACCESS_KEY") or None,
                "secret_key": env_str("STORAGE_S3_SECRET_KEY") or None,
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
        if S3_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# HTTPS behind a proxy: production sets DJANGO_HTTPS=1.
HTTPS = env_bool("DJANGO_HTTPS", False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # A load balancer probes the instance over plain HTTP (casework.health).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_SECONDS", 8 * 3600, minimum=300)
X_FRAME_OPTIONS = "DENY"

# Celery: without a broker every task runs in-process (the embedded set-up).
CELERY_TASK_ALWAYS_EAGER = not env_str("CELERY_BROKER_URL")
# Eager mode never uses the in-memory transport; it keeps kombu from looking for localhost.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "memory://"
CELERY_TASK_EAGER_PROPAGATES = env_bool("CELERY_TASK_EAGER_PROPAGATES", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Sending a task happens in web requests (after commit): a broker that refuses or never
# answers makes the send fail after about a second instead of holding the request; the
# document stays pending and the documents sweep sends it again.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 1,
    "socket_connect_timeout": 1,
    # Redis hands a message taken by a worker that died to another one after this long.
    # It must exceed the longest hard time limit of any task (300 s, the deadline sweeps),
    # or a task still running would be started twice. Documents do not wait for it: a
    # render claims its row with a lease (DOCUMENT_RENDER_LEASE), and the documents
    # sweep sends a render whose lease ran out again (docs/workflows.md, "Documents").
    "visibility_timeout": 360,
}
CELERY_TIMEZONE = TIME_ZONE
# The documents sweep (casework.documents.services.document_sweep): it sends renders
# that never reached the broker and those lost with a worker, so it runs often: a
# document is on its way again within a minute of the broker's return.
DOCUMENT_SWEEP_SECONDS = env_int("DOCUMENT_SWEEP_SECONDS", 15, minimum=1)
# Every periodic task, in one place (run one `celery beat` process).
CELERY_BEAT_SCHEDULE: dict = {
    "documents-sweep": {
        "task": "casework.documents.tasks.sweep_documents",
        "schedule": float(DOCUMENT_SWEEP_SECONDS),
        # A sweep that waited longer than the interval (a busy queue) is dropped: the next
        # one does the same work.
        "options": {"expires": DOCUMENT_SWEEP_SECONDS},
    },
    "disputes-sweep-deadlines": {
        "task": "casework.disputes.tasks.sweep_deadlines",
        "schedule": 60.0,
    },
    "agreements-expire-unsigned": {
        "task": "agreements.tasks.expire_unsigned",
        "schedule": 60.0,
    },
    "complaints-sweep-deadlines": {
        "task": "casework.complaints.tasks.sweep_deadlines",
        "schedule": 3600.0,
    },
    "assistance-expire-certifications": {
        "task": "assistance.tasks.expire_certifications",
        "schedule": 3600.0,
    },
    "core-purge-form-tokens": {
        "task": "casework.core.tasks.purge_form_tokens",
        "schedule": 3600.0,
    },
    # The API's idempotency keys past API_IDEMPOTENCY_HOURS and its ended tokens.
    "api-purge-records": {
        "task": "casework.api.tasks.purge_api_records",
        "schedule": 3600.0,
    },
    # Once per local day (the first run of the day takes it; later runs find it taken).
    "core-audit-digest": {
        "task": "casework.core.tasks.take_audit_digest",
        "schedule": 3600.0,
    },
    # Nightly from 01:00 local (later runs of the day find the snapshots taken).
    "reports-figure-snapshots": {
        "task": "casework.reports.tasks.take_figure_snapshots",
        "schedule": 3600.0,
    },
    # Every few minutes: the pages' current month taken again before its snapshot is too old
    # to read (STATISTICS_LAG below; casework.reports.snapshots).
    "reports-open-figures": {
        "task": "casework.reports.tasks.refresh_open_figures",
        "schedule": 300.0,
    },
    # Every minute: texts due again (retries, after the quiet hours, lost tasks).
    "notifications-sweep": {
        "task": "casework.notifications.tasks.sweep_notifications",
        "schedule": 60.0,
    },
    # Daily: the first run on or after the 1st issues each market's sealed work report for
    # the month before; later runs find them issued (casework.reports.monthly).
    "reports-monthly-reports": {
        "task": "casework.reports.tasks.issue_monthly_reports",
        "schedule": datetime.timedelta(days=1),
    },
    # Reminders (docs/notifications.md): each sent once (its key), however often these run.
    "disputes-remind-instalments": {
        "task": "casework.disputes.tasks.remind_instalments",
        "schedule": datetime.timedelta(days=1),
    },
    "assistance-remind-term-ending": {
        "task": "assistance.tasks.remind_term_ending",
        "schedule": datetime.timedelta(days=1),
    },
    # Hourly, so a supervisor hears of an escalation the hour it is recorded.
    "notifications-remind-staff": {
        "task": "casework.notifications.tasks.remind_staff",
        "schedule": 3600.0,
    },
}

# Statistics: how old the figures of a period still open (the current month) may be when
# cases changed since they were computed (docs/reports.md, "Speed"); 0 computes them again
# after every change.
STATISTICS_LAG = datetime.timedelta(seconds=env_int("STATISTICS_LAG_SECONDS", 600, minimum=0))

# Documents and sealing.
PUBLIC_BASE_URL = env_str("CASEWORK_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Wage disputes: applicants from this many count as a group case (priority), the largest
# plausible single claim in yuan, and the evidence upload limit in bytes.
DISPUTE_GROUP_SIZE = env_int("DISPUTE_GROUP_SIZE", 2, minimum=2)
DISPUTE_MAX_CLAIM = env_int("DISPUTE_MAX_CLAIM", 10_000_000, minimum=1000)
DISPUTE_EVIDENCE_MAX_BYTES = env_int("DISPUTE_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
DISPUTE_REMIND_DAYS = env_int("DISPUTE_REMIND_DAYS", 3, minimum=1)
# Working days from receipt within which a mediation body decides on acceptance (企业劳动争议
# 协商调解规定, *[unconfirmed]*, docs/domain.md "Wage disputes"): printed on the 申请登记回执.
DISPUTE_ACCEPTANCE_WORKING_DAYS = env_int("DISPUTE_ACCEPTANCE_WORKING_DAYS", 3, minimum=1)
# Gig agreements: hours a party has to sign after sending, and the one-time signing code
# (minutes valid, tries allowed, seconds before another code may be sent).
AGREEMENT_SIGN_HOURS = env_int("AGREEMENT_SIGN_HOURS", 72, minimum=1)
AGREEMENT_CODE_MINUTES = env_int("AGREEMENT_CODE_MINUTES", 10, minimum=1)
AGREEMENT_CODE_ATTEMPTS = env_int("AGREEMENT_CODE_ATTEMPTS", 5, minimum=1)
AGREEMENT_CODE_RESEND_SECONDS = env_int("AGREEMENT_CODE_RESEND_SECONDS", 60, minimum=0)
# Hardship assistance, public-welfare posts (docs/domain.md, "Hardship assistance"; the
# unconfirmed limits are configurable): term in years, the "less than N years from
# retirement" rule, placements per person, months of a temporary post, and days before a
# term ends when exit planning starts.
ASSISTANCE_TERM_YEARS = env_int("ASSISTANCE_TERM_YEARS", 3, minimum=1)
ASSISTANCE_NEAR_RETIREMENT_YEARS = env_int("ASSISTANCE_NEAR_RETIREMENT_YEARS", 5, minimum=0)
ASSISTANCE_MAX_PLACEMENTS = env_int("ASSISTANCE_MAX_PLACEMENTS", 2, minimum=1)
ASSISTANCE_TEMPORARY_MONTHS = env_int("ASSISTANCE_TEMPORARY_MONTHS", 6, minimum=1)
ASSISTANCE_EXIT_PLANNING_DAYS = env_int("ASSISTANCE_EXIT_PLANNING_DAYS", 60, minimum=1)
# Supporting documents of an online hardship application: bytes per file, files in all.
ASSISTANCE_UPLOAD_MAX_BYTES = env_int("ASSISTANCE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
ASSISTANCE_UPLOAD_MAX_FILES = env_int("ASSISTANCE_UPLOAD_MAX_FILES", 10, minimum=1)
# Complaints against intermediaries (docs/domain.md, "Complaints"): working days to decide
# on acceptance, to investigate, and of the one extension; repeat offenders have this many accepted
# complaints in this many months; evidence upload limit; the public tracking and
# complaint forms allow this many tries per client address per window (seconds).
COMPLAINT_ACCEPTANCE_WORKING_DAYS = env_int("COMPLAINT_ACCEPTANCE_WORKING_DAYS", 5, minimum=1)
COMPLAINT_INVESTIGATION_WORKING_DAYS = env_int(
    "COMPLAINT_INVESTIGATION_WORKING_DAYS", 60, minimum=1
)
COMPLAINT_EXTENSION_WORKING_DAYS = env_int("COMPLAINT_EXTENSION_WORKING_DAYS", 30, minimum=1)
# Days the respondent has to state its case on a decision (行政处罚法 Art. 44-45 give the
# right, not the number; 3 is common local practice: set the local rule).
COMPLAINT_STATEMENT_DAYS = env_int("COMPLAINT_STATEMENT_DAYS", 3, minimum=1)
# Working days labour inspection has to report back on a complaint referred to it before
# the feedback shows as overdue: local practice, after the 60-working-day investigation
# period of 劳动保障监察条例 (docs/domain.md, "Complaints").
COMPLAINT_REFERRAL_FEEDBACK_WORKING_DAYS = env_int(
    "COMPLAINT_REFERRAL_FEEDBACK_WORKING_DAYS", 60, minimum=1
)
COMPLAINT_REPEAT_COUNT = env_int("COMPLAINT_REPEAT_COUNT", 3, minimum=2)
COMPLAINT_REPEAT_MONTHS = env_int("COMPLAINT_REPEAT_MONTHS", 12, minimum=1)
# Legal-aid referrals (casework.legalaid; docs/domain.md, "Legal aid"): the grounds that go
# through the green channel without the centre's economic-hardship check (the Ministry of
# Justice's notices for migrant workers, *[unconfirmed]*: wages, work-injury damages), and
# the days the letter says the centre takes to decide (法律援助法 Art. 43, *[unconfirmed]*).
LEGAL_AID_GREEN_CHANNEL_GROUNDS = env_list(
    "LEGAL_AID_GREEN_CHANNEL_GROUNDS", ["wages", "work_injury"]
)
LEGAL_AID_DECISION_DAYS = env_int("LEGAL_AID_DECISION_DAYS", 7, minimum=1)
COMPLAINT_EVIDENCE_MAX_BYTES = env_int(
    "COMPLAINT_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024, minimum=1024
)
COMPLAINT_TRACK_LIMIT = env_int("COMPLAINT_TRACK_LIMIT", 10, minimum=1)
COMPLAINT_SUBMIT_LIMIT = env_int("COMPLAINT_SUBMIT_LIMIT", 5, minimum=1)
COMPLAINT_PUBLIC_WINDOW = env_int("COMPLAINT_PUBLIC_WINDOW", 3600, minimum=10)
# Pluggable services: text messages (one-time codes) and identity verification.
SMS_BACKEND = env_str("SMS_BACKEND", "casework.core.sms.OutboxBackend")
# The real gateways (docs/gateways.md): SMS_BACKEND = casework.core.gateways.aliyun_sms.
# AliyunSmsBackend or casework.core.gateways.tencent_sms.TencentSmsBackend;
# IDENTITY_VERIFICATION_BACKEND = casework.parties.tencent_identity.TencentIdentityBackend.
GATEWAY_TIMEOUT_SECONDS = env_int("GATEWAY_TIMEOUT_SECONDS", 5, minimum=1)
GATEWAY_SCHEME = env_choice("GATEWAY_SCHEME", ("https", "http"), "https")
ALIYUN_SMS_ACCESS_KEY_ID = env_str("ALIYUN_SMS_ACCESS_KEY_ID")
ALIYUN_SMS_ACCESS_KEY_SECRET = env_str("ALIYUN_SMS_ACCESS_KEY_SECRET")
ALIYUN_SMS_SIGN_NAME = env_str("ALIYUN_SMS_SIGN_NAME")
ALIYUN_SMS_ENDPOINT = env_str("ALIYUN_SMS_ENDPOINT", "dysmsapi.aliyuncs.com")
ALIYUN_SMS_REGION = env_str("ALIYUN_SMS_REGION", "cn-hangzhou")
TENCENT_SECRET_ID = env_str("TENCENT_SECRET_ID")
TENCENT_SECRET_KEY = env_str("TENCENT_SECRET_KEY")
TENCENT_SMS_SDK_APP_ID = env_str("TENCENT_SMS_SDK_APP_ID")
TENCENT_SMS_SIGN_NAME = env_str("TENCENT_SMS_SIGN_NAME")
TENCENT_REGION = env_str("TENCENT_REGION", "ap-guangzhou")
TENCENT_SMS_ENDPOINT = env_str("TENCENT_SMS_ENDPOINT", "sms.tencentcloudapi.com")
TENCENT_FACEID_ENDPOINT = env_str("TENCENT_FACEID_ENDPOINT", "faceid.tencentcloudapi.com")
# No texts in these local hours (HH:MM-HH:MM), but urgent ones (signing codes); empty: none.
NOTIFY_QUIET_HOURS = env_time_range("NOTIFY_QUIET_HOURS", "21:00-08:00")
# The providers' codes of our SMS templates: "template=code,template=code" (docs/gateways.md).
SMS_TEMPLATE_CODES: dict[str, str] = {
    name.strip(): code.strip()
    for name, _sep, code in (item.partition("=") for item in env_list("SMS_TEMPLATE_CODES"))
    if code.strip()
}
IDENTITY_VERIFICATION_BACKEND = env_str(
    "IDENTITY_VERIFICATION_BACKEND", "casework.parties.verification.DemoIdentityBackend"
)
# The portal's sign-in by text code (docs/portal.md): how long a portal session lasts, and
# the codes sent per number and per client address, and codes tried per address, an hour.
PORTAL_SESSION_SECONDS = env_int("PORTAL_SESSION_SECONDS", 2 * 3600, minimum=300)
PORTAL_CODE_MOBILE_LIMIT = env_int("PORTAL_CODE_MOBILE_LIMIT", 5, minimum=1)
PORTAL_CODE_IP_LIMIT = env_int("PORTAL_CODE_IP_LIMIT", 20, minimum=1)
PORTAL_CODE_ENTRY_IP_LIMIT = env_int("PORTAL_CODE_ENTRY_IP_LIMIT", 60, minimum=1)

DOCUMENT_RENDER_SOFT_LIMIT = env_int("DOCUMENT_RENDER_SOFT_LIMIT", 60, minimum=5)
DOCUMENT_RENDER_HARD_LIMIT = env_int("DOCUMENT_RENDER_HARD_LIMIT", 90, minimum=10)
if DOCUMENT_RENDER_SOFT_LIMIT >= DOCUMENT_RENDER_HARD_LIMIT:
    raise ImproperlyConfigured(
        "DOCUMENT_RENDER_SOFT_LIMIT must be below DOCUMENT_RENDER_HARD_LIMIT "
        "so a slow render can mark its document failed before it is killed"
    )
# How long a render's claim on its document lasts. The hard limit ends every render
# before that (the margin covers the clocks of different servers), so a document still
# "rendering" after it was lost with its worker: the sweep sends it again. With the
# defaults (90 + 10 s, a sweep every 15 s) that is within 2 minutes of the render's start.
DOCUMENT_RENDER_LEASE = DOCUMENT_RENDER_HARD_LIMIT + 10
# Public /verify/ pages: lookups and uploads allowed per client address per window.
DOCUMENT_VERIFY_LIMIT = env_int("DOCUMENT_VERIFY_LIMIT", 60, minimum=1)
DOCUMENT_VERIFY_WINDOW = env_int("DOCUMENT_VERIFY_WINDOW", 600, minimum=10)
SEAL_CERT_FILE = env_str("SEAL_CERT_FILE")
SEAL_KEY_FILE = env_str("SEAL_KEY_FILE")
SEAL_KEY_PASSWORD = env_str("SEAL_KEY_PASSWORD")
SEAL_TSA_URL = env_str("SEAL_TSA_URL")
SEAL_DEMO_DIR = VAR_DIR / "seal"

# Log lines: text for the embedded set-up (readable `make run` output), json (one object
# a line) for a log collector. Every line has the request id (casework.core.logs); ID and
# mobile numbers are masked.
LOG_FORMAT = env_choice("DJANGO_LOG_FORMAT", ("text", "json"), "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "casework.core.logs.RequestIdFilter"},
        "personal_data": {"()": "casework.core.logs.PersonalDataFilter"},
    },
    "formatters": {
        "text": {
            "()": "casework.core.logs.TextFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "casework.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "personal_data"],
        }
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice("DJANGO_LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO"),
    },
    "loggers": {
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
    },
}

# Error reporting to Sentry or a self-hosted GlitchTip (same protocol); empty: off.
# No personal data leaves: no default PII, and casework.core.logs.scrub_event drops
# request bodies, cookies and query strings and removes ID and mobile numbers.
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    from casework.core.logs import scrub_event

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        before_send=scrub_event,
    )

# Plausible dates (casework/core/dates.py): forms refuse event dates before this year;
# an agreement's term is at most this many days. The database floor is 1990.
CASEWORK_START_YEAR = env_int("CASEWORK_START_YEAR", 2000, minimum=1990)
CASEWORK_TERM_MAX_DAYS = env_int("CASEWORK_TERM_MAX_DAYS", 3 * 366, minimum=1)
