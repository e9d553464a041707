"""Reading settings from the environment with errors an operator can act on.

django-environ does the parsing; this module adds the one thing it lacks: when a variable is
missing or malformed, start-up stops with one sentence that names the variable and says what
it should hold, instead of a traceback that ends in a KeyError.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingError(ImproperlyConfigured):
    """A required environment variable is missing or malformed."""


def required(name: str, *, hint: str) -> str:
    value = env.str(name, default="").strip()
    if not value:
        raise SettingError(f"The environment variable {name} is not set: it must hold {hint}.")
    return value


def boolean(name: str, *, default: bool) -> bool:
    """Strict boolean: a typo such as DEBUG=ture is an error, never a silent False."""
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise SettingError(f"The environment variable {name} is {raw!r}: it must be true or false.")


def integer(name: str, *, default: int) -> int:
    raw = env.str(name, default=str(default)).strip()
    try:
        return int(raw)
    except ValueError:
        raise SettingError(f"The environment variable {name} is {raw!r}: it must be a whole number.") from None


def host_list(name: str, *, default: str | None = None) -> list[str]:
    raw = (
        env.str(name, default=default)
        if default is not None
        else required(name, hint="a comma-separated list of host names the site is served on")
    )
    return [host.strip() for host in raw.split(",") if host.strip()]


def database(name: str = "DATABASE_URL", *, default: str | None = None) -> dict:
    """A PostgreSQL database from a URL. Other engines are refused: the product needs
    PostgreSQL's triggers, SKIP LOCKED and sequences everywhere (docs/adr/0005)."""
    url = (
        env.str(name, default=default)
        if default is not None
        else required(name, hint="a PostgreSQL URL such as postgres://user:password@host:5432/housing")
    )
    scheme = urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql", "pgsql"}:
        raise SettingError(
            f"The environment variable {name} must be a postgres:// URL, not {scheme or url!r}: "
            "this product runs on PostgreSQL only."
        )
    config = environ.Env.db_url_config(url)
    if not config.get("NAME"):
        raise SettingError(f"The environment variable {name} does not name a database.")
    # QuerySet.iterator() (and so every ModelChoiceField a form renders) would otherwise stream
    # through a server-side cursor: DECLARE, FETCH, FETCH, CLOSE, four round trips for a picklist
    # of ten. It also keeps the settings right behind PgBouncer in transaction mode. Large reads
    # page through keyset queries instead.
    config["DISABLE_SERVER_SIDE_CURSORS"] = True
    return config


def broker_url(*, default: str | None = None) -> str:
    """CELERY_BROKER_URL wins; otherwise REDIS_URL (the usual single-Redis deployment)."""
    url = env.str("CELERY_BROKER_URL", default="") or env.str("REDIS_URL", default="")
    if not url:
        if default is None:
            raise SettingError(
                "The environment variable CELERY_BROKER_URL (or REDIS_URL) is not set: it must "
                "hold the broker's URL, such as redis://redis:6379/0."
            )
        return default
    scheme = urlsplit(url).scheme
    if scheme not in {"redis", "rediss", "filesystem", "memory"}:
        raise SettingError(f"The broker URL must start with redis://, rediss:// or filesystem://, not {url!r}.")
    return url
