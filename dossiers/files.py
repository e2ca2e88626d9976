"""Checks on uploaded files: size, and the type read from the content (not the name)."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from .exceptions import RuleViolation

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str


def _sniff(head: bytes, stream: IO[bytes]) -> str | None:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(OLE_MAGIC):
        return "application/x-ole-storage"  # .doc / .xls
    if head.startswith(b"PK\x03\x04"):
        stream.seek(0)
        try:
            names = set(zipfile.ZipFile(stream).namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if "xl/workbook.xml" in names:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if "ppt/presentation.xml" in names:
            return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        if "mimetype" in names and "content.xml" in names:
            return "application/vnd.oasis.opendocument"
    return None


def check_upload(uploaded: IO[bytes], *, name: str) -> CheckedFile:
    """Refuse an empty, oversized or unrecognised file; return its type, size and hash."""
    limit = settings.NTM_EVIDENCE_MAX_BYTES
    uploaded.seek(0)
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: uploaded.read(1024 * 1024), b""):
        size += len(chunk)
        if size > limit:
            raise RuleViolation(_("“%(name)s” is larger than the %(mb)s MB limit.") % {
                "name": name, "mb": limit // (1024 * 1024)})
        digest.update(chunk)
    if size == 0:
        raise RuleViolation(_("“%(name)s” is empty.") % {"name": name})
    uploaded.seek(0)
    content_type = _sniff(uploaded.read(16), uploaded)
    uploaded.seek(0)
    if content_type is None:
        raise RuleViolation(_("“%(name)s” is not a PDF, an image (JPEG, PNG, WebP) or an office "
                              "document.") % {"name": name})
    return CheckedFile(content_type, size, digest.hexdigest())
