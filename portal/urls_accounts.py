"""Applicants' accounts: register, confirm the email address, sign in and out, reset a password,
the account page."""

from django.urls import path

from portal.views import accounts

urlpatterns = [
    path("register/", accounts.register, name="portal-register"),
    path("sign-in/", accounts.SignInView.as_view(), name="portal-sign-in"),
    path("sign-out/", accounts.SignOutView.as_view(), name="portal-sign-out"),
    path("account/", accounts.account, name="portal-account"),
    path("verify-email/", accounts.verify_email, name="portal-verify-email"),
    path("verify-email/send/", accounts.verify_email_send, name="portal-verify-email-send"),
    path("verify-email/<str:token>/", accounts.verify_email_confirm, name="portal-verify-email-confirm"),
    path("password-reset/", accounts.PasswordResetView.as_view(), name="portal-password-reset"),
    path("password-reset/sent/", accounts.PasswordResetDoneView.as_view(), name="portal-password-reset-done"),
    path(
        "password-reset/complete/",
        accounts.PasswordResetCompleteView.as_view(),
        name="portal-password-reset-complete",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="portal-password-reset-confirm",
    ),
]
