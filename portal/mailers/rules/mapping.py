"""Mapping a list's columns to the piece's fields, and one row as the piece sees it (its merge fields)."""
from __future__ import annotations

import enum
import re
import unicodedata
from typing import Mapping, Sequence

from portal.mailers.rules.checks import state_code
from portal.mailers.rules.reading import _squash


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
