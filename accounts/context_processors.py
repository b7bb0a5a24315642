from django.conf import settings


def sign_in(request):
    """Whether the login page offers OpenID Connect, and under which name."""
    return {"oidc_enabled": settings.OIDC_ENABLED, "oidc_provider_name": settings.OIDC_PROVIDER_NAME}
