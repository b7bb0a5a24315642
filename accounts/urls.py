from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import oidc, passwords, views

urlpatterns = [
    # Django's own views, with forms whose remaining English messages are Thai.
    path(
        "password_change/",
        auth_views.PasswordChangeView.as_view(form_class=passwords.PasswordChangeForm),
        name="password_change",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("account/", views.account, name="account"),
    path("account/mfa/enrol/", views.enrol, name="mfa_enrol"),
    path("account/mfa/verify/", views.verify, name="mfa_verify"),
    path("account/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("account/oidc/refused/", views.oidc_refused, name="oidc_refused"),
    path("oidc/authenticate/", oidc.AuthenticateView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", oidc.CallbackView.as_view(), name="oidc_authentication_callback"),
]
