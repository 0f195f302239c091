"""Who hears of what, how a notice is told apart from a repeat, and how delivery retries. Pure."""
from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote


class NoticeKind(enum.StrEnum):
    RECEIVED = "received"
    APPROVAL_NEEDED = "approval_needed"
    DECLINED = "declined"
    PROOF_READY = "proof_ready"
    READY_FOR_PICKUP = "ready_for_pickup"
    OUT_FOR_DELIVERY = "out_for_delivery"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    DELAY = "delay"
    # About a person's access rather than an order: email only, always sent.
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"
    # About a month's statements (portal/statements), to department administrators: email and portal.
    STATEMENTS_READY = "statements_ready"
    # About a care case (portal/care): to its customer, to its owner, and a warning that an answer is nearly due.
    CASE_UPDATE = "case_update"
    CASE_ASSIGNED = "case_assigned"
    CASE_DUE = "case_due"
    # To an instructor who had a course pack last term: the deadline to order for the coming one (portal/terms).
    TERM_REMINDER = "term_reminder"
    # To the instructor: the shop could not get permission for a reading of their pack (portal/copyright).
    COPYRIGHT_REFUSED = "copyright_refused"


class Channel(enum.StrEnum):
    EMAIL = "email"
    PORTAL = "portal"

    @property
    def label(self) -> str:
        return {"email": "Email", "portal": "In the portal"}[self.value]


class Decision(enum.StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"


KIND_LABELS = {
    NoticeKind.RECEIVED: "Order received",
    NoticeKind.APPROVAL_NEEDED: "Approval needed",
    NoticeKind.DECLINED: "Order not approved",
    NoticeKind.PROOF_READY: "Proof ready",
    NoticeKind.READY_FOR_PICKUP: "Ready for pickup",
    NoticeKind.OUT_FOR_DELIVERY: "Out for delivery",
    NoticeKind.SHIPPED: "Shipped",
    NoticeKind.DELIVERED: "Delivered",
    NoticeKind.DELAY: "Running late",
    NoticeKind.INVITATION: "Invitation",
    NoticeKind.PASSWORD_RESET: "Password reset",
    NoticeKind.STATEMENTS_READY: "Statements ready",
    NoticeKind.CASE_UPDATE: "Your problem report",
    NoticeKind.CASE_ASSIGNED: "A case for you",
    NoticeKind.CASE_DUE: "A case nearly due",
    NoticeKind.TERM_REMINDER: "Course packs for next term",
    NoticeKind.COPYRIGHT_REFUSED: "Copyright permission refused",
}

# Notices that ask for an action, or tell of a cancellation, go out whatever the preferences say.
ALWAYS_SENT = frozenset({NoticeKind.PROOF_READY, NoticeKind.APPROVAL_NEEDED, NoticeKind.DECLINED,
                         NoticeKind.INVITATION, NoticeKind.PASSWORD_RESET, NoticeKind.STATEMENTS_READY,
                         NoticeKind.CASE_UPDATE, NoticeKind.CASE_ASSIGNED, NoticeKind.CASE_DUE,
                         NoticeKind.TERM_REMINDER, NoticeKind.COPYRIGHT_REFUSED})
# Notices about a person's access, not about an order (no order, email only).
ACCOUNT_KINDS = frozenset({NoticeKind.INVITATION, NoticeKind.PASSWORD_RESET})
# What the preferences page lists, in the order an order lives them.
PREFERENCE_KINDS = (NoticeKind.RECEIVED, NoticeKind.PROOF_READY, NoticeKind.READY_FOR_PICKUP,
                    NoticeKind.OUT_FOR_DELIVERY, NoticeKind.SHIPPED, NoticeKind.DELIVERED, NoticeKind.DELAY,
                    NoticeKind.DECLINED, NoticeKind.APPROVAL_NEEDED)
# Sent to the billing account's approver rather than to the customer.
TO_APPROVER = frozenset({NoticeKind.APPROVAL_NEEDED})

SATISFACTION_ANSWERS = {5: "Very satisfied", 4: "Satisfied", 3: "Neither satisfied nor dissatisfied",
                        2: "Dissatisfied", 1: "Very dissatisfied"}

CARRIER_TRACKING = {
    "ups": "https://www.ups.com/track?tracknum={}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={}",
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={}",
    "dhl": "https://www.dhl.com/us-en/home/tracking.html?tracking-id={}",
}


def wanted_channels(kind: NoticeKind, turned_off: set[tuple[str, str]]) -> list[Channel]:
    """The channels a person hears of `kind` on: all of them unless turned off, and every channel
    for notices that are always sent. `turned_off` holds (kind, channel) value pairs."""
    if kind in ALWAYS_SENT:
        return list(Channel)
    return [channel for channel in Channel if (kind.value, channel.value) not in turned_off]


def plain_details(details: dict) -> dict:
    """The details as JSON values: dates and times become ISO strings, anything else its text."""
    def plain(value):
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, (list, tuple)):
            return [plain(item) for item in value]
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        return str(value)

    return {str(key): plain(value) for key, value in details.items()}


def occurrence(kind: NoticeKind, details: dict) -> str:
    """What tells this event apart from an earlier one of the same kind on the same order.

    A delay is one event per new expected date (once per slip). A caller may name the occurrence
    (a proof's version, say); otherwise it is a digest of the details, so the same call repeated is
    the same event and a second shipment with another tracking number is a new one.
    """
    if "occurrence" in details and details["occurrence"] not in (None, ""):
        return str(details["occurrence"])[:64]
    if kind == NoticeKind.DELAY:
        return str(details.get("expected_date", ""))[:64]
    meaningful = {k: v for k, v in details.items() if k != "occurrence"}
    if not meaningful:
        return ""
    encoded = json.dumps(meaningful, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()[:16]


def dedup_key(order_id: int, kind: NoticeKind, occurrence_: str) -> str:
    return f"order-{order_id}:{kind.value}:{occurrence_}"


def header_text(text: str | None, limit: int = 200) -> str:
    """Text that can go into a mail header: every run of whitespace (CR and LF included) becomes
    one space, so a name or title cannot start a header of its own."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def short_title(title: str, limit: int = 60) -> str:
    return header_text(title, limit)


@dataclass(frozen=True)
class Headline:
    """The subject of the email and the first line of the notice in the portal."""

    kind: NoticeKind
    number: str
    promise_day: str = ""
    expected_day: str = ""
    price: str = ""

    def text(self) -> str:
        n = self.number
        return {
            NoticeKind.RECEIVED: f"Order {n} received: promised for {self.promise_day}",
            NoticeKind.APPROVAL_NEEDED: f"Action needed: approve order {n} ({self.price})",
            NoticeKind.DECLINED: f"Order {n} was not approved",
            NoticeKind.PROOF_READY: f"Action needed: your proof for order {n} is ready",
            NoticeKind.READY_FOR_PICKUP: f"Order {n} is ready for pickup",
            NoticeKind.OUT_FOR_DELIVERY: f"Order {n} is out for delivery",
            NoticeKind.SHIPPED: f"Order {n} has shipped",
            NoticeKind.DELIVERED: f"Order {n} was delivered: how did we do?",
            NoticeKind.DELAY: f"Order {n} is running late: now expected {self.expected_day}",
            NoticeKind.COPYRIGHT_REFUSED: f"Action needed: permission refused for a reading of order {n}",
        }[self.kind]


def subject(headline: Headline, title: str) -> str:
    """"Order 26-00042 has shipped (LAW 501 course pack, Spring 2027)": one line, whatever was typed."""
    return header_text(f"{headline.text()} ({short_title(title)})", 300)


def carrier_tracking_url(carrier: str | None, tracking_number: str | None) -> str | None:
    """The carrier's own tracking page for a known carrier, else None."""
    if not carrier or not tracking_number:
        return None
    template = CARRIER_TRACKING.get("".join(ch for ch in carrier.lower() if ch.isalnum()))
    return template.format(quote(tracking_number.strip(), safe="")) if template else None


class Outcome(enum.StrEnum):
    SENT = "sent"
    RETRY = "retry"    # try again after the backoff
    PARK = "park"      # failed for good: staff see it and can resend


def outcome_of_refusal(code: int, *, attempts: int, max_attempts: int) -> Outcome:
    """A mail server's refusal: 5xx is permanent; 4xx is temporary until it has happened `max_attempts` times."""
    if 500 <= code <= 599:
        return Outcome.PARK
    return Outcome.PARK if attempts >= max_attempts else Outcome.RETRY


def backoff_seconds(attempts: int, *, base: int, cap: int) -> int:
    """Seconds before the next try after `attempts` tries: base, 2·base, 4·base … at most cap."""
    return min(cap, base * 2 ** max(0, attempts - 1))

