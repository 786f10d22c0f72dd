"""Settings, read from the environment (see README "Configuration").

CONGDANSO_DATA_DIR   where the SQLite database, the secret key and uploads live (default ./var)
DATABASE_URL         e.g. postgres://user@host:5432/db (default: SQLite in the data dir)
CONGDANSO_SECRET_KEY secret key; generated into the data dir on first run when unset
CONGDANSO_DEBUG      "1"/"true" turns debug mode on (off by default)
CONGDANSO_ALLOWED_HOSTS comma-separated host names (default: localhost names)
CONGDANSO_HTTPS      "1" when served over TLS: secure cookies, HSTS, redirect to https
CONGDANSO_BEHIND_PROXY "1" when a reverse proxy (nginx…) forwards the requests; default: as
                     CONGDANSO_HTTPS. Trusts its X-Forwarded-Proto and X-Forwarded-For headers.
CONGDANSO_SESSION_HOURS  a signed-in session ends after this many hours without use (default 8)
CONGDANSO_UPLOAD_MAX_MB  largest file a user may upload, in MB (default 50)

The security choices are explained in README "Security".
"""

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CONGDANSO_DATA_DIR", "var")).resolve()
# The database, the keys and the uploads live here: the service account's only.
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    from_env = os.environ.get("CONGDANSO_SECRET_KEY")
    if from_env:
        return from_env
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        # Created with 0600 so that only the service account can read it.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _truthy(os.environ.get("CONGDANSO_DEBUG"))
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("CONGDANSO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "axes",
    "csp",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    # The domain apps, in their layer order: each imports only those above it in this list
    # (docs/ARCHITECTURE.md; congdanso/core/tests/test_architecture.py holds them to it).
    "congdanso.core",
    "congdanso.places",
    "congdanso.partners",
    "congdanso.accounts",
    "congdanso.people",
    "congdanso.campaigns",
    "congdanso.outreach",
    "congdanso.progress",
    "congdanso.privacy",
    "congdanso.scope",
    "congdanso.reports",
    "congdanso.demo",
    # The site: an interface on top of the domain apps (its templates, static files and
    # template tags; its workflows keep their templates beside their views, see TEMPLATES).
    "congdanso.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pages are compressed (a phone on weak 3G); static files are precompressed by whitenoise.
    # BREACH: Django masks the CSRF token per response, and no page echoes a secret.
    "django.middleware.gzip.GZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Answers that may hold personal data are never cached (static files are served above).
    "congdanso.web.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every view needs a signed-in user unless marked `login_not_required` (the log-in page).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Who acts and from where, for the audit rows the services write.
    "congdanso.core.audit.AuditMiddleware",
    "congdanso.web.accounts.middleware.SessionActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A service's refusal under a page becomes a page (404 for NotFound), not a traceback.
    "congdanso.web.middleware.DomainErrorMiddleware",
    # Last, as django-axes requires: turns a locked-out log-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "congdanso.urls"
WSGI_APPLICATION = "congdanso.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Each workflow of the site keeps its templates next to its views.
        "DIRS": [
            BASE_DIR / "web" / workflow / "templates"
            for workflow in ("accounts", "dashboard", "field", "imports", "reports", "setup")
        ],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "congdanso.web.navigation.navigation",
            ],
        },
    },
]

_SQLITE_DEFAULT = f"sqlite:///{DATA_DIR / 'congdanso.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or _SQLITE_DEFAULT, conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while an import writes; IMMEDIATE transactions and a busy
    # timeout make concurrent writers wait instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The JIT compiler costs ~100 ms on a commune's indicator queries and saves nothing at
    # province size (benchmarks/indicators.py): off for the app's connections.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"


LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing directory before collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"

# --- Security: README "Security" explains each choice. ---------------------------------------

_HTTPS = _truthy(os.environ.get("CONGDANSO_HTTPS"))
# TLS usually ends at a reverse proxy (nginx, Caddy) in front of gunicorn: then Django learns
# the scheme and the client's address from the proxy's headers. Set CONGDANSO_BEHIND_PROXY=0
# when gunicorn itself serves TLS, or the headers could be forged by any client.
_BEHIND_PROXY = _truthy(os.environ.get("CONGDANSO_BEHIND_PROXY", os.environ.get("CONGDANSO_HTTPS")))

# Argon2id hashes new passwords; a PBKDF2 hash from before still verifies and is replaced by an
# Argon2 one at its owner's next log-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "congdanso.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out log-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Lock-out (django-axes): 5 failures for the same user name from the same address lock that
# pair for 30 minutes; a success clears the count. The pair, not the address alone, so that a
# commune office behind one NAT address is not locked out by one person's typos, and not the
# user name alone, so that a stranger cannot lock a colleague out from anywhere.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "congdanso.web.accounts.lockout.lockout_response"
if _BEHIND_PROXY:
    # The address the proxy saw (the last X-Forwarded-For entry), not the proxy's own one.
    AXES_CLIENT_IP_CALLABLE = "congdanso.web.accounts.lockout.client_ip"

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"

# A signed-in session ends after CONGDANSO_SESSION_HOURS (8) without a request. Each request
# would have to write the session to extend it (SESSION_SAVE_EVERY_REQUEST), which turns every
# page view into a database write that waits behind an import on SQLite; instead
# SessionActivityMiddleware extends it at most once every SESSION_TOUCH_SECONDS. The cookie
# outlives the browser being closed (a phone's browser is closed by the system all day long);
# "Đăng xuất" ends the session on a shared computer.
# The API's rate limits (django-ninja's throttles) count in the cache: a file cache under
# the data directory is shared by every gunicorn worker on the machine without another
# server (the default per-process memory cache would let each worker allow the full rate).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
}

# Searches a user may make (site and API together): every search a minute, searches by
# number a minute, whole numbers that found nobody an hour (see people/searching.py).
SEARCH_RATES = (
    int(os.environ.get("CONGDANSO_SEARCHES_PER_MINUTE") or 120),
    int(os.environ.get("CONGDANSO_NUMBER_SEARCHES_PER_MINUTE") or 30),
    int(os.environ.get("CONGDANSO_NUMBER_MISSES_PER_HOUR") or 20),
)

SESSION_COOKIE_AGE = round(float(os.environ.get("CONGDANSO_SESSION_HOURS") or 8) * 3600)
SESSION_TOUCH_SECONDS = 300
SESSION_EXPIRE_AT_BROWSER_CLOSE = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # no script of ours reads it; forms carry the token
CSRF_COOKIE_SAMESITE = "Lax"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # URLs hold names and search terms: keep them in-house
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline script or style anywhere, the admin included (Django 5.2's admin has none); no
# third-party origin (the server may have no Internet). data: images for small inline icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

if _HTTPS:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix makes browsers refuse these cookies unless Secure, host-only, path /.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    # One year, subdomains included, preload allowed: the site is never meant to be plain HTTP.
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
if _BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Uploads: checked by content (congdanso.core.uploads), kept under the data dir with random
# names and mode 0600, never under STATIC_ROOT or MEDIA_ROOT, never served.
UPLOAD_ROOT = DATA_DIR / "uploads"
UPLOAD_MAX_BYTES = round(float(os.environ.get("CONGDANSO_UPLOAD_MAX_MB") or 50) * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "congdanso.core.uploads.UploadSizeLimitHandler",  # drops a file past UPLOAD_MAX_BYTES
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger files are spooled to a temporary file
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # a request's fields or body, files not counted
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Background tasks (long imports): django-tasks with its database backend, so that the
# SQLite default needs no other server. `congdanso serve` (make run) starts the worker
# (`congdanso db_worker`) beside gunicorn; tests run tasks in-process (ImmediateBackend).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
