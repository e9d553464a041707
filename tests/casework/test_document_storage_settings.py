"""Where documents are stored is chosen by the environment: the filesystem by default, an
S3-compatible bucket when DOCUMENTS_S3_BUCKET is set. Settings are loaded afresh in a
subprocess (as tests/core/test_settings.py does); nothing here talks to S3."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.core.test_settings import GOOD_ENV as PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]
# Loads the settings and the Document model, and describes the storage its file field uses.
PROBE = """
import json, django
django.setup()
from django.conf import settings
from casework.models import Document
storage = Document._meta.get_field("file").storage
print(json.dumps({
    "class": f"{type(storage).__module__}.{type(storage).__name__}",
    "bucket": getattr(storage, "bucket_name", None),
    "endpoint": getattr(storage, "endpoint_url", None),
    "region": getattr(storage, "region_name", None),
    "prefix": getattr(storage, "location", None),
    "overwrite": getattr(storage, "file_overwrite", None),
    "acl": getattr(storage, "default_acl", None),
    "access_key": getattr(storage, "access_key", None),
    "max_bytes": settings.DOCUMENT_MAX_BYTES,
    "credentials_in_settings": [
        name for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_S3_ACCESS_KEY_ID")
        if hasattr(settings, name)
    ],
}))
"""


def load(**env: str) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "SECRET_", "REDIS_", "CELERY_", "ALLOWED_", "DEBUG"))
        and not key.startswith(("AWS_", "DOCUMENT", "MEDIA_ROOT", "VAR_DIR"))
    }
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def described(**env: str) -> dict:
    result = load(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_documents_are_on_the_filesystem_under_media_root_by_default(tmp_path):
    storage = described(MEDIA_ROOT=str(tmp_path))
    assert storage["class"] == "django.core.files.storage.filesystem.FileSystemStorage"
    assert storage["prefix"] == str(tmp_path / "documents")
    assert storage["max_bytes"] == 20 * 1024 * 1024


def test_a_bucket_switches_documents_to_s3_with_the_endpoint_and_region():
    storage = described(
        DOCUMENTS_S3_BUCKET="council-casework-documents",
        AWS_S3_ENDPOINT_URL="https://objects.example.org",
        AWS_S3_REGION_NAME="eu-west-2",
    )
    assert storage == {
        "class": "storages.backends.s3.S3Storage",
        "bucket": "council-casework-documents",
        "endpoint": "https://objects.example.org",
        "region": "eu-west-2",
        "prefix": "documents",
        "overwrite": False,
        "acl": None,
        "access_key": None,  # no credentials in settings: boto3 finds its own
        "max_bytes": 20 * 1024 * 1024,
        "credentials_in_settings": [],
    }


def test_credentials_are_left_to_boto3_from_the_standard_variables():
    # django-storages reads these itself; our settings never copy them anywhere.
    storage = described(
        DOCUMENTS_S3_BUCKET="docs", AWS_ACCESS_KEY_ID="AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY="not-a-real-secret"
    )
    assert storage["class"] == "storages.backends.s3.S3Storage"
    assert storage["endpoint"] is None and storage["region"] is None
    assert storage["access_key"] == "AKIAEXAMPLE"
    assert storage["credentials_in_settings"] == []


def test_the_size_limit_comes_from_the_environment():
    assert described(DOCUMENT_MAX_BYTES="1048576")["max_bytes"] == 1024 * 1024


def test_a_malformed_size_limit_stops_start_up_naming_it():
    for value in ("twenty", "0", "-5"):
        result = load(DOCUMENT_MAX_BYTES=value)
        assert result.returncode != 0
        assert "DOCUMENT_MAX_BYTES" in result.stderr.strip().splitlines()[-1]
