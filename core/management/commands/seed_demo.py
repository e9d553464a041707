import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.seeding import DemoContext, demo_modules


class Command(BaseCommand):
    help = "Load realistic synthetic demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=None,
            help="Password for newly created demo accounts (default: DEMO_PASSWORD or 'demo-housing-2026').",
        )

    def handle(self, *args, password=None, **options):
        if not settings.SEED_DEMO_ALLOWED:
            raise CommandError(
                "Demo data is switched off here (SEED_DEMO_ALLOWED is false): it creates accounts "
                "with a published password, so it must never run against live data."
            )
        ctx = DemoContext(password=password or os.environ.get("DEMO_PASSWORD") or "demo-housing-2026")
        with transaction.atomic():
            for module in demo_modules():
                module.seed(ctx)
        created = ", ".join(f"{n} {what}" for what, n in sorted(ctx.counts.items())) or "nothing new"
        self.stdout.write(f"Demo data ready (created: {created}).")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for new accounts: {ctx.password}):")
        width = max(len(role) for role, _ in ctx.logins)
        for role, email in ctx.logins:
            self.stdout.write(f"  {role:<{width}}  {email}")
