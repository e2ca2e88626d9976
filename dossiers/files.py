"""Checks on uploaded files before anything is stored.

* the file's name: kept for display only, refused when it carries path separators, control,
  bidirectional or invisible characters, characters no file system takes, a leading formula
  character, or more than ``NAME_MAX_CHARS`` characters; the stored file gets a name of its
  own (a random hex name and the extension of its type), so a name is never used as a path;
* the type, read from the content by a maintained library (``puremagic``) and checked
  against the extension: PDF, JPEG, PNG, WebP, and Office Open XML / OpenDocument
  documents. Legacy OLE (.doc, .xls: they may carry macros and cannot be inspected here),
  macro-enabled or encrypted documents, HTML, SVG and anything else are refused;
* Office archives: number of entries, the uncompressed size (counted while decompressing,
  so a lying header does not help a zip bomb), no encrypted, unsafe, executable or macro
  entries;
* PDFs and images: no second format hidden inside (executable, HTML, script);
* size, SHA-256, and the optional virus scanner (``dossiers.scanning``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

import puremagic
from django.conf import settings
from django.utils.translation import gettext as _

from . import scanning
from .exceptions import RuleViolation

NAME_MAX_CHARS = 255  # StoredFile.original_name
CHUNK = 1024 * 1024

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"

# What each accepted extension must hold: (family read by puremagic, exact content type).
ACCEPTED: dict[str, tuple[str, str]] = {
    ".pdf": ("pdf", PDF),
    ".png": ("png", "image/png"),
    ".jpg": ("jpeg", "image/jpeg"),
    ".jpeg": ("jpeg", "image/jpeg"),
    ".webp": ("webp", "image/webp"),
    ".docx": ("zip", DOCX),
    ".xlsx": ("zip", XLSX),
    ".pptx": ("zip", PPTX),
    ".odt": ("zip", ODT),
    ".ods": ("zip", ODS),
    ".odp": ("zip", ODP),
}
CANONICAL_EXTENSION = {PDF: ".pdf", "image/png": ".png", "image/jpeg": ".jpg",
                       "image/webp": ".webp", DOCX: ".docx", XLSX: ".xlsx", PPTX: ".pptx",
                       ODT: ".odt", ODS: ".ods", ODP: ".odp"}
OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}
ODF_MIMETYPES = {ODT, ODS, ODP}

# Entries an Office document never needs: programs and scripts.
EXECUTABLE_SUFFIXES = frozenset(
    ".exe .dll .com .scr .pif .cpl .msi .msp .sys .drv .ocx .bat .cmd .ps1 .psm1 .vbs .vbe "
    ".js .jse .wsf .wsh .hta .jar .class .sh .bash .elf .so .dylib .app .apk .lnk .reg "
    ".py .pl .rb .php".split())
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe",
                    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xca\xfe\xba\xbe", b"#!")
# Macro parts of Office Open XML and OpenDocument files.
MACRO_ENTRY = re.compile(r"(^|/)(vbaproject\.bin|vbadata\.xml|activex[^/]*)$|^(basic|scripts)/",
                         re.IGNORECASE)
# A second format hidden in a PDF or an image (a polyglot).
HIDDEN = re.compile(
    rb"<\s*(script|html|svg|iframe|object|embed|body|meta)[\s>/]|<\?php|"
    rb"\x7fELF[\x01\x02][\x01\x02]\x01|This program cannot be run in DOS mode|"
    rb"/JavaScript\b|/Launch\b", re.IGNORECASE)
HIDDEN_OVERLAP = 64

FORBIDDEN_NAME_CHARS = set('/\\<>:"|?*')
FORMULA_START = ("=", "+", "-", "@")


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str
    display_name: str  # what the person called it, for display (never a path)
    storage_name: str  # the name it is stored under: random, with its type's extension


def name_problems(name: str) -> list[str]:
    """What is wrong with an uploaded file's name (empty when it may be shown as it is)."""
    shown = name if len(name) <= 80 else name[:77] + "…"
    shown = "".join(c if unicodedata.category(c)[0] not in "CZ" or c == " " else "\ufffd"
                    for c in shown)
    problems = []
    if not name.strip():
        return [_("The file has no name.")]
    if len(name) > NAME_MAX_CHARS:
        problems.append(_("The file name is longer than %(n)s characters: shorten it.")
                        % {"n": NAME_MAX_CHARS})
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for c in name):
        problems.append(_("The file name “%(name)s” contains control or invisible characters "
                          "(such as a text-direction override): rename the file.")
                        % {"name": shown})
    if FORBIDDEN_NAME_CHARS & set(name) or name.strip() in (".", ".."):
        problems.append(_("The file name “%(name)s” contains a path or one of the characters "
                          "/ \\ < > : \" | ? * or “..”: rename the file.") % {"name": shown})
    if name.strip().startswith(FORMULA_START) or name.startswith("."):
        problems.append(_("The file name “%(name)s” starts with “%(char)s”: rename the file.")
                        % {"name": shown, "char": name.strip()[:1] or name[:1]})
    return problems


def _family(head: bytes) -> str | None:
    """The container family puremagic reads from the first bytes (None: unknown)."""
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        return None
    mimes = {m.mime_type for m in matches}
    extensions = {m.extension.lower() for m in matches}
    if PDF in mimes:
        return "pdf"
    if "image/png" in mimes:
        return "png"
    if "image/jpeg" in mimes:
        return "jpeg"
    if "image/webp" in mimes:
        return "webp"
    if "text/html" in mimes or "image/svg+xml" in mimes or ".svg" in extensions:
        return "markup"
    if "application/msword" in mimes or head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"PK\x03\x04") and extensions & {".docx", ".xlsx", ".pptx", ".zip"}:
        return "zip"
    return None


def _refuse_hidden(stream: IO[bytes], name: str) -> None:
    """Refuse a PDF or image that also holds an executable, HTML or script."""
    stream.seek(0)
    tail = b""
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        if HIDDEN.search(tail + chunk):
            raise RuleViolation(_("“%(name)s” hides another kind of content (a program, a web "
                                  "page or a script) and is refused.") % {"name": name})
        tail = chunk[-HIDDEN_OVERLAP:]


def _office_type(stream: IO[bytes], name: str) -> str:
    """The exact type of an Office Open XML or OpenDocument file, after checking every entry
    of its archive; refuses anything that is not a plain document."""
    stream.seek(0)
    try:
        archive = zipfile.ZipFile(stream)
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise RuleViolation(_("“%(name)s” is a damaged document.") % {"name": name}) from exc
    max_entries = settings.NTM_UPLOAD_MAX_ENTRIES
    max_unpacked = settings.NTM_UPLOAD_MAX_UNCOMPRESSED_BYTES
    too_big = RuleViolation(_("“%(name)s” unpacks to more than %(mb)s MB and is refused.")
                            % {"name": name, "mb": max_unpacked // (1024 * 1024)})
    if len(entries) > max_entries:
        raise RuleViolation(_("“%(name)s” holds more than %(n)s parts and is refused.")
                            % {"name": name, "n": max_entries})
    if sum(entry.file_size for entry in entries) > max_unpacked:
        raise too_big
    for entry in entries:
        path = entry.filename
        parts = PurePosixPath(path.replace("\\", "/")).parts
        if entry.flag_bits & 0x1:
            raise RuleViolation(_("“%(name)s” is encrypted or password-protected: upload it "
                                  "without a password.") % {"name": name})
        if path.startswith(("/", "\\")) or ".." in parts or "\\" in path or ":" in path:
            raise RuleViolation(_("“%(name)s” holds a part with an unsafe path and is refused.")
                                % {"name": name})
        if PurePosixPath(path).suffix.lower() in EXECUTABLE_SUFFIXES:
            raise RuleViolation(_("“%(name)s” holds a program (%(entry)s) and is refused.")
                                % {"name": name, "entry": parts[-1] if parts else path})
        if MACRO_ENTRY.search(path):
            raise RuleViolation(_("“%(name)s” contains macros or active content: save it as a "
                                  "document without macros.") % {"name": name})
    unpacked = 0
    for entry in entries:
        try:
            with archive.open(entry) as member:
                head = member.read(8)
                if head.startswith(EXECUTABLE_MAGIC):
                    raise RuleViolation(_("“%(name)s” holds a program (%(entry)s) and is "
                                          "refused.") % {"name": name, "entry": entry.filename})
                unpacked += len(head)
                for chunk in iter(lambda member=member: member.read(CHUNK), b""):
                    unpacked += len(chunk)
                    if unpacked > max_unpacked:
                        raise too_big
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise RuleViolation(_("“%(name)s” is a damaged document.") % {"name": name}) from exc
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" in names:
        # Read as text, never parsed as XML (no entities expanded): only the main part's type.
        types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
        if re.search(r"macroEnabled|vbaProject|ms-office\.activeX", types, re.IGNORECASE):
            raise RuleViolation(_("“%(name)s” contains macros or active content: save it as a "
                                  "document without macros.") % {"name": name})
        found = {OOXML_MAIN[t] for t in re.findall(r'ContentType="([^"]+)"', types)
                 if t in OOXML_MAIN}
        if len(found) == 1:
            return found.pop()
    elif "mimetype" in names:
        mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
        if mimetype in ODF_MIMETYPES:
            return mimetype
    raise RuleViolation(_("“%(name)s” is an archive, not a document (DOCX, XLSX, PPTX, ODT, ODS, "
                          "ODP).") % {"name": name})


def check_upload(uploaded: IO[bytes], *, name: str) -> CheckedFile:
    """Refuse a file that is empty, too large, badly named, of a type not accepted, not what
    its extension says, unsafe inside, or flagged by the virus scanner; otherwise return its
    type, size, hash, the name to show and the name to store it under."""
    problems = name_problems(name)
    if problems:
        raise RuleViolation(problems)
    name = unicodedata.normalize("NFC", name.strip())
    limit = settings.NTM_EVIDENCE_MAX_BYTES
    uploaded.seek(0)
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: uploaded.read(CHUNK), b""):
        size += len(chunk)
        if size > limit:
            raise RuleViolation(_("“%(name)s” is larger than the %(mb)s MB limit.") % {
                "name": name, "mb": limit // (1024 * 1024)})
        digest.update(chunk)
    if size == 0:
        raise RuleViolation(_("“%(name)s” is empty.") % {"name": name})
    uploaded.seek(0)
    family = _family(uploaded.read(8192))
    extension = PurePosixPath(name.lower()).suffix
    if family == "ole":
        raise RuleViolation(_("“%(name)s” is an old-format Office file (.doc, .xls, .ppt) or an "
                              "encrypted one: save it as PDF, DOCX or XLSX without a password.")
                            % {"name": name})
    if family == "markup":
        raise RuleViolation(_("“%(name)s” is a web page or an SVG drawing: these are not "
                              "accepted.") % {"name": name})
    if family is None or extension not in ACCEPTED:
        raise RuleViolation(_("“%(name)s” is not a PDF, an image (JPEG, PNG, WebP) or an office "
                              "document (DOCX, XLSX, PPTX, ODT, ODS, ODP).") % {"name": name})
    expected_family, expected_type = ACCEPTED[extension]
    content_type = _office_type(uploaded, name) if family == "zip" else ACCEPTED[
        next(e for e, (f, _t) in ACCEPTED.items() if f == family)][1]
    if family != expected_family or content_type != expected_type:
        raise RuleViolation(_("“%(name)s” is named %(ext)s but its content is a %(kind)s file: "
                              "the name and the content must agree.")
                            % {"name": name, "ext": extension,
                               "kind": CANONICAL_EXTENSION[content_type].lstrip(".").upper()})
    if family != "zip":
        _refuse_hidden(uploaded, name)
    uploaded.seek(0)
    scanning.scan(uploaded, name=name)
    uploaded.seek(0)
    return CheckedFile(content_type=content_type, size=size, sha256=digest.hexdigest(),
                       display_name=name,
                       storage_name=uuid.uuid4().hex + CANONICAL_EXTENSION[content_type])
