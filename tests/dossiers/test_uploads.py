"""Uploads: typed from the content and checked against the name; unsafe files refused."""

from __future__ import annotations

import io
import os
import socket
import struct
import tempfile
import threading
import zipfile

import pytest

from config.storages import storages_from_env
from dossiers import scanning
from dossiers.exceptions import RuleViolation
from dossiers.files import DOCX, ODT, PDF, XLSX, check_upload

CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
      'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/%s" ContentType="%s"/></Types>')
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def archive(entries: dict[str, bytes | str], *, encrypted: frozenset[str] = frozenset(),
            compression: int = zipfile.ZIP_DEFLATED) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = compression
            zf.writestr(info, data)
    data = buffer.getvalue()
    for name in encrypted:  # set the "encrypted" flag of the entry's two headers
        raw = name.encode()
        for signature, flags_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
            at = data.index(signature)
            while data[at + name_at:at + name_at + len(raw)] != raw:
                at = data.index(signature, at + 1)
            flags = struct.unpack("<H", data[at + flags_at:at + flags_at + 2])[0] | 0x1
            data = data[:at + flags_at] + struct.pack("<H", flags) + data[at + flags_at + 2:]
    return io.BytesIO(data)


def docx(**extra: bytes | str) -> io.BytesIO:
    return archive({"[Content_Types].xml": CT % ("word/document.xml", WORD_MAIN),
                    "word/document.xml": "<w:document/>", **extra})


def xlsx() -> io.BytesIO:
    return archive({"[Content_Types].xml": CT % ("xl/workbook.xml", SHEET_MAIN),
                    "xl/workbook.xml": "<workbook/>"})


def odt() -> io.BytesIO:
    return archive({"mimetype": ODT, "content.xml": "<office:document-content/>"},
                   compression=zipfile.ZIP_STORED)


PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 32 + b"\xff\xd9"
OLE_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


@pytest.mark.parametrize(("name", "content", "content_type"), [
    ("Biên bản họp thôn.pdf", PDF_BYTES, PDF),
    ("anh-chup.PNG", PNG_BYTES, "image/png"),
    ("ban-do.jpeg", JPEG_BYTES, "image/jpeg"),
    ("to-trinh.docx", docx().getvalue(), DOCX),
    ("bang-diem.xlsx", xlsx().getvalue(), XLSX),
    ("bao-cao.odt", odt().getvalue(), ODT),
])
def test_accepted_files_typed_from_their_content(settings, name, content, content_type):
    checked = check_upload(io.BytesIO(content), name=name)
    assert checked.content_type == content_type
    assert checked.size == len(content)
    assert checked.display_name == name
    stem, ext = os.path.splitext(checked.storage_name)
    assert len(stem) == 32 and int(stem, 16) >= 0  # random hex: nothing of the name
    assert ext == {"image/jpeg": ".jpg"}.get(content_type, os.path.splitext(name)[1].lower())


REFUSED = {
    # kind: (name, content, words of the message)
    "zip bomb": ("bomb.docx", lambda: docx(**{"word/media/big.xml": b"0" * (3 * 1024 * 1024)}),
                 "unpacks to more than 1 MB"),
    "too many parts": ("many.docx", lambda: docx(**{f"word/p{n}.xml": "x" for n in range(60)}),
                       "more than 50 parts"),
    "docm by extension": ("macro.docm", lambda: archive({
        "[Content_Types].xml": CT % ("word/document.xml", DOCM_MAIN),
        "word/document.xml": "<w/>"}), "not a PDF"),
    "docm renamed docx": ("macro.docx", lambda: archive({
        "[Content_Types].xml": CT % ("word/document.xml", DOCM_MAIN),
        "word/document.xml": "<w/>"}), "macros"),
    "vba project": ("vba.docx", lambda: docx(**{"word/vbaProject.bin": b"\x00" * 16}), "macros"),
    "opendocument macro": ("basic.odt", lambda: archive({
        "mimetype": ODT, "content.xml": "<x/>", "Basic/Standard/Module1.xml": "<x/>"},
        compression=zipfile.ZIP_STORED), "macros"),
    "exe entry": ("tool.docx", lambda: docx(**{"word/embeddings/setup.exe": b"MZ\x90\x00"}),
                  "holds a program"),
    "program disguised as image": ("img.docx", lambda: docx(**{"word/media/image1.png": ELF}),
                                   "holds a program"),
    "unsafe entry path": ("slip.docx", lambda: docx(**{"../../evil.xml": "<x/>"}),
                          "unsafe path"),
    "encrypted entry": ("locked.docx", lambda: archive({
        "[Content_Types].xml": CT % ("word/document.xml", WORD_MAIN),
        "word/document.xml": "<w/>"}, encrypted=frozenset({"word/document.xml"})),
        "encrypted"),
    "plain zip": ("data.docx", lambda: archive({"readme.txt": "hello"}), "an archive"),
    "xlsx named docx": ("sheet.docx", xlsx, "named .docx but its content is a XLSX"),
    "ole (legacy or encrypted office)": ("old.doc", lambda: io.BytesIO(OLE_BYTES), "old-format"),
    "ole named docx": ("old.docx", lambda: io.BytesIO(OLE_BYTES), "old-format"),
    "pdf + elf polyglot": ("scan.pdf", lambda: io.BytesIO(PDF_BYTES[:9] + ELF + PDF_BYTES[9:]),
                           "hides another kind"),
    "pdf + html polyglot": ("scan.pdf", lambda: io.BytesIO(
        b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"),
        "hides another kind"),
    "pdf with javascript": ("js.pdf", lambda: io.BytesIO(
        b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\n%%EOF"),
        "hides another kind"),
    "png + html polyglot": ("pic.png", lambda: io.BytesIO(
        PNG_BYTES + b"<script>alert(1)</script>"), "hides another kind"),
    "html": ("page.html", lambda: io.BytesIO(
        b"<!DOCTYPE html><html><script>alert(1)</script></html>"), "web page"),
    "html named pdf": ("page.pdf", lambda: io.BytesIO(
        b"<html><head></head><body><script>alert(1)</script></body></html>"), "web page"),
    "svg": ("draw.svg", lambda: io.BytesIO(
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)'
        b"</script></svg>"), "SVG"),
    "pdf named png": ("photo.png", lambda: io.BytesIO(PDF_BYTES), "named .png but its content"),
    "png named pdf": ("scan.pdf", lambda: io.BytesIO(PNG_BYTES), "named .pdf but its content"),
    "executable": ("setup.pdf", lambda: io.BytesIO(b"MZ\x90\x00" + b"\x00" * 64), "not a PDF"),
    "elf": ("run.pdf", lambda: io.BytesIO(ELF), "not a PDF"),
    "empty": ("empty.pdf", lambda: io.BytesIO(b""), "is empty"),
    "name with ../": ("../../etc/passwd.pdf", lambda: io.BytesIO(PDF_BYTES), "a path"),
    "name with backslash": ("..\\..\\boot.pdf", lambda: io.BytesIO(PDF_BYTES), "a path"),
    "name with NUL": ("scan\x00.exe.pdf", lambda: io.BytesIO(PDF_BYTES), "control"),
    "name with RTL override": ("hoa-don\u202efdp.exe", lambda: io.BytesIO(PDF_BYTES), "control"),
    "name with script": ("<script>alert(1)</script>.pdf", lambda: io.BytesIO(PDF_BYTES),
                         "a path or one of the characters"),
    "name with formula": ("=HYPERLINK(1).pdf", lambda: io.BytesIO(PDF_BYTES), "starts with “=”"),
    "name of 300 characters": ("a" * 296 + ".pdf", lambda: io.BytesIO(PDF_BYTES),
                               "longer than 255"),
    "hidden name": (".htaccess", lambda: io.BytesIO(PDF_BYTES), "starts with “.”"),
}


@pytest.mark.parametrize("kind", list(REFUSED))
def test_unsafe_uploads_refused(settings, kind):
    settings.NTM_UPLOAD_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    settings.NTM_UPLOAD_MAX_ENTRIES = 50
    name, build, words = REFUSED[kind]
    with pytest.raises(RuleViolation) as refused:
        check_upload(build(), name=name)
    assert words in str(refused.value)


def test_zip_bomb_refused_while_unpacking_when_the_header_lies(settings):
    """The declared sizes are checked first, but the real bytes are counted while unpacking."""
    settings.NTM_UPLOAD_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    bomb = docx(**{"word/media/big.xml": b"0" * (3 * 1024 * 1024)}).getvalue()
    # Rewrite the entry's declared uncompressed size (local header and central directory).
    real = struct.pack("<I", 3 * 1024 * 1024)
    assert bomb.count(real) == 2
    lying = bomb.replace(real, struct.pack("<I", 100))
    with pytest.raises(RuleViolation) as refused:
        check_upload(io.BytesIO(lying), name="bomb.docx")
    # zipfile stops at the declared size and the checksum then fails: refused as damaged.
    assert str(refused.value) == "“bomb.docx” is a damaged document."


# --- the virus scanner hook ----------------------------------------------------------------
class FakeScanner:
    """Stands in for ClamAV: flags any file holding the EICAR marker."""

    seen: list[bytes] = []

    def scan(self, stream):
        data = stream.read()
        FakeScanner.seen.append(data)
        return "Eicar-Test-Signature" if b"EICAR" in data else None


class DownScanner:
    def scan(self, stream):
        raise scanning.ScannerUnavailable("connection refused")


def test_scanner_configured_by_setting_sees_every_upload(settings):
    settings.NTM_UPLOAD_SCANNER = "tests.dossiers.test_uploads.FakeScanner"
    FakeScanner.seen = []
    assert check_upload(io.BytesIO(PDF_BYTES), name="ok.pdf").content_type == PDF
    assert FakeScanner.seen == [PDF_BYTES]
    infected = PDF_BYTES.replace(b"endobj", b"EICAR endobj")
    with pytest.raises(RuleViolation, match=r"refused by the virus scanner \(Eicar-Test-Sig"):
        check_upload(io.BytesIO(infected), name="virus.pdf")


def test_upload_refused_when_the_configured_scanner_cannot_answer(settings):
    settings.NTM_UPLOAD_SCANNER = "tests.dossiers.test_uploads.DownScanner"
    with pytest.raises(RuleViolation, match="could not be checked for viruses"):
        check_upload(io.BytesIO(PDF_BYTES), name="ok.pdf")


def test_no_scanner_by_default(settings):
    assert settings.NTM_UPLOAD_SCANNER == ""
    assert scanning.configured_scanner() is None


def _fake_clamd(path: str, verdict: bytes, received: list[bytes]) -> threading.Thread:
    """A one-connection stand-in for clamd's INSTREAM on a Unix socket."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)

    def serve():
        conn, _ = server.accept()
        with conn, server:
            buffer = b""
            while True:
                data = conn.recv(65536)
                buffer += data
                if not data or buffer.endswith(struct.pack("!L", 0)):
                    break
            assert buffer.startswith(b"zINSTREAM\0")
            body, rest = b"", buffer[len(b"zINSTREAM\0"):]
            while rest:
                (size,), rest = struct.unpack("!L", rest[:4]), rest[4:]
                body, rest = body + rest[:size], rest[size:]
            received.append(body)
            conn.sendall(verdict)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize(("verdict", "found"), [(b"stream: OK\0", None),
                                                (b"stream: Win.Test.EICAR_HDB-1 FOUND\0",
                                                 "Win.Test.EICAR_HDB-1")])
def test_clamd_scanner_speaks_instream(verdict, found):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "clamd.sock")
        received: list[bytes] = []
        thread = _fake_clamd(path, verdict, received)
        result = scanning.ClamdScanner(address=f"unix:{path}", timeout=5).scan(
            io.BytesIO(PDF_BYTES))
        thread.join(5)
    assert result == found
    assert received == [PDF_BYTES]


def test_clamd_scanner_unreachable_is_unavailable(tmp_path):
    with pytest.raises(scanning.ScannerUnavailable):
        scanning.ClamdScanner(address=f"unix:{tmp_path / 'none.sock'}", timeout=1).scan(
            io.BytesIO(PDF_BYTES))


# --- where uploads are stored ------------------------------------------------------------
def test_local_files_without_s3_settings():
    assert storages_from_env({})["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_s3_compatible_store_from_env():
    default = storages_from_env({
        "NTM_S3_BUCKET": "ntm-uploads", "NTM_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "NTM_S3_REGION": "us-east-1", "NTM_S3_ADDRESSING_STYLE": "path"})["default"]
    assert default == {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": "ntm-uploads", "default_acl": "private", "querystring_auth": True,
        "file_overwrite": False, "location": "", "endpoint_url": "http://127.0.0.1:9000",
        "region_name": "us-east-1", "addressing_style": "path"}}
    from django.utils.module_loading import import_string

    assert import_string(default["BACKEND"]).__name__ == "S3Storage"
