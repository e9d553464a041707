"""The portal's status pages: an application's page (where it is, what is needed, what has
happened, messages, appointments), and withdrawing, appealing, reading a message or letter, and
cancelling or asking to rearrange an appointment from it."""

from django.urls import path

from portal.views import status

urlpatterns = [
    path("applications/<str:number>/", status.application, name="portal-application"),
    path("applications/<str:number>/withdraw/", status.withdraw, name="portal-application-withdraw"),
    path("applications/<str:number>/appeal/", status.appeal, name="portal-application-appeal"),
    path("applications/<str:number>/messages/<int:message_id>/", status.message, name="portal-application-message"),
    path(
        "applications/<str:number>/messages/<int:message_id>/letter.pdf",
        status.message_letter,
        name="portal-application-message-letter",
    ),
    path(
        "applications/<str:number>/appointments/<int:appointment_id>/cancel/",
        status.appointment_cancel,
        name="portal-appointment-cancel",
    ),
    path(
        "applications/<str:number>/appointments/<int:appointment_id>/rearrange/",
        status.appointment_rearrange,
        name="portal-appointment-rearrange",
    ),
]
