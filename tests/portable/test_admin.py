"""The admin's export action and import page: superusers only."""

import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from assessments.models import Organisation

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/assessments/organisation/import-history/"
CHANGELIST = "/admin/assessments/organisation/"


@pytest.fixture
def staff_admin(db):
    """An admin user with every permission on organisations, but not a superuser."""
    user = get_user_model().objects.create_user("office", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="assessments"))
    client = Client()
    client.force_login(user)
    return client


def upload(zip_bytes, **extra):
    return {"file": SimpleUploadedFile("demo.zip", zip_bytes, content_type="application/zip"), **extra}


def test_the_export_action_downloads_the_organisations_history(admin_client, org):
    response = admin_client.post(CHANGELIST, {"action": "export_history", "_selected_action": [org.pk]})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="ita-history-bungkok-')
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert '"organisation": "bungkok"' in archive.read("manifest.json").decode()


def test_the_import_page_restores_an_uploaded_history_for_a_superuser(admin_client, demo_history, media):
    response = admin_client.post(IMPORT_URL, upload(demo_history.zip_bytes))
    demo = Organisation.objects.get(code="demo")
    assert response.status_code == 302 and response["Location"].endswith(f"/{demo.pk}/change/")


def test_the_import_page_names_the_reason_of_a_refused_file(admin_client, media):
    response = admin_client.post(IMPORT_URL, upload(b"not a zip at all"))
    assert response.status_code == 400
    assert "ไม่ใช่ไฟล์ zip" in response.content.decode()


def test_the_import_page_refuses_a_non_superuser_and_imports_nothing(staff_admin, demo_history, media):
    assert staff_admin.get(IMPORT_URL).status_code == 403
    assert staff_admin.post(IMPORT_URL, upload(demo_history.zip_bytes)).status_code == 403
    assert not Organisation.objects.filter(code="demo").exists()


def test_the_export_action_is_not_offered_to_a_non_superuser(staff_admin, org):
    response = staff_admin.post(CHANGELIST, {"action": "export_history", "_selected_action": [org.pk]})
    assert response.get("Content-Type") != "application/zip"
    assert "export_history" not in staff_admin.get(CHANGELIST).content.decode()
