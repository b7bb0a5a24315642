"""Django's four password validators with their messages in Thai (Django's Thai catalogue
leaves them in English). The rules are Django's own; only the words change."""

from django.contrib.auth import forms as django_forms
from django.contrib.auth import password_validation as django


class MinimumLengthValidator(django.MinimumLengthValidator):
    def get_error_message(self):
        return f"รหัสผ่านสั้นเกินไป ต้องยาวอย่างน้อย {self.min_length} ตัวอักษร"

    def get_help_text(self):
        return f"รหัสผ่านต้องยาวอย่างน้อย {self.min_length} ตัวอักษร"


class UserAttributeSimilarityValidator(django.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return "รหัสผ่านคล้าย%(verbose_name)sของท่านมากเกินไป"

    def get_help_text(self):
        return "รหัสผ่านต้องไม่คล้ายข้อมูลส่วนตัวของท่าน"


class CommonPasswordValidator(django.CommonPasswordValidator):
    def get_error_message(self):
        return "รหัสผ่านนี้มีผู้ใช้กันทั่วไปมาก เดาได้ง่าย"

    def get_help_text(self):
        return "รหัสผ่านต้องไม่ใช่รหัสที่ใช้กันทั่วไป"


class NumericPasswordValidator(django.NumericPasswordValidator):
    def get_error_message(self):
        return "รหัสผ่านต้องไม่เป็นตัวเลขล้วน"

    def get_help_text(self):
        return "รหัสผ่านต้องไม่เป็นตัวเลขล้วน"


MISMATCH = "รหัสผ่านใหม่ทั้งสองช่องไม่ตรงกัน"


class SetPasswordForm(django_forms.SetPasswordForm):
    error_messages = {**django_forms.SetPasswordForm.error_messages, "password_mismatch": MISMATCH}


class PasswordChangeForm(django_forms.PasswordChangeForm):
    error_messages = {**django_forms.PasswordChangeForm.error_messages, "password_mismatch": MISMATCH}
