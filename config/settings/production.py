"""Production: every secret and address comes from the environment, and a missing or malformed
one stops start-up with a sentence naming it. `manage.py check --deploy` is clean with these."""

from config import env as envvars

from .base import *  # noqa: F403

DEBUG = envvars.boolean("DEBUG", default=False)

SECRET_KEY = envvars.required(
    "SECRET_KEY",
    hint="a random string of at least 50 characters (python -c 'import secrets; print(secrets.token_urlsafe(50))')",
)
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
    raise envvars.SettingError(
        "The environment variable SECRET_KEY is too weak: it must be a random string of at least 50 characters."
    )
SECRET_KEY_FALLBACKS = envvars.env.list("SECRET_KEY_FALLBACKS", default=[])
# Encrypted fields' salts (see base.py), newest first; required so that a deployment never
# encrypts with a salt published in this repository.
_salts = envvars.required(
    "FIELD_ENCRYPTION_SALT",
    hint="a random salt of at least 16 characters for encrypted fields, or several separated by commas, "
    "newest first (python -c 'import secrets; print(secrets.token_urlsafe(24))')",
)
SALT_KEY = [salt.strip() for salt in _salts.split(",") if salt.strip()]
if any(len(salt) < 16 for salt in SALT_KEY):
    raise envvars.SettingError(
        "The environment variable FIELD_ENCRYPTION_SALT is too weak: each salt must be at least 16 characters."
    )

ALLOWED_HOSTS = envvars.host_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = envvars.env.list("CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {"default": envvars.database()}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
    "min_size": envvars.integer("DATABASE_POOL_MIN_SIZE", default=2),
    "max_size": envvars.integer("DATABASE_POOL_MAX_SIZE", default=10),
}
CELERY_BROKER_URL = envvars.broker_url()

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "documents": STORAGES["documents"],  # noqa: F405
}

# TLS is terminated by the load balancer in front of gunicorn, which sets X-Forwarded-Proto.
# Without such a proxy the header must not be trusted: any client could claim HTTPS.
if envvars.boolean("BEHIND_TLS_PROXY", default=True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envvars.boolean("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the orchestrator probes over plain HTTP
SECURE_HSTS_SECONDS = envvars.integer("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
