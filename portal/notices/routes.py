"""The notification centre, notice preferences, tracking without signing in, the satisfaction
check, approval links, and the staff's view of an order's notices."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, request, url_for
from flask_login import current_user, login_required

from portal.database import utcnow
from portal.extensions import csrf, db
from portal.failures import Conflict, NotAllowed, ValidationFailed
from portal.notices import approvals, blueprint, links, rules, services, tracking
from portal.notices.forms import DecisionForm, PreferencesForm, SatisfactionForm
from portal.notices.links import LinkExpired
from portal.notices.rules import Channel, Decision
from portal.web import answer, refused, render, staff_required
from portal.web.navigation import invalid_status, redirect_to

PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


@blueprint.app_context_processor
def notice_helpers():
    """unread_notices(): the signed-in person's unread portal notices, counted only where shown;
    tracking_link(order): a signed link to the order's tracking page, to share."""
    def unread_notices() -> int:
        return services.unread_count(current_user) if current_user.is_authenticated else 0

    def tracking_link(order) -> str:
        return links.absolute("notices.track", token=links.sign(order.tracking_token, purpose="tracking", now=utcnow()))

    return {"unread_notices": unread_notices, "tracking_link": tracking_link}


@blueprint.get("/notices")
@login_required
def inbox():
    """The notification centre: the person's notices, newest first; htmx paging gets the list fragment."""
    page = services.inbox(current_user, page=request.args.get("page", 1, type=int))
    return render("notices/inbox.html", "notices/_inbox.html", page=page)


@blueprint.get("/notices/unread")
def unread():
    """The navigation's Notices link with its unread count (polled by htmx); 286 stops polling when
    signed out. Without htmx it is the notification centre."""
    if not current_user.is_authenticated:
        return "", 286
    on_inbox = urlsplit(request.headers.get("HX-Current-URL", "")).path == url_for("notices.inbox")
    return answer(url_for("notices.inbox"), "notices/_nav_link.html", on_inbox=on_inbox)


@blueprint.post("/notices/<int:notice_id>/read")
@login_required
def mark_read(notice_id: int):
    """Marks one notice read: htmx gets the updated row, a plain form the centre again."""
    notice = services.mark_read(current_user, notice_id, now=utcnow())
    db.session.commit()
    return answer(url_for("notices.inbox", page=request.form.get("page", type=int)), "notices/_notice.html",
                  notice=notice, trigger={"notices-read": {"id": notice.id}})


@blueprint.post("/notices/read")
@login_required
def mark_all_read():
    """Marks every notice read, then shows the centre (htmx: the list fragment)."""
    services.mark_all_read(current_user, now=utcnow())
    db.session.commit()
    return answer(url_for("notices.inbox"), _first_page, trigger={"notices-read": {"all": True}})


def _first_page(**answered):
    """The notification centre's first page (read only when htmx will show it)."""
    return render("notices/inbox.html", "notices/_inbox.html", page=services.inbox(current_user, page=1), **answered)


@blueprint.route("/notices/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    """Which notices the person gets, by kind and channel; action-needed notices are always sent."""
    form = PreferencesForm(request.form if request.method == "POST" else None)
    if request.method == "POST":
        wanted = {tuple(value.split(":", 1)) for value in form.wanted.data or [] if ":" in value}
        services.save_preferences(current_user, wanted=wanted)
        db.session.commit()
        flash("Your notice preferences are saved.", "success")
        return redirect_to(url_for("notices.preferences"))
    off = services.turned_off(current_user)
    return render("notices/preferences.html", kinds=rules.PREFERENCE_KINDS, channels=list(Channel), off=off,
                  always=rules.ALWAYS_SENT, labels=rules.KIND_LABELS)


@blueprint.route("/notices/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail programs post here with no form of ours; the signed link proves who
def unsubscribe(token: str):
    """GET: what the link would turn off, with a button (link scanners only GET); POST: turns it off."""
    if request.method == "GET":
        person, kind = services.unsubscribe_target(token, now=utcnow())  # a forged or year-old link: 404
        return render("notices/unsubscribe.html", token=token, done=None, kind=kind, person=person,
                      labels=rules.KIND_LABELS, headers=PRIVATE)
    person, kind = services.unsubscribe(token, now=utcnow())  # a forged or year-old link: NotAllowed, 404
    db.session.commit()
    return render("notices/unsubscribe.html", token=token, done=kind, person=person, labels=rules.KIND_LABELS,
                  headers=PRIVATE)


@blueprint.get("/track/<token>")
def track(token: str):
    """The tracking page, without signing in: status, dates, public timeline, carrier tracking."""
    g.write_transaction = True  # the lookup is counted (rate limit), so take the write lock up front
    try:
        view = tracking.lookup(token, client=request.remote_addr or "", now=utcnow())
    except tracking.RateLimited:
        db.session.rollback()
        abort(429, retry_after=current_app.config["TRACKING_WINDOW_SECONDS"])
    except NotAllowed:  # wrong, forged or expired: the lookup still counts
        db.session.commit()
        abort(404)
    db.session.commit()
    return render("notices/track.html", tracking=view, headers=PRIVATE)


@blueprint.route("/satisfaction/<token>", methods=["GET", "POST"])
def satisfaction(token: str):
    """The one-question satisfaction check from the delivered email; the answer is saved by a POST."""
    order = tracking.satisfaction_order(token, now=utcnow())
    values = request.form if request.method == "POST" else request.args
    form = SatisfactionForm(values, answer=str(order.satisfaction) if order.satisfaction else None,
                            comment=order.satisfaction_comment or "")
    problems = {}
    if request.method == "POST":
        try:
            follow_ups = tracking.record_satisfaction(order, form.answer.data, comment=form.comment.data,
                                                      now=utcnow())
            db.session.commit()
            return render("notices/satisfaction.html", order=order, form=form, thanked=True, follow_ups=follow_ups,
                          answers=rules.SATISFACTION_ANSWERS, headers=PRIVATE)
        except ValidationFailed as refusal:
            problems = refusal.errors
    return render("notices/satisfaction.html", order=order, form=form, problems=problems, thanked=False,
                  status=invalid_status() if problems else 200, headers=PRIVATE)


@blueprint.route("/approvals/<token>", methods=["GET", "POST"])
def approval(token: str):
    """An approval link: a GET shows the order and asks to confirm; the decision is a POST."""
    now = utcnow()
    try:
        pending = approvals.find(token, now=now)
    except LinkExpired:
        return render("notices/approval_closed.html", expired=True, status=410, headers=PRIVATE)
    form = DecisionForm(request.form if request.method == "POST" else request.args)
    if request.method == "GET" or pending.decided_at is not None:
        return render("notices/approval.html", approval=pending, form=form, problems={}, headers=PRIVATE,
                      status=409 if request.method == "POST" else 200)
    decision = Decision.APPROVED if form.decision.data == "approve" else Decision.DECLINED
    try:
        decided = approvals.decide(token, decision=decision, reason=form.reason.data or "", now=now)
        db.session.commit()
    except ValidationFailed as refusal:
        return refused("notices/approval.html", approval=pending, form=form, problems=refusal.errors,
                       headers=PRIVATE)
    except Conflict as conflict:
        db.session.rollback()
        return render("notices/approval_closed.html", expired=False, message=conflict.message, status=409,
                      headers=PRIVATE)
    return render("notices/approval.html", approval=decided, form=form, problems={}, headers=PRIVATE)


@blueprint.get("/staff/orders/<number>/notices")
@staff_required
def order_notices(number: str):
    """Every notice an order produced, who it went to and how delivery went, with resend for failures."""
    order = services.order_by_number(number)
    page = services.announcements_of(order, page=request.args.get("page", 1, type=int))
    return render("notices/staff_order.html", order=order, page=page)


@blueprint.get("/staff/notices/failed")
@staff_required
def failed():
    """Emails parked as failed, across orders, with resend."""
    page = services.failed_notices(page=request.args.get("page", 1, type=int))
    return render("notices/staff_failed.html", page=page)


@blueprint.post("/staff/notices/<int:notice_id>/resend")
@staff_required
def resend(notice_id: int):
    """Puts a failed email back in the outbox; htmx gets the updated row, a plain form the order's notices."""
    with_order = request.form.get("back") == "failed"
    try:
        notice = services.resend(notice_id, now=utcnow())
        db.session.commit()
        message, category = f"The email to {notice.to_address} will be sent again.", "success"
    except Conflict as conflict:
        db.session.rollback()
        notice, message, category = conflict.current, conflict.message, "info"
    back = url_for("notices.failed") if with_order else url_for("notices.order_notices", number=notice.order.number)
    return answer(back, "notices/_delivery.html", notice=notice, with_order=with_order, message=message,
                  flashed=(message, category))
