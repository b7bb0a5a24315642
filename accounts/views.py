"""Account pages: my account, TOTP enrolment, the code step after the password, recovery
codes, the lockout page and the refusal of an unknown OpenID Connect sign-in."""

from urllib.parse import urlencode

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from accounts import mfa, passwords
from accounts.middleware import second_factor_done
from ita_portal.access import requires_mfa

FRESH_CODES_SESSION_KEY = "accounts_fresh_recovery_codes"


class CodeForm(forms.Form):
    token = forms.CharField(
        label="รหัสยืนยัน",
        max_length=32,
        error_messages={"required": "กรุณากรอกรหัสยืนยัน"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


def _next_url(request, default="home"):
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


@login_required
def account(request):
    """บัญชีของฉัน: who I am, my second factor, and the links to change it."""
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "required": requires_mfa(user),
            "has_authenticator": mfa.has_authenticator(user),
            "codes_left": mfa.recovery_codes_left(user),
            "memberships": user.memberships.select_related("organisation").order_by("organisation__name"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    """Enrol an authenticator app: QR code and key, confirmed with a first code."""
    user = request.user
    if mfa.has_device(user):
        if not second_factor_done(request):
            return redirect("mfa_verify")
        if mfa.has_authenticator(user):
            messages.info(request, "ท่านลงทะเบียนแอปยืนยันตัวตนไว้แล้ว")
            return redirect("account")
    device = mfa.pending_totp(user, request.session)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = mfa.confirm_totp(device, form.cleaned_data["token"], by=user)
        except mfa.EnrolmentError as error:
            form.add_error("token", str(error))
        else:
            django_otp.login(request, device)
            request.session.pop(mfa.PENDING_KEY_SESSION_KEY, None)
            request.session[FRESH_CODES_SESSION_KEY] = codes
            messages.success(request, "ลงทะเบียนการยืนยันตัวตนสองขั้นตอนแล้ว")
            next_url = _next_url(request, default="")
            return redirect(reverse("recovery_codes") + (f"?{urlencode({'next': next_url})}" if next_url else ""))
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "qr_svg": mfa.qr_svg(device),
            "key": mfa.base32_key(device),
            "required": requires_mfa(user),
            "next": _next_url(request, default=""),
        },
        status=400 if form.errors else 200,
    )


def _credentials(user):
    return {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The code step after the password: a code from the app or one recovery code.

    A wrong code counts as a failed sign-in (django-axes): at the limit the account is
    locked and this half-signed-in session ends."""
    user = request.user
    if not mfa.has_device(user):
        return redirect("mfa_enrol" if requires_mfa(user) else "account")
    if second_factor_done(request):
        return redirect(_next_url(request))
    if AxesProxyHandler.is_locked(request, _credentials(user)):
        logout(request)
        return lockout(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = mfa.seconds_to_wait(user)  # django-otp checks no code for a moment after a wrong one
        device = django_otp.match_token(user, mfa.normalise(form.cleaned_data["token"]))
        if device is not None:
            django_otp.login(request, device)
            if device.persistent_id.startswith("otp_static"):
                left = mfa.recovery_codes_left(user)
                messages.warning(request, f"ใช้รหัสกู้คืนไปแล้ว 1 รหัส เหลืออีก {left} รหัส")
            return redirect(_next_url(request))
        user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
        if AxesProxyHandler.is_locked(request, _credentials(user)):
            logout(request)
            return lockout(request)
        form.add_error(
            "token",
            f"กรอกรหัสผิดติดกันหลายครั้ง ระบบยังไม่ตรวจรหัสนี้ กรุณารอ {wait} วินาทีแล้วกรอกรหัสล่าสุดอีกครั้ง"
            if wait
            else "รหัสยืนยันไม่ถูกต้องหรือหมดอายุแล้ว กรุณาลองอีกครั้ง",
        )
    return render(
        request,
        "accounts/verify.html",
        {"form": form, "next": _next_url(request, default="")},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """See how many recovery codes are left; renew them (the new ones are shown once)."""
    user = request.user
    if not mfa.has_authenticator(user):
        return redirect("mfa_enrol")
    if request.method == "POST":
        request.session[FRESH_CODES_SESSION_KEY] = mfa.renew_recovery_codes(user)
        messages.success(request, "ออกรหัสกู้คืนชุดใหม่แล้ว รหัสชุดเดิมใช้ไม่ได้อีก")
        return redirect("recovery_codes")
    fresh = request.session.pop(FRESH_CODES_SESSION_KEY, None)
    return render(
        request,
        "accounts/recovery_codes.html",
        {"fresh": fresh, "codes_left": mfa.recovery_codes_left(user), "next": _next_url(request, default="")},
    )


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset confirmation with Thai messages; a new password set through the
    e-mailed link also lifts a lockout of that username (the link proves the mailbox)."""

    form_class = passwords.SetPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        return response


def lockout(request, original_response=None, credentials=None):
    """Thai lockout page (django-axes' AXES_LOCKOUT_CALLABLE and the code step)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/lockout.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def oidc_refused(request):
    """An OpenID Connect sign-in that matched no account (or failed): nobody is let in."""
    return render(request, "accounts/oidc_refused.html", {"provider": settings.OIDC_PROVIDER_NAME}, status=403)
