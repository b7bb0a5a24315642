"""OpenID Connect sign-in (mozilla-django-oidc), for providers such as ThaID.

Only existing accounts sign in: a person is matched by the subject (`sub`) stored at an
earlier sign-in, else by a verified e-mail address equal to exactly one active account
(the subject is then stored). Nobody is created and nobody is given a role. The provider's
sign-in counts as the password step only: an approver or executive still gives our TOTP
code, unless OIDC_TRUST_PROVIDER_MFA is on and the ID token's `amr` contains "mfa"
(RFC 8176: the provider itself used several factors).
"""

import logging
from functools import lru_cache

import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from mozilla_django_oidc import views as oidc_views
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from accounts.middleware import PROVIDER_MFA_SESSION_KEY
from accounts.models import ExternalIdentity

LOGGER = logging.getLogger(__name__)

# Our setting name -> the discovery document's key (OpenID Connect Discovery 1.0, §3).
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_ISSUER": "issuer",
}


@lru_cache(maxsize=4)
def discovery(url: str) -> dict:
    """The provider's /.well-known/openid-configuration, fetched once per process."""
    response = requests.get(url, timeout=settings.OIDC_TIMEOUT, verify=getattr(settings, "OIDC_VERIFY_SSL", True))
    response.raise_for_status()
    return response.json()


def oidc_setting(attr, *args):
    """A setting, or the endpoint the provider's discovery document names when unset."""
    value = getattr(settings, attr, "")
    if attr in DISCOVERED and not value and settings.OIDC_OP_DISCOVERY_URL:
        return discovery(settings.OIDC_OP_DISCOVERY_URL)[DISCOVERED[attr]]
    return import_from_settings(attr, *args)


class Backend(OIDCAuthenticationBackend):
    get_settings = staticmethod(oidc_setting)

    def verify_token(self, token, **kwargs):
        """Signature and nonce (the library), then issuer and audience (which it leaves out)."""
        payload = super().verify_token(token, **kwargs)
        issuer = self.get_settings("OIDC_OP_ISSUER", "")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("ID token from another issuer")
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token for another client")
        self.id_claims = payload
        return payload

    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def get_or_create_user(self, access_token, id_token, payload):
        """The one existing account this person is, or None (refused, never created)."""
        claims = self.get_userinfo(access_token, id_token, payload)
        subject = payload.get("sub")
        if not subject or claims.get("sub", subject) != subject:
            raise SuspiciousOperation("userinfo sub differs from the ID token's")
        issuer = payload.get("iss", "")
        identity = ExternalIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
        if identity is not None:
            user = identity.user if identity.user.is_active else None
        else:
            user = self._match_by_email(claims)
            if user is not None:
                ExternalIdentity.objects.create(user=user, issuer=issuer, subject=subject)
        if user is None:
            LOGGER.info("OIDC sign-in refused: no account for subject %s of %s", subject, issuer)
            return None
        amr = payload.get("amr") or []
        user.provider_mfa = bool(settings.OIDC_TRUST_PROVIDER_MFA and "mfa" in amr)
        return user

    def _match_by_email(self, claims):
        email = (claims.get("email") or "").strip()
        if not email or claims.get("email_verified") is False:
            return None
        users = list(self.UserModel.objects.filter(email__iexact=email, is_active=True)[:2])
        return users[0] if len(users) == 1 else None


class _EnabledOnly:
    def dispatch(self, request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class AuthenticateView(_EnabledOnly, oidc_views.OIDCAuthenticationRequestView):
    get_settings = staticmethod(oidc_setting)


class CallbackView(_EnabledOnly, oidc_views.OIDCAuthenticationCallbackView):
    get_settings = staticmethod(oidc_setting)

    def login_success(self):
        response = super().login_success()
        if getattr(self.user, "provider_mfa", False):
            self.request.session[PROVIDER_MFA_SESSION_KEY] = True
        return response
