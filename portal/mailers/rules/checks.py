"""What makes a row mailable: its name and address complete, ZIP and state valid, lines that fit, no duplicate."""
from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from portal.mailers.rules.reading import ZIP, _squash

MAX_LINE = 40  # characters on one address line: what fits the address block of every piece we print


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
