"""People and places (contacts, households, organisations, properties, tenancies), regions and
patches; cases and their chevron state machines arrive with the casework issue."""

from django.apps import AppConfig

_MODELS = ["region", "patch", "contact", "household", "householdmember", "organisation", "property", "tenancy"]


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "Casework"
    # Permissions each staff role holds in this app (see core.roles); administrators hold all.
    role_permissions = {
        "caseworker": [f"casework.view_{model}" for model in _MODELS],
        # Reference data supervisors maintain in the admin. Contacts, households and tenancies
        # are recorded through the services (and the worktray), not edited in the admin.
        "supervisor": [
            f"casework.{action}_{model}"
            for model in ("region", "patch", "organisation", "property")
            for action in ("add", "change")
        ],
    }
