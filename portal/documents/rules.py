"""What makes an uploaded file acceptable. Pure: bytes in, facts or a message out."""
from __future__ import annotations

import logging
import re
import unicodedata
from contextlib import contextmanager
from io import BytesIO

from pypdf import PasswordType, PdfReader
from pypdf.errors import LimitReachedError

logging.getLogger("pypdf").setLevel(logging.ERROR)

NOT_PDF = "This file is not a PDF. Save or export it as PDF and upload that."
EMPTY = "This file is empty. Choose the PDF again."
TRUNCATED = "This PDF is incomplete: the file was cut short. Export it again and upload the new copy."
DAMAGED = "This PDF is damaged and cannot be read. Export it again and upload the new copy."
ENCRYPTED = ("This PDF needs a password to open. Save a copy without the password (in Acrobat: File › "
             "Properties › Security › No Security) and upload that.")
NO_PAGES = "This PDF has no pages."
MAX_PAGES = 3000
TOO_MANY_PAGES = (f"This PDF has more than {MAX_PAGES:,} pages. Split it into smaller files, or call the shop "
                  "for very large jobs.")
TOO_MUCH = ("This PDF unpacks to far more than its size (over 75 MB in one part), which printing files never "
            "need. Export it again, or call the shop.")


class BadFile(ValueError):
    """The file was refused; the message says why and what to do."""


def too_large(max_bytes: int) -> str:
    return f"This file is larger than {max_bytes // (1024 * 1024)} MB. Compress it, or call the shop to send large files."


def open_pdf(data: bytes) -> PdfReader:
    """The one way the portal opens a PDF it did not make: checked to be a whole PDF, opened without
    a password when only its owner set one (publishers' readings: they open and print without it), and
    refused with what to do otherwise. pypdf bounds decompression (75 MB a stream, LimitReachedError).
    Raises BadFile."""
    if not data:
        raise BadFile(EMPTY)
    if b"%PDF-" not in data[:1024]:
        raise BadFile(NOT_PDF)
    if b"%%EOF" not in data[-2048:]:
        raise BadFile(TRUNCATED)
    with _read_guard():
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise BadFile(ENCRYPTED)
        return reader


@contextmanager
def _read_guard():
    """Whatever a hostile or broken file makes pypdf raise becomes BadFile (DAMAGED, or TOO_MUCH for a
    bomb): never a 500, and the worker reading it stays up."""
    try:
        yield
    except BadFile:
        raise
    except (LimitReachedError, MemoryError):
        raise BadFile(TOO_MUCH) from None
    except Exception:  # noqa: BLE001  pypdf on a hostile file raises what it likes (OverflowError for an absurd
        raise BadFile(DAMAGED) from None  # startxref, found by the fuzz run); only pypdf's calls are inside


def inspect_pdf(data: bytes, *, contents: bool = False) -> int:
    """The page count of a real, readable PDF; raises BadFile otherwise.

    The file is judged by parsing it, never by its name. Only the page tree is read, not the page
    contents, so a hostile file cannot make this decompress much; with `contents` (artwork the portal
    lays onto proofs) the first page's content is read too, within pypdf's bounds. At most MAX_PAGES.
    """
    reader = open_pdf(data)
    with _read_guard():
        pages = len(reader.pages)
        if pages > MAX_PAGES:
            raise BadFile(TOO_MANY_PAGES)
        for page in reader.pages:
            page.mediabox  # noqa: B018  (every page must resolve to a real page object)
        if contents and pages:
            reader.pages[0].get_contents()
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
