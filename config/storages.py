"""Where uploads are kept: Django's STORAGES, read from the environment.

With ``NTM_S3_BUCKET`` set, uploads go to an S3-compatible object store (django-storages),
so that several application servers share them; otherwise to local files under
``MEDIA_ROOT`` (one server, or a shared file system mounted there).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

STATICFILES = {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}


def storages_from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    bucket = environ.get("NTM_S3_BUCKET", "").strip()
    if not bucket:
        return {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": STATICFILES}
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "default_acl": "private",  # files are served only through the permission-checked view
        "querystring_auth": True,
        "file_overwrite": False,
        "location": environ.get("NTM_S3_PREFIX", "").strip("/"),
    }
    for env, option in (("NTM_S3_ENDPOINT_URL", "endpoint_url"),
                        ("NTM_S3_REGION", "region_name"),
                        ("NTM_S3_ACCESS_KEY_ID", "access_key"),
                        ("NTM_S3_SECRET_ACCESS_KEY", "secret_key")):
        if environ.get(env):
            options[option] = environ[env]
    if environ.get("NTM_S3_ADDRESSING_STYLE"):  # "path" for MinIO and most on-premise stores
        options["addressing_style"] = environ["NTM_S3_ADDRESSING_STYLE"]
    return {"default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
            "staticfiles": STATICFILES}
