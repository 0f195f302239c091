"""Care's rules, pure: who owns a case, when its first answer is due, how its state moves, which satisfaction
answers open one, what an attached photo may be. No database, no request, no clock (`now` is passed in)."""
from __future__ import annotations

import enum
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable, Mapping

from portal.shop.calendar import ShopCalendar


class Cause(enum.StrEnum):
    WRONG_QUANTITY = "wrong_quantity"
    QUALITY = "quality"
    LATE = "late"
    DAMAGED = "damaged"
    BILLING = "billing"
    OTHER = "other"
    DISSATISFIED = "dissatisfied"  # opened by a dissatisfied answer to the satisfaction check

    @property
    def label(self) -> str:
        return CAUSE_LABELS[self]


CAUSE_LABELS = {Cause.WRONG_QUANTITY: "Wrong quantity", Cause.QUALITY: "Print or finishing quality",
                Cause.LATE: "It was late", Cause.DAMAGED: "It arrived damaged", Cause.BILLING: "Billing",
                Cause.OTHER: "Something else", Cause.DISSATISFIED: "Dissatisfied answer"}
# What a customer may choose on the form (a dissatisfied answer is the satisfaction check's own cause).
REPORTED_CAUSES = tuple(cause for cause in Cause if cause != Cause.DISSATISFIED)


class CaseState(enum.StrEnum):
    OPEN = "open"          # the owner's turn
    WAITING = "waiting"    # waiting for the customer
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        return {"open": "Open", "waiting": "Waiting for the customer", "resolved": "Resolved"}[self.value]


class EntryKind(enum.StrEnum):
    REPORTED = "reported"
    MESSAGE = "message"
    HANDOFF = "handoff"
    REPRINT_OFFERED = "reprint_offered"
    REPRINT_PLACED = "reprint_placed"
    CREDIT = "credit"
    PRODUCTION_NOTE = "production_note"
    RESOLVED = "resolved"
    MADE_RIGHT = "made_right"
    REOPENED = "reopened"


PROBLEM_LIMIT = 4000
WANTED_LIMIT = 2000
MESSAGE_LIMIT = 4000
REASON_LIMIT = 500


class NoOwner(ValueError):
    """Nobody could own the case: the shop has no staff member to give it to."""


def case_number(case_id: int) -> str:
    """"C-00042": what the customer quotes on the phone (the link they get is random, never this)."""
    return f"C-{case_id:05d}"


def on_duty(turns: Iterable[tuple[date, int]], today: date) -> int | None:
    """The staff member on duty `today`: the latest turn (starts_on, staff id) that has started, else None."""
    started = [(starts_on, staff_id) for starts_on, staff_id in turns if starts_on <= today]
    return max(started)[1] if started else None


def choose_owner(*, department_owner: int | None, on_duty: int | None, open_cases: Mapping[int, int]) -> int:
    """Exactly one owner for a new case: the staff member who owns the customer's department, else the person
    on duty, else the staff member with the fewest open cases (the lowest id among equals). `open_cases` maps
    every active staff member's id to their open cases; an owner or person on duty not in it (no longer staff)
    is passed over. Raises NoOwner when there is no staff member at all."""
    for candidate in (department_owner, on_duty):
        if candidate is not None and candidate in open_cases:
            return candidate
    if not open_cases:
        raise NoOwner("no staff member to own the case")
    return min(open_cases, key=lambda staff_id: (open_cases[staff_id], staff_id))


def response_due(opened_at: datetime, *, hours: int, calendar: ShopCalendar, day_start: time,
                 day_end: time) -> datetime:
    """When the first answer is due: `hours` business hours after `opened_at` (in the shop's zone), counting
    only the working day (day_start to day_end) of business days. A report made in the evening or at the
    weekend starts counting at the next business day's opening. Returns a moment in opened_at's zone."""
    zone = opened_at.tzinfo
    left = timedelta(hours=hours)
    moment = opened_at
    while True:
        day = moment.date()
        opens = datetime.combine(day, day_start, zone)
        closes = datetime.combine(day, day_end, zone)
        if not calendar.is_business_day(day) or moment >= closes:
            moment = datetime.combine(calendar.next_business_day(day), day_start, zone)
            continue
        moment = max(moment, opens)
        if moment + left <= closes:
            return moment + left
        left -= closes - moment
        moment = datetime.combine(calendar.next_business_day(day), day_start, zone)


WARN_BEFORE = timedelta(hours=1)


def response_flag(*, state: CaseState, responded_at: datetime | None, due: datetime, now: datetime,
                  warn_before: timedelta = WARN_BEFORE) -> str | None:
    """"late" when the first answer is overdue, "due_soon" within `warn_before` of it, else None (answered,
    resolved, or time to spare)."""
    if responded_at is not None or state == CaseState.RESOLVED:
        return None
    if now >= due:
        return "late"
    return "due_soon" if now >= due - warn_before else None


def kept_response(*, due: datetime, responded_at: datetime | None) -> bool:
    """Whether the first answer came in time."""
    return responded_at is not None and responded_at <= due


def after_message(state: CaseState, *, from_customer: bool) -> CaseState:
    """A message moves the turn: the owner's message waits for the customer; the customer's (on a waiting or
    resolved case too) gives the turn back to the owner."""
    return CaseState.OPEN if from_customer else CaseState.WAITING


def after_answer(made_right: bool) -> CaseState:
    """"Did this make it right?": yes keeps it resolved; no reopens it, with the same owner."""
    return CaseState.RESOLVED if made_right else CaseState.OPEN


def opens_case(satisfaction: int | None) -> bool:
    """A "dissatisfied" (2) or "very dissatisfied" (1) answer is a problem report."""
    return satisfaction is not None and satisfaction <= 2


ATTACHMENT_TYPES = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg",
                    b"\x89PNG\r\n\x1a\n": "image/png"}
ATTACHMENT_SUFFIXES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def attachment_type(data: bytes) -> str | None:
    """The media type of a photo or PDF by its first bytes (never its name), or None for anything else."""
    for magic, media_type in ATTACHMENT_TYPES.items():
        if data.startswith(magic):
            return media_type
    return None


SATISFIED_FROM = 4  # "satisfied" (4) and "very satisfied" (5) count as satisfied


@dataclass(frozen=True)
class Share:
    """How many of `counted` were `hits` (satisfied answers, kept response promises, ...), and the share."""

    counted: int
    hits: int

    @property
    def rate(self) -> float | None:
        return self.hits / self.counted if self.counted else None


def satisfaction_share(scores: Iterable[int]) -> Share:
    """The share of answers that are "satisfied" or "very satisfied"."""
    scores = list(scores)
    return Share(len(scores), sum(1 for score in scores if score >= SATISFIED_FROM))


def month_of(day: date) -> date:
    return day.replace(day=1)


def months_back(today: date, count: int) -> list[date]:
    """The first days of the last `count` months, oldest first, ending with today's month."""
    months = [month_of(today)]
    while len(months) < count:
        months.insert(0, month_of(months[0] - timedelta(days=1)))
    return months


def next_month(month: date) -> date:
    return month_of(month + timedelta(days=32))


def worst_first(shares: Mapping[str, Share]) -> list[tuple[str, Share]]:
    """Product, station or department shares, the least satisfied first (then by name)."""
    return sorted(shares.items(), key=lambda item: (item[1].rate if item[1].rate is not None else 2, item[0]))


AGE_BANDS = ((timedelta(days=1), "Under a day"), (timedelta(days=3), "1 to 3 days"),
             (timedelta(days=7), "3 to 7 days"), (timedelta(days=30), "1 to 4 weeks"), (None, "Over 4 weeks"))


def cases_by_age(opened: Iterable[datetime], now: datetime) -> list[tuple[str, int]]:
    """Open cases counted by how long they have been open, in AGE_BANDS (every band, empty ones too)."""
    counts = {label: 0 for _, label in AGE_BANDS}
    for opened_at in opened:
        age = now - opened_at
        counts[next(label for limit, label in AGE_BANDS if limit is None or age < limit)] += 1
    return list(counts.items())


def response_kept_share(cases: Iterable[tuple[datetime, datetime | None]], now: datetime) -> Share:
    """How often the response promise was kept, over cases (due, responded_at) that are answered or past due:
    a case still within its response time is not counted yet."""
    judged = [(due, responded) for due, responded in cases if responded is not None or due <= now]
    return Share(len(judged), sum(1 for due, responded in judged if kept_response(due=due, responded_at=responded)))


@dataclass(frozen=True)
class CauseCount:
    cause: Cause
    cases: int
    repeats: int     # cases after a customer's first about the same cause
    customers: int   # customers with more than one case about it


def repeats_by_cause(cases: Iterable[tuple[Cause, int]]) -> list[CauseCount]:
    """Problems by cause (cases given as (cause, customer id)): how many, how many were a customer's second or
    later about the same thing, and how many customers it happened to more than once. Most cases first."""
    per_cause: dict[Cause, Counter] = {}
    for cause, customer_id in cases:
        per_cause.setdefault(cause, Counter())[customer_id] += 1
    counts = [CauseCount(cause, sum(people.values()), sum(n - 1 for n in people.values()),
                         sum(1 for n in people.values() if n > 1)) for cause, people in per_cause.items()]
    return sorted(counts, key=lambda count: (-count.cases, -count.repeats, count.cause.label))


def share_with_shop(shop_cents: int, outside_cents: int) -> float | None:
    """The share of a department's print spend that came to the shop (None when it spent nothing at all)."""
    total = shop_cents + outside_cents
    return shop_cents / total if total > 0 else None


def at_full_share(shop: Mapping[date, int], outside: Mapping[date, int], months: Iterable[date]) -> bool:
    """Whether a department sent the shop 100 % of its print work over `months`: it ordered from the shop in
    them, and bought nothing from an outside printer (spend per month, by first day)."""
    months = list(months)
    return sum(shop.get(m, 0) for m in months) > 0 and sum(outside.get(m, 0) for m in months) == 0


DRIFT_POINTS = 0.10  # a share down by ten points or more, last three months against the three before, is drifting


def share_trend(shop: Mapping[date, int], outside: Mapping[date, int], months: list[date]) -> tuple:
    """(share over the last three of `months`, share over the three before, "drifting" | "growing" | "steady" |
    None when either has no spend)."""
    recent, before = months[-3:], months[-6:-3]
    now_share = share_with_shop(sum(shop.get(m, 0) for m in recent), sum(outside.get(m, 0) for m in recent))
    then_share = share_with_shop(sum(shop.get(m, 0) for m in before), sum(outside.get(m, 0) for m in before))
    if now_share is None or then_share is None:
        return now_share, then_share, None
    if now_share <= then_share - DRIFT_POINTS:
        return now_share, then_share, "drifting"
    if now_share >= then_share + DRIFT_POINTS:
        return now_share, then_share, "growing"
    return now_share, then_share, "steady"


def repeat_rate(orders_per_person: Iterable[int]) -> Share:
    """How many of the people who ordered came back: ordered twice or more."""
    counts = list(orders_per_person)
    return Share(len(counts), sum(1 for n in counts if n >= 2))


GAP_SAMPLES = 2          # the usual gap needs at least two gaps (three days with orders)
OVERDUE_FACTOR = 2       # overdue: more than twice the usual gap since the last order ...
OVERDUE_MIN_DAYS = 14    # ... and at least two weeks


def usual_gap(order_days: Iterable[date]) -> int | None:
    """The usual number of days between a department's orders: the median gap between days it ordered on
    (None with fewer than GAP_SAMPLES gaps)."""
    days = sorted(set(order_days))
    gaps = sorted((later - earlier).days for earlier, later in zip(days, days[1:]))
    if len(gaps) < GAP_SAMPLES:
        return None
    middle = len(gaps) // 2
    return gaps[middle] if len(gaps) % 2 else round((gaps[middle - 1] + gaps[middle]) / 2)


def overdue(*, last: date | None, gap: int | None, today: date) -> bool:
    """Whether a department is overdue against its usual gap: more than twice it (and two weeks) since its
    last order."""
    if last is None or gap is None:
        return False
    since = (today - last).days
    return since > OVERDUE_FACTOR * gap and since >= OVERDUE_MIN_DAYS


def in_weeks_or_days(days: int) -> str:
    """"9 weeks", "1 week", "5 days": how long, as people say it."""
    if days >= 14:
        return f"{round(days / 7)} weeks"
    return "1 week" if days >= 7 else ("1 day" if days == 1 else f"{days} days")


def overdue_words(department: str, *, last: date, gap: int, today: date) -> str:
    """"History hasn't ordered in 9 weeks; they usually order every 3 weeks.\""""
    return (f"{department} hasn't ordered in {in_weeks_or_days((today - last).days)}; they usually order every "
            f"{in_weeks_or_days(gap) if gap != 1 else 'day'}.")


OUTSIDE_COLUMNS = {"department": ("department", "dept", "departmentname", "departmentcode"),
                   "vendor": ("vendor", "supplier", "printer", "vendorname"),
                   "day": ("date", "purchasedate", "invoicedate", "day", "ordered"),
                   "amount": ("amount", "total", "amountusd", "cost", "spend")}
OUTSIDE_LABELS = {"department": "Department", "vendor": "Vendor", "day": "Date", "amount": "Amount"}
VENDOR_LIMIT = 160
AMOUNT_LIMIT_CENTS = 10_000_000_00  # ten million dollars: anything above is a typo


def _heading_key(heading: str) -> str:
    return "".join(ch for ch in heading.casefold() if ch.isalnum())


def outside_columns(headers: Iterable[str]) -> tuple[dict[str, int], list[str]]:
    """Which column holds what in the purchasing office's file (headings matched ignoring case, spaces and
    punctuation), and a message for each missing one."""
    keys = [_heading_key(heading) for heading in headers]
    found = {}
    for name, names in OUTSIDE_COLUMNS.items():
        index = next((keys.index(key) for key in names if key in keys), None)
        if index is not None:
            found[name] = index
    return found, [f"The file has no “{OUTSIDE_LABELS[name]}” column." for name in OUTSIDE_COLUMNS
                   if name not in found]


@dataclass(frozen=True)
class OutsideRow:
    line: int
    department: str   # as the portal names it
    vendor: str
    day: date
    amount_cents: int


def parse_amount(text: str) -> int:
    """"$1,234.50", "1234.5", "80" → cents. Raises ValueError for anything else (negative, more than cents)."""
    cleaned = text.strip().replace("$", "").replace(",", "").replace(" ", "")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", cleaned):
        raise ValueError(text)
    dollars, _, cents = cleaned.partition(".")
    return int(dollars) * 100 + int((cents + "00")[:2])


def outside_rows(rows: Iterable[tuple[int, tuple[str, ...]]], columns: Mapping[str, int], *,
                 departments: Mapping[str, str], parse_day, today: date
                 ) -> tuple[list[OutsideRow], list[tuple[int, str]]]:
    """The purchases in the file's rows, and every row's problems by line. `departments` maps a department's
    name or code, casefolded, to its name in the portal; `parse_day` reads a date cell (raising ValueError)."""
    found, problems = [], []
    for line, cells in rows:
        def cell(name):
            return cells[columns[name]].strip() if columns[name] < len(cells) else ""
        row_problems = []
        department = departments.get(cell("department").casefold())
        if not cell("department"):
            row_problems.append("The row names no department.")
        elif department is None:
            row_problems.append(f"No department in the portal is called “{cell('department')}”: use its name or "
                                "code as the portal has it.")
        vendor = cell("vendor")
        if not vendor:
            row_problems.append("The row names no vendor.")
        elif len(vendor) > VENDOR_LIMIT:
            row_problems.append(f"The vendor is longer than {VENDOR_LIMIT} characters.")
        try:
            day = parse_day(cell("day"))
            if day is None:
                row_problems.append("The row has no date.")
            elif day > today:
                row_problems.append(f"{day.isoformat()} is in the future.")
        except ValueError:
            day = None
            row_problems.append(f"“{cell('day')}” is not a date: write it like 2026-10-14.")
        try:
            amount = parse_amount(cell("amount"))
            if amount <= 0 or amount > AMOUNT_LIMIT_CENTS:
                row_problems.append(f"“{cell('amount')}” is not an amount the shop could have been paid.")
        except ValueError:
            amount = 0
            row_problems.append(f"“{cell('amount')}” is not an amount in dollars: write it like 1234.50.")
        if row_problems:
            problems += [(line, problem) for problem in row_problems]
        else:
            found.append(OutsideRow(line, department, vendor, day, amount))
    return found, problems
