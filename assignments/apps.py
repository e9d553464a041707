"""Skills and staff routing profiles (capacity, presence); offers and the routing engine arrive
with the routing issue."""

from django.apps import AppConfig


class AssignmentsConfig(AppConfig):
    name = "assignments"
    verbose_name = "Assignments and routing"
    # Permissions each staff role holds in this app (see core.roles); administrators hold all.
    role_permissions = {
        "caseworker": [
            "assignments.view_skill",
            "assignments.view_routingprofile",
            "assignments.view_routingprofileskill",
        ],
        # The admin's skills inline on a routing profile needs add/delete on the link model.
        "supervisor": [
            "assignments.add_skill",
            "assignments.change_skill",
            "assignments.add_routingprofile",
            "assignments.change_routingprofile",
            "assignments.add_routingprofileskill",
            "assignments.change_routingprofileskill",
            "assignments.delete_routingprofileskill",
            # The router's configuration (rules are retired by unticking "active", not deleted),
            # and what the router did, read-only.
            "assignments.view_routingsettings",
            "assignments.change_routingsettings",
            "assignments.view_routingrule",
            "assignments.add_routingrule",
            "assignments.change_routingrule",
            "assignments.view_declinereason",
            "assignments.add_declinereason",
            "assignments.change_declinereason",
            "assignments.view_offer",
            "assignments.view_caserouting",
        ],
    }

    def ready(self) -> None:
        from assignments import receivers, tasks  # noqa: F401  (tasks: registers the jobs)
        from casework import signals

        signals.case_created.connect(receivers.on_case_created, dispatch_uid="routing-case-created")
        signals.case_status_changed.connect(receivers.on_case_status_changed, dispatch_uid="routing-status")
        signals.case_owner_changed.connect(receivers.on_case_owner_changed, dispatch_uid="routing-owner")
        signals.cases_changed_by_rules.connect(receivers.on_cases_changed_by_rules, dispatch_uid="routing-rules")
