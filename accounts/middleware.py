"""The second factor is enforced here, for every page, not page by page."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from accounts import mfa

# Set in the session when an OpenID Connect provider vouched for several factors
# (only with OIDC_TRUST_PROVIDER_MFA; see accounts/oidc.py).
PROVIDER_MFA_SESSION_KEY = "accounts_provider_mfa"

# Pages a half-signed-in person may still reach: signing in and out, the MFA steps
# themselves, password reset, the OpenID Connect hand-off and what is public anyway.
EXEMPT_PREFIXES = (
    "/login/",
    "/logout/",
    "/account/mfa/",
    "/account/oidc/",
    "/oidc/",
    "/password_reset/",
    "/reset/",
    "/admin/login/",
    "/admin/logout/",
    "/static/",
    "/p/",
    "/verify/",
)


def second_factor_done(request) -> bool:
    user = request.user
    return user.is_verified() or bool(request.session.get(PROVIDER_MFA_SESSION_KEY))


class RequireMFAMiddleware:
    """A signed-in user who holds a second factor, or who must (approvers, executives,
    administrators), reaches no page until the code step is done: with a device they are
    sent to the code step, without one (and required) to enrolment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not second_factor_done(request)
        ):
            has_device, required = mfa.second_factor_state(user)
            target = "mfa_verify" if has_device else "mfa_enrol" if required else None
            if target:
                url = reverse(target)
                if request.method == "GET":
                    url += "?" + urlencode({"next": request.get_full_path()})
                return redirect(url)
        return self.get_response(request)
