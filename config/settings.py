"""Ronghe settings: one module, driven by environment variables.

DATABASE_URL selects PostgreSQL (postgres://user@host:port/name); without it the
embedded SQLite file under var/ is used.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("RONGHE_DEMO"):
        # Refuse to run a real deployment with a guessable key.
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("请设置环境变量 DJANGO_SECRET_KEY（生产部署必须设置）。")
    SECRET_KEY = "ronghe-insecure-development-key"

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# Demo mode: the login page lists the demo accounts and their shared password.
RONGHE_DEMO = env_bool("RONGHE_DEMO", False)
RONGHE_DEMO_PASSWORD = os.environ.get("RONGHE_DEMO_PASSWORD", "ronghe2026")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",  # only for its system check of the CONTENT_SECURITY_POLICY setting
    "axes",  # login throttling: failed attempts and lockouts
    "django_tasks",  # background tasks (the backport of Django 6.0's django.tasks)
    "django_tasks_db",  # ...kept in the database, run by `manage.py db_worker`
    "surveys",
    "reports",
]

MIDDLEWARE = [
    # First: drops X-Forwarded-* headers that did not come from RONGHE_TRUSTED_PROXIES.
    "surveys.core.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "surveys.core.middleware.SvgPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "surveys.organisation.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the user and messages are known: a bare 405 (and the demo's DEBUG 404) becomes
    # the app's own Chinese page with a way back.
    "surveys.core.error_pages.ErrorPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "surveys.core.context_processors.ronghe",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATA_DIR = Path(os.environ.get("RONGHE_DATA_DIR", BASE_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)
# Files kept through Django's storage API (evidence uploads); `manage.py backup` archives
# them with the database. BACKUP_DIR is where `manage.py backup` writes unless given --dir.
MEDIA_ROOT = DATA_DIR / "media"
BACKUP_DIR = DATA_DIR / "backups"

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "ronghe.sqlite3",
            # One connection per server process, kept between requests: opening the file,
            # switching it to WAL and closing it again on every request cost a secretary's
            # eight requests about 30 ms of server CPU (bench_storm A/B, README).
            "CONN_MAX_AGE": None,
            "OPTIONS": {
                # Concurrent submits: a deferred transaction that reads and then writes
                # fails at once with "database is locked". IMMEDIATE takes the write lock
                # up front, WAL lets readers go on, and the timeout makes writers queue.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "surveys.User"

# Login throttling (django-axes). AxesStandaloneBackend first: it refuses a locked-out
# login before ModelBackend checks the password. Locked by username AND client address
# together, so someone guessing from elsewhere can't lock a secretary out of her own phone.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "surveys.organisation.backends.BranchModelBackend",  # ModelBackend, with her branch
]
# The database store, keeping the row's end in the session (one query less per page).
SESSION_ENGINE = "surveys.core.sessions"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The login page again, with the Chinese message and the typed username (not axes' English).
AXES_LOCKOUT_CALLABLE = "surveys.organisation.views.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Behind a trusted proxy every client would otherwise share the proxy's address.
AXES_CLIENT_IP_CALLABLE = "surveys.core.middleware.client_ip"

# Argon2id first (surveys/core/hashers.py says why and with what cost); PBKDF2 stays so
# that existing hashes still verify, and each is upgraded on its next login.
PASSWORD_HASHERS = [
    "surveys.core.hashers.RongheArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Chinese for everyone, whatever language the browser asks for: without LocaleMiddleware an
# English-language browser got Django's own strings ("Username", "This field is required.")
# in English beside our Chinese.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True

# Pages, overviews and charts are cached per data version (the version is in every key, so
# nothing stale is ever served). In files under var/cache, so every gunicorn worker and the
# task worker on the host share one copy: a chart is drawn once per data version and host,
# not once per process (docs/deployment.md, "Cache").
CACHE_DIR = Path(os.environ.get("RONGHE_CACHE_DIR", DATA_DIR / "cache"))
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(CACHE_DIR),
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}

# Long jobs (the whole-round PDF, the Word 通报, large exports, reminders) run as tasks in
# the database, picked up by `manage.py db_worker` (make run starts one; docs/deployment.md
# says how to run them under systemd). Several app servers share one queue unchanged.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# How long a finished job's file stays downloadable before `manage.py prune_jobs` removes it.
RONGHE_JOB_FILE_HOURS = int(os.environ.get("RONGHE_JOB_FILE_HOURS", "24"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "ronghe@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
# A stale token on the questionnaire: say the typing was kept in the browser, link back.
CSRF_FAILURE_VIEW = "surveys.core.csrf.csrf_failure"

# --- Security headers, HTTPS and the proxy in front (docs/deployment.md, "HTTPS") ---
# Always on, HTTP or HTTPS.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Every script and style is a file the app serves: no inline code, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
}

# Peers whose X-Forwarded-Proto (and -For, -Host) count: "127.0.0.1,10.0.0.0/24". From anyone
# else surveys.core.middleware.TrustedProxyMiddleware removes those headers.
RONGHE_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("RONGHE_TRUSTED_PROXIES", "").split(",") if p.strip()
]
if RONGHE_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# A monitor or the proxy may ask the app itself over plain HTTP (SECURE_SSL_REDIRECT below).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# DJANGO_HTTPS=1: the site is reached over HTTPS only (directly or through the proxy above).
RONGHE_HTTPS = env_bool("DJANGO_HTTPS", False)
if RONGHE_HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    # Off unless asked: HSTS for subdomains would also force HTTPS on other hosts of the
    # organisation's domain, which on an intranet may still be plain HTTP.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
# Deliberate choices, not oversights, so `check --deploy` does not warn about them: an
# intranet host name cannot be on the browsers' public preload list, and subdomains are the
# deployment's to decide (DJANGO_HSTS_INCLUDE_SUBDOMAINS).
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if not env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", False):
    SILENCED_SYSTEM_CHECKS.append("security.W005")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("RONGHE_LOG_LEVEL", "WARNING")},
}
