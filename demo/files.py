"""Stand-ins for the files people upload."""

from __future__ import annotations

import io


def pdf(name: str = "file.pdf") -> io.BytesIO:
    """A small valid PDF standing in for a scanned document."""
    return io.BytesIO(b"%PDF-1.4\n% demo document " + name.encode() + b"\n%%EOF\n")
