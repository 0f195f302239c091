"""What a delivery address needs, by kind. Pure."""
from __future__ import annotations
from portal.shop.delivery import DeliveryMethod

import re
from typing import Mapping

US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP".split())
ZIP = re.compile(r"\d{5}(-\d{4})?")
LIMITS = {"label": 80, "recipient": 120, "building": 120, "room": 40, "street1": 120, "street2": 120,
          "city": 80, "state": 2, "postal_code": 10, "phone": 40}
REQUIRED = {
    DeliveryMethod.CAMPUS: ("label", "recipient", "building", "room"),
    DeliveryMethod.PICKUP: ("label",),
    DeliveryMethod.CARRIER: ("label", "recipient", "street1", "city", "state", "postal_code"),
    DeliveryMethod.BOOKSTORE: ("label",),  # the campus bookstore's receiving dock: the shop knows where
}
MESSAGES = {
    "label": "Give this address a name you will recognise, like “Law School mailroom”.",
    "recipient": "Enter who receives it.",
    "building": "Enter the building.",
    "room": "Enter the room or mail stop.",
    "street1": "Enter the street address.",
    "city": "Enter the city.",
    "state": "Enter the state.",
    "postal_code": "Enter the ZIP code.",
}


def clean(values: Mapping[str, str | None]) -> dict[str, str]:
    """Trimmed values with line breaks flattened; state upper-cased."""
    cleaned = {field: " ".join(str(values.get(field) or "").split()) for field in LIMITS}
    cleaned["state"] = cleaned["state"].upper()
    cleaned["kind"] = str(values.get("kind") or "")
    return cleaned


def address_problems(values: Mapping[str, str]) -> dict[str, str]:
    """Field name to message for every problem with an address of its kind; empty when fine."""
    kind = values.get("kind")
    if kind not in REQUIRED:
        return {"kind": "Choose campus delivery, pickup at the shop, shipping, or the campus bookstore."}
    problems = {field: MESSAGES[field] for field in REQUIRED[kind] if not values.get(field)}
    for field, limit in LIMITS.items():
        if field not in problems and len(values.get(field) or "") > limit:
            problems[field] = f"Use at most {limit} characters."
    if kind == DeliveryMethod.CARRIER:
        if "state" not in problems and values["state"] not in US_STATES:
            problems["state"] = "Use the two-letter state code, like NY."
        if "postal_code" not in problems and not ZIP.fullmatch(values["postal_code"]):
            problems["postal_code"] = "Use a 5-digit ZIP code, like 14850, or ZIP+4, like 14850-2201."
    return problems


def one_line(snapshot: Mapping[str, str]) -> str:
    """An address on one line, for lists and summaries."""
    kind = snapshot.get("kind")
    if kind == DeliveryMethod.PICKUP:
        return "Pickup at the shop"
    if kind == DeliveryMethod.BOOKSTORE:
        return "Campus bookstore, receiving"
    if kind == DeliveryMethod.CAMPUS:
        parts = [snapshot.get("recipient"), snapshot.get("building"), snapshot.get("room")]
    else:
        city = " ".join(p for p in [f"{snapshot.get('city')}," if snapshot.get("city") else "",
                                    snapshot.get("state"), snapshot.get("postal_code")] if p)
        parts = [snapshot.get("recipient"), snapshot.get("street1"), snapshot.get("street2"), city]
    return ", ".join(p for p in parts if p)
