"""ITA Portal settings: the only settings file; every value comes from the environment.

With no environment at all the portal runs on the embedded default: a SQLite file in
the project and Celery tasks executed inline. See the README's table of variables.
"""

import contextlib
import hashlib
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import fontpkg
from django.core.exceptions import ImproperlyConfigured

from ita_portal.fonts import ensure_web_fonts

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", default=False)
# ITA_EMBEDDED=1 (the default): one machine, SQLite, known demo passwords allowed.
# ITA_EMBEDDED=0: a real deployment; nothing built in may stand in for a secret.
ITA_EMBEDDED = env_bool("ITA_EMBEDDED", default=True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not ITA_EMBEDDED:
        # Whatever DEBUG says: a deployment never signs sessions with a key everyone knows.
        raise ImproperlyConfigured("SECRET_KEY must be set when ITA_EMBEDDED=0 (see the README's Production section)")
    SECRET_KEY = "insecure-embedded-default-key-change-me"

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "import_export",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "accounts",
    "assessments",
    "measures",
    "reports",
    "supervision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Above WhiteNoise, so static files served from the finders are compressed too; not the
    # pages showing a TOTP key or recovery codes (BREACH, see ita_portal/compression.py).
    "ita_portal.compression.CompressionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, renewing an idle session once a minute rather than on every request.
    "accounts.sessions.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-otp marks the session verified; ours then sends an approver, executive or
    # administrator with the password alone to enrolment or to the code step.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a locked-out login attempt into the Thai lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ita_portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "measures.context_processors.notifications",
                "accounts.context_processors.sign_in",
            ],
            "libraries": {"links": "ita_portal.links"},
        },
    },
]

WSGI_APPLICATION = "ita_portal.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Concurrent writers (runserver + an inline task) wait instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Pages run short queries: PostgreSQL's JIT spent ~0.45 s compiling each query whose
    # estimated cost passed jit_above_cost, and a recursive CTE (the supervision tree,
    # Organisation.objects.visible_to) is always estimated far above it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.passwords.MinimumLengthValidator"},
    {"NAME": "accounts.passwords.CommonPasswordValidator"},
    {"NAME": "accounts.passwords.NumericPasswordValidator"},
]

# --- Sign-in: lockout (django-axes), MFA (django-otp), idle sessions, OpenID Connect ---
# AxesStandaloneBackend first: a locked-out username is refused before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
# By username: behind a proxy every client shares one address, so locking by address
# would lock out the whole agency at once.
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 warns that a lock without the address can be dodged by rotating user agents or
# cookies; a lock by username alone is not (the attacker cannot rotate the target's name).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "ITA Portal"
# Idle sessions end: requests renew the cookie and the row, so the age is the idle limit.
# A renewal is a database write, made once the expiry is SESSION_REFRESH_SECONDS old, not on
# every request (accounts/sessions.py): a session ends at most that much before the limit.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_REFRESH_SECONDS = min(int(os.environ.get("SESSION_REFRESH_SECONDS", "60")), SESSION_COOKIE_AGE // 10)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ENGINE = "accounts.sessions"

# OpenID Connect (mozilla-django-oidc), on only when a client id and the provider are set.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_DISCOVERY_URL = os.environ.get("OIDC_OP_DISCOVERY_URL", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_ISSUER = os.environ.get("OIDC_OP_ISSUER", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email")
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "ผู้ให้บริการยืนยันตัวตน (OpenID Connect)")
# Off by default: an approver signed in through the provider still gives our TOTP code,
# unless this is on and the ID token's amr says the provider itself used several factors.
OIDC_TRUST_PROVIDER_MFA = env_bool("OIDC_TRUST_PROVIDER_MFA")
OIDC_CREATE_USER = False  # only existing accounts; nobody is given an account or a role
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
LOGIN_REDIRECT_URL_FAILURE = "/account/oidc/refused/"
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID and (OIDC_OP_DISCOVERY_URL or OIDC_OP_AUTHORIZATION_ENDPOINT))
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("accounts.oidc.Backend")

LANGUAGE_CODE = "th"
LANGUAGES = [("th", "ไทย")]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on a missing folder before collectstatic
# Sarabun comes from the fontpkg-sarabun package at install time (nothing vendored): its TTFs,
# and the WOFF2 files converted from them into var/fonts (ita_portal/fonts.py) that the pages
# load first; a browser falls back to the TTF when a WOFF2 is missing.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("fonts", Path(fontpkg.path("sarabun", 400)).parent),
]
# Uploaded evidence and stored documents (reports, approved documents) go through Django's
# storage API only: local disk under MEDIA_ROOT by default; an S3-compatible bucket when
# AWS_STORAGE_BUCKET_NAME is set, so web and workers can run on separate hosts. The bucket
# stays private: files are streamed by our permission-checked views, never linked.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    _s3_options = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "location": os.environ.get("AWS_LOCATION", ""),  # a folder inside the bucket
        "default_acl": None,  # the bucket's own (private): no public-read objects
        "file_overwrite": False,  # a name already taken gets a suffix, never replaces a file
        "querystring_auth": True,
    }
    for _option, _variable in (
        ("endpoint_url", "AWS_S3_ENDPOINT_URL"),  # MinIO, Ceph, a cloud's S3 service; unset: AWS
        ("region_name", "AWS_S3_REGION_NAME"),
        ("addressing_style", "AWS_S3_ADDRESSING_STYLE"),  # "path" for most self-hosted servers
        ("access_key", "AWS_ACCESS_KEY_ID"),  # unset: boto3's own chain (instance role, ~/.aws)
        ("secret_key", "AWS_SECRET_ACCESS_KEY"),
    ):
        if os.environ.get(_variable):
            _s3_options[_option] = os.environ[_variable]
    _default_storage = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if (_web_fonts := ensure_web_fonts()) is not None:
    STATICFILES_DIRS.append(("fonts", _web_fonts))
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", default=not DEBUG and not ITA_EMBEDDED)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

# Uploads: score sheets and framework workbooks are small; refuse anything huge.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# One PKCS#12 per organisation, <code>.p12, signs its approved memos (reports/signing.py).
ITA_SIGNING_DIR = os.environ.get("ITA_SIGNING_DIR", "")
ITA_MAX_IMPORT_BYTES = int(os.environ.get("ITA_MAX_IMPORT_BYTES", str(2 * 1024 * 1024)))

# Celery: with REDIS_URL the tasks go to a real worker. Without it they run inline, unless
# ITA_TASK_QUEUE=filesystem (set by scripts/setup, which starts a worker beside the web
# server): then kombu's filesystem transport carries them through ITA_BROKER_DIR, no server.
REDIS_URL = os.environ.get("REDIS_URL", "")
ITA_TASK_QUEUE = "redis" if REDIS_URL else os.environ.get("ITA_TASK_QUEUE", "inline")
if ITA_TASK_QUEUE not in {"redis", "inline", "filesystem"}:
    raise RuntimeError("ITA_TASK_QUEUE must be inline or filesystem (or set REDIS_URL)")
ITA_BROKER_DIR = Path(os.environ.get("ITA_BROKER_DIR", BASE_DIR / "var" / "broker"))
if ITA_TASK_QUEUE == "filesystem":
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(ITA_BROKER_DIR),
        "data_folder_out": str(ITA_BROKER_DIR),
        "control_folder": str(ITA_BROKER_DIR / "control"),  # kombu's default is ./control
        "store_processed": False,
    }
    (ITA_BROKER_DIR / "control").mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_URL = REDIS_URL or "memory://"
    # A request hands work over with one short try: when Redis is away the row stays
    # "not handed over" and the sweep (below) sends it later; the page answers at once.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 1,
        "socket_timeout": 5,
        "max_retries": 1,
        "interval_start": 0,
    }
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_TASK_ALWAYS_EAGER = ITA_TASK_QUEUE == "inline"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker process is replaced after this many tasks (WeasyPrint's memory grows per build).
CELERY_WORKER_MAX_TASKS_PER_CHILD = int(os.environ.get("CELERY_WORKER_MAX_TASKS_PER_CHILD", "50"))
CELERY_BEAT_SCHEDULE = {
    "follow-up-reminders": {"task": "measures.tasks.send_due_reminders", "schedule": 6 * 60 * 60},
    "notification-sweep": {"task": "measures.tasks.sweep_notifications", "schedule": 60},
    "report-sweep": {"task": "reports.tasks.sweep_reports", "schedule": 60},
    "superseded-report-files": {"task": "reports.tasks.delete_superseded_reports", "schedule": 60 * 60},
    "itas-deadline-reminders": {"task": "assessments.tasks.send_deadline_reminders", "schedule": 6 * 60 * 60},
    "chase-reminders": {"task": "supervision.tasks.send_chase_reminders", "schedule": 6 * 60 * 60},
}
CELERY_BEAT_SCHEDULE_FILENAME = os.environ.get(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(BASE_DIR / "var" / "celerybeat-schedule")
)
# Beat creates its schedule file, not the folder; a read-only project folder sets the variable.
with contextlib.suppress(OSError):
    Path(CELERY_BEAT_SCHEDULE_FILENAME).parent.mkdir(exist_ok=True)

# Reports: a running build holds a lease, renewed while it works; a lease not renewed for
# ITA_REPORT_LEASE_SECONDS (a killed worker) is taken over by the next worker or request.
ITA_REPORT_LEASE_SECONDS = int(os.environ.get("ITA_REPORT_LEASE_SECONDS", "60"))
ITA_REPORT_TIME_LIMIT = int(os.environ.get("ITA_REPORT_TIME_LIMIT", "600"))
ITA_REPORT_MAX_ATTEMPTS = int(os.environ.get("ITA_REPORT_MAX_ATTEMPTS", "3"))
# Test-only: a worker started with this many seconds pauses each build after claiming it
# (so a test can kill it mid-build, waiting on the row's state, never on a timer).
ITA_REPORT_TEST_PAUSE = float(os.environ.get("ITA_REPORT_TEST_PAUSE", "0"))

if REDIS_URL:
    # Short timeouts: with Redis away a request that touches the cache gives up at once (the
    # dashboard computes instead, a write still saves), as the broker's hand-over does.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
elif ITA_TASK_QUEUE == "filesystem":
    # The embedded default runs a worker process beside the web server: one cache both see
    # (the supervisors' dashboard figures are invalidated by writes in either), in files.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("ITA_CACHE_DIR", str(BASE_DIR / "var" / "cache")),
        }
    }
else:  # inline tasks, one process: Django's own default, in memory
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Cached figures are kept under generations and organisation ids of one database: another
# database sharing the Redis server or cache folder (a second portal, a benchmark, the test
# suite, a database recreated with ids from 1 again) must not read them. The prefix names the
# database; CACHE_KEY_PREFIX overrides it.
CACHES["default"]["KEY_PREFIX"] = os.environ.get(
    "CACHE_KEY_PREFIX",
    "ita-"
    + hashlib.sha256(
        "|".join(str(DATABASES["default"].get(k) or "") for k in ("ENGINE", "HOST", "PORT", "NAME")).encode()
    ).hexdigest()[:12],
)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ita-portal@localhost")

# --------------------------------------------------------------------------- #
# Behind HTTPS (README "Production"): SECURE_COOKIES=1 turns on secure cookies, HSTS
# and the redirect to https; each can still be set on its own.
# --------------------------------------------------------------------------- #
_behind_https = env_bool("SECURE_COOKIES")
SESSION_COOKIE_SECURE = _behind_https
CSRF_COOKIE_SECURE = _behind_https
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600) if _behind_https else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=_behind_https)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=_behind_https)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=_behind_https)
# "HTTP_X_FORWARDED_PROTO,https": trust the TLS proxy's header (only set it behind one
# that always overwrites that header).
_proxy_header = [part.strip() for part in os.environ.get("SECURE_PROXY_SSL_HEADER", "").split(",") if part.strip()]
if _proxy_header:
    if len(_proxy_header) != 2:
        raise ImproperlyConfigured('SECURE_PROXY_SSL_HEADER is "HEADER,value", e.g. "HTTP_X_FORWARDED_PROTO,https"')
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_header)

# Every link that leaves the site (e-mails, the public OIT address, verification
# links) is built from SITE_URL through ita_portal.links.site_url().
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if ITA_EMBEDDED else "").rstrip("/")
if not SITE_URL:
    raise ImproperlyConfigured("SITE_URL must be set when ITA_EMBEDDED=0, e.g. https://ita.example.go.th")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https:// (got {SITE_URL!r})")
# Forms posted from the site's own public address are trusted (behind a proxy, too).
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()] or [
    "://".join(urlsplit(SITE_URL)[:2])
]

# Content-Security-Policy (django-csp 4): our own static files only, no inline script
# or style; PDFs are built server-side and are not affected.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Connection URLs carry passwords: never shown on Django's error pages.
DEFAULT_EXCEPTION_REPORTER_FILTER = "ita_portal.debug.MaskingExceptionReporterFilter"

# pythainlp must not try to create ~/pythainlp-data on a read-only server.
os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step at INFO; keep its warnings only.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO; its AccessLog table keeps them anyway.
        "axes": {"level": "WARNING"},
    },
}
