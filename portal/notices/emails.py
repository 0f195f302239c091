"""What a notice says (subject, the line shown in the portal, the email's plain-text and HTML parts),
and the email message built from a stored notice with the standard library's header handling."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid

from flask import current_app, render_template

from portal.accounts.models import User
from portal.notices import links, rules
from portal.notices.rules import Channel, NoticeKind
from portal.orders.models import Order
from portal.shop.formats import day, long_day, moment, money


class Undeliverable(ValueError):
    """The stored notice cannot become an email (an address that is not an address)."""


@dataclass(frozen=True)
class Content:
    subject: str
    summary: str
    link: str                 # a path in the portal
    body_text: str = ""
    body_html: str = ""


def _as_date(value, default: date | None = None) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else default
    except ValueError:
        return default


def contact_name(actor: User | None) -> str:
    """The named person customers can ask: the staff member who made the change, else the shop's contact."""
    if actor is not None and actor.is_staff:
        return f"{actor.name}, {current_app.config['SHOP_NAME']}"
    return current_app.config["SHOP_CONTACT"]


def compose(order: Order, kind: NoticeKind, recipient: User, *, channel: Channel, details: dict,
            actor: User | None, now: datetime, approval_token: str | None = None) -> Content:
    """The notice of `kind` about `order` for `recipient` on `channel`, with every link it carries."""
    expected = _as_date(details.get("expected_date"), order.expected_date)
    headline = rules.Headline(kind, order.number, promise_day=day(order.promise_date), expected_day=day(expected),
                              price=money(order.price_cents))
    urls = _links(order, kind, details, now=now, approval_token=approval_token)
    summary = _summary(order, kind, details, expected=expected)
    content = Content(subject=rules.subject(headline, order.title), summary=summary, link=urls.pop("portal"))
    if channel != Channel.EMAIL:
        return content
    context = dict(order=order, kind=kind.value, recipient=recipient, details=details, links=urls,
                   headline=headline.text(), summary=summary, expected=expected, contact=contact_name(actor),
                   subject=content.subject, answers=rules.SATISFACTION_ANSWERS)
    text = render_template(f"notices/email/{kind.value}.txt", **context)
    html = render_template(f"notices/email/{kind.value}.html", **context)
    return Content(content.subject, summary, content.link, _tidy(text), html)


ACCOUNT_SUBJECTS = {NoticeKind.INVITATION: "You are invited to order from {shop}",
                    NoticeKind.PASSWORD_RESET: "Reset your {shop} password"}


def compose_account(kind: NoticeKind, recipient: User, *, url: str, expires_at: datetime, inviter: User | None,
                    department: str | None) -> Content:
    """The email about a person's access (an invitation, a password reset) carrying its one-time link."""
    shop = current_app.config["SHOP_NAME"]
    subject = ACCOUNT_SUBJECTS[kind].format(shop=shop)
    context = dict(kind=kind.value, recipient=recipient, url=url, expires=moment(expires_at), subject=subject,
                   headline=subject, inviter=inviter.name if inviter else shop, department=department,
                   contact=contact_name(inviter))
    return Content(subject, "", "", _tidy(render_template("notices/email/account.txt", **context)),
                   render_template("notices/email/account.html", **context))


def _links(order: Order, kind: NoticeKind, details: dict, *, now: datetime, approval_token: str | None) -> dict:
    order_path = links.path("orders.order", number=order.number)
    tracking_token = links.sign(order.tracking_token, purpose="tracking", now=now)
    urls = {
        "tracking": links.absolute("notices.track", token=tracking_token),
        # Report a problem (portal/care) from every notice: the tracking link proves the order.
        "problem": links.absolute("care.report_from_link", token=tracking_token),
        "order": links.absolute("orders.order", number=order.number),
        "preferences": links.absolute("notices.preferences"),
        "portal": order_path,
    }
    if kind == NoticeKind.PROOF_READY:
        urls["proof"] = urls["order"] + "#proof"
        urls["portal"] = order_path + "#proof"
    if kind == NoticeKind.SHIPPED:
        urls["carrier"] = rules.carrier_tracking_url(details.get("carrier"), details.get("tracking_number"))
    if kind == NoticeKind.APPROVAL_NEEDED and approval_token:
        urls["review"] = links.absolute("notices.approval", token=approval_token)
        urls["approve"] = links.absolute("notices.approval", token=approval_token, decision="approve")
        urls["decline"] = links.absolute("notices.approval", token=approval_token, decision="decline")
        urls["portal"] = links.path("notices.approval", token=approval_token)
    if kind == NoticeKind.COPYRIGHT_REFUSED:
        urls["choose"] = urls["order"] + "#refused-readings"
        urls["portal"] = order_path + "#refused-readings"
    if kind == NoticeKind.DELIVERED:
        token = links.sign(order.tracking_token, purpose="satisfaction", now=now)
        urls["answers"] = [(score, label, links.absolute("notices.satisfaction", token=token, answer=score))
                           for score, label in rules.SATISFACTION_ANSWERS.items()]
        urls["portal"] = links.path("notices.satisfaction", token=token)
    return urls


def _summary(order: Order, kind: NoticeKind, details: dict, *, expected: date | None) -> str:
    """One or two plain sentences: the notice as the portal lists it."""
    shop = current_app.config
    if kind == NoticeKind.RECEIVED:
        approved = f" Approved by {details['approved_by']}." if details.get("approved_by") else ""
        return f"Promised for {long_day(order.promise_date)}.{approved}"
    if kind == NoticeKind.APPROVAL_NEEDED:
        return (f"{order.customer.name} ordered “{order.title}” for {money(order.price_cents)}, above the approval "
                f"threshold of {order.billing.get('name', 'the account')}. Approve or decline it.")
    if kind == NoticeKind.DECLINED:
        reason = f": “{details['reason']}”" if details.get("reason") else ""
        return (f"{details.get('declined_by', 'The approver')} did not approve it{reason}. The order is cancelled "
                "and nothing was charged.")
    if kind == NoticeKind.PROOF_READY:
        return "Review the proof and approve it, or ask for changes, so we can print."
    if kind == NoticeKind.READY_FOR_PICKUP:
        return f"Pick it up at {shop['SHOP_LOCATION']}, {shop['SHOP_HOURS']}."
    if kind == NoticeKind.OUT_FOR_DELIVERY:
        return "It is on today's campus delivery run."
    if kind == NoticeKind.SHIPPED:
        carrier = " ".join(part for part in (details.get("carrier"), details.get("tracking_number")) if part)
        return f"{('Tracking: ' + carrier + '. ') if carrier else ''}Expected {long_day(expected)}."
    if kind == NoticeKind.DELIVERED:
        return "Thank you for ordering. Tell us how we did: one question."
    if kind == NoticeKind.COPYRIGHT_REFUSED:
        return (f"Permission for “{details.get('reading', 'a reading')}” was refused. Choose on the order page: "
                "remove it, replace it, or link it in the learning system instead.")
    reason = f" {details['reason']}" if details.get("reason") else ""
    return f"Now expected {long_day(expected)} instead of {long_day(order.promise_date)}.{reason}"


def _tidy(text: str) -> str:
    """Plain text without the blank-line runs template tags leave behind."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def sender() -> Address:
    """The From address: SMTP_FROM, else the shop's name and email address."""
    configured = current_app.config.get("SMTP_FROM")
    if configured:
        name, addr_spec = getaddresses([configured])[0]
        return _address(name, addr_spec)
    return _address(current_app.config["SHOP_NAME"], current_app.config["SHOP_EMAIL"])


def new_message_id() -> str:
    """A Message-ID fixed when the notice is written: every try of it carries the same one."""
    return make_msgid(domain=sender().domain or "portal.invalid")


def _address(name: str, addr_spec: str) -> Address:
    """A mailbox; the display name flattened to one line (CR and LF cannot add a header)."""
    addr_spec = (addr_spec or "").strip()
    if not addr_spec or any(ch in addr_spec for ch in "\r\n\t ,;<>") or addr_spec.count("@") != 1:
        raise Undeliverable(f"not an email address: {addr_spec!r}")
    try:
        return Address(display_name=rules.header_text(name, 120), addr_spec=addr_spec)
    except (ValueError, IndexError) as error:
        raise Undeliverable(f"not an email address: {addr_spec!r}") from error


def thread_id(order_id: int) -> str:
    """The Message-ID every notice about one order refers to, so mail programs show them as one thread."""
    return f"<order-{order_id}@{sender().domain or 'portal.invalid'}>"


def message(*, to_name: str, to_address: str, subject: str, message_id: str, body_text: str, body_html: str,
            created_at: datetime, kind: str, thread: str | None = None, unsubscribe: str | None = None) -> EmailMessage:
    """The email for a stored notice: plain text and HTML alternatives, headers set through
    email.headerregistry (which refuses CR and LF in any header). `thread` threads the order's
    notices (References, In-Reply-To); `unsubscribe` is the one-click link that turns this kind of
    email off (List-Unsubscribe and List-Unsubscribe-Post, RFC 8058)."""
    email = EmailMessage()
    email["From"] = sender()
    email["To"] = _address(to_name, to_address)
    email["Reply-To"] = _address(current_app.config["SHOP_NAME"], current_app.config["SHOP_EMAIL"])
    email["Subject"] = rules.header_text(subject, 300)
    email["Date"] = format_datetime(created_at)
    email["Message-ID"] = message_id
    email["Auto-Submitted"] = "auto-generated"
    email["X-Portal-Notice"] = kind
    if thread:
        email["References"] = thread
        email["In-Reply-To"] = thread
    if unsubscribe:
        email["List-Unsubscribe"] = f"<{unsubscribe}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(body_text)
    email.add_alternative(body_html, subtype="html")
    return email
