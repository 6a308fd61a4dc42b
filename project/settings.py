"""Django settings for agentstream, read from the environment (docs/protocol.md: Configuration)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from project import env

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env.flag("DJANGO_DEBUG", True)
_DEV_SECRET = "django-insecure-agentstream-development-key-do-not-deploy"  # noqa: S105
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0")
    SECRET_KEY = _DEV_SECRET
ALLOWED_HOSTS = env.csv("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    # agentstream's rooms, lowest first (docs/architecture.md): the event log, the transports,
    # the runs, the site; then the benchmarks and the survey workflow.
    "streaming.log",
    "streaming.transports",
    "streaming.runs",
    "streaming.site",
    "streaming.benchmarks",
    "agents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "streaming.site.middleware.security.ContentSecurityPolicyMiddleware",
    # WhiteNoise, async-capable: a sync-only middleware would push every async view to a thread.
    "streaming.site.middleware.staticfiles.AsyncWhiteNoiseMiddleware",
    # JSON errors under /api/, /events and /healthz (docs/protocol.md), around everything below.
    "streaming.site.middleware.json_errors.JsonErrorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# A failed CSRF check is 403 `csrf` as JSON on the API paths (Django's page elsewhere).
CSRF_FAILURE_VIEW = "streaming.site.views.errors.csrf_failure"

ROOT_URLCONF = "project.urls"
ASGI_APPLICATION = "project.asgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": env.database(
        os.environ.get("DATABASE_URL", "sqlite:///db.sqlite3"), base_dir=BASE_DIR
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CHANNEL_LAYERS = env.channel_layers(os.environ.get("REDIS_URL"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Serve static files from the ASGI app itself, also with DJANGO_DEBUG=0 and without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Without collectstatic there is no STATIC_ROOT folder, and that is fine (the finders serve).
warnings.filterwarnings("ignore", message=r"No directory at: .*staticfiles", category=UserWarning)

# Bodies over 1 MiB are refused with 413 `too_large` (docs/protocol.md).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

SECURE = env.flag("DJANGO_SECURE", False)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = False
if SECURE:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Share tokens ride in URLs: never send them to another origin in a Referer header.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# The workflows this deployment runs: the survey, plus those named in AGENTSTREAM_WORKFLOWS
# (`name=module.attr` pairs; docs/protocol.md, "Configuration").
AGENTSTREAM_WORKFLOWS = env.workflows("AGENTSTREAM_WORKFLOWS", {"survey": "agents.survey.SURVEY"})
AGENTSTREAM_DEFAULT_WORKFLOW = "survey"
AGENTSTREAM_WORKSPACE_ROOT = os.environ.get(
    "AGENTSTREAM_WORKSPACE_ROOT", str(BASE_DIR / "agents" / "workspaces")
)
AGENTSTREAM_DEFAULT_WORKSPACE = "sample"
AGENTSTREAM_RUNNER = os.environ.get("AGENTSTREAM_RUNNER", "inline")
AGENTSTREAM_LLM = os.environ.get("AGENTSTREAM_LLM") or None
# Where each session's Markdown report is written (default: reports/ in the project folder).
AGENTSTREAM_REPORT_DIR = os.environ.get("AGENTSTREAM_REPORT_DIR") or None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Share tokens ride in URLs (?token=): keep them out of request logs.
    "filters": {
        "redact_tokens": {"()": "streaming.site.redaction.RedactShareTokens"},
        # An outage is one WARNING and one INFO (streaming/log/outages.py), not a line a second
        # from channels-redis' receive loop or one per reconnect attempt from psycopg's pool.
        "layer_outage": {"()": "streaming.log.outages.ChannelsRedisReceiveErrors"},
        "database_outage": {"()": "streaming.log.outages.PoolConnectionErrors"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # Every record reaches the one console handler once. Django's default config gives
        # `django` a console handler of its own (with DEBUG) on top of the root's, so each of its
        # warnings (a 404, a 403 with its traceback) was written twice; without handlers here
        # its records go to the root's, redacted. (Its `mail_admins` goes too: ADMINS is unset.)
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "streaming": {"level": os.environ.get("AGENTSTREAM_LOG_LEVEL", "INFO")},
        "agents": {"level": os.environ.get("AGENTSTREAM_LOG_LEVEL", "INFO")},
        "channels_redis.pubsub": {"filters": ["layer_outage"]},
        "channels_redis.core": {"filters": ["layer_outage"]},
        # INFO for the filter to see the pool's reconnects; it lets none of them through.
        "psycopg.pool": {"level": "INFO", "filters": ["database_outage"]},
    },
}
