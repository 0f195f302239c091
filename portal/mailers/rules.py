"""Mailing lists and mailer pieces. Pure: bytes and plain values in, plain values or a message out.

How a list file is read (encodings, delimiters, spreadsheets), how its columns map to the piece's
fields, what makes a row mailable, how a piece's text is merged, what spreadsheet cells are made
safe on export, what postage costs by mail class, how many pieces are printed, and when a mailer
is promised (its mail date).
"""
from __future__ import annotations

import csv
import enum
import hashlib
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from math import ceil
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

if TYPE_CHECKING:  # only the standard library at import time: orders.models imports MailClass from here
    from portal.catalog.rules import ProductRules

MAX_ROWS = 50_000
MAX_BYTES = 10 * 1024 * 1024
MAX_LINE = 40  # characters on one address line: what fits the address block of every piece we print
PROOF_PIECES = 5
XLSX_MAX_UNPACKED = 100 * 1024 * 1024  # a workbook that unpacks past this is refused (zip bombs)

HOW_TO_SAVE = ("In Excel, choose File › Save As and pick “CSV UTF-8 (Comma delimited) (.csv)”, "
               "or keep it as an Excel workbook (.xlsx), and upload that file.")
EMPTY = "This file is empty. Choose your list again."
BINARY = "This is not a spreadsheet or a CSV file we can read. " + HOW_TO_SAVE
OLD_EXCEL = "This is an old Excel workbook (.xls). " + HOW_TO_SAVE
UNREADABLE = "We could not read the characters in this file (its encoding is unknown). " + HOW_TO_SAVE
DAMAGED_XLSX = "This Excel workbook is damaged or password-protected. " + HOW_TO_SAVE
NO_ROWS = "This file has column headings but no addresses under them."
NO_HEADINGS = ("The first row should name the columns (for example First name, Address, City, State, ZIP). "
               "Add a heading row and upload the file again.")


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class BadList(ValueError):
    """The file was refused; the message says why and how to save it so that it can be read."""


def size_text(size: int) -> str:
    """10 MB, 512 KB."""
    return f"{size // (1024 * 1024):,} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024):,} KB"


def too_large(max_bytes: int) -> str:
    return (f"This file is larger than {size_text(max_bytes)}. Remove columns you do not need, "
            "or split the list into two files.")


def too_many_rows(count: int, max_rows: int) -> str:
    return (f"This list has {count:,} rows or more; one file may have at most {max_rows:,}. "
            "Split it into two files, or call the shop for larger mailings.")


@dataclass(frozen=True)
class Table:
    """A list as read: the heading row and the data rows, each with its row number in the file
    (the heading is row 1, as a spreadsheet numbers it); blank rows are left out."""

    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    encoding: str

    @property
    def columns_key(self) -> str:
        return columns_key(self.headers)


def columns_key(headers: Sequence[str]) -> str:
    """The same columns (names and order, ignoring case, spaces and punctuation) give the same key."""
    return hashlib.sha256("\x1f".join(_squash(h) for h in headers).encode()).hexdigest()


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower())


def read_list(data: bytes, *, filename: str = "", max_rows: int = MAX_ROWS) -> Table:
    """The table in a CSV, tab-separated text or Excel file; raises BadList with what to do.

    CSV and text files may be UTF-8 (with or without the byte-order mark Excel writes), Windows-1252
    (Excel's plain "CSV" on Windows) or UTF-16 (Excel's "Unicode text", tab-separated); the file is
    judged by its bytes, never by its name.
    """
    if not data:
        raise BadList(EMPTY)
    if data[:4] == b"PK\x03\x04":
        return _table(_xlsx_rows(data, max_rows), "xlsx", max_rows)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise BadList(OLD_EXCEL)
    text, encoding = decode_text(data)
    return _table(_text_rows(text), encoding, max_rows)


def decode_text(data: bytes) -> tuple[str, str]:
    """The text of a list file and the encoding it was in; raises BadList for binary or unknown."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _checked(_try(data[3:], "utf-8"), "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _checked(_try(data, "utf-16"), "utf-16")
    sample = data[:4096]
    if sample.count(b"\x00") > len(sample) // 4:  # UTF-16 without a byte-order mark: every other byte 0
        zeros_even = sample[0::2].count(0)
        return _checked(_try(data, "utf-16-be" if zeros_even > sample[1::2].count(0) else "utf-16-le"), "utf-16")
    if b"\x00" in data:
        raise BadList(BINARY)
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
        raise BadList(UNREADABLE)
    text = text.rstrip("\x1a")  # the end-of-file mark some old programs add
    if CONTROL.search(text):
        raise BadList(BINARY)
    return text, encoding


def _text_rows(text: str) -> Iterable[list[str]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=lambda d: _count_outside_quotes(first_line, d))
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
                raise BadList(too_large(MAX_BYTES))
            if "xl/workbook.xml" not in archive.namelist():
                raise BadList(BINARY)
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(value) for value in values])
            if len(rows) > max_rows + 1 + 1000:  # more than allowed, blank rows included: stop reading
                break
        workbook.close()
    except BadList:
        raise
    except Exception:  # openpyxl raises many kinds (zip, XML, key, value errors) for broken workbooks
        raise BadList(DAMAGED_XLSX) from None
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


def _table(raw_rows: Iterable[list[str]], encoding: str, max_rows: int) -> Table:
    headers: list[str] | None = None
    rows: list[tuple[int, tuple[str, ...]]] = []
    for number, raw in enumerate(raw_rows, start=1):
        cells = [_clean_cell(cell) for cell in raw]
        if not any(cells):
            continue
        if headers is None:
            headers = _headings(cells)
            continue
        rows.append((number, tuple(cells)))
        if len(rows) > max_rows:
            raise BadList(too_many_rows(len(rows), max_rows))
    if headers is None:
        raise BadList(EMPTY)
    if not rows:
        raise BadList(NO_ROWS)
    width = max(len(headers), max(len(cells) for _, cells in rows))
    headers += [f"Column {_column_letter(i)}" for i in range(len(headers), width)]
    rows = [(number, cells + ("",) * (width - len(cells))) for number, cells in rows]
    if not any(re.search(r"[A-Za-z]", h) for h in headers) or _looks_like_data(headers):
        raise BadList(NO_HEADINGS)
    return Table(tuple(headers), tuple(rows), encoding)


def _clean_cell(cell: str) -> str:
    """One line of text: no surrounding spaces, runs of spaces (and line breaks) as one space."""
    return " ".join(unicodedata.normalize("NFC", cell or "").split())


def _headings(cells: list[str]) -> list[str]:
    headings, seen = [], {}
    for index, cell in enumerate(cells):
        name = cell[:60] or f"Column {_column_letter(index)}"
        seen[name.lower()] = seen.get(name.lower(), 0) + 1
        headings.append(name if seen[name.lower()] == 1 else f"{name} ({seen[name.lower()]})")
    return headings


def _looks_like_data(headers: Sequence[str]) -> bool:
    """A first row holding a ZIP code is an address, not a heading row."""
    return any(ZIP.fullmatch(h) for h in headers)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class Field(enum.StrEnum):
    """What a column can be on the piece."""

    FULL_NAME = "full_name"
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    ADDRESS1 = "address1"
    ADDRESS2 = "address2"
    CITY = "city"
    STATE = "state"
    ZIP = "zip"

    @property
    def label(self) -> str:
        return FIELD_LABELS[self]


FIELD_LABELS = {
    Field.FULL_NAME: "Full name", Field.FIRST_NAME: "First name", Field.LAST_NAME: "Last name",
    Field.ADDRESS1: "Address line 1", Field.ADDRESS2: "Address line 2", Field.CITY: "City",
    Field.STATE: "State", Field.ZIP: "ZIP code",
}
REQUIRED = (Field.ADDRESS1, Field.CITY, Field.STATE, Field.ZIP)

# Heading names people use for each field, squashed (lower case, letters and digits only).
SYNONYMS = {
    Field.FULL_NAME: ("name", "fullname", "recipient", "recipientname", "addressee", "contact", "contactname",
                      "mailname", "displayname"),
    Field.FIRST_NAME: ("firstname", "first", "fname", "givenname", "forename", "preferredname", "nickname"),
    Field.LAST_NAME: ("lastname", "last", "lname", "surname", "familyname"),
    Field.ADDRESS1: ("address", "address1", "addressline1", "street", "streetaddress", "street1", "addr1",
                     "addr", "mailingaddress", "homeaddress", "line1", "deliveryaddress"),
    Field.ADDRESS2: ("address2", "addressline2", "street2", "addr2", "line2", "apt", "apartment", "suite",
                     "unit", "aptsuite"),
    Field.CITY: ("city", "town", "citytown", "municipality", "locality"),
    Field.STATE: ("state", "st", "province", "stateprovince", "region", "stateorprovince"),
    Field.ZIP: ("zip", "zipcode", "postalcode", "postcode", "zip4", "zipplus4", "postal", "zippostalcode"),
}


def guess_mapping(headers: Sequence[str]) -> dict[str, int]:
    """Which column is which field, from the headings: exact names first, then names that start
    with a known one ("Street Address (home)"). Each column is used for one field at most."""
    squashed = [_squash(h) for h in headers]
    mapping: dict[str, int] = {}
    for exact in (True, False):
        for field_ in Field:
            if field_.value in mapping:
                continue
            for index, name in enumerate(squashed):
                if index in mapping.values() or not name:
                    continue
                if (name in SYNONYMS[field_]) if exact else any(
                        name.startswith(s) for s in SYNONYMS[field_] if len(s) > 3):
                    mapping[field_.value] = index
                    break
    return mapping


def mapping_problems(mapping: Mapping[str, int | None], width: int) -> dict[str, str]:
    """What is wrong with a mapping, by field: a required field without a column, or one column for two."""
    problems: dict[str, str] = {}
    used: dict[int, str] = {}
    for field_ in Field:
        index = mapping.get(field_.value)
        if index is None:
            continue
        if not 0 <= index < width:
            problems[field_.value] = "Choose one of the file's columns."
        elif index in used:
            problems[field_.value] = f"This column is already used for {Field(used[index]).label}."
        else:
            used[index] = field_.value
    if mapping.get(Field.FULL_NAME) is None and mapping.get(Field.LAST_NAME) is None:
        problems.setdefault(Field.FULL_NAME.value, "Choose the column with the name (or the first and last names).")
    for field_ in REQUIRED:
        if mapping.get(field_.value) is None:
            problems.setdefault(field_.value, f"Choose the column with the {field_.label.lower()}.")
    return problems


def merge_name(header: str) -> str:
    """The placeholder a custom column gives: "Class Year" is {class_year}."""
    ascii_name = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", ascii_name).strip("_")[:40] or "column"


def recipient(headers: Sequence[str], mapping: Mapping[str, int], cells: Sequence[str]) -> dict[str, str]:
    """One row as the piece sees it: the mapped fields (a full name made from first and last when
    the list has no full name column, and a first name from the full name) and every other column
    as a custom merge field."""
    values = {f.value: (cells[mapping[f.value]] if mapping.get(f.value) is not None else "") for f in Field}
    for index, header in enumerate(headers):
        if index not in mapping.values():
            values.setdefault(merge_name(header), cells[index])
    if not values[Field.FULL_NAME]:
        values[Field.FULL_NAME] = " ".join(p for p in (values[Field.FIRST_NAME], values[Field.LAST_NAME]) if p)
    if not values[Field.FIRST_NAME] and values[Field.FULL_NAME]:
        words = [w for w in values[Field.FULL_NAME].split() if not w.endswith(".")]
        values[Field.FIRST_NAME] = words[0] if words else ""
    values[Field.STATE] = state_code(values[Field.STATE]) or values[Field.STATE]
    return values


def merge_fields(headers: Sequence[str], mapping: Mapping[str, int]) -> list[str]:
    """Every placeholder a design may use with this list."""
    names = [f.value for f in Field]
    names += [merge_name(h) for i, h in enumerate(headers) if i not in mapping.values() and merge_name(h) not in names]
    return names


class Kind(enum.StrEnum):
    """What can be wrong with a row."""

    MISSING = "missing"
    ZIP = "zip"
    STATE = "state"
    TOO_LONG = "too_long"
    DUPLICATE = "duplicate"

    @property
    def label(self) -> str:
        return {"missing": "Missing name or address", "zip": "ZIP code not valid", "state": "State not valid",
                "too_long": "Line too long to print", "duplicate": "Duplicate"}[self.value]


@dataclass(frozen=True)
class Problem:
    kind: Kind
    message: str


ZIP = re.compile(r"\d{5}(?:-?\d{4})?")
STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
    "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
    "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "PR": "Puerto Rico", "GU": "Guam",
    "VI": "U.S. Virgin Islands", "AS": "American Samoa", "MP": "Northern Mariana Islands",
    "AA": "Armed Forces Americas", "AE": "Armed Forces Europe", "AP": "Armed Forces Pacific",
}
_STATE_NAMES = {_squash(name): code for code, name in STATES.items()}


def state_code(text: str) -> str | None:
    """"NY", "ny", "N.Y." and "New York" are NY; None when it is no US state or territory."""
    squashed = _squash(text)
    if squashed.upper() in STATES:
        return squashed.upper()
    return _STATE_NAMES.get(squashed)


def zip_problem(text: str) -> str | None:
    """A ZIP code is five digits, or ZIP+4 (12345-6789); a four-digit one lost its leading zero."""
    value = text.strip()
    if not value:
        return None  # reported as missing
    if ZIP.fullmatch(value):
        return None
    if value.isdigit() and len(value) in (3, 4):
        return (f"ZIP code {value} has {len(value)} digits: a spreadsheet may have dropped its leading "
                f"zero ({value.zfill(5)}). Format the column as text and type the ZIP codes again.")
    return f"ZIP code {value!r} is not valid: use 5 digits, or ZIP+4 like 14850-1234."


def address_lines(values: Mapping[str, str]) -> list[str]:
    """The address block as printed: name, address lines, then "City ST 12345"."""
    last = f"{values.get('city', '')} {values.get('state', '')} {values.get('zip', '')}".strip()
    return [line for line in (values.get("full_name", ""), values.get("address1", ""),
                              values.get("address2", ""), " ".join(last.split())) if line]


def check_row(values: Mapping[str, str], *, max_line: int = MAX_LINE) -> list[Problem]:
    """Everything wrong with one recipient (not counting duplicates, which need the whole list)."""
    problems = []
    missing = [label for key, label in (("full_name", "name"), ("address1", "address"), ("city", "city"),
                                        ("state", "state"), ("zip", "ZIP code")) if not values.get(key, "").strip()]
    if missing:
        problems.append(Problem(Kind.MISSING, f"Missing {_and(missing)}."))
    zip_message = zip_problem(values.get("zip", ""))
    if zip_message:
        problems.append(Problem(Kind.ZIP, zip_message))
    state = values.get("state", "").strip()
    if state and state_code(state) is None:
        problems.append(Problem(Kind.STATE, f"State {state!r} is not a US state: use its two-letter code, like NY."))
    long_lines = [line for line in address_lines(values) if len(line) > max_line]
    if long_lines:
        problems.append(Problem(Kind.TOO_LONG, f"{_quoted(long_lines[0])} has {len(long_lines[0])} characters; "
                                               f"an address line may have at most {max_line}."))
    return problems


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _quoted(text: str) -> str:
    return f"“{text[:30]}…”" if len(text) > 30 else f"“{text}”"


ABBREVIATIONS = {
    "street": "st", "avenue": "ave", "av": "ave", "road": "rd", "drive": "dr", "lane": "ln", "boulevard": "blvd",
    "court": "ct", "place": "pl", "terrace": "ter", "circle": "cir", "parkway": "pkwy", "highway": "hwy",
    "square": "sq", "apartment": "apt", "suite": "ste", "unit": "apt", "number": "", "no": "",
    "north": "n", "south": "s", "east": "e", "west": "w", "northeast": "ne", "northwest": "nw",
    "southeast": "se", "southwest": "sw", "floor": "fl", "room": "rm", "building": "bldg",
}
TITLES = {"dr", "mr", "mrs", "ms", "mx", "prof", "professor", "rev", "jr", "sr", "ii", "iii", "phd", "md", "esq"}


def _words(text: str) -> list[str]:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9]+", ascii_text.replace("#", " "))


def duplicate_key(values: Mapping[str, str]) -> tuple[str, str, str]:
    """Who and where, normalised: case, accents, punctuation, titles, "Street"/"St." and ZIP+4
    do not make two rows different people at different addresses."""
    name = " ".join(sorted(w for w in _words(values.get("full_name", "")) if w not in TITLES))
    address = " ".join(ABBREVIATIONS.get(w, w) for w in _words(values.get("address1", "") + " "
                                                                 + values.get("address2", "")))
    return name, " ".join(address.split()), re.sub(r"\D", "", values.get("zip", ""))[:5]


@dataclass
class ListCheck:
    """The whole list checked: which rows are good, which have what problems."""

    good: list[int] = field(default_factory=list)  # row numbers
    problems: dict[int, list[Problem]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        counts = {kind.value: 0 for kind in Kind}
        for found in self.problems.values():
            for kind in {p.kind for p in found}:
                counts[kind.value] += 1
        return counts

    @property
    def good_count(self) -> int:
        return len(self.good)

    @property
    def problem_count(self) -> int:
        return len(self.problems)


def check_list(recipients: Iterable[tuple[int, Mapping[str, str]]], *, max_line: int = MAX_LINE) -> ListCheck:
    """Checks every row; the second and later rows for the same person at the same address are
    duplicates of the first (which stays good if nothing else is wrong with it)."""
    result = ListCheck()
    first_seen: dict[tuple[str, str, str], int] = {}
    for number, values in recipients:
        problems = check_row(values, max_line=max_line)
        key = duplicate_key(values)
        if key[0] and key[1]:
            if key in first_seen:
                problems.append(Problem(Kind.DUPLICATE, f"Same person at the same address as row {first_seen[key]}."))
            else:
                first_seen[key] = number
        if problems:
            result.problems[number] = problems
        else:
            result.good.append(number)
    return result


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """A cell a spreadsheet will show as text: one that would run as a formula gets a leading '."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: Iterable[Sequence[str]]) -> str:
    """Rows as CSV for Excel (UTF-8 with a byte-order mark), every cell made spreadsheet-safe."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return buffer.getvalue()


def report_rows(headers: Sequence[str], table_rows: Iterable[tuple[int, Sequence[str]]],
                check: ListCheck) -> list[list[str]]:
    """The problem report: each row with problems, its number, what is wrong, then its cells."""
    rows = [["Row", "Problems", *headers]]
    for number, cells in table_rows:
        found = check.problems.get(number)
        if found:
            rows.append([str(number), " ".join(p.message for p in found), *cells])
    return rows


PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)\}")


def merge(template: str, values: Mapping[str, str]) -> str:
    """The template with each {field} replaced by the recipient's value, in one pass (a value that
    itself looks like a placeholder stays as typed). Unknown placeholders stay as written."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1).lower(), m.group(0)), template)


def unknown_placeholders(template: str, known: Iterable[str]) -> list[str]:
    known = set(known)
    return sorted({m.group(1) for m in PLACEHOLDER.finditer(template) if m.group(1).lower() not in known})


def paragraphs(text: str) -> list[str]:
    """A message's paragraphs: separated by blank lines; single line breaks kept within one."""
    return [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]


class MailClass(enum.StrEnum):
    FIRST_CLASS = "first_class"
    MARKETING = "marketing"

    @property
    def label(self) -> str:
        return {"first_class": "First-Class Mail", "marketing": "USPS Marketing Mail"}[self.value]

    @property
    def transit(self) -> str:
        return {"first_class": "2 to 5 days", "marketing": "3 to 10 days"}[self.value]


# Postage per piece in cents, by mail class and piece. Planning estimates from the USPS prices in
# force from July 13, 2025: First-Class postcard 61¢ (the postcard stamp) and letter 74¢ (metered,
# 1 oz); Marketing Mail at a typical commercial letter-size presort price. The shop confirms the
# exact postage at mailing.
POSTAGE_RATES_AS_OF = date(2025, 7, 13)
POSTAGE_CENTS = {
    ("postcard", MailClass.FIRST_CLASS): 61,
    ("postcard", MailClass.MARKETING): 40,
    ("letter", MailClass.FIRST_CLASS): 74,
    ("letter", MailClass.MARKETING): 43,
}
MARKETING_MAIL_MINIMUM = 200  # USPS: a Marketing Mail mailing is at least 200 pieces (or 50 lb)


def postage_cents(piece: str, mail_class: MailClass, pieces: int) -> int:
    """The postage estimate for `pieces` pieces of this kind ("postcard" or "letter")."""
    return POSTAGE_CENTS[(piece if piece == "postcard" else "letter", mail_class)] * pieces


def mail_class_problem(mail_class: MailClass, pieces: int) -> str | None:
    if mail_class == MailClass.MARKETING and pieces < MARKETING_MAIL_MINIMUM:
        return (f"Marketing Mail needs at least {MARKETING_MAIL_MINIMUM} pieces; your list has {pieces:,}. "
                "Choose First-Class Mail.")
    return None


def addresses(count: int) -> str:
    return f"{count:,} address{'' if count == 1 else 'es'}"


@dataclass(frozen=True)
class PrintRun:
    quantity: int | None  # None: the list cannot be printed as one order
    note: str = ""
    problem: str | None = None


def print_run(product: ProductRules, pieces: int) -> PrintRun:
    """How many to print for `pieces` good addresses: the product's minimum, then up to its step.
    The spares come back with the order; a list past the maximum cannot be ordered online."""
    from portal.catalog.rules import plural, quantity_problem

    unit = product.unit_name
    quantity = max(product.min_quantity, ceil(pieces / product.quantity_step) * product.quantity_step)
    problem = quantity_problem(product, quantity)
    if problem:
        return PrintRun(None, problem=f"Your list has {addresses(pieces)}. " + problem)
    if quantity == pieces:
        return PrintRun(quantity, f"One {unit} for each of your {pieces:,} addresses.")
    spare = quantity - pieces
    why = (f"the minimum run is {plural(product.min_quantity, unit)}" if quantity == product.min_quantity
           else f"we print in multiples of {product.quantity_step:,}")
    return PrintRun(quantity, f"{plural(quantity, unit)} for your {pieces:,} addresses: {why}. "
                              f"The {plural(spare, 'spare')} come back to you with the order.")


@dataclass(frozen=True)
class MailPromise:
    mail_date: date
    problem: str | None = None


def mail_promise(*, ready: date, mail_date: date | None, is_business_day, latest: date) -> MailPromise:
    """When a mailer is promised: on its mail date, the day the shop hands it to the post office.

    No mail date: it mails the day it is ready. A mail date must be a business day on or after the
    day production can have it ready (and not past `latest`); otherwise the problem says so and the
    promise is the ready day.
    """
    if mail_date is None:
        return MailPromise(ready)
    if mail_date < ready:
        return MailPromise(ready, f"The pieces can be ready to mail on {ready:%A, %B %-d} at the earliest. "
                                  "Choose that day or a later one, or rush the job.")
    if mail_date > latest:
        return MailPromise(ready, f"Choose a mail date before {latest:%B %-d, %Y}.")
    if not is_business_day(mail_date):
        return MailPromise(ready, "The shop mails on business days: choose a weekday that is not a holiday.")
    return MailPromise(mail_date)


def approval_fingerprint(*, list_sha256: str, mapping: Mapping[str, int], dropped: Iterable[int],
                         design: Mapping[str, object], appearance: Mapping[str, str]) -> str:
    """What an approval covers: the list's content, how it is mapped, which rows are dropped, the
    design, and the options that change how the piece looks. Any change needs a new approval."""
    payload = json.dumps({"list": list_sha256, "mapping": dict(sorted(mapping.items())),
                          "dropped": sorted(dropped), "design": dict(sorted(design.items())),
                          "appearance": dict(sorted(appearance.items()))}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


APPEARANCE_OPTIONS = ("size", "color", "sides", "envelope")


def piece_kind(product_slug: str) -> str:
    return "postcard" if "postcard" in product_slug else "letter"


PIECE_SIZES = {"4x6": ("6in", "4in"), "6x9": ("9in", "6in"), "6x11": ("11in", "6in")}


def piece_size(kind: str, size_code: str | None) -> tuple[str, str]:
    """Page width and height of one side of the piece, for the proof."""
    if kind == "postcard":
        return PIECE_SIZES.get(size_code or "", PIECE_SIZES["4x6"])
    return "8.5in", "11in"
