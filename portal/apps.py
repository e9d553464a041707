"""The applicant portal: accounts (this slice); applications, profiles, documents, status,
notices and translations arrive in their own modules beside these."""

from importlib import import_module
from pkgutil import iter_modules

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Applicant portal"
    # Supervisors see an applicant's portal profile on their user page (the account type is
    # corrected through the admin action, which calls the service, not by editing the profile).
    # They also post the notices shown on applicants' home pages (portal.admin.NoticeAdmin).
    role_permissions = {
        "supervisor": [
            "portal.view_applicantprofile",
            *(f"portal.{action}_notice" for action in ("add", "change", "view", "delete")),
        ]
    }

    def ready(self) -> None:
        from casework import signals as casework_signals
        from portal import signals, views

        # Every rental application gets its answers row, however it was started (portal.signals).
        casework_signals.case_created.connect(signals.on_case_created, dispatch_uid="portal-answers-row")

        # Every view module, so the home page panels they register (portal.panels) are known
        # before the first page is drawn, whichever URL a process serves first.
        for module in iter_modules(views.__path__):
            import_module(f"{views.__name__}.{module.name}")
