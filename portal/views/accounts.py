"""Registering, confirming the email address, signing in and out, resetting a password, and the
applicant's account page. Signing in, out and password resets are Django's own views with the
portal's templates; django-axes locks an email address out after repeated failures from one
address, as on the staff sign-in."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import errors
from core.forms import form_add_domain_error
from portal.forms.accounts import (
    ApplicantPasswordResetForm,
    ApplicantSetPasswordForm,
    RegisterForm,
    SignInForm,
    password_min_length,
)
from portal.middleware import portal_language_name, remember_in_session
from portal.models import AccountType
from portal.panels import Panel, home_panel
from portal.permissions import applicant_required
from portal.selectors import profile_for
from portal.services.accounts import (
    LinkExpired,
    applicant_register,
    email_taken_message,
    email_verify,
    verification_email_resend,
)


def _site_url(request) -> str:
    """Where links in emails point: this site, as the applicant reached it."""
    return request.build_absolute_uri("/")


def _safe_next(request, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:  # an applicant has an account; staff never need one here
        return redirect("portal-home")
    form = RegisterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            account_type = AccountType(form.cleaned_data["account_type"])
            try:
                user = applicant_register(
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password"],
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    kind=account_type.kind,
                    is_business=account_type.is_business,
                    organisation_name=form.cleaned_data["organisation_name"],
                    language=translation.get_language(),
                    site_url=_site_url(request),
                )
            except errors.ValidationError as refused:
                form_add_domain_error(form, refused)
            else:
                # Signed in straight away: they have just chosen the password. (login() is told
                # the backend because several are configured.)
                login(request, user, backend="core.backends.RoleAwareModelBackend")
                remember_in_session(request, user.applicant_profile.preferred_language)
                messages.success(request, _("Your account has been created. We have sent you an email."))
                return redirect("portal-home")
        status = 400
    email_taken = email_taken_message() in form.errors.get("email", [])
    return render(
        request,
        "portal/register.html",
        {"form": form, "email_taken": email_taken, "password_min_length": password_min_length()},
        status=status,
    )


class SignInView(auth_views.LoginView):
    """Django's LoginView with the portal's form and page. The applicant's remembered language
    is switched on as they sign in, and kept in the language cookie so the pages after they sign
    out stay in it."""

    form_class = SignInForm
    template_name = "portal/sign_in.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("portal-home")

    def get_redirect_url(self):
        url = super().get_redirect_url()
        # An applicant never lands on a staff page from here (a `next` pointing there would 403).
        return url if url.startswith(reverse("portal-home")) else ""

    def form_valid(self, form):
        response = super().form_valid(form)
        language = profile_for(form.get_user()).preferred_language
        remember_in_session(self.request, language)
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class SignOutView(auth_views.LogoutView):
    next_page = reverse_lazy("portal-home")


def locked_out(request, original_response=None, credentials=None) -> HttpResponse:
    """django-axes's answer to a locked-out sign-in (settings.AXES_LOCKOUT_CALLABLE): the portal's
    page for the portal's sign-in, axes's own plain answer for any other sign-in form."""
    from axes.helpers import get_lockout_message

    status = settings.AXES_HTTP_RESPONSE_CODE
    if not request.path.startswith(reverse("portal-home")):
        return HttpResponse(get_lockout_message(), status=status)
    cool_off = settings.AXES_COOLOFF_TIME
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    return render(request, "portal/locked_out.html", {"minutes": minutes}, status=status)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ApplicantPasswordResetForm
    template_name = "portal/password_reset.html"
    email_template_name = "portal/emails/password_reset.txt"
    subject_template_name = "portal/emails/password_reset_subject.txt"
    success_url = reverse_lazy("portal-password-reset-done")

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "portal/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ApplicantSetPasswordForm
    template_name = "portal/password_reset_confirm.html"
    success_url = reverse_lazy("portal-password-reset-complete")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "password_min_length": password_min_length()}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "portal/password_reset_complete.html"


@require_http_methods(["GET"])
@applicant_required
def verify_email(request):
    """Asks an applicant who has not yet confirmed their email address to do so (pages that need
    a confirmed address send them here), with a button to send the link again."""
    profile = profile_for(request.user)
    next_url = _safe_next(request, reverse("portal-home"))
    if profile.is_email_verified:
        return redirect(next_url)
    return render(request, "portal/verify_email.html", {"profile": profile, "next": next_url})


@require_POST
@applicant_required
def verify_email_send(request):
    try:
        verification_email_resend(actor=request.user, user=request.user, site_url=_site_url(request))
    except errors.Conflict as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("We have sent you a new link. Check your email."))
    return redirect(_safe_next(request, reverse("portal-verify-email")))


@require_http_methods(["GET"])
def verify_email_confirm(request, token: str):
    """The link in the email. It needs no sign-in: the link shows they received the email."""
    try:
        user = email_verify(token=token)
    except LinkExpired:
        return render(request, "portal/verify_email_result.html", {"outcome": "expired"}, status=400)
    except errors.ValidationError:
        return render(request, "portal/verify_email_result.html", {"outcome": "invalid"}, status=400)
    signed_in_as_them = request.user.is_authenticated and request.user.pk == user.pk
    return render(request, "portal/verify_email_result.html", {"outcome": "confirmed", "signed_in": signed_in_as_them})


@require_http_methods(["GET"])
@applicant_required
def account(request):
    profile = profile_for(request.user)
    return render(
        request,
        "portal/account.html",
        {
            "profile": profile,
            "account_type": AccountType.of(request.user.kind, profile.is_business),
            "language_name": portal_language_name(translation.get_language()),
            "organisation": settings.ORGANISATION,
        },
    )


@home_panel(order=10)
def verification_panel(request) -> Panel | None:
    """The home page's banner until the email address is confirmed."""
    profile = profile_for(request.user)
    if profile.is_email_verified:
        return None
    return Panel("portal/home/_verify_email.html", {"profile": profile})
