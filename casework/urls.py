"""The casework staff pages, under /staff/."""

from django.urls import path

from casework.views import bulk_letters, case_page, case_sections, document_requests, enquiries, home, search, sla

urlpatterns = [
    path("", home.staff_home, name="staff-home"),
    path("cases/<int:case_id>/", case_page.case_detail, name="staff-case"),
    path("search/", search.search, name="staff-search"),
    # The case page's actions and sections (casework.views.case_page, case_sections).
    path("cases/<int:case_id>/action/", case_page.case_action, name="staff-case-action"),
    path("cases/<int:case_id>/sections/<slug:section>/", case_page.case_section, name="staff-case-section"),
    path("cases/<int:case_id>/tasks/", case_sections.task_add, name="staff-case-task-add"),
    path(
        "cases/<int:case_id>/tasks/<int:task_id>/complete/",
        case_sections.task_complete,
        name="staff-case-task-complete",
    ),
    path(
        "cases/<int:case_id>/tasks/<int:task_id>/checklist/",
        case_sections.task_checklist,
        name="staff-case-task-checklist",
    ),
    path("cases/<int:case_id>/paths/", case_sections.path_start, name="staff-case-path-start"),
    path("cases/<int:case_id>/notes/", case_sections.note_add, name="staff-case-note-add"),
    path("cases/<int:case_id>/mentions/", case_sections.mention_suggestions, name="staff-case-mentions"),
    path("cases/<int:case_id>/documents/", case_sections.document_upload, name="staff-case-document-upload"),
    path(
        "cases/<int:case_id>/document-requests/",
        document_requests.document_request_add,
        name="staff-case-document-request-add",
    ),
    path(
        "cases/<int:case_id>/document-requests/<int:request_id>/cancel/",
        document_requests.document_request_cancel,
        name="staff-case-document-request-cancel",
    ),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/ask-again/",
        document_requests.document_ask_again,
        name="staff-case-document-ask-again",
    ),
    path("cases/<int:case_id>/reviews/", case_sections.review_log, name="staff-case-review-log"),
    path("cases/<int:case_id>/referrals/", case_sections.referral_add, name="staff-case-referral-add"),
    path("cases/<int:case_id>/appointments/", case_sections.appointment_add, name="staff-case-appointment-add"),
    path("cases/<int:case_id>/messages/", case_sections.message_send, name="staff-case-message-send"),
    path("cases/<int:case_id>/messages/preview.pdf", case_sections.message_preview_pdf, name="staff-case-message-pdf"),
    path(
        "cases/<int:case_id>/messages/<int:message_id>/retry/",
        case_sections.message_retry,
        name="staff-case-message-retry",
    ),
    path(
        "cases/<int:case_id>/messages/<int:message_id>/reviewed/",
        case_sections.message_review,
        name="staff-case-message-review",
    ),
    path("messages/<int:message_id>/", case_sections.message_view, name="staff-message"),
    path("letters/bulk/", bulk_letters.bulk_letters, name="staff-bulk-letters"),
    path("sla/", sla.sla_list, name="staff-sla"),
    path("enquiries/", enquiries.enquiry_forms, name="staff-enquiries"),
    path("enquiries/<int:form_id>/", enquiries.enquiry_take, name="staff-enquiry-take"),
    path("letters/bulk/<int:batch_id>/resume/", bulk_letters.bulk_letters_resume, name="staff-bulk-letters-resume"),
]

# My worktray's saved views (the worktray itself is "staff-home" above).
from casework.views import worktray  # noqa: E402

urlpatterns += [
    path("saved-views/", worktray.saved_filter_save, name="staff-saved-view-save"),
    path("saved-views/<int:saved_filter_id>/delete/", worktray.saved_filter_delete, name="staff-saved-view-delete"),
]
