"""What makes an uploaded file acceptable. Pure: bytes in, facts or a message out."""
from __future__ import annotations

import logging
import re
import unicodedata
from io import BytesIO

from pypdf import PdfReader
from pypdf.errors import PdfReadError

logging.getLogger("pypdf").setLevel(logging.ERROR)

NOT_PDF = "This file is not a PDF. Save or export it as PDF and upload that."
EMPTY = "This file is empty. Choose the PDF again."
TRUNCATED = "This PDF is incomplete: the file was cut short. Export it again and upload the new copy."
DAMAGED = "This PDF is damaged and cannot be read. Export it again and upload the new copy."
ENCRYPTED = "This PDF is password-protected. Save a copy without a password and upload that."
NO_PAGES = "This PDF has no pages."


class BadFile(ValueError):
    """The file was refused; the message says why and what to do."""


def too_large(max_bytes: int) -> str:
    return f"This file is larger than {max_bytes // (1024 * 1024)} MB. Compress it, or call the shop to send large files."


def inspect_pdf(data: bytes) -> int:
    """The page count of a real, readable, unencrypted PDF; raises BadFile otherwise.

    The file is judged by parsing it, never by its name. Only the page tree is read, not the
    page contents, so a hostile file cannot make this decompress much.
    """
    if not data:
        raise BadFile(EMPTY)
    if b"%PDF-" not in data[:1024]:
        raise BadFile(NOT_PDF)
    if b"%%EOF" not in data[-2048:]:
        raise BadFile(TRUNCATED)
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise BadFile(ENCRYPTED)
        pages = len(reader.pages)
        for page in reader.pages:
            page.mediabox  # noqa: B018  (every page must resolve to a real page object)
    except BadFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError, AssertionError):
        raise BadFile(DAMAGED) from None
    if pages == 0:
        raise BadFile(NO_PAGES)
    return pages


def display_name(filename: str | None, default: str = "document.pdf") -> str:
    """A file name safe to show and to offer back for download: no folders, no control characters."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".").strip()
    return name[:200] or default


def title_from_name(filename: str) -> str:
    """A reading's default title: the file name without its extension, underscores as spaces."""
    stem = re.sub(r"\.pdf$", "", filename, flags=re.IGNORECASE)
    return " ".join(stem.replace("_", " ").split())[:200] or "Untitled"
