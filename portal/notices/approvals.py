"""One-click approval of orders above a billing account's threshold, from the approver's email.

The links are signed, expire, and are good for one decision: a GET only shows what would happen
(link scanners open links), the decision is a POST. Services flush and never commit.
"""
from __future__ import annotations

import hmac
from datetime import datetime

from sqlalchemy import update

from portal.accounts.models import User
from portal.extensions import db
from portal.failures import Conflict, NotAllowed, written
from portal.notices import links, services
from portal.notices.links import LinkExpired
from portal.notices.models import ApprovalRequest
from portal.notices.rules import Decision, NoticeKind
from portal.orders.models import Order, OrderEvent, OrderStatus
from portal.promises.services import job_moved

REASON_LIMIT = 1000


def find(token: str, *, now: datetime) -> ApprovalRequest:
    """The approval request a link is for.

    Raises NotAllowed for a link we did not sign (or for a request that is gone) and LinkExpired
    for one past its expiry.
    """
    value = links.unsign(token, purpose="approval", max_age=links.days("APPROVAL_LINK_DAYS"), now=now)
    approval = db.session.get(ApprovalRequest, value.get("r")) if isinstance(value, dict) else None
    if approval is None or not hmac.compare_digest(approval.nonce, str(value.get("n", ""))):
        raise NotAllowed("approval")
    if now > approval.expires_at:
        raise LinkExpired("approval")
    return approval


def decide(token: str, *, decision: Decision, reason: str, now: datetime) -> ApprovalRequest:
    """Approves the order (it moves to received and its customer is told, with the promised date)
    or declines it with a reason (it is cancelled and its customer is told why).

    Raises NotAllowed or LinkExpired for a bad link, ValidationFailed (on `reason`) for a decline
    without a reason, Conflict when the link was used already or the order no longer waits.
    """
    approval = find(token, now=now)
    why = "Say why, so the person who ordered knows what to do next."
    reason = written(reason, field="reason", limit=REASON_LIMIT, missing=why if decision == Decision.DECLINED else None)
    claimed = db.session.execute(
        update(ApprovalRequest).where(ApprovalRequest.id == approval.id, ApprovalRequest.decided_at.is_(None))
        .values(decided_at=now, decision=decision, reason=reason)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(approval)
    if claimed != 1:
        raise Conflict(already_decided(approval), approval)
    order = approval.order
    if order.status != OrderStatus.AWAITING_APPROVAL:
        raise Conflict(f"Order {order.number} is no longer waiting for approval: it is {order.status.label.lower()}.",
                       approval)
    _apply(order, approval.approver, decision, reason, now=now)
    return approval


def _apply(order: Order, approver: User, decision: Decision, reason: str, *, now: datetime) -> None:
    services.mark_done(approver, order, NoticeKind.APPROVAL_NEEDED, now=now)
    order.updated_at = now
    if decision == Decision.APPROVED:
        order.status = OrderStatus.RECEIVED
        job_moved(order, to=OrderStatus.RECEIVED)  # its work joins the queue
        order.events.append(OrderEvent(at=now, status=OrderStatus.RECEIVED, actor_id=approver.id,
                                       message=f"Approved by {approver.name}. Production can start."))
        db.session.flush()
        services.announce(order, NoticeKind.RECEIVED, now=now, actor=approver, approved_by=approver.name)
        return
    order.status = OrderStatus.CANCELLED
    job_moved(order, to=OrderStatus.CANCELLED)
    order.events.append(OrderEvent(at=now, status=OrderStatus.CANCELLED, actor_id=approver.id,
                                   message=f"Not approved by {approver.name}, so cancelled. Nothing was charged."))
    order.events.append(OrderEvent(at=now, actor_id=approver.id, message=f"Reason given: {reason}"))
    db.session.flush()
    services.announce(order, NoticeKind.DECLINED, now=now, actor=approver, declined_by=approver.name, reason=reason)


def already_decided(approval: ApprovalRequest) -> str:
    verb = "approved" if approval.decision == Decision.APPROVED else "declined"
    return f"This link was used already: order {approval.order.number} was {verb}."
