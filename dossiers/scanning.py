"""The optional virus scan of uploads: a small pluggable hook.

``settings.NTM_UPLOAD_SCANNER`` names a class (dotted path) whose instances have
``scan(stream) -> str | None``: the name of what was found, or ``None`` when the file is
clean; it raises ``ScannerUnavailable`` when it cannot say. Empty: no scan. The product ships
``ClamdScanner``, which streams the file to a ClamAV daemon (``NTM_CLAMD_ADDRESS``:
``unix:/run/clamav/clamd.ctl`` or ``tcp:host:3310``). When a scanner is configured and cannot
answer, the upload is refused (never stored unscanned).
"""

from __future__ import annotations

import socket
import struct
from typing import IO, Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .exceptions import RuleViolation


class ScannerUnavailable(Exception):
    """The scanner could not be reached or did not answer."""


class Scanner(Protocol):
    def scan(self, stream: IO[bytes]) -> str | None: ...


def configured_scanner() -> Scanner | None:
    path = getattr(settings, "NTM_UPLOAD_SCANNER", "")
    return import_string(path)() if path else None


def scan(stream: IO[bytes], *, name: str) -> None:
    """Refuse the upload when the configured scanner finds something or cannot answer."""
    scanner = configured_scanner()
    if scanner is None:
        return
    stream.seek(0)
    try:
        found = scanner.scan(stream)
    except ScannerUnavailable as exc:
        raise RuleViolation(_("“%(name)s” could not be checked for viruses just now: try again "
                              "later.") % {"name": name}) from exc
    finally:
        stream.seek(0)
    if found:
        raise RuleViolation(_("“%(name)s” was refused by the virus scanner (%(found)s).")
                            % {"name": name, "found": found})


class ClamdScanner:
    """ClamAV's daemon, through its INSTREAM command."""

    CHUNK = 64 * 1024

    def __init__(self, address: str | None = None, timeout: float | None = None) -> None:
        self.address = address or settings.NTM_CLAMD_ADDRESS
        self.timeout = timeout or settings.NTM_CLAMD_TIMEOUT

    def _connect(self) -> socket.socket:
        kind, _sep, where = self.address.partition(":")
        if kind == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            target: object = where
        elif kind == "tcp":
            host, _sep, port = where.rpartition(":")
            sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                                 socket.SOCK_STREAM)
            target = (host.strip("[]"), int(port))
        else:
            raise ScannerUnavailable(f"NTM_CLAMD_ADDRESS {self.address!r}: unix:PATH or "
                                     "tcp:HOST:PORT")
        sock.settimeout(self.timeout)
        try:
            sock.connect(target)
        except OSError as exc:
            sock.close()
            raise ScannerUnavailable(str(exc)) from exc
        return sock

    def scan(self, stream: IO[bytes]) -> str | None:
        sock = self._connect()
        try:
            sock.sendall(b"zINSTREAM\0")
            for chunk in iter(lambda: stream.read(self.CHUNK), b""):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                data = sock.recv(4096)
                if not data:
                    break
                reply += data
        except OSError as exc:
            raise ScannerUnavailable(str(exc)) from exc
        finally:
            sock.close()
        answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
        # "stream: OK" | "stream: Eicar-Signature FOUND" | "INSTREAM size limit exceeded. ERROR"
        if answer.endswith("FOUND"):
            return answer.removeprefix("stream:").removesuffix("FOUND").strip()
        if answer.endswith("OK"):
            return None
        raise ScannerUnavailable(answer or "no answer")
