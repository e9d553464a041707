"""People and places, cases and their chevron state machines, and the work done on cases: tasks,
notes, documents, reviews, referrals and appointments."""

from django.apps import AppConfig

_MODELS = [
    "region",
    "patch",
    "postcodearea",
    "contact",
    "contactexternalkey",
    "household",
    "householdmember",
    "organisation",
    "property",
    "tenancy",
    "casetype",
    "requesttype",
    "requestsubtype",
    "team",
    "teammembership",
    "queue",
    "case",
    "task",
    "note",
    "document",
    "documentrequest",
    "documentrequirement",
    "referral",
    "referralreason",
    "referralsubtype",
    "appointment",
    "caseorganisation",
    "calendar",
    "workingperiod",
    "closureday",
    "slarule",
    "slarung",
    "clock",
    "clockmilestone",
    "clockpause",
    "sweeprun",
    "workflowpath",
    "pathstep",
    "pathversion",
    "pathrun",
    "enquiryform",
    "enquiryquestion",
    "advicestatement",
    "enquiry",
]
# Configuration supervisors maintain in the admin. Cases and the work on them change only
# through the services (admin actions call them), so nobody gets add/change on those here.
_SUPERVISOR_MAINTAINS = [
    "enquiryform",
    "enquiryquestion",
    "advicestatement",
    "workflowpath",
    "pathstep",
    "slarule",
    "slarung",
    "calendar",
    "workingperiod",
    "closureday",
    "region",
    "patch",
    "postcodearea",
    "organisation",
    "property",
    "casetype",
    "requesttype",
    "requestsubtype",
    "documentrequirement",
    "team",
    "teammembership",
    "queue",
    "referralreason",
    "referralsubtype",
]


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "Casework"
    # Permissions each staff role holds in this app (see core.roles); administrators hold all.
    role_permissions = {
        "caseworker": [f"casework.view_{model}" for model in _MODELS],
        "supervisor": [
            *(f"casework.{action}_{model}" for model in _SUPERVISOR_MAINTAINS for action in ("add", "change")),
            "casework.reopen_case",
            # A wrong prefix in the region lookup is removed, not just changed.
            "casework.delete_postcodearea",
            # Taking someone out of a team is deleting their membership row (team admin's inline).
            "casework.delete_teammembership",
            # A calendar's working periods and closure days are edited (and removed) inline.
            "casework.delete_workingperiod",
            "casework.delete_closureday",
            # A rule's ladder is edited inline: a step can be taken away.
            "casework.delete_slarung",
            "casework.delete_pathstep",
            "casework.delete_enquiryquestion",
        ],
        # Case managers and reviewers also hold the caseworker's permissions (core.roles); what
        # sets them apart (verifying a property's region) is a rule in casework.permissions.
        "case_manager": [],
        "reviewer": [],
    }

    def ready(self) -> None:
        from casework import (
            signals,
            tasks,  # noqa: F401  (registers the jobs with the worker)
        )
        from casework.services import (
            clocks,
            document_requests,
            messages,  # noqa: F401  (merge fields, and the feed's side of messages)
            paths,
        )

        signals.case_created.connect(clocks.on_case_created, dispatch_uid="clocks-case-created")
        signals.case_status_changed.connect(clocks.on_case_status_changed, dispatch_uid="clocks-status")
        signals.case_created.connect(paths.on_case_created, dispatch_uid="paths-case-created")
        signals.case_status_changed.connect(paths.on_case_status_changed, dispatch_uid="paths-status")
        signals.case_status_changed.connect(
            document_requests.on_case_status_changed, dispatch_uid="document-requests-status"
        )
