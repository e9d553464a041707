"""Letters, emails and text messages: templates supervisors edit, PDF letters, delivery through
one interface (GOV.UK Notify, SMTP, or files on disk), and a message log that never sends twice."""

from django.apps import AppConfig


class CommunicationsConfig(AppConfig):
    name = "communications"
    verbose_name = "Communications"
    # Permissions each staff role holds in this app (see core.roles); administrators hold all.
    role_permissions = {
        "caseworker": ["communications.view_template", "communications.view_message", "communications.view_batch"],
        "supervisor": ["communications.add_template", "communications.change_template"],
        "case_manager": [],
        "reviewer": [],
    }

    def ready(self) -> None:
        from communications import checks, tasks  # noqa: F401  (registers the checks, and the jobs with the worker)
