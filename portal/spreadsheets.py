"""Spreadsheets in and out, for any domain: reading the table in an uploaded CSV, tab-separated text or
Excel file (its encoding judged by its bytes, size and zip-bomb limits, every cell one line of text), and
writing CSV that Excel opens with no formula cells. Mailing lists and the finance office's account files
both come through here."""
from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Iterable, Sequence

MAX_BYTES = 10 * 1024 * 1024
MAX_COLUMNS = 100
MAX_CELL_CHARS = 1000
XLSX_MAX_UNPACKED = 100 * 1024 * 1024  # a workbook that unpacks past this is refused (zip bombs)

HOW_TO_SAVE = ("In Excel, choose File › Save As and pick “CSV UTF-8 (Comma delimited) (.csv)”, "
               "or keep it as an Excel workbook (.xlsx), and upload that file.")
EMPTY = "This file is empty. Choose your list again."
BINARY = "This is not a spreadsheet or a CSV file we can read. " + HOW_TO_SAVE
OLD_EXCEL = "This is an old Excel workbook (.xls). " + HOW_TO_SAVE
UNREADABLE = "We could not read the characters in this file (its encoding is unknown). " + HOW_TO_SAVE
DAMAGED_XLSX = "This Excel workbook is damaged or password-protected. " + HOW_TO_SAVE
NO_DATA = "This file has column headings but no rows under them."
NO_HEADINGS = "The first row should name the columns. Add a heading row and upload the file again."
TOO_WIDE = (f"This file has more than {MAX_COLUMNS} columns. Delete the columns you do not need, or copy the "
            "ones you do into a new sheet, and upload that.")


def too_long_cell(row: int) -> str:
    return (f"Row {row} has a cell longer than {MAX_CELL_CHARS:,} characters, which no list needs. Check that row "
            "(a whole document pasted into one cell?) and upload the file again.")

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class BadFile(ValueError):
    """The file was refused; the message says why and how to save it so that it can be read."""


def size_text(size: int) -> str:
    """10 MB, 512 KB."""
    return f"{size // (1024 * 1024):,} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024):,} KB"


def too_large(max_bytes: int) -> str:
    return (f"This file is larger than {size_text(max_bytes)}. Remove columns you do not need, "
            "or split the list into two files.")


def too_many_rows(count: int, max_rows: int) -> str:
    return (f"This file has {count:,} rows or more; one file may have at most {max_rows:,}. "
            "Split it into two files.")


@dataclass(frozen=True)
class Table:
    """A table as read: the heading row and the data rows, each with its row number in the file
    (the heading is row 1, as a spreadsheet numbers it); blank rows are left out."""

    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    encoding: str


def read_table(data: bytes, *, max_rows: int, max_bytes: int | None = None, no_data: str = NO_DATA,
               no_headings: str = NO_HEADINGS,
               many_rows: Callable[[int, int], str] = too_many_rows,
               looks_like_data: Callable[[Sequence[str]], bool] = lambda headers: False) -> Table:
    """The table in a CSV, tab-separated text or Excel file; raises BadFile with what to do.

    CSV and text files may be UTF-8 (with or without the byte-order mark Excel writes), Windows-1252
    (Excel's plain "CSV" on Windows) or UTF-16 (Excel's "Unicode text", tab-separated); the file is
    judged by its bytes, never by its name. Formulas in a workbook are read as the values they show.
    The messages for a file with no data rows, no heading row, or too many rows can be the caller's;
    `looks_like_data` says when a first row is data rather than headings; `max_bytes` bounds the file.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise BadFile(too_large(max_bytes))
    if not data:
        raise BadFile(EMPTY)
    if data[:4] == b"PK\x03\x04":
        raw, encoding = _xlsx_rows(data, max_rows), "xlsx"
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise BadFile(OLD_EXCEL)
    else:
        text, encoding = decode_text(data)
        raw = _text_rows(text)
    headers: list[str] | None = None
    rows: list[tuple[int, tuple[str, ...]]] = []
    for number, cells_in in _bounded(raw):
        cells = [clean_cell(cell) for cell in cells_in]
        if not any(cells):
            continue
        if headers is None:
            headers = _headings(cells)
            continue
        rows.append((number, tuple(cells)))
        if len(rows) > max_rows:
            raise BadFile(many_rows(len(rows), max_rows))
    if headers is None:
        raise BadFile(EMPTY)
    if not rows:
        raise BadFile(no_data)
    width = max(len(headers), max(len(cells) for _, cells in rows))
    headers += [f"Column {column_letter(i)}" for i in range(len(headers), width)]
    rows = [(number, cells + ("",) * (width - len(cells))) for number, cells in rows]
    if not any(re.search(r"[A-Za-z]", h) for h in headers) or looks_like_data(headers):
        raise BadFile(no_headings)
    return Table(tuple(headers), tuple(rows), encoding)


def _bounded(raw: Iterable[list[str]]) -> Iterable[tuple[int, list[str]]]:
    """The rows with their numbers, refused as soon as one is too wide, holds a too-long cell, or a
    cell that the CSV reader itself refuses (over 128 KB)."""
    rows = iter(raw)
    number = 0
    while True:
        try:
            cells = next(rows)
        except StopIteration:
            return
        except csv.Error:
            raise BadFile(too_long_cell(number + 1)) from None
        number += 1
        if len(cells) > MAX_COLUMNS and any(cells[MAX_COLUMNS:]):
            raise BadFile(TOO_WIDE)
        if any(len(cell) > MAX_CELL_CHARS for cell in cells):
            raise BadFile(too_long_cell(number))
        yield number, cells[:MAX_COLUMNS]


def decode_text(data: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was in; raises BadFile for binary or unknown."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _checked(_try(data[3:], "utf-8"), "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _checked(_try(data, "utf-16"), "utf-16")
    sample = data[:4096]
    if sample.count(b"\x00") > len(sample) // 4:  # UTF-16 without a byte-order mark: every other byte 0
        zeros_even = sample[0::2].count(0)
        return _checked(_try(data, "utf-16-be" if zeros_even > sample[1::2].count(0) else "utf-16-le"), "utf-16")
    if b"\x00" in data:
        raise BadFile(BINARY)
    text = _try(data, "utf-8")
    if text is not None:
        return _checked(text, "utf-8")
    return _checked(_try(data, "cp1252"), "windows-1252")


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding, errors="strict")
    except UnicodeDecodeError:
        return None


def _checked(text: str | None, encoding: str) -> tuple[str, str]:
    if text is None:
        raise BadFile(UNREADABLE)
    text = text.rstrip("\x1a")  # the end-of-file mark some old programs add
    if CONTROL.search(text):
        raise BadFile(BINARY)
    return text, encoding


def _text_rows(text: str) -> Iterable[list[str]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=lambda d: _count_outside_quotes(first_line, d))
    if _count_outside_quotes(first_line, delimiter) >= MAX_COLUMNS * 4:  # refused before any parsing
        raise BadFile(TOO_WIDE)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


def _xlsx_rows(data: bytes, max_rows: int) -> Iterable[list[str]]:
    """The first worksheet's cells as text. The workbook's unpacked size is checked before it is
    opened, and openpyxl parses its XML through defusedxml (installed with it)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > XLSX_MAX_UNPACKED:
                raise BadFile(too_large(MAX_BYTES))
            if "xl/workbook.xml" not in archive.namelist():
                raise BadFile(BINARY)
        from openpyxl import load_workbook  # heavy, and only an .xlsx list needs it: imported when one is read

        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        if (sheet.max_column or 0) > MAX_COLUMNS * 4:
            raise BadFile(TOO_WIDE)
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(value) for value in values])
            if len(rows) > max_rows + 1 + 1000:  # more than allowed, blank rows included: stop reading
                break
        workbook.close()
    except BadFile:
        raise
    except Exception:  # openpyxl raises many kinds (zip, XML, key, value errors) for broken workbooks
        raise BadFile(DAMAGED_XLSX) from None
    return rows


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def clean_cell(cell: str) -> str:
    """One line of text: no surrounding spaces, runs of spaces (and line breaks) as one space."""
    return " ".join(unicodedata.normalize("NFC", cell or "").split())


def _headings(cells: list[str]) -> list[str]:
    headings, seen = [], {}
    for index, cell in enumerate(cells):
        name = cell[:60] or f"Column {column_letter(index)}"
        seen[name.lower()] = seen.get(name.lower(), 0) + 1
        headings.append(name if seen[name.lower()] == 1 else f"{name} ({seen[name.lower()]})")
    return headings


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell) -> str:
    """A cell a spreadsheet will show as text: one that would run as a formula gets a leading '."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """Rows as CSV for Excel (UTF-8 with a byte-order mark), every cell made spreadsheet-safe."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return buffer.getvalue()
