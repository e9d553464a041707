"""An account's page and what caseworkers do on it: each form posts to its own URL and comes
back to the page."""

from django.urls import path

from arrears.views import account, account_actions

urlpatterns = [
    path("accounts/<int:account_id>/", account.account_detail, name="arrears-account"),
    path("accounts/<int:account_id>/pause/", account_actions.account_pause, name="arrears-account-page-pause"),
    path("accounts/<int:account_id>/unpause/", account_actions.account_unpause, name="arrears-account-page-unpause"),
    path("accounts/<int:account_id>/diary/", account_actions.diary_add, name="arrears-account-page-diary-add"),
    path("accounts/<int:account_id>/send/", account_actions.recommended_send, name="arrears-account-page-send"),
    path(
        "accounts/<int:account_id>/failed-letter/reviewed/",
        account_actions.failed_letter_review,
        name="arrears-account-page-failed-letter-review",
    ),
    path(
        "accounts/<int:account_id>/arrangements/",
        account_actions.arrangement_create,
        name="arrears-account-page-arrangement-create",
    ),
    path(
        "accounts/<int:account_id>/arrangements/<int:arrangement_id>/cancel/",
        account_actions.arrangement_cancel,
        name="arrears-account-page-arrangement-cancel",
    ),
    path("accounts/<int:account_id>/nosps/", account_actions.nosp_record, name="arrears-account-page-nosp-record"),
    path(
        "accounts/<int:account_id>/court-cases/",
        account_actions.court_case_record,
        name="arrears-account-page-court-case-record",
    ),
    path(
        "accounts/<int:account_id>/court-cases/<int:court_case_id>/outcome/",
        account_actions.court_outcome_record,
        name="arrears-account-page-court-outcome-record",
    ),
    path(
        "accounts/<int:account_id>/evictions/",
        account_actions.eviction_record,
        name="arrears-account-page-eviction-record",
    ),
    path(
        "accounts/<int:account_id>/messages/<int:message_id>/",
        account.account_message,
        name="arrears-account-page-message",
    ),
    path(
        "accounts/<int:account_id>/messages/<int:message_id>/letter.pdf",
        account.account_message_pdf,
        name="arrears-account-page-message-pdf",
    ),
]
