"""Shared fixtures. Tests run against the real PostgreSQL (with migrations, so the audit
triggers exist) and, where Celery is involved, the real Redis."""

import pytest

from core import services
from core.models import User
from core.roles import Role


@pytest.fixture
def make_staff(db):
    def make(*roles: Role, email: str | None = None, **fields) -> User:
        email = email or f"staff{User.objects.count() + 1}@test.example"
        user = services.user_create(actor=None, email=email, kind=User.Kind.STAFF, **fields)
        if roles:
            user = services.staff_set_roles(actor=None, user=user, roles=set(roles))
        return user

    return make


@pytest.fixture
def caseworker(make_staff) -> User:
    return make_staff(Role.CASEWORKER, email="caseworker@test.example", first_name="Casey", last_name="Worker")


@pytest.fixture
def supervisor(make_staff) -> User:
    return make_staff(Role.SUPERVISOR, email="supervisor@test.example", first_name="Sue", last_name="Pervisor")


@pytest.fixture
def administrator(make_staff) -> User:
    return make_staff(Role.ADMINISTRATOR, email="admin@test.example", first_name="Addie", last_name="Min")


@pytest.fixture(params=[User.Kind.TENANT, User.Kind.LANDLORD, User.Kind.PROPERTY_MANAGER, User.Kind.ADVOCATE])
def applicant(request, db) -> User:
    return services.user_create(actor=None, email=f"{request.param}@test.example", kind=request.param)


@pytest.fixture(autouse=True, scope="session")
def _own_celery_queue(worker_id):
    """Each test process (and each concurrent test run on the machine) sends and consumes jobs on
    a queue of its own, so a real worker started by one never takes another's jobs (which would
    run them against the other's database, and leave its own waiting)."""
    import os

    from config.celery import app

    app.conf.task_default_queue = f"tests-{worker_id}-{os.getpid()}"
    app.amqp.queues = app.amqp.Queues(app.conf.task_queues, create_missing=True)
    yield


@pytest.fixture(autouse=True)
def _site_language_after_each_test():
    """A request in another language leaves it active on the thread (LocaleMiddleware activates,
    nothing deactivates), so code called directly by the next test would speak it: go back to the
    site's language after every test."""
    yield
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(scope="module")
def demo_seeded(django_db_setup, django_db_blocker):
    """`manage.py seed_demo` run twice, once for all the tests of a module (each run takes
    seconds): the outputs of the first and second runs. The seeding happens inside a transaction
    held open for the module and rolled back after it, and each test's own transaction (the `db`
    fixture) nests inside it as a savepoint, so every test starts from the seeded demo and no
    test sees another's changes or leaves anything behind."""
    from io import StringIO

    from django.core.management import call_command
    from django.db import transaction

    def run() -> str:
        out = StringIO()
        call_command("seed_demo", stdout=out)
        return out.getvalue()

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield run(), run()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
