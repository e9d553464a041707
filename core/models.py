"""Users, base model fields and the small shared tables every app leans on. No business rules."""

from __future__ import annotations

import uuid

import pghistory
from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser, Group
from django.db import connection, models
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    """Email is the login. Every user is created with an explicit kind: nobody becomes staff
    (able to open staff pages) by a forgotten argument."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("A user needs an email address.")
        if not extra_fields.get("kind"):
            raise ValueError("A user needs a kind: staff, or one of the applicant kinds.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True, kind=User.Kind.STAFF)
        return self._create_user(email, password, **extra_fields)


@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser):
    """Staff (caseworkers, supervisors, administrators: see core.roles) and applicants
    (tenants, landlords, property managers, advocates), who log in to the portal only."""

    class Kind(models.TextChoices):
        STAFF = "staff", "Staff"
        TENANT = "tenant", "Tenant"
        LANDLORD = "landlord", "Landlord"
        PROPERTY_MANAGER = "property_manager", "Property manager"
        ADVOCATE = "advocate", "Advocate"

    username = None  # type: ignore[assignment]  # email is the login
    email = models.EmailField("email address", unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    groups = models.ManyToManyField(
        Group,
        through="core.UserRole",
        blank=True,
        related_name="user_set",
        related_query_name="user",
        help_text="The staff roles this user holds.",
    )  # type: ignore[assignment]  # AbstractUser's, with an audited through model

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []  # type: ignore[misc]

    objects = UserManager()  # type: ignore[assignment, misc]

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            # The database itself guarantees an applicant can never be given admin access.
            models.CheckConstraint(
                condition=models.Q(kind="staff") | models.Q(is_staff=False, is_superuser=False),
                name="user_applicant_never_admin",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_staff_member(self) -> bool:
        return self.is_active and self.kind == self.Kind.STAFF

    @property
    def is_applicant(self) -> bool:
        return self.kind != self.Kind.STAFF


class UserRole(models.Model):
    """A staff member holds a role: the user-group link, made explicit so that granting and
    revoking roles is audited by the same triggers as every other change."""

    user = models.ForeignKey("core.User", on_delete=models.CASCADE)
    group = models.ForeignKey(Group, on_delete=models.CASCADE)

    class Meta:
        db_table = "core_user_groups"
        constraints = [models.UniqueConstraint(fields=["user", "group"], name="user_role_unique")]

    def __str__(self) -> str:
        return f"{self.user} holds {self.group}"


pghistory.track(pghistory.InsertEvent("role.granted"), pghistory.DeleteEvent("role.revoked"))(UserRole)


def stamp_user_field(**options) -> models.ForeignKey:
    """Stamped's who-created and who-changed field. A table rewritten often may pass
    db_index=False: nobody searches by them, and each index costs every update."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        **options,
    )


class Stamped(models.Model):
    """Who created and last changed a row, and when. Times come from Python, not the database
    clock, so tests that move time see them move too."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = stamp_user_field()
    updated_by = stamp_user_field()

    class Meta:
        abstract = True

    def stamp(self, actor: User | None) -> None:
        """Record `actor` as the author of the change about to be saved."""
        now = timezone.now()
        if self._state.adding:
            self.created_at = now
            self.created_by = actor
        self.updated_at = now
        self.updated_by = actor


class ReferenceCounter(models.Model):
    """The last number issued for a reference prefix (e.g. CON, RAFT-2026). References are never
    reused: the counter only goes up, and the increment commits with the row that uses it."""

    key = models.CharField(max_length=40, primary_key=True)
    last_value = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.key}: {self.last_value}"

    @classmethod
    def next_value(cls, key: str) -> int:
        table = cls._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (key, last_value) VALUES (%s, 1) "  # noqa: S608 - table name is ours
                f"ON CONFLICT (key) DO UPDATE SET last_value = {table}.last_value + 1 "
                "RETURNING last_value",
                [key],
            )
            return cursor.fetchone()[0]


def next_reference(prefix: str, *, width: int = 6) -> str:
    """The next reference for `prefix`, such as CON-000042. Call it inside the transaction that
    saves the row it names: the counter row stays locked until then, so numbers are issued in
    commit order and a rolled-back row gives its number back."""
    return f"{prefix}-{ReferenceCounter.next_value(prefix):0{width}d}"


class Heartbeat(models.Model):
    """When a worker last ran a scheduled job: shown on /healthz so operators can see that the
    scheduler and the workers are alive."""

    name = models.CharField(max_length=50, primary_key=True)
    seen_at = models.DateTimeField()
    hostname = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.seen_at:%Y-%m-%d %H:%M:%S}"


class Job(models.Model):
    """Long work started from the staff pages (a recount, bulk letters, an import): who started
    it, how far it has got and how it ended. One Celery task (core.tasks.job_run) runs every kind;
    the kinds are registered in core.jobs. Rows are written only through core.jobs."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Done"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=100)
    label = models.CharField(max_length=200)
    # The keyword arguments the kind's function is called with (JSON: ids, not objects).
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(null=True, blank=True, help_text="Steps in all; empty until known.")
    done = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    result_url = models.CharField(max_length=500, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="jobs"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["started_by", "-created_at"], name="job_starter_recent_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "succeeded", "failed"]),
                name="core_job_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int | None:
        """Whole percent done, or None while the size of the work is unknown."""
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)
