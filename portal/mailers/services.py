"""Mailing lists: accepting, mapping, checking and dropping rows; the design, the proof and its
approval; the mailer part of a configured job and of an order. Flush, never commit."""
from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.catalog.models import Product, ProductKind
from portal.documents import storage
from portal.documents.rules import display_name
from portal.failures import Conflict, NotAllowed, ValidationFailed
from portal.extensions import db
from portal.mailers import rules
from portal.mailers.models import ColumnMapping, MailingList
from portal.orders.models import Order
from portal.promises import services as promises
from portal.promises.rules import Estimate
from portal.shop.delivery import DeliveryMethod

LIST_FIELD = "mailing_list"


def max_rows() -> int:
    return current_app.config.get("MAILING_LIST_MAX_ROWS", rules.MAX_ROWS)


def max_bytes() -> int:
    return current_app.config.get("MAILING_LIST_MAX_BYTES", rules.MAX_BYTES)


def read_upload(stream, field: str = "upload") -> bytes:
    """The upload's bytes; past the size limit raises ValidationFailed without reading it all."""
    limit = max_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValidationFailed({field: rules.too_large(limit)})
    return data


def mailer_product(slug: str) -> Product:
    product = db.session.scalar(select(Product).where(Product.slug == slug, Product.active.is_(True),
                                                      Product.kind == ProductKind.MAILER))
    if product is None:
        raise NotAllowed("product")
    return product


ORDERED = ("This list is part of an order already, so it stays as ordered. "
           "To mail other addresses, send the mailer again with a new list from the order's page.")


def editable(mailing: MailingList) -> MailingList:
    """Raises Conflict once the list is on an order: what was ordered does not change."""
    if mailing.ordered_at is not None:
        raise Conflict(ORDERED)
    return mailing


def list_for(user: User, list_id: int | str | None, *, staff_too: bool = False) -> MailingList:
    """The customer's own list (or any list, for staff when `staff_too`); NotAllowed otherwise."""
    try:
        wanted = int(list_id)
    except (TypeError, ValueError):
        raise NotAllowed("mailing list") from None
    mailing = db.session.get(MailingList, wanted, options=[joinedload(MailingList.product),
                                                             joinedload(MailingList.approved_by)])
    if mailing is None or (mailing.owner_id != user.id and not (staff_too and user.is_staff)):
        raise NotAllowed("mailing list")
    return mailing


def _stored_rows(table: rules.Table) -> bytes:
    """The rows as kept: UTF-8 CSV, a row-number column first, the headings on the first line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["row", *table.headers])
    for number, cells in table.rows:
        writer.writerow([number, *cells])
    return buffer.getvalue().encode("utf-8")


def accept_list(owner: User, *, product: Product, data: bytes, filename: str, replacing: MailingList | None = None,
                design_from=None, field: str = "upload") -> MailingList:
    """Reads and keeps a mailing list, or raises ValidationFailed on `field` saying how to save it.

    A refused file is never written to disk. The columns are mapped as the customer mapped the
    same columns last time, or guessed from the headings. `replacing` puts the fixed file in an
    existing list (its design stays; rows dropped and the approval go). `design_from`, an earlier
    mailer order, lends its list's design ("Send again with a new list").
    """
    try:
        table = rules.read_list(data, filename=filename, max_rows=max_rows())
    except rules.BadList as refused:
        raise ValidationFailed({field: str(refused)}) from None
    key = storage.new_key(".csv")
    mailing = replacing or MailingList(owner_id=owner.id, product_id=product.id)
    mailing.original_name = display_name(filename, "mailing-list.csv")
    mailing.storage_key = key
    mailing.sha256 = hashlib.sha256(data).hexdigest()
    mailing.source_format = "xlsx" if table.encoding == "xlsx" else table.encoding
    mailing.headers = list(table.headers)
    mailing.columns_key = table.columns_key
    mailing.row_count = len(table.rows)
    mailing.dropped_rows = []
    mailing.approved_fingerprint = mailing.approved_at = mailing.approved_by_id = None
    if design_from is not None:
        if design_from.mailing_list is not None:
            for name, value in design_from.mailing_list.design().items():
                setattr(mailing, name, value)
    mapping, mailing.mapping_remembered = proposed_mapping(owner, table.headers, table.columns_key)
    mailing.mapping = mapping if not rules.mapping_problems(mapping, len(table.headers)) else None
    _recount(mailing, table)
    storage.write(key, _stored_rows(table))
    if mailing.id is None:
        db.session.add(mailing)
    db.session.flush()
    return mailing


def proposed_mapping(owner: User, headers, columns_key: str) -> tuple[dict[str, int], bool]:
    """The mapping the customer saved for these columns before (and True), or a guess (and False)."""
    remembered = db.session.scalar(select(ColumnMapping).where(ColumnMapping.owner_id == owner.id,
                                                               ColumnMapping.columns_key == columns_key))
    if remembered is not None and not rules.mapping_problems(remembered.mapping, len(headers)):
        return dict(remembered.mapping), True
    return rules.guess_mapping(headers), False


def load_table(mailing: MailingList) -> rules.Table:
    """The list's rows as kept (every row, dropped ones included)."""
    text = storage.read(mailing.storage_key).decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    rows = tuple((int(row[0]), tuple(row[1:])) for row in reader if row)
    return rules.Table(tuple(mailing.headers), rows, mailing.source_format)


@dataclass
class ListView:
    """A list with its rows read and checked, for the pages that show rows."""

    mailing: MailingList
    table: rules.Table

    @cached_property
    def kept_rows(self) -> list[tuple[int, tuple[str, ...]]]:
        dropped = set(self.mailing.dropped_rows or [])
        return [(n, cells) for n, cells in self.table.rows if n not in dropped]

    def recipients(self, rows=None) -> list[tuple[int, dict[str, str]]]:
        mapping = self.mailing.mapping or {}
        return [(n, rules.recipient(self.table.headers, mapping, cells)) for n, cells in (rows or self.kept_rows)]

    @cached_property
    def check(self) -> rules.ListCheck:
        return rules.check_list(self.recipients())

    @cached_property
    def print_run(self) -> rules.PrintRun:
        """How many pieces its good addresses print as, and why any more (rules.print_run)."""
        return rules.print_run(self.mailing.product.rules(), self.check.good_count)

    def good_recipients(self, limit: int | None = None) -> list[tuple[int, dict[str, str]]]:
        good = set(self.check.good)
        rows = [(n, cells) for n, cells in self.kept_rows if n in good][:limit]
        return self.recipients(rows) if rows else []

    def problem_rows(self, page: int, per_page: int = 50) -> list[tuple[int, tuple[str, ...], list[rules.Problem]]]:
        numbers = sorted(self.check.problems)[(page - 1) * per_page: page * per_page]
        cells = dict(self.table.rows)
        return [(n, cells[n], self.check.problems[n]) for n in numbers]

    def report_csv(self) -> str:
        return rules.csv_text(rules.report_rows(self.table.headers, self.kept_rows, self.check))

    def pieces_csv(self) -> str:
        """The good rows, as production merges them: the fields, then the custom columns."""
        fields = rules.merge_fields(self.table.headers, self.mailing.mapping or {})
        rows = [["row", *fields]] + [[str(n), *(values.get(f, "") for f in fields)]
                                     for n, values in self.good_recipients()]
        return rules.csv_text(rows)


def view(mailing: MailingList) -> ListView:
    return ListView(mailing, load_table(mailing))


def _recount(mailing: MailingList, table: rules.Table) -> None:
    if not mailing.mapping:
        mailing.good_count, mailing.problem_counts = 0, {}
        return
    check = ListView(mailing, table).check
    mailing.good_count = check.good_count
    mailing.problem_counts = {kind: count for kind, count in check.counts.items() if count}


def save_mapping(owner: User, mailing: MailingList, chosen: dict[str, int | None]) -> MailingList:
    """Maps the list's columns to the piece's fields and remembers it for the same columns next
    time; raises ValidationFailed by field when a required field has no column or one is used twice."""
    problems = rules.mapping_problems(chosen, len(mailing.headers))
    if problems:
        raise ValidationFailed(problems)
    mapping = {name: index for name, index in chosen.items() if index is not None}
    mailing.mapping = mapping
    remembered = db.session.scalar(select(ColumnMapping).where(ColumnMapping.owner_id == owner.id,
                                                               ColumnMapping.columns_key == mailing.columns_key))
    if remembered is None:
        db.session.add(ColumnMapping(owner_id=owner.id, columns_key=mailing.columns_key, mapping=mapping))
    else:
        remembered.mapping = mapping
    _recount(mailing, load_table(mailing))
    db.session.flush()
    return mailing


def drop_problem_rows(mailing: MailingList) -> int:
    """Leaves out every row that has a problem; returns how many were dropped."""
    listed = view(mailing)
    dropped = sorted(listed.check.problems)
    mailing.dropped_rows = sorted(set(mailing.dropped_rows or []) | set(dropped))
    _recount(mailing, listed.table)
    db.session.flush()
    return len(dropped)


def restore_rows(mailing: MailingList) -> None:
    mailing.dropped_rows = []
    _recount(mailing, load_table(mailing))
    db.session.flush()


def save_design(mailing: MailingList, *, headline: str, message: str, return_address: str,
                artwork=None, remove_artwork: bool = False) -> MailingList:
    """The piece's wording; raises ValidationFailed by field for a placeholder the list does not
    have, or wording too long to fit the piece."""
    headline = " ".join(headline.split())
    message = message.replace("\r\n", "\n").strip()
    return_address = "\n".join(" ".join(line.split()) for line in return_address.replace("\r\n", "\n").split("\n")
                               if line.strip())
    problems = {}
    known = rules.merge_fields(mailing.headers, mailing.mapping or {})
    for name, text, limit in (("headline", headline, 120), ("message", message, 1200),
                              ("return_address", return_address, 200)):
        unknown = rules.unknown_placeholders(text, known)
        if unknown:
            problems[name] = (f"Your list has no field {{{unknown[0]}}}. Use one of: "
                              + ", ".join("{" + k + "}" for k in known) + ".")
        elif len(text) > limit:
            problems[name] = f"Use at most {limit:,} characters; this has {len(text):,}."
    if not headline and not message:
        problems["message"] = "Write the message printed on each piece (a headline, a message, or both)."
    if len(return_address.split("\n")) > 4 or any(len(line) > rules.MAX_LINE for line in return_address.split("\n")):
        problems.setdefault("return_address", f"Use at most 4 lines of {rules.MAX_LINE} characters.")
    if problems:
        raise ValidationFailed(problems)
    mailing.headline, mailing.message, mailing.return_address = headline, message, return_address
    if artwork is not None:
        mailing.artwork_file_id = artwork.id
    elif remove_artwork:
        mailing.artwork_file_id = None
    db.session.flush()
    return mailing


def appearance(product: Product, chosen_codes: dict[str, str]) -> dict[str, str]:
    """The options that change how the piece looks, with the product's defaults filled in."""
    looks = {}
    for option in product.options:
        if option.code in rules.APPEARANCE_OPTIONS:
            codes = [c.code for c in option.choices]
            looks[option.code] = chosen_codes.get(option.code) if chosen_codes.get(option.code) in codes \
                else option.default_choice.code
    return looks


def fingerprint(mailing: MailingList, looks: dict[str, str]) -> str:
    return rules.approval_fingerprint(list_sha256=mailing.sha256, mapping=mailing.mapping or {},
                                      dropped=mailing.dropped_rows or [], design=mailing.design(),
                                      appearance=looks)


def flow_problem(mailing: MailingList) -> tuple[str, str] | None:
    """The first step still to do before a proof, as (step endpoint, message), or None."""
    if not mailing.is_mapped:
        return "mailers.columns", "Match your list's columns to the address fields."
    if mailing.problem_total:
        return "mailers.check", (f"{rules.addresses(mailing.problem_total)} in your list have problems: "
                                 "drop them or upload a fixed file.")
    if not mailing.good_count:
        return "mailers.check", "Your list has no addresses we can mail."
    if not mailing.has_design:
        return "mailers.design", "Write the wording of your piece."
    return None


def build_proof(mailing: MailingList, looks: dict[str, str], *, now: datetime) -> MailingList:
    """Renders the proof of the first pieces with real rows and keeps it; raises ValidationFailed
    when a step before the proof is unfinished."""
    from portal.mailers import proof  # WeasyPrint, which is heavy, loads only when a proof is built

    unfinished = flow_problem(mailing)
    if unfinished:
        raise ValidationFailed({"proof": unfinished[1]})
    listed = view(mailing)
    pieces = listed.good_recipients(rules.PROOF_PIECES)
    data, pages = proof.render(mailing, pieces, looks=looks, total=listed.check.good_count, now=now)
    key = storage.new_key(".pdf")
    storage.write(key, data)
    mailing.proof_key, mailing.proof_pages = key, pages
    mailing.proof_fingerprint = fingerprint(mailing, looks)
    db.session.flush()
    return mailing


def approve_proof(mailing: MailingList, looks: dict[str, str], *, by: User, now: datetime) -> MailingList:
    """Records who approved the proof and when, for exactly what it showed; raises ValidationFailed
    when the proof shown is not the proof of the list and design as they are now."""
    current = fingerprint(mailing, looks)
    if not mailing.proof_key or mailing.proof_fingerprint != current:
        raise ValidationFailed({"approve": "The list or design changed since this proof was made. "
                                           "Look at the new proof, then approve it."})
    mailing.approved_fingerprint, mailing.approved_at, mailing.approved_by_id = current, now, by.id
    db.session.flush()
    return mailing


def is_approved(mailing: MailingList, looks: dict[str, str]) -> bool:
    return bool(mailing.approved_at) and mailing.approved_fingerprint == fingerprint(mailing, looks)


def delete_file(key: str | None) -> None:
    """Removes a file no row points at any more (after the change that replaced it is committed)."""
    if key:
        storage.delete(key)


@dataclass
class MailerJob:
    """The mailer part of a configured job: which list, how many pieces, mail class and date."""

    mailing_list: MailingList | None
    mail_class: rules.MailClass
    mail_date: date | None
    looks: dict[str, str]
    run: rules.PrintRun | None = None
    mail_date_problem: str | None = None

    @property
    def pieces(self) -> int:
        return self.mailing_list.good_count if self.mailing_list else 0

    @property
    def title(self) -> str | None:
        """A mailer is known by its list (catalog.kinds)."""
        return self.mailing_list.original_name if self.mailing_list else None

    @property
    def fixes_quantity(self) -> bool:
        """The list sets the quantity: one piece for each good address (catalog.kinds)."""
        return self.mailing_list is not None

    @property
    def promise_label(self) -> str:
        """What the promised date is: the day the pieces are mailed (catalog.kinds)."""
        return "Mailed on"

    @property
    def piece_kind(self) -> str:
        return rules.piece_kind(self.mailing_list.product.slug if self.mailing_list else "")

    @property
    def postage_cents(self) -> int:
        return rules.postage_cents(self.piece_kind, self.mail_class, self.pieces)

    @property
    def approved(self) -> bool:
        return self.mailing_list is not None and is_approved(self.mailing_list, self.looks)

    def promise(self, estimate: Estimate) -> Estimate:
        """The production estimate with the mail date as its delivery: the day it is mailed."""
        calendar = promises.shop_calendar(estimate.ready)
        ready = calendar.add_business_days(estimate.ready, estimate.buffer_days)  # ready to mail, with the margin
        promised = rules.mail_promise(ready=ready, mail_date=self.mail_date,
                                      is_business_day=calendar.is_business_day,
                                      latest=estimate.start + timedelta(days=180))
        return Estimate(start=estimate.start, ready=ready, delivery=promised.mail_date,
                        planned_delivery=promised.mail_date, buffer_days=estimate.buffer_days,
                        transit_days=0)


def configure_mailer(config, form, owner: User, problems: dict[str, str], *, now: datetime | None) -> None:
    """The mailer part of configure(): the list (the customer's own: another's raises NotAllowed)
    sets the quantity; the proof must be approved for the list, design and look as they are;
    the mail date must fall on or after the day the pieces can be ready (when `now` is known)."""
    list_id = (form.mailing_list.data or "").strip()
    mailing = list_for(owner, list_id) if list_id else None
    if mailing is not None and mailing.product_id != config.product.id:
        raise NotAllowed("mailing list")
    try:
        mail_class = rules.MailClass(form.mail_class.data)
    except ValueError:
        mail_class = rules.MailClass.FIRST_CLASS
    job = MailerJob(mailing, mail_class, form.mail_date.data,
                    appearance(config.product, {code: choice.code for code, choice in config.choices.items()}))
    config.addition = job
    if mailing is None:
        problems.setdefault(LIST_FIELD, "Upload your mailing list: it sets the quantity and the names on the pieces.")
        return
    problems.pop("quantity", None)
    job.run = rules.print_run(config.product.rules(), mailing.good_count)
    config.quantity = job.run.quantity
    if job.run.problem:
        problems["quantity"] = job.run.problem
    unfinished = flow_problem(mailing)
    if unfinished:
        problems[LIST_FIELD] = unfinished[1]
    elif not job.approved:
        problems[LIST_FIELD] = ("Approve the proof of your pieces before ordering." if not mailing.approved_at else
                                "The list, design or look of the piece changed since you approved the proof: "
                                "look at the new proof and approve it.")
    problem = rules.mail_class_problem(mail_class, job.pieces)
    if problem:
        problems["mail_class"] = problem
    estimate = config.estimate(delivery_method=DeliveryMethod.PICKUP, now=now) if now is not None else None
    if estimate is not None and "mail_date" not in problems:
        job.mail_date_problem = rules.mail_promise(
            ready=estimate.ready, mail_date=job.mail_date,
            is_business_day=promises.shop_calendar(estimate.ready).is_business_day,
            latest=estimate.start + timedelta(days=180)).problem
        if job.mail_date_problem:
            problems["mail_date"] = job.mail_date_problem


def record_on_order(order, job: MailerJob, estimate: Estimate) -> None:
    """Copies onto the order what production needs to mail it; raises ValidationFailed when the
    proof is not approved as the list and design are now, or the mail date cannot be kept."""
    if job.mailing_list is None or not job.approved:
        raise ValidationFailed({LIST_FIELD: "Approve the proof of your pieces before ordering."})
    if job.mail_date is not None and job.mail_date != estimate.delivery:
        raise ValidationFailed({"mail_date": "The pieces cannot be ready by this mail date: choose a later one."})
    order.mailing_list_id = job.mailing_list.id
    job.mailing_list.ordered_at = job.mailing_list.ordered_at or order.placed_at
    order.mail_class = job.mail_class
    order.mail_date = estimate.delivery
    order.piece_count = job.pieces
    order.postage_cents = job.postage_cents


def order_for_reorder(user: User, number: str):
    """The customer's own mailer order whose design a new list reuses; NotAllowed otherwise."""

    order = db.session.scalar(select(Order).where(Order.number == number).options(joinedload(Order.mailing_list)))
    if order is None or order.customer_id != user.id:
        raise NotAllowed("order")
    return order
