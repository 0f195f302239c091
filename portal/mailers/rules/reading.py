"""Reading a list file: its size limits, the bytes judged (encoding, delimiter, spreadsheet) and the table in it.
The reading itself is portal.spreadsheets'; what is a mailing list's own is here: its limits, its messages,
and that a first row holding a ZIP code is an address, not headings."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Sequence

from portal import spreadsheets
from portal.spreadsheets import (  # noqa: F401  (the mailers' names for the shared reading)
    BINARY, CONTROL, DAMAGED_XLSX, EMPTY, HOW_TO_SAVE, MAX_BYTES, OLD_EXCEL, UNREADABLE, XLSX_MAX_UNPACKED,
    decode_text, size_text, too_large,
)

MAX_ROWS = 50_000
NO_ROWS = "This file has column headings but no addresses under them."
NO_HEADINGS = ("The first row should name the columns (for example First name, Address, City, State, ZIP). "
               "Add a heading row and upload the file again.")
ZIP = re.compile(r"\d{5}(?:-?\d{4})?")  # five digits or ZIP+4: a heading row holding one is data; checks use it too

BadList = spreadsheets.BadFile


def too_many_rows(count: int, max_rows: int) -> str:
    return (f"This list has {count:,} rows or more; one file may have at most {max_rows:,}. "
            "Split it into two files, or call the shop for larger mailings.")


@dataclass(frozen=True)
class Table(spreadsheets.Table):
    """A list as read (portal.spreadsheets.Table), which knows its columns' key."""

    @property
    def columns_key(self) -> str:
        return columns_key(self.headers)


def columns_key(headers: Sequence[str]) -> str:
    """The same columns (names and order, ignoring case, spaces and punctuation) give the same key."""
    return hashlib.sha256("\x1f".join(_squash(h) for h in headers).encode()).hexdigest()


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower())


def read_list(data: bytes, *, filename: str = "", max_rows: int = MAX_ROWS) -> Table:
    """The table in a CSV, tab-separated text or Excel file; raises BadList with what to do
    (see portal.spreadsheets.read_table for the encodings and formats read)."""
    table = spreadsheets.read_table(data, max_rows=max_rows, no_data=NO_ROWS, no_headings=NO_HEADINGS,
                                    many_rows=too_many_rows, looks_like_data=_looks_like_data)
    return Table(table.headers, table.rows, table.encoding)


def _looks_like_data(headers: Sequence[str]) -> bool:
    """A first row holding a ZIP code is an address, not a heading row."""
    return any(ZIP.fullmatch(h) for h in headers)
