"""`make run` and day-to-day development: the embedded PostgreSQL and a broker that needs no
server (kombu's filesystem transport), unless DATABASE_URL / REDIS_URL say otherwise."""

import secrets

from config import embedded
from config import env as envvars

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = envvars.boolean("DEBUG", default=True)
ALLOWED_HOSTS = envvars.host_list("ALLOWED_HOSTS", default="localhost,127.0.0.1,[::1]")
SEED_DEMO_ALLOWED = True


def _local_secret_key() -> str:
    """A random key kept in var/ so sessions survive restarts; never committed."""
    path = VAR_DIR / "secret-key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = envvars.env.str("SECRET_KEY", default="") or _local_secret_key()
# The key for encrypted fields comes from SECRET_KEY (random per machine, above) and this salt.
SALT_KEY = envvars.env.list("FIELD_ENCRYPTION_SALT", default=["local-development-salt-not-secret"])
# The fake member directory knows the demo's records, so linking external keys can be tried.
CASEWORK_FAKE_MEMBERS = "casework.demo.DEMO_MEMBERS"

if not envvars.env.str("DATABASE_URL", default=""):
    DATABASES = {"default": envvars.database(default=embedded.database_url(VAR_DIR))}

if not (envvars.env.str("CELERY_BROKER_URL", default="") or envvars.env.str("REDIS_URL", default="")):
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = embedded.filesystem_broker_options(VAR_DIR)
