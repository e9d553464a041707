"""pytest: real PostgreSQL and Redis on this machine (make test starts them if needed)."""

import atexit
import shutil
import tempfile
from pathlib import Path

from config import env as envvars

from .base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SECRET_KEY = "test-only-key-not-used-anywhere-else-0123456789-abcdefghijklmnopqrstuvwxyz"
SALT_KEY = ["test-only-salt-not-used-anywhere-else"]
DATABASES = {
    "default": envvars.database(default="postgres://postgres@127.0.0.1:5432/housing"),
}
CELERY_BROKER_URL = envvars.broker_url(default="redis://127.0.0.1:6379/0")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; tests only
# Static files are served by the test server's finders; WhiteNoise is exercised in production.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SEED_DEMO_ALLOWED = True

# Uploaded documents go to a throw-away directory, never into the repository or var/, and
# always to the filesystem, even when the shell has DOCUMENTS_S3_BUCKET set.
DOCUMENTS_ROOT = Path(tempfile.mkdtemp(prefix="housing-test-documents-"))
atexit.register(shutil.rmtree, DOCUMENTS_ROOT, ignore_errors=True)
STORAGES = {
    **STORAGES,  # noqa: F405
    "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": DOCUMENTS_ROOT}},
}
# What the file delivery backend writes stays out of the checkout (and is removed afterwards).
COMMUNICATIONS_OUTBOX = Path(tempfile.mkdtemp(prefix="housing-test-outbox-"))
atexit.register(shutil.rmtree, COMMUNICATIONS_OUTBOX, ignore_errors=True)
# Every channel goes to the file backend, unless a test's own subprocess names another
# (LETTER_DELIVERY=notify, against a fake Notify): never a real provider from a developer's shell.
COMMUNICATIONS_BACKENDS = {
    channel: envvars.env.str(f"{channel.upper()}_DELIVERY", default="file") for channel in ("letter", "email", "sms")
}
