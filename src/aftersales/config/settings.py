"""Settings, read from the environment (12-factor). See README.md, "Configuration"."""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_str, var_dir

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# Data (SQLite file, uploads, collected static files) lives under ./var unless told otherwise.
VAR_DIR = var_dir()

DEBUG = env_bool("DEBUG", False)

# Only the environment: a server never falls back to a file. The `aftersales` command run by hand
# reads the secret `make run` generated (__main__.py) and hands it over here.
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (the aftersales command also reads "
                                   "$AFTERSALES_VAR_DIR/secret_key, which make run writes).")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if not DEBUG else ["*"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "aftersales.core",
    "aftersales.accounts",
    "aftersales.masterdata",
    "aftersales.inventory",
    "aftersales.workcalendar",
    "aftersales.deadlines",
    "aftersales.notifications",
    "aftersales.jobs",
    "aftersales.returns",
    "aftersales.repairs",
    "aftersales.claims",
    "aftersales.servicedesk",
    "aftersales.field",
    "aftersales.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "aftersales.core.middleware.RefuseBadInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "aftersales.web.middleware.UserLanguageMiddleware",
    "aftersales.web.middleware.HtmxMessagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "aftersales.config.urls"
WSGI_APPLICATION = "aftersales.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "aftersales.web.context.web",
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'aftersales.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or _default_db,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers work while one writer writes; IMMEDIATE avoids lock upgrades mid-transaction.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_SQLITE_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["aftersales.core.auth.ThrottledModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed logins per username and per address within the window before further attempts are refused.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
CURRENCY = "CNY"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("AFTERSALES_PLAIN_STATIC", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# A request body other than files (a JSON case with thousands of serials) is read into memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 50 * 1024 * 1024)
# Uploaded files above Django's 2.5 MB go to a temporary file, not memory; none is kept past
# core/uploads.py MAX_UPLOAD_BYTES (20 MB), and each endpoint refuses by size before reading.
FILE_UPLOAD_HANDLERS = [
    "aftersales.core.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# HTTPS hardening is on in production; `make run` serves plain HTTP on loopback and turns it off.
HTTPS = env_bool("AFTERSALES_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("AFTERSALES_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["aftersales.core.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "aftersales.core.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "aftersales.core.renderers.JSONRenderer",  # every moment in TIME_ZONE's offset (+08:00)
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "aftersales.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "aftersales.core.api_errors.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Aftersales API",
    "DESCRIPTION": "After-sales service and customer returns (售后返品管理系统).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that share a field name get the name of what they are.
    "ENUM_NAME_OVERRIDES": {
        "CaseStateEnum": "aftersales.returns.models.CaseState",
        "NotificationChannelKindEnum": "aftersales.notifications.models.ChannelKind",
        "ChannelBodyFormatEnum": "aftersales.notifications.models.BodyFormat",
        "ServiceChannelEnum": "aftersales.servicedesk.models.Channel",
        "FieldOrderStateEnum": "aftersales.field.models.OrderState",
        "FieldWorkEnum": "aftersales.field.models.WorkKind",
        "PenaltyStateEnum": "aftersales.field.models.PenaltyState",
        "PenaltyRuleEnum": "aftersales.field.models.PenaltyRule",
        "PenaltySanctionEnum": "aftersales.field.models.Sanction",
        "ExpenseCategoryEnum": "aftersales.field.models.ExpenseCategory",
        "ExpenseClaimKindEnum": "aftersales.field.models.ClaimKind",
        "ExpenseClaimStateEnum": "aftersales.field.models.ClaimState",
        "FeedbackTopicEnum": "aftersales.field.models.FeedbackTopic",
        "CaseChannelEnum": "aftersales.returns.models.Channel",
        "ServiceCategoryEnum": "aftersales.servicedesk.models.Category",
        "ServicePriorityEnum": "aftersales.servicedesk.models.Priority",
        "ServiceRequestStateEnum": "aftersales.servicedesk.models.RequestState",
        "ServiceDecisionKindEnum": "aftersales.servicedesk.models.DecisionKind",
        "SurveyFollowupEnum": "aftersales.servicedesk.models.Survey.Followup",
        "UnitStateEnum": "aftersales.returns.models.UnitState",
        "WarrantyStatusEnum": "aftersales.returns.models.WarrantyStatus",
        "LineReasonEnum": "aftersales.returns.models.Reason",
        "OrderStateEnum": "aftersales.repairs.models.OrderState",
        "OrderKindEnum": "aftersales.repairs.models.OrderKind",
        "DelayReasonEnum": "aftersales.repairs.models.DelayReason",
        "QuoteStateEnum": "aftersales.repairs.models.QuoteState",
        "MaterialRequestStateEnum": "aftersales.repairs.models.RequestState",
        "ScrapApplicationStateEnum": "aftersales.repairs.models.ScrapState",
        "RefurbishOrderStateEnum": "aftersales.repairs.models.RefurbishState",
        "PartOutcomeEnum": "aftersales.repairs.models.PartOutcome",
        "SupplierClaimStateEnum": "aftersales.claims.models.ClaimState",
        "CompensationStateEnum": "aftersales.claims.models.CompensationState",
        "CompensationFormEnum": "aftersales.claims.models.CompensationForm",
        "SupplierAnswerEnum": "aftersales.claims.models.SupplierAnswer",
    },
}

SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# E-mail: SMTP when EMAIL_HOST is set, else printed by the worker (console) as in development.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
                        else "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "aftersales@localhost")
AFTERSALES_MAIL_DOMAIN = env_str("AFTERSALES_MAIL_DOMAIN", "aftersales.localhost")
# Notification channels (WeCom, DingTalk, SMS): where secrets named by a channel are read besides the
# environment (AFTERSALES_CHANNEL_SECRET_<NAME>), how long a remote may take, and the address links in
# the messages start with (none: no link).
AFTERSALES_CHANNEL_SECRETS_FILE = env_str("AFTERSALES_CHANNEL_SECRETS_FILE", "")
AFTERSALES_CHANNEL_TIMEOUT = env_int("AFTERSALES_CHANNEL_TIMEOUT", 10)
if not 1 <= AFTERSALES_CHANNEL_TIMEOUT <= 120:
    raise ImproperlyConfigured(f"AFTERSALES_CHANNEL_TIMEOUT={AFTERSALES_CHANNEL_TIMEOUT}: give 1 to 120 seconds.")
# Where people reach the site from outside: links in messages are whole addresses on it (a survey's signed link
# read on a phone, a robot's link to the case); set it empty for messages without links.
AFTERSALES_SITE_URL = (env_str("AFTERSALES_SITE_URL", "http://127.0.0.1:8000") or "").rstrip("/")
if AFTERSALES_SITE_URL and not AFTERSALES_SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"AFTERSALES_SITE_URL={AFTERSALES_SITE_URL!r}: give the address users open, "
                               "e.g. https://aftersales.example.cn.")

# Background work (django-tasks, the API of Django 6's tasks). By default the queue is a table in
# the application's database and `aftersales db_worker` runs it; with REDIS_URL and
# AFTERSALES_TASKS=rq it is an RQ queue on Redis and `aftersales rqworker --job-class django_tasks_rq.Job`
# runs it.
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
TASKS_BACKEND = env_str("AFTERSALES_TASKS", "database")
_TASK_BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"AFTERSALES_TASKS={TASKS_BACKEND!r}: use one of {', '.join(_TASK_BACKENDS)}.")
TASKS = {"default": _TASK_BACKENDS[TASKS_BACKEND]}
if TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

COMPANY_NAME = env_str("AFTERSALES_COMPANY_NAME", "Aftersales")

