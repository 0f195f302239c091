"""Cases: reported, owned, answered, handed off, remedied, resolved and asked "did this make it right?".

Every change writes an entry on the case's thread and, where someone should hear of it, a notice through the
outbox in the same transaction (portal.notices.services.announce_to). Services flush and never commit; they
raise ValidationFailed (field → message), NotAllowed (answered 404) and Conflict (someone changed the case).
"""
from __future__ import annotations

import hashlib
import math
from datetime import datetime, time, timedelta, timezone

from flask import current_app, render_template
from sqlalchemy import case as when, func, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from portal.accounts.models import Department, Membership, MemberRole, Role, User
from portal.care import rules
from portal.care.models import Case, CaseEntry, DepartmentOwner, DutyTurn
from portal.care.rules import CaseState, Cause, EntryKind
from portal.documents import rules as document_rules, services as documents, storage
from portal.documents.models import StoredFile
from portal.extensions import db
from portal.failures import Conflict, NotAllowed, ValidationFailed, written
from portal.notices import links, services as notices
from portal.notices.emails import Content
from portal.notices.rules import SATISFACTION_ANSWERS, NoticeKind, header_text
from portal.orders import reorders
from portal.orders.models import Order, OrderEvent
from portal.promises.services import shop_calendar
from portal.shop.clock import shop_time, shop_today
from portal.shop.formats import money, moment
from portal.shop.paging import Page
from portal.statements import rules as statement_rules, services as statements

OPEN_STATES = (CaseState.OPEN, CaseState.WAITING)


def report(*, order: Order, cause: str | None, problem: str | None, wanted: str | None,
           attachment: tuple[bytes, str] | None, now: datetime, reporter: User | None = None) -> Case:
    """A problem with `order`, reported by its customer (signed in, or through the order's tracking link):
    a case with a number and one named owner (rules.choose_owner), whose first answer is due within the
    response promise. The customer and the owner are told at once. An attachment (a photo, JPEG or PNG, or
    a PDF) is kept with the case. Raises ValidationFailed on cause, problem, wanted or attachment, with
    nothing kept."""
    problems: dict[str, str] = {}
    try:
        chosen = Cause(cause or "")
        if chosen not in rules.REPORTED_CAUSES:
            raise ValueError(cause)
    except ValueError:
        chosen, problems["cause"] = None, "Choose what went wrong."
    text = _written(problems, problem, field="problem", limit=rules.PROBLEM_LIMIT,
                    missing="Tell us what went wrong, in a sentence or two.")
    want = _written(problems, wanted, field="wanted", limit=rules.WANTED_LIMIT)
    if attachment and rules.attachment_type(attachment[0]) is None:
        problems["attachment"] = "Attach a photo (JPEG or PNG) or a PDF, or leave it out."
    if problems:
        raise ValidationFailed(problems)
    stored = _keep_attachment(order.customer, *attachment) if attachment else None
    return _open(order=order, cause=chosen, problem=text, wanted=want, file=stored, now=now,
                 reporter=reporter or order.customer)


def _written(problems: dict, value, **rule) -> str:
    try:
        return written(value, **rule)
    except ValidationFailed as refusal:
        problems.update(refusal.errors)
        return ""


def _keep_attachment(owner: User, data: bytes, filename: str) -> StoredFile:
    """A PDF is checked as every PDF is (documents.store_pdf); a photo by its first bytes, kept under a
    generated name and only ever served as a download."""
    media_type = rules.attachment_type(data)
    if media_type == "application/pdf":
        return documents.store_pdf(owner, data=data, filename=filename, field="attachment")
    digest = hashlib.sha256(data).hexdigest()
    existing = db.session.scalar(select(StoredFile).where(StoredFile.owner_id == owner.id, StoredFile.sha256 == digest))
    if existing is not None and storage.exists(existing.storage_key):
        return existing
    key = storage.new_key(rules.ATTACHMENT_SUFFIXES[media_type])
    storage.write(key, data)  # the file before the row that names it
    if existing is not None:
        existing.storage_key = key
        return existing
    stored = StoredFile(owner_id=owner.id, original_name=document_rules.display_name(filename, "photo"),
                        storage_key=key, sha256=digest, size_bytes=len(data), page_count=0, media_type=media_type)
    db.session.add(stored)
    db.session.flush()
    return stored


def _open(*, order: Order, cause: Cause, problem: str, wanted: str, file: StoredFile | None, now: datetime,
          reporter: User | None) -> Case:
    try:
        owner_id = rules.choose_owner(department_owner=_department_owner(order.department_id),
                                      on_duty=_on_duty(now), open_cases=_open_cases_by_staff())
    except rules.NoOwner:
        raise ValidationFailed({"": "We cannot take reports online right now: please call the shop."}) from None
    case = Case(order_id=order.id, customer_id=order.customer_id, department_id=order.department_id,
                owner_id=owner_id, cause=cause, problem=problem, wanted=wanted, state=CaseState.OPEN,
                file_id=file.id if file else None, opened_at=now, response_due_at=response_due(now))
    db.session.add(case)
    db.session.flush()
    case.number = rules.case_number(case.id)
    entry = _entry(case, EntryKind.REPORTED, author=reporter, from_customer=True,
                   body=problem + (f"\n\nWhat would make it right: {wanted}" if wanted else ""), at=now)
    db.session.flush()
    owner = db.session.get(User, owner_id)
    _tell_customer(case, entry, now=now,
                   headline=f"Case {case.number}: {owner.name} will answer by {moment(case.response_due_at)}",
                   lines=[f"Thank you for telling us about order {order.number}. {owner.name} owns your case from "
                          f"now until it is put right, and will answer by {moment(case.response_due_at)}.",
                          "Reply from the case page at any time; you never need to explain it again."])
    _tell_owner(case, entry, owner, now=now, headline=f"New case {case.number} for you: {cause.label}",
                lines=[f"Order {order.number} ({order.title}) for {order.customer.name}.", problem,
                       f"Answer by {moment(case.response_due_at)}."])
    return case


def response_due(now: datetime) -> datetime:
    """The response promise: CARE_RESPONSE_HOURS business hours of the working day (CARE_DAY) after `now`,
    on the shop's calendar (weekends, holidays, closures)."""
    local = shop_time(now)
    start, end = (time.fromisoformat(part.strip()) for part in current_app.config["CARE_DAY"].split("-"))
    due = rules.response_due(local, hours=current_app.config["CARE_RESPONSE_HOURS"],
                             calendar=shop_calendar(local.date()), day_start=start, day_end=end)
    return due.astimezone(timezone.utc)


def _department_owner(department_id: int | None) -> int | None:
    if department_id is None:
        return None
    return db.session.scalar(select(DepartmentOwner.staff_id).where(DepartmentOwner.department_id == department_id))


def _on_duty(now: datetime) -> int | None:
    today = shop_today(now)
    turns = db.session.execute(select(DutyTurn.starts_on, DutyTurn.staff_id).where(DutyTurn.starts_on <= today)
                               .order_by(DutyTurn.starts_on.desc(), DutyTurn.id.desc()).limit(1)).all()
    return rules.on_duty(turns, today)


def _open_cases_by_staff() -> dict[int, int]:
    """Every active staff member's id → how many open cases they own."""
    counts = (select(Case.owner_id, func.count().label("n")).where(Case.state.in_(OPEN_STATES))
              .group_by(Case.owner_id).subquery())
    rows = db.session.execute(select(User.id, func.coalesce(counts.c.n, 0)).outerjoin(counts, counts.c.owner_id == User.id)
                              .where(User.role.in_([Role.STAFF, Role.ADMIN]), User.active.is_(True)))
    return {staff_id: count for staff_id, count in rows}


def _entry(case: Case, kind: EntryKind, *, author: User | None, body: str, at: datetime, from_customer: bool = False,
           public: bool = True) -> CaseEntry:
    entry = CaseEntry(case_id=case.id, kind=kind, author_id=author.id if author else None, from_customer=from_customer,
                      public=public, body=body, at=at)
    case.entries.append(entry)
    return entry


def customer_link(case: Case, *, now: datetime) -> str:
    """The customer's link to the case (signed and expiring, to its random token): reply, accept a remedy,
    answer "did this make it right?" without signing in."""
    return links.absolute("care.case_link", token=link_token(case, now=now))


def link_token(case: Case, *, now: datetime) -> str:
    return links.sign({"c": case.id, "t": case.token}, purpose="case", now=now)


def _content(case: Case, recipient: User, *, headline: str, lines: list[str], url: str, path: str,
             for_staff: bool) -> Content:
    subject = header_text(headline, 300)
    context = dict(case=case, recipient=recipient, headline=headline, lines=lines, url=url, subject=subject,
                   for_staff=for_staff, summary=lines[0] if lines else "")
    return Content(subject=subject, summary=lines[0] if lines else "", link=path,
                   body_text=render_template("care/email/case.txt", **context),
                   body_html=render_template("care/email/case.html", **context))


def _tell_customer(case: Case, entry: CaseEntry, *, now: datetime, headline: str, lines: list[str]) -> None:
    content = _content(case, case.customer, headline=headline, lines=lines, url=customer_link(case, now=now),
                       path=links.path("care.case", number=case.number), for_staff=False)
    db.session.flush()
    notices.announce_to(case.customer, NoticeKind.CASE_UPDATE, dedup_key=f"case-{case.id}:{entry.id}:customer",
                        content=content, now=now, actor=entry.author)


def _tell_owner(case: Case, entry: CaseEntry, owner: User, *, now: datetime, headline: str, lines: list[str],
                kind: NoticeKind = NoticeKind.CASE_ASSIGNED) -> None:
    content = _content(case, owner, headline=headline, lines=lines,
                       url=links.absolute("care.staff_case", number=case.number),
                       path=links.path("care.staff_case", number=case.number), for_staff=True)
    db.session.flush()
    notices.announce_to(owner, kind, dedup_key=f"case-{case.id}:{entry.id}:staff-{owner.id}", content=content,
                        now=now, actor=entry.author)


def case_for(viewer: User, number: str) -> Case:
    """The case with `number` for its customer, its department's administrators and staff; NotAllowed for
    anyone else (404, as if there were none)."""
    case = db.session.scalar(_with_thread(select(Case).where(Case.number == number)))
    if case is None or not (viewer.is_staff or case.customer_id == viewer.id or _administers(viewer, case)):
        raise NotAllowed("case")
    return case


def _administers(viewer: User, case: Case) -> bool:
    return case.department_id is not None and db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.user_id == viewer.id, Membership.department_id == case.department_id,
        Membership.role == MemberRole.ADMINISTRATOR)) > 0


def case_for_link(token: str, *, now: datetime) -> Case:
    """The case a customer's link is for. Raises NotAllowed for a forged link, LinkExpired for an old one."""
    value = links.unsign(token, purpose="case", max_age=links.days("CARE_LINK_DAYS"), now=now)
    case = db.session.scalar(_with_thread(select(Case).where(Case.id == value.get("c"))))
    if case is None or case.token != value.get("t"):
        raise NotAllowed("case")
    return case


def case_of_expired_link(expired: links.LinkExpired) -> Case | None:
    """The case an expired case link was for (the link is ours, only old), or None: its page says how to
    reach the case now."""
    value = expired.value if isinstance(expired.value, dict) else {}
    case = db.session.scalar(select(Case).where(Case.id == value.get("c")).options(joinedload(Case.owner)))
    return case if case is not None and case.token == value.get("t") else None


def _with_thread(query):
    return query.options(joinedload(Case.owner), joinedload(Case.customer), joinedload(Case.order),
                         joinedload(Case.file), joinedload(Case.reprint_order),
                         selectinload(Case.entries).joinedload(CaseEntry.author))


def cases_of_order(order: Order) -> list[Case]:
    """The cases about one order, newest first, with their owners (the order page lists them)."""
    return list(db.session.scalars(select(Case).options(joinedload(Case.owner)).where(Case.order_id == order.id)
                                   .order_by(Case.opened_at.desc(), Case.id.desc())))


def _same_version(case: Case, version) -> None:
    if version not in (None, "") and str(version) != str(case.version):
        raise Conflict(f"This case changed while you were looking at it: it is now {case.state.label.lower()}, "
                       f"owned by {case.owner.name}. Look at it again, then try.", case)


def _saved(case: Case) -> None:
    """Flushes; another change of the same case committed first (two staff at once) is a Conflict."""
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict("Someone else changed this case at the same moment. Look at it again, then try.") from None


def _must_own(case: Case, actor: User) -> None:
    if not actor.is_staff:
        raise NotAllowed("case")
    if actor.id != case.owner_id:
        raise ValidationFailed({"": f"{case.owner.name} owns this case: hand it to yourself first, so the customer "
                                    "always knows who to talk to."})


def _answered(case: Case, now: datetime) -> None:
    if case.responded_at is None:
        case.responded_at = now


def write(case: Case, *, author: User, body: str | None, now: datetime, version=None) -> CaseEntry:
    """A message on the case from its customer or its owner, emailed to the other. The owner's first message
    is the first answer (the response promise); it then waits for the customer, whose message gives the turn
    back (and reopens a resolved case). Raises ValidationFailed on body, NotAllowed for anyone else."""
    from_customer = author.id == case.customer_id and not author.is_staff
    if not from_customer:
        _must_own(case, author)
    _same_version(case, version)
    text = written(body, field="body", limit=rules.MESSAGE_LIMIT, missing="Write your message.")
    reopened = case.state == CaseState.RESOLVED
    entry = _entry(case, EntryKind.MESSAGE, author=author, body=text, at=now, from_customer=from_customer)
    case.state = rules.after_message(case.state, from_customer=from_customer)
    if from_customer:
        if reopened:
            case.resolved_at, case.made_right = None, None
        _saved(case)
        _tell_owner(case, entry, case.owner, now=now, headline=f"{case.customer.name} wrote on case {case.number}",
                    lines=[text])
    else:
        _answered(case, now)
        _saved(case)
        _tell_customer(case, entry, now=now, headline=f"{author.name} answered on case {case.number}", lines=[text])
    return entry


def hand_off(case: Case, *, to_staff_id, reason: str | None, actor: User, now: datetime, version=None) -> Case:
    """Gives the case to another staff member: it keeps exactly one owner, the thread says who and why, and
    the customer is told the new name. Raises ValidationFailed on owner or reason."""
    if not actor.is_staff:
        raise NotAllowed("case")
    _same_version(case, version)
    problems: dict[str, str] = {}
    new_owner = _active_staff(to_staff_id)
    if new_owner is None:
        problems["owner"] = "Choose who takes the case."
    elif new_owner.id == case.owner_id:
        problems["owner"] = f"{new_owner.name} owns it already."
    why = _written(problems, reason, field="reason", limit=rules.REASON_LIMIT,
                   missing="Say why, so the next owner starts where you are.")
    if problems:
        raise ValidationFailed(problems)
    previous = case.owner
    _entry(case, EntryKind.HANDOFF, author=actor, public=False, at=now,
           body=f"Handed from {previous.name} to {new_owner.name}: {why}")
    entry = _entry(case, EntryKind.HANDOFF, author=actor, at=now,
                   body=f"{new_owner.name} now looks after this case.")
    case.owner_id, case.owner = new_owner.id, new_owner
    _saved(case)
    _tell_customer(case, entry, now=now, headline=f"Case {case.number}: {new_owner.name} now looks after it",
                   lines=[f"{new_owner.name} has taken over your case from {previous.name} and has all of it: "
                          "the order, its timeline, files, notices and every message."])
    _tell_owner(case, entry, new_owner, now=now, headline=f"Case {case.number} handed to you by {actor.name}",
                lines=[why])
    return case


def _active_staff(staff_id) -> User | None:
    try:
        person = db.session.get(User, int(staff_id))
    except (TypeError, ValueError):
        return None
    return person if person is not None and person.is_staff and person.active else None


def offer_reprint(case: Case, *, actor: User, now: datetime, version=None) -> CaseEntry:
    """The owner offers to reprint the order at no charge; the customer accepts from the case link."""
    _must_own(case, actor)
    _same_version(case, version)
    if case.reprint_offered or case.reprint_order_id:
        raise ValidationFailed({"": "A reprint is offered on this case already."})
    case.reprint_offered = True
    entry = _entry(case, EntryKind.REPRINT_OFFERED, author=actor, at=now,
                   body=f"We offer to reprint order {case.order.number} at no charge. Accept it and we start at once.")
    case.state = CaseState.WAITING
    _answered(case, now)
    _saved(case)
    _tell_customer(case, entry, now=now, headline=f"Case {case.number}: we offer a reprint at no charge",
                   lines=[entry.body, "Accept it from the case page: one click, no sign-in needed."])
    return entry


def accept_reprint(case: Case, *, now: datetime) -> Order:
    """The customer accepts the reprint: the same job is placed again as a new order linked to the case (one,
    however often they click), and the original order is credited on the statement for it when it was
    charged. Raises ValidationFailed when no reprint is offered or the job cannot be placed again as it was."""
    if case.reprint_order_id:
        return case.reprint_order
    if not case.reprint_offered:
        raise ValidationFailed({"": "No reprint is offered on this case."})
    plan = reorders.plan_reorder(case.customer, case.order, now=now, send_for_approval=True)
    if plan.problems:
        raise ValidationFailed({"": "We could not place the reprint by itself (" + " ".join(plan.problems.values())
                                    + f") {case.owner.name} will sort it out with you."})
    reprint = reorders.place_reorder(case.customer, plan, idempotency_key=f"care-reprint-{case.id}", now=now,
                                     no_charge_reason=f"case {case.number}")
    case.reprint_order_id, case.reprint_order = reprint.id, reprint
    db.session.add(OrderEvent(order_id=reprint.id, at=now, public=True,
                              message=f"Reprint of order {case.order.number} at no charge (case {case.number})."))
    left = case.order.price_cents - statements.credited_cents(case.order)
    credited = ""
    if statement_rules.charged_month(status=case.order.status, delivered_on=case.order.delivered_on) and left > 0:
        cents = min(left, reprint.price_cents)
        statements.credit_order(case.order, amount=f"{cents // 100}.{cents % 100:02d}", kind="reprint",
                                reason=f"Reprint as order {reprint.number} (case {case.number})", actor=case.owner,
                                now=now)
        credited = f" Order {case.order.number} is credited {money(cents)} for it."
    entry = _entry(case, EntryKind.REPRINT_PLACED, author=case.customer, from_customer=True, at=now,
                   body=f"Accepted the reprint: order {reprint.number}, at no charge.{credited}")
    case.state = CaseState.OPEN
    _saved(case)
    _tell_owner(case, entry, case.owner, now=now, headline=f"Case {case.number}: the reprint is accepted",
                lines=[entry.body])
    return reprint


def credit(case: Case, *, amount: str | None, reason: str | None, actor: User, now: datetime) -> CaseEntry:
    """A refund or credit on the case's order, on the statement of this month (statements.credit_order, which
    raises ValidationFailed on amount and reason); the customer is told."""
    _must_own(case, actor)
    adjustment = statements.credit_order(case.order, amount=amount, kind="refund", reason=reason, actor=actor, now=now)
    entry = _entry(case, EntryKind.CREDIT, author=actor, at=now,
                   body=f"Credited {money(adjustment.credit_cents)} on order {case.order.number}: {adjustment.reason}")
    _answered(case, now)
    _saved(case)
    _tell_customer(case, entry, now=now, headline=f"Case {case.number}: a credit of {money(adjustment.credit_cents)}",
                   lines=[entry.body])
    return entry


def production_note(case: Case, *, body: str | None, actor: User, now: datetime) -> CaseEntry:
    """A note for the production record: on the order's timeline for the shop only, and on the case."""
    if not actor.is_staff:
        raise NotAllowed("case")
    text = written(body, field="note", limit=rules.MESSAGE_LIMIT, missing="Write the note for production.")
    db.session.add(OrderEvent(order_id=case.order_id, at=now, actor_id=actor.id, public=False,
                              message=f"Case {case.number}: {text}"))
    entry = _entry(case, EntryKind.PRODUCTION_NOTE, author=actor, at=now, public=False, body=text)
    _saved(case)
    return entry


def resolve(case: Case, *, summary: str | None, actor: User, now: datetime, version=None) -> CaseEntry:
    """The owner resolves the case, saying what was done, and the customer is asked "did this make it right?"
    (a no reopens it with the same owner). Raises ValidationFailed on summary, or when already resolved."""
    _must_own(case, actor)
    _same_version(case, version)
    if case.state == CaseState.RESOLVED:
        raise ValidationFailed({"": "This case is resolved already."})
    text = written(summary, field="summary", limit=rules.MESSAGE_LIMIT,
                   missing="Say what was done, in the customer's terms.")
    entry = _entry(case, EntryKind.RESOLVED, author=actor, at=now, body=text)
    case.state, case.resolved_at, case.made_right = CaseState.RESOLVED, now, None
    _answered(case, now)
    _saved(case)
    _tell_customer(case, entry, now=now, headline=f"Case {case.number} is resolved: did this make it right?",
                   lines=[text, "Tell us from the case page whether this made it right. If not, "
                                f"{case.owner.name} picks it up again at once."])
    return entry


def answer_made_right(case: Case, *, answer: str | None, now: datetime) -> Case:
    """The customer's answer to "did this make it right?" ("yes" or "no"): a no reopens the case with the
    same owner, who is told. Raises ValidationFailed on answer, or when the case is not resolved."""
    if answer not in ("yes", "no"):
        raise ValidationFailed({"answer": "Choose yes or no."})
    if case.state != CaseState.RESOLVED:
        raise ValidationFailed({"answer": f"This case is open: {case.owner.name} is working on it."})
    made_right = answer == "yes"
    case.made_right, case.state = made_right, rules.after_answer(made_right)
    entry = _entry(case, EntryKind.MADE_RIGHT if made_right else EntryKind.REOPENED, author=case.customer,
                   from_customer=True, at=now,
                   body="Yes, this made it right." if made_right else "No, this did not make it right.")
    if not made_right:
        case.resolved_at = None
    _saved(case)
    _tell_owner(case, entry, case.owner, now=now,
                headline=(f"Case {case.number}: the customer says it is made right" if made_right
                          else f"Case {case.number} is reopened: not made right yet"), lines=[entry.body])
    return case


def staff_cases(viewer: User, *, everyone: bool = False, page: int = 1, per_page: int = 25, now: datetime) -> Page:
    """Open cases, the viewer's own (or everyone's), soonest-due first: those still waiting for their first
    answer by when it is due, then the others by when they were opened. Three queries."""
    where = [Case.state.in_(OPEN_STATES)]
    if not everyone:
        where.append(Case.owner_id == viewer.id)
    total = db.session.scalar(select(func.count()).select_from(Case).where(*where))
    page = max(1, min(page, max(1, math.ceil(total / per_page))))
    items = list(db.session.scalars(
        select(Case).where(*where).options(joinedload(Case.owner), joinedload(Case.customer), joinedload(Case.order))
        .order_by(when((Case.responded_at.is_(None), 0), else_=1), Case.response_due_at, Case.opened_at, Case.id)
        .limit(per_page).offset((page - 1) * per_page)))
    return Page(items, page, per_page, has_next=page * per_page < total, total=total)


def flag(case: Case, *, now: datetime) -> str | None:
    return rules.response_flag(state=case.state, responded_at=case.responded_at, due=case.response_due_at, now=now,
                               warn_before=timedelta(minutes=current_app.config["CARE_WARN_MINUTES"]))


def warn_nearly_due(*, now: datetime) -> list[Case]:
    """Tells each case's owner and the managers (admins) once, before a first answer is due, that it is
    nearly due (within CARE_WARN_MINUTES) and not answered yet. The periodic sweep runs this."""
    soon = now + timedelta(minutes=current_app.config["CARE_WARN_MINUTES"])
    warned = list(db.session.scalars(select(Case).options(joinedload(Case.owner)).where(
        Case.state.in_(OPEN_STATES), Case.responded_at.is_(None), Case.warned_at.is_(None),
        Case.response_due_at <= soon).order_by(Case.response_due_at, Case.id)))
    managers = list(db.session.scalars(select(User).where(User.role == Role.ADMIN, User.active.is_(True))))
    for case in warned:
        case.warned_at = now
        entry = _entry(case, EntryKind.MESSAGE, author=None, public=False, at=now,
                       body=f"Nearly due: the first answer is promised by {moment(case.response_due_at)}.")
        _saved(case)
        for person in {case.owner, *managers}:
            _tell_owner(case, entry, person, now=now, kind=NoticeKind.CASE_DUE,
                        headline=f"Case {case.number} needs its first answer by {moment(case.response_due_at)}",
                        lines=[f"{case.owner.name} owns it; {case.customer.name} is waiting to hear from us."])
    return warned


def staff_members() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role.in_([Role.STAFF, Role.ADMIN]), User.active.is_(True))
                                   .order_by(User.name)))


def owners_view() -> tuple[list, list[DutyTurn]]:
    """Every department with the staff member who owns its cases (or None), and the duty rota, latest first."""
    owned = {row.department_id: row for row in db.session.scalars(
        select(DepartmentOwner).options(joinedload(DepartmentOwner.staff)))}
    departments = list(db.session.scalars(select(Department).order_by(Department.name)))
    turns = list(db.session.scalars(select(DutyTurn).options(joinedload(DutyTurn.staff))
                                    .order_by(DutyTurn.starts_on.desc(), DutyTurn.id.desc()).limit(20)))
    return [(department, owned.get(department.id)) for department in departments], turns


def set_department_owner(*, department_id, staff_id, actor: User) -> None:
    """The manager names who owns a department's cases (empty: nobody, the person on duty takes them).
    Raises NotAllowed for anyone but the manager, ValidationFailed on owner."""
    if not actor.is_admin:
        raise NotAllowed("care owners")
    department = db.session.get(Department, int(department_id)) if str(department_id or "").isdigit() else None
    if department is None:
        raise NotAllowed("department")
    current = db.session.scalar(select(DepartmentOwner).where(DepartmentOwner.department_id == department.id))
    if staff_id in (None, ""):
        if current is not None:
            db.session.delete(current)
        db.session.flush()
        return
    person = _active_staff(staff_id)
    if person is None:
        raise ValidationFailed({"staff": "Choose a staff member."})
    if current is None:
        db.session.add(DepartmentOwner(department_id=department.id, staff_id=person.id))
    else:
        current.staff_id = person.id
    db.session.flush()


def add_duty_turn(*, staff_id, starts_on, actor: User) -> DutyTurn:
    """From `starts_on`, `staff_id` is on duty for the cases no department owner takes."""
    if not actor.is_admin:
        raise NotAllowed("care owners")
    problems = {}
    person = _active_staff(staff_id)
    if person is None:
        problems["staff"] = "Choose a staff member."
    if starts_on is None:
        problems["starts_on"] = "Enter the day the turn starts, like 2026-12-15."
    if problems:
        raise ValidationFailed(problems)
    turn = DutyTurn(staff_id=person.id, starts_on=starts_on)
    db.session.add(turn)
    db.session.flush()
    return turn


def order_for_tracking(token: str, *, now: datetime) -> Order:
    """The order a tracking link is for (the link proves it: a problem can be reported without signing in).
    Raises NotAllowed for a wrong or forged link, LinkExpired for an old one."""
    value = links.unsign(token, purpose="tracking", max_age=links.days("TRACKING_LINK_DAYS"), now=now)
    order = db.session.scalar(select(Order).options(joinedload(Order.customer))
                              .where(Order.tracking_token == str(value)))
    if order is None:
        raise NotAllowed("order")
    return order


def on_satisfaction(order: Order, *, score: int, now: datetime) -> dict | None:
    """A "dissatisfied" or "very dissatisfied" answer (notices.events.satisfaction_answered) is a problem
    report: it opens a case owned by the usual rules, and the owner is told at once. An open case about the
    order already takes it (written on its thread) instead of a second one. Returns what was done, in words,
    for the thank-you page; None for other answers, or when nobody could own a case (logged)."""
    if not rules.opens_case(score):
        return None
    said = f"Answered “{SATISFACTION_ANSWERS[score]}” to the satisfaction check."
    open_case = db.session.scalar(select(Case).where(Case.order_id == order.id, Case.state.in_(OPEN_STATES))
                                  .order_by(Case.id.desc()).limit(1))
    if open_case is not None:
        entry = _entry(open_case, EntryKind.MESSAGE, author=order.customer, from_customer=True, body=said, at=now)
        _saved(open_case)
        _tell_owner(open_case, entry, open_case.owner, now=now, headline=f"Case {open_case.number}: {said}",
                    lines=[said])
        case = open_case
    else:
        try:
            case = _open(order=order, cause=Cause.DISSATISFIED, problem=said, wanted="", file=None, now=now,
                         reporter=None)
        except ValidationFailed:
            current_app.logger.warning("No staff member to own the case for order %s's answer", order.number)
            return None
    return {"text": f"We are sorry. {case.owner.name} now owns case {case.number} and will be in touch by "
                    f"{moment(case.response_due_at)}.", "url": customer_link(case, now=now)}
