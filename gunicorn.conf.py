"""gunicorn's settings, read from the working directory by every `gunicorn` started here (the
image's CMD, docker-compose, the page benchmark). Addresses and worker counts stay on the
command line and in WEB_CONCURRENCY.

The app is loaded once in the master and its objects (Django, every app, ~150,000 of them) are
frozen out of the garbage collector before the workers fork: a full collection in a worker then
walks only what its requests created, instead of ~50 ms over everything the app loaded, and the
frozen pages stay shared between workers rather than being copied on write."""

import gc

preload_app = True


def when_ready(server):
    """The app is loaded (preload_app) and no worker has forked yet."""
    gc.freeze()
