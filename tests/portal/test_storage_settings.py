"""Files go to local disk by default and to an S3-compatible bucket when the environment names
one (read in a fresh process, as a host starts)."""

import json

from tests.portal.test_settings import run_manage

CODE = (
    "import json; from django.core.files.storage import storages; s = storages['default']; "
    "print(json.dumps([type(s).__module__ + '.' + type(s).__name__, getattr(s, 'bucket_name', None), "
    "getattr(s, 'endpoint_url', None), getattr(s, 'default_acl', 'n/a'), getattr(s, 'file_overwrite', None)]))"
)


def default_storage(**variables):
    result = run_manage("shell", "-c", CODE, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_files_are_on_local_disk_by_default():
    assert default_storage()[0] == "django.core.files.storage.filesystem.FileSystemStorage"


def test_a_bucket_in_the_environment_puts_files_in_it_privately_never_overwriting():
    backend, bucket, endpoint, acl, overwrite = default_storage(
        AWS_STORAGE_BUCKET_NAME="ita-files", AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        AWS_ACCESS_KEY_ID="k", AWS_SECRET_ACCESS_KEY="s",
    )  # fmt: skip
    assert backend == "storages.backends.s3.S3Storage" and bucket == "ita-files"
    assert endpoint == "http://127.0.0.1:9000" and acl is None and overwrite is False
