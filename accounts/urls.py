from django.urls import path

from accounts import oidc, views

urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/mfa/enrol/", views.enrol, name="mfa_enrol"),
    path("account/mfa/verify/", views.verify, name="mfa_verify"),
    path("account/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("account/oidc/refused/", views.oidc_refused, name="oidc_refused"),
    path("oidc/authenticate/", oidc.AuthenticateView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", oidc.CallbackView.as_view(), name="oidc_authentication_callback"),
]
