"""Settings for Municipios Abiertos.

Every value comes from an environment variable with a safe local default (SQLite, a
SQLite-backed task queue, local files). Production switches backends by environment only.
Each variable read here is listed in docs/configuration.md; a test keeps both in sync.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "si", "sí"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "insecure-local-development-key-change-me-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Municipios Abiertos")

VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "huey.contrib.djhuey",
    # Listed so the API docs page uses ninja's bundled Swagger UI instead of a CDN.
    "ninja",
    "abiertos.core",
    "abiertos.accounts",
    "abiertos.jobs",
    "abiertos.catalog",
    "abiertos.datastore",
    "abiertos.portal",
    "abiertos.api",
    "abiertos.ckan_api",
    "abiertos.harvest",
    "abiertos.monitoring",
    "abiertos.foi",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "abiertos.portal.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "abiertos.portal.context_processors.site",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_SQLITE_NAME", "") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["abiertos.accounts.backends.EmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:province_home"
LOGOUT_REDIRECT_URL = "portal:province_home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env_list(
    "PASSWORD_HASHERS",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
)

# Login throttling: failed attempts allowed per account and per address in the window.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900)
# Accounts whose e-mail was never confirmed are deleted after this many days (0: never).
UNCONFIRMED_ACCOUNT_DAYS = env_int("UNCONFIRMED_ACCOUNT_DAYS", 14)

REDIS_URL = env_str("REDIS_URL", "")
# The test suite runs in several pytest-xdist workers against one Redis: each worker (and the
# processes it starts, which inherit its environment) gets its own database number, so that one
# worker's cache.clear() (a FLUSHDB) cannot drop another worker's keys, such as a held host slot.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _XDIST_WORKER.startswith("gw") and _XDIST_WORKER[2:].isdigit():
    _base, _sep, _db = REDIS_URL.rstrip("/").rpartition("/")
    _db_number = int(_db) if _sep and _db.isdigit() and "//" in _base else 0
    _base = _base if _sep and _db.isdigit() and "//" in _base else REDIS_URL.rstrip("/")
    REDIS_URL = f"{_base}/{(_db_number + 1 + int(_XDIST_WORKER[2:])) % 16}"
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background jobs (Huey). SQLite file by default, Redis when REDIS_URL is set.
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env_str("HUEY_NAME", "municipios-abiertos"),
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }
else:
    # The SQLite queue lives in VAR_DIR, which a fresh clone does not have yet.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": env_str("HUEY_NAME", "municipios-abiertos"),
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }
# A running job whose heartbeat is older than this is declared failed by the reaper.
JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 300)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Municipios Abiertos <no-responder@localhost>")

LANGUAGE_CODE = "es-ar"
LANGUAGES = [("es-ar", "Español"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "America/Argentina/Buenos_Aires")
USE_I18N = True
USE_TZ = True

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
# Reverse proxies in front of the web processes that append the client's address to
# X-Forwarded-For. 0: use REMOTE_ADDR. Login throttling per address depends on it.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "SAMEORIGIN"

# Upload limits (bytes). Larger files are refused with a clear message.
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
MAX_LOGO_BYTES = env_int("MAX_LOGO_BYTES", 512 * 1024)

# The province catalog (data.json, catalog.xlsx, DCAT): its identifier (the prefix datos.gob.ar
# puts on federated ids; empty = the province's slug) and its publisher. A municipal catalog's
# identifier is the municipality's slug and its publisher the municipality.
CATALOG_IDENTIFIER = env_str("CATALOG_IDENTIFIER", "")
CATALOG_PUBLISHER_NAME = env_str("CATALOG_PUBLISHER_NAME", "")
CATALOG_PUBLISHER_EMAIL = env_str("CATALOG_PUBLISHER_EMAIL", "datos@example.org")
# Datasets per page of the DCAT exports (catalog.ttl, catalog.rdf, catalog.jsonld?page=N).
DCAT_PAGE_SIZE = env_int("DCAT_PAGE_SIZE", 100)
# Finished catalog exports, one file per catalog version (served until the catalog changes).
CATALOG_CACHE_DIR = VAR_DIR / "cache" / "catalog"

# Resumable uploads: the chunk size clients are told to use, and how long an unfinished
# upload is kept before the periodic cleanup deletes it.
UPLOAD_CHUNK_BYTES = env_int("UPLOAD_CHUNK_BYTES", 1024 * 1024)
UPLOAD_SESSION_TTL_HOURS = env_int("UPLOAD_SESSION_TTL_HOURS", 24)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# The datastore: where tables are kept as Parquet (shared storage when several workers load),
# the largest file loaded as a table, and the limits that stop spreadsheet bombs.
DATASTORE_ROOT = Path(env_str("DATASTORE_ROOT", str(VAR_DIR / "datastore")))
DATASTORE_MAX_BYTES = env_int("DATASTORE_MAX_BYTES", 2 * 1024 * 1024 * 1024)
DATASTORE_MAX_UNCOMPRESSED_BYTES = env_int("DATASTORE_MAX_UNCOMPRESSED_BYTES", 1024 * 1024 * 1024)
DATASTORE_MAX_CELLS = env_int("DATASTORE_MAX_CELLS", 50_000_000)
DATASTORE_MAX_COLUMNS = env_int("DATASTORE_MAX_COLUMNS", 2000)
# Queries over the tables (datastore_search, datastore_search_sql, the preview, /api/v1/tables/).
DATASTORE_QUERY_MAX_ROWS = env_int("DATASTORE_QUERY_MAX_ROWS", 32000)
DATASTORE_QUERY_TIMEOUT_MS = env_int("DATASTORE_QUERY_TIMEOUT_MS", 5000)
DATASTORE_QUERY_MEMORY_MB = env_int("DATASTORE_QUERY_MEMORY_MB", 256)
DATASTORE_SQL_ENABLED = env_bool("DATASTORE_SQL_ENABLED", True)
# Locked DuckDB connections kept open per process for reuse (0: open one per query).
DATASTORE_SANDBOX_POOL = env_int("DATASTORE_SANDBOX_POOL", 16)
# Tables with at least this many rows get a copy sorted by their main category column (fast filters).
DATASTORE_SORTED_COPY_MIN_ROWS = env_int("DATASTORE_SORTED_COPY_MIN_ROWS", 1_000_000)

# Harvest sources on loopback/private/link-local/reserved addresses are refused (SSRF) unless on.
HARVEST_ALLOW_PRIVATE_HOSTS = env_bool("HARVEST_ALLOW_PRIVATE_HOSTS", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
