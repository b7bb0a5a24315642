"""Accounts: the link between a portal account and a person at an OpenID Connect provider."""

from django.conf import settings
from django.db import models


class ExternalIdentity(models.Model):
    """One account's subject (`sub`) at one OpenID Connect issuer, stored at the first sign-in
    matched by e-mail so later sign-ins match the subject, whatever the e-mail becomes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities", verbose_name="ผู้ใช้"
    )
    issuer = models.CharField("ผู้ให้บริการยืนยันตัวตน (issuer)", max_length=255)
    subject = models.CharField("รหัสผู้ใช้ที่ผู้ให้บริการ (sub)", max_length=255)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "บัญชีที่ผู้ให้บริการยืนยันตัวตน"
        verbose_name_plural = "บัญชีที่ผู้ให้บริการยืนยันตัวตน"
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="unique_external_subject")]

    def __str__(self):
        return f"{self.user} @ {self.issuer}"
