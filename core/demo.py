"""Demo staff and applicant accounts. Other apps' demo modules build on these."""

from __future__ import annotations

from core import services
from core.models import User
from core.roles import Role
from core.seeding import DemoContext

STAFF = [
    # email, first name, last name, roles
    ("admin@demo.example", "Ada", "Okafor", {Role.ADMINISTRATOR}),
    ("supervisor@demo.example", "Sam", "Patel", {Role.SUPERVISOR}),
    ("chaser@demo.example", "Chris", "Morgan", {Role.CASEWORKER}),
    ("casemanager@demo.example", "Maya", "Kowalski", {Role.CASEWORKER, Role.CASE_MANAGER}),
    ("reviewer@demo.example", "Rhys", "Evans", {Role.CASEWORKER, Role.REVIEWER}),
    ("rents@demo.example", "Rana", "Haddad", {Role.CASEWORKER}),
    ("options@demo.example", "Owen", "Doyle", {Role.CASEWORKER}),
    ("caseworker@demo.example", "Leah", "Nguyen", {Role.CASEWORKER}),
]

APPLICANTS = [
    ("tenant@demo.example", "Tara", "Reilly", User.Kind.TENANT),
    ("landlord@demo.example", "Lewis", "Grant", User.Kind.LANDLORD),
    ("agent@demo.example", "Priya", "Shah", User.Kind.PROPERTY_MANAGER),
    ("advocate@demo.example", "Abdi", "Hassan", User.Kind.ADVOCATE),
]


def _ensure_user(ctx: DemoContext, email: str, first: str, last: str, kind: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = services.user_create(
            actor=None, email=email, kind=kind, first_name=first, last_name=last, password=ctx.password
        )
        ctx.created("user")
    return user


def seed(ctx: DemoContext) -> None:
    for email, first, last, roles in STAFF:
        user = _ensure_user(ctx, email, first, last, User.Kind.STAFF)
        services.staff_set_roles(actor=None, user=user, roles=roles)
        ctx.login(", ".join(sorted(r.label for r in roles)), email)
    for email, first, last, kind in APPLICANTS:
        _ensure_user(ctx, email, first, last, kind)
        ctx.login(f"{User.Kind(kind).label} (applicant)", email)
