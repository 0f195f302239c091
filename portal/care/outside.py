"""The purchasing office's file of outside print purchases (department, vendor, date, amount): a preview of
what it adds, with every row's problems by line; then applying it, all in one transaction or not at all. Read
like every other import (portal.spreadsheets: CSV in any of Excel's encodings, or a workbook; its bounds on
size, rows and cells; formulas read as the values they show). A row already on file (same department, vendor,
date and amount) is not added twice, so the office's overlapping exports can be loaded as they come.
Services flush and never commit."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal import spreadsheets
from portal.accounts.models import Department
from portal.accounts.services import department_names
from portal.billing.rules import parse_day
from portal.care import rules
from portal.care.models import OutsidePurchase
from portal.extensions import db
from portal.failures import Conflict, ValidationFailed
from portal.shop.clock import shop_today

MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class OutsidePreview:
    added: list[rules.OutsideRow]
    already: int                      # rows already on file, left as they are
    problems: list[tuple[int, str]]   # (line, message)
    rows: int
    digest: str                       # what was previewed: applying checks nothing changed since

    @property
    def can_apply(self) -> bool:
        return not self.problems and bool(self.added)


def _key(department_id: int, vendor: str, day, cents: int) -> tuple:
    return department_id, vendor.casefold(), day, cents


def preview(data: bytes, *, now: datetime) -> OutsidePreview:
    """What the file would add. Raises ValidationFailed on `file` when it cannot be read at all."""
    try:
        table = spreadsheets.read_table(data, max_rows=MAX_ROWS, max_bytes=MAX_BYTES)
    except spreadsheets.BadFile as refused:
        raise ValidationFailed({"file": str(refused)}) from None
    columns, missing = rules.outside_columns(table.headers)
    if missing:
        raise ValidationFailed({"file": " ".join(missing) + " The first row should name the columns: "
                                "Department, Vendor, Date, Amount."})
    rows, problems = rules.outside_rows(table.rows, columns, departments=department_names(), parse_day=parse_day,
                                        today=shop_today(now))
    ids = {department.name: department.id for department in db.session.scalars(select(Department))}
    on_file = {_key(*row) for row in db.session.execute(select(
        OutsidePurchase.department_id, OutsidePurchase.vendor, OutsidePurchase.bought_on,
        OutsidePurchase.amount_cents).where(OutsidePurchase.bought_on >= min((r.day for r in rows), default=None)))
    } if rows else set()
    added, seen, already = [], set(), 0
    for row in rows:
        key = _key(ids[row.department], row.vendor, row.day, row.amount_cents)
        if key in on_file:
            already += 1
        elif key not in seen:  # a row twice in one file is one purchase listed twice
            seen.add(key)
            added.append(row)
    facts = [[row.department, row.vendor, row.day.isoformat(), row.amount_cents] for row in added]
    digest = hashlib.sha256(json.dumps([facts, already]).encode()).hexdigest()
    return OutsidePreview(added, already, sorted(problems), len(table.rows), digest)


def apply(data: bytes, *, digest: str, now: datetime) -> OutsidePreview:
    """Adds the previewed purchases. Raises ValidationFailed while the file has problems, Conflict when what it
    would add changed since the preview (another file was applied meanwhile: look again)."""
    checked = preview(data, now=now)
    if checked.problems:
        raise ValidationFailed({"file": "Fix the rows with problems first; nothing was changed."})
    if checked.digest != digest:
        raise Conflict("The purchases on file changed since this preview (another file was applied). Here is what "
                       "this file would add now; look it over again.", current=checked)
    ids = {department.name: department.id for department in db.session.scalars(select(Department))}
    db.session.add_all(OutsidePurchase(department_id=ids[row.department], vendor=row.vendor, bought_on=row.day,
                                       amount_cents=row.amount_cents, imported_at=now) for row in checked.added)
    db.session.flush()
    return checked
