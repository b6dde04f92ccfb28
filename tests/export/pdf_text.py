"""Text of a PDF read back with pypdf (a reader we did not write), whitespace normalised."""

from __future__ import annotations

import io

from pypdf import PdfReader

LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl"})
"""Browsers print these ligatures; the report's words have the plain letters."""


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text with runs of whitespace folded to one space and ligatures (ﬀ) undone."""
    reader = PdfReader(io.BytesIO(data))
    return [
        " ".join((page.extract_text() or "").translate(LIGATURES).split()) for page in reader.pages
    ]


def pdf_text(data: bytes) -> str:
    """The whole document's text, pages joined by a space."""
    return " ".join(pdf_pages(data))


def squeezed(text: str) -> str:
    """``text`` without any whitespace, to find words a layout wrapped (``4-`` / ``pin``)."""
    return "".join(text.split())
