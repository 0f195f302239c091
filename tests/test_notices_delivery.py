"""Delivering the outbox to a real SMTP server on loopback (aiosmtpd): content, outages, retries,
refusals, a worker killed mid-send, rollbacks, header injection and markup in emails."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine
from sqlalchemy import select

from portal.shop.delivery import DeliveryMethod
from portal.database import utcnow
from portal.extensions import db, huey
from portal.notices import approvals, delivery, services
from portal.notices.models import Notice, NoticeStatus
from portal.notices.rules import Channel, Decision
from portal.orders.models import OrderStatus
from tests.factories import NOW
from tests.mail import SmtpServer, self_signed_certificate
from tests.notices_support import approval_token, notices_of

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"https?://[^\s\"<>]+")


def shipped_order(make, customer, **details):
    order = make.order(customer)
    order.status = OrderStatus.SHIPPED
    services.announce(order, "shipped", now=NOW, carrier="UPS", tracking_number=details.get("tracking", "1Z999AA10123456784"))
    db.session.commit()
    return order


def test_the_proof_notice_asks_for_an_answer_by_the_day_that_keeps_the_promise(make, smtp_server, app):
    from portal.queue import services as queue
    from tests.factories import pdf_bytes

    customer = make.customer()
    order = make.order(customer, "booklet", quantity=100)
    queue.send_proof(order, data=pdf_bytes(2), filename="proof.pdf", message="", actor=make.staff(), now=NOW)
    db.session.commit()

    delivery.sweep(now=NOW)

    mail = {item.message["X-Portal-Notice"]: item for item in smtp_server.received}
    assert "Please answer by Tuesday, November 24, 2026 to keep the date we promised" in mail["proof_ready"].part("plain")
    assert "Tuesday, November 24, 2026" in mail["proof_ready"].part("html")


def test_each_notice_arrives_once_with_its_content(make, smtp_server, app):
    customer = make.customer(name="Prof. Maya Okafor")
    carrier = make.address(customer, kind=DeliveryMethod.CARRIER)
    order = make.order(customer, address=carrier)           # "received", from place_order
    staff = make.staff(name="Priya Natarajan")
    # The queue's notices, announced directly as its services will (issue 5 calls announce the same way).
    services.announce(order, "proof_ready", now=NOW, actor=staff)
    services.announce(order, "ready_for_pickup", now=NOW, actor=staff)
    services.announce(order, "out_for_delivery", now=NOW, actor=staff)
    services.announce(order, "shipped", now=NOW, actor=staff, carrier="UPS", tracking_number="1Z999AA10123456784")
    order.expected_date = order.promise_date + timedelta(days=2)
    db.session.add(order)
    services.announce(order, "delay", now=NOW, expected_date=order.expected_date, reason="The bindery is down.")
    services.announce(order, "delivered", now=NOW, actor=staff)
    db.session.commit()

    report = delivery.sweep(now=NOW)

    assert len(report.sent) == 7 and not report.retrying and not report.failed
    mail = {item.message["X-Portal-Notice"]: item for item in smtp_server.received}
    assert set(mail) == {"received", "proof_ready", "ready_for_pickup", "out_for_delivery", "shipped", "delay",
                         "delivered"}
    for kind, item in mail.items():
        text, html = item.part("plain"), item.part("html")
        assert item.rcpt_tos == [customer.email]
        assert order.number in item.message["Subject"]
        assert item.message["To"].addresses[0].addr_spec == customer.email
        for body in (text, html):
            assert app.config["SHOP_PHONE"] in body
            assert "/notices/preferences" in body
            assert "/track/" in body
            assert ("Priya Natarajan" if kind not in ("received", "delay") else app.config["SHOP_CONTACT"]) in body
        assert item.message.get_content_type() == "multipart/alternative"
    assert order.promise_date.strftime("%B %-d") in mail["received"].part("plain")
    assert f"/orders/{order.number}#proof" in mail["proof_ready"].part("plain")
    assert app.config["SHOP_LOCATION"] in mail["ready_for_pickup"].part("plain")
    assert app.config["SHOP_HOURS"] in mail["ready_for_pickup"].part("plain")
    shipped = mail["shipped"].part("plain")
    assert "UPS" in shipped and "1Z999AA10123456784" in shipped
    assert "https://www.ups.com/track?tracknum=1Z999AA10123456784" in shipped
    delay = mail["delay"].part("plain")
    assert order.expected_date.strftime("%B %-d") in delay and "The bindery is down." in delay
    assert all(word in delay for word in ("Rush", "Pickup", "Partial"))
    delivered = mail["delivered"].part("plain")
    assert "Thank you" in delivered and delivered.count("/satisfaction/") == 5
    # Each notice went out once, with the Message-ID it was written with.
    assert sorted(item.message_id for item in smtp_server.received) == sorted(n.message_id for n in notices_of(order))
    assert all(n.status == NoticeStatus.SENT and n.attempts == 1 for n in notices_of(order))
    assert delivery.sweep(now=NOW + timedelta(hours=1)).sent == []


def test_the_tracking_link_in_an_email_opens_the_tracking_page(make, smtp_server, client, customer):
    order = shipped_order(make, customer)
    delivery.sweep(now=NOW)
    links = LINK.findall(smtp_server.mailbox.to(customer.email)[-1].part("plain"))
    tracking = next(link for link in links if "/track/" in link)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        response = client.get(urlsplit(tracking).path)
    assert response.status_code == 200
    assert order.number in response.get_data(as_text=True)


def test_an_approver_gets_approve_and_decline_links(make, smtp_server):
    approver = make.user(name="Daniel Reyes")
    customer = make.customer(on_file=False)
    make.address(customer, is_default=True)
    account = make.account(customer, is_default=True, approval_threshold_cents=100, approver_id=approver.id)
    order = make.order(customer, account=account)
    assert order.status == OrderStatus.AWAITING_APPROVAL

    delivery.sweep(now=NOW)

    assert smtp_server.mailbox.to(customer.email) == []      # nothing to say until it is decided
    [mail] = smtp_server.mailbox.to(approver.email)
    text = mail.part("plain")
    assert mail.message["Subject"].startswith(f"Action needed: approve order {order.number}")
    assert "decision=approve" in text and "decision=decline" in text
    assert account.code in text and customer.name in text


def test_mail_waits_while_the_server_is_down_and_arrives_once_when_it_is_back(make, smtp_server, customer):
    smtp_server.stop()
    orders = [shipped_order(make, customer, tracking=f"1Z{n:016d}") for n in range(3)]

    down = delivery.sweep(now=NOW)
    assert down.unreachable and down.sent == []
    assert all(n.status == NoticeStatus.PENDING for order in orders for n in notices_of(order))
    again = delivery.sweep(now=NOW)                       # not due yet: the one that failed waits its backoff
    assert again.sent == [] and len(again.retrying) <= 1

    smtp_server.start()
    back = delivery.sweep(now=NOW + timedelta(minutes=5))
    assert delivery.sweep(now=NOW + timedelta(hours=1)).sent == []

    written = [n for order in orders for n in notices_of(order)]
    assert len(back.sent) == len(written) == 6            # received and shipped, for three orders
    assert sorted(item.message_id for item in smtp_server.received) == sorted(n.message_id for n in written)
    assert all(n.status == NoticeStatus.SENT for n in written)


def test_a_451_is_retried_after_a_backoff(make, smtp_server, customer, app):
    order = make.order(customer)
    smtp_server.mailbox.answers[customer.email] = ["451 4.2.0 Mailbox busy, try later"]

    first = delivery.sweep(now=NOW)
    [notice] = notices_of(order)
    assert first.retrying == [notice.id] and smtp_server.received == []
    assert notice.status == NoticeStatus.PENDING and notice.attempts == 1 and "451" in notice.last_error
    assert notice.next_attempt_at == NOW + timedelta(seconds=app.config["NOTICE_BACKOFF_SECONDS"])
    assert delivery.sweep(now=NOW).sent == []             # not before the backoff

    assert delivery.sweep(now=NOW + timedelta(seconds=2)).sent == [notice.id]
    [mail] = smtp_server.received
    assert mail.message_id == notice.message_id


def test_a_451_that_never_clears_is_parked_after_the_last_try(make, smtp_server, customer, app):
    order = make.order(customer)
    smtp_server.mailbox.answers[customer.email] = ["451 4.2.0 Mailbox busy"] * 10
    moment = NOW
    for _ in range(app.config["NOTICE_MAX_ATTEMPTS"]):
        delivery.sweep(now=moment)
        moment += timedelta(seconds=app.config["NOTICE_BACKOFF_MAX_SECONDS"])
    [notice] = notices_of(order)
    assert notice.status == NoticeStatus.FAILED and notice.attempts == app.config["NOTICE_MAX_ATTEMPTS"]


def test_a_550_is_parked_as_failed_shown_to_staff_and_can_be_resent(make, smtp_server, customer, staff_client):
    order = make.order(customer)
    smtp_server.mailbox.answers[customer.email] = ["550 5.1.1 No such mailbox"]

    report = delivery.sweep(now=NOW)
    [notice] = notices_of(order)
    assert report.failed == [notice.id] and notice.status == NoticeStatus.FAILED
    assert delivery.sweep(now=NOW + timedelta(days=1)).sent == []   # parked: never retried on its own

    page = staff_client.get(f"/staff/orders/{order.number}/notices").get_data(as_text=True)
    assert "Failed" in page and "550 5.1.1 No such mailbox" in page and "Resend" in page
    assert order.number in staff_client.get("/staff/notices/failed").get_data(as_text=True)

    response = staff_client.post(f"/staff/notices/{notice.id}/resend", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Waiting to send" in response.get_data(as_text=True)
    assert delivery.sweep(now=utcnow() + timedelta(seconds=1)).sent == [notice.id]
    [mail] = smtp_server.received
    assert mail.message_id == notice.message_id


LEASE = 60  # the subprocess worker's lease: long enough that a loaded machine cannot outlast it mid-test


def _sweep_in_a_subprocess(app, port: int) -> subprocess.Popen:
    """A worker in its own process, its clock running from this test's time (it starts with the real one)."""
    script = (
        "import sys\n"
        "import time_machine\n"
        "time_machine.travel(sys.argv[3], tick=True).start()\n"
        "from portal import create_app\n"
        "from portal.notices import delivery\n"
        "app = create_app({'SQLALCHEMY_DATABASE_URI': sys.argv[1], 'SMTP_HOST': '127.0.0.1',\n"
        f"                  'SMTP_PORT': int(sys.argv[2]), 'SMTP_SECURITY': 'none', 'NOTICE_LEASE_SECONDS': {LEASE}}})\n"
        "with app.app_context():\n"
        "    delivery.sweep()\n"
    )
    env = {**os.environ, "PORTAL_ENV": "test"}
    return subprocess.Popen([sys.executable, "-c", script, app.config["SQLALCHEMY_DATABASE_URI"], str(port),
                             utcnow().isoformat()],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_worker_killed_mid_send_leaves_the_notice_to_be_resent_once_with_the_same_message_id(
        make, smtp_server, customer, app):
    order = make.order(customer)
    [notice] = notices_of(order)
    notice.next_attempt_at = utcnow() - timedelta(seconds=1)   # due at the time the subprocess sweeps at
    db.session.commit()
    smtp_server.mailbox.stall = True

    worker = _sweep_in_a_subprocess(app, smtp_server.port)
    try:
        while not smtp_server.mailbox.stalled.wait(0.1):
            assert worker.poll() is None, worker.communicate()[1].decode()
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    smtp_server.mailbox.stall = False
    smtp_server.mailbox.release.set()

    [claimed] = notices_of(order)
    assert claimed.status == NoticeStatus.SENDING and claimed.attempts == 1
    assert delivery.sweep(now=utcnow()).sent == []        # the lease still holds: nobody else sends it
    resent = delivery.sweep(now=utcnow() + timedelta(seconds=LEASE + 1))
    assert resent.sent == [notice.id]
    assert delivery.sweep(now=utcnow() + timedelta(hours=1)).sent == []

    # The server saw the interrupted try and the resend: one message, one Message-ID, sent once more.
    assert [item.message_id for item in smtp_server.received] == [notice.message_id] * 2
    [done] = notices_of(order)
    assert done.status == NoticeStatus.SENT and done.attempts == 2


def test_a_change_that_rolls_back_sends_nothing(make, smtp_server, customer):
    order = make.order(customer)
    delivery.sweep(now=NOW)
    before = len(smtp_server.received)
    queued = huey.pending_count()

    order.status = OrderStatus.SHIPPED
    services.announce(order, "shipped", now=NOW, carrier="FedEx", tracking_number="7712 3456 7890")
    assert [n.kind.value for n in notices_of(order)] == ["received", "shipped"]   # written, not committed
    db.session.rollback()

    assert delivery.sweep(now=NOW + timedelta(hours=1)).sent == []
    assert len(smtp_server.received) == before
    assert [n.kind.value for n in notices_of(order)] == ["received"]
    assert huey.pending_count() == queued                  # nothing queued for the worker either


def test_a_commit_that_wrote_emails_queues_delivery_for_the_worker(make, customer):
    queued = huey.pending_count()
    make.order(customer)
    assert huey.pending_count() == queued + 1
    assert [task.name for task in huey.pending()][-1].endswith("deliver_notices")


def test_line_breaks_in_names_and_titles_cannot_inject_headers(make, smtp_server):
    customer = make.customer(name="Mallory\r\nBcc: victim@example.com")
    order = make.order(customer)
    order.title = "Course pack\r\nBcc: x@example.com\r\n\r\n<html>"   # as if typed, straight into the row
    services.announce(order, "shipped", now=NOW, carrier="UPS\r\nX-Evil: 1", tracking_number="1Z")
    db.session.commit()

    assert len(delivery.sweep(now=NOW).sent) == 2
    [_, mail] = smtp_server.received
    assert mail.rcpt_tos == [customer.email]
    assert mail.message["Bcc"] is None and mail.message.get_all("To") == [mail.message["To"]]
    headers = mail.raw.split(b"\r\n\r\n", 1)[0]
    assert b"\nBcc:" not in headers and b"\nX-Evil:" not in headers
    assert mail.message["To"].addresses[0].display_name == "Mallory Bcc: victim@example.com"
    assert mail.message["X-Evil"] is None
    assert "\n" not in mail.message["Subject"] and order.number in mail.message["Subject"]
    assert "(Course pack Bcc: x@example.com <html>)" in mail.message["Subject"]


def test_an_address_that_is_not_an_address_is_parked_not_sent(make, smtp_server):
    customer = make.customer(email="mallory@example.edu\r\nBcc: victim@example.com")
    order = make.order(customer)
    report = delivery.sweep(now=NOW)
    [notice] = notices_of(order)
    assert report.failed == [notice.id] and "not an email address" in notice.last_error
    assert smtp_server.received == []


def test_markup_typed_by_customers_is_escaped_in_html_emails(make, smtp_server):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    approver = make.user(name=f"Dan {payload}")
    customer = make.customer(name=f"Eve {payload}")
    account = make.account(customer, approval_threshold_cents=1, approver_id=approver.id, name=f"<b>Law</b> {payload}")
    order = make.order(customer, account=account, title=f"<b>Readings</b> {payload}")
    approvals.decide(approval_token(order), decision=Decision.DECLINED, reason=f"Over budget {payload}", now=NOW)
    db.session.commit()

    assert len(delivery.sweep(now=NOW).sent) == 2        # approval needed (approver), declined (customer)
    for mail in smtp_server.received:
        html = mail.part("html")
        assert "<script>" not in html and "<img src=x" not in html and "<b>" not in html
        assert "&lt;script&gt;" in html and "&lt;b&gt;Readings&lt;/b&gt;" in html
    declined = smtp_server.mailbox.to(customer.email)[0].part("html")
    assert "Over budget &lt;script&gt;" in declined


def test_without_an_smtp_server_mail_goes_to_eml_files(make, customer, app, tmp_path, client):
    saved = app.config["MAIL_DIR"]
    app.config["MAIL_DIR"] = str(tmp_path / "mail")
    try:
        order = shipped_order(make, customer)
        report = delivery.sweep(now=NOW)
    finally:
        app.config["MAIL_DIR"] = saved
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == len(report.sent) == 2
    messages = [message_from_bytes(path.read_bytes(), policy=policy.default) for path in files]
    assert {m["X-Portal-Notice"] for m in messages} == {"received", "shipped"}
    assert all(order.number in m["Subject"] for m in messages)
    text = next(m for m in messages if m["X-Portal-Notice"] == "shipped").get_body(("plain",)).get_content()
    tracking = next(link for link in LINK.findall(text) if "/track/" in link)
    with time_machine.travel(NOW, tick=False):
        assert client.get(urlsplit(tracking).path).status_code == 200


def test_portal_notices_are_shown_at_once_whatever_the_mail_server_does(make, smtp_server, customer):
    smtp_server.stop()
    order = make.order(customer)
    assert delivery.sweep(now=NOW).unreachable
    portal = db.session.scalars(select(Notice).where(Notice.order_id == order.id, Notice.channel == Channel.PORTAL)).all()
    assert [(n.status, n.sent_at) for n in portal] == [(NoticeStatus.SENT, NOW)]


@pytest.fixture
def tls_server(app, tmp_path, monkeypatch, request):
    """aiosmtpd speaking TLS (request.param: starttls or ssl) with a login; the client trusts its certificate."""
    if not shutil.which("openssl"):
        pytest.skip("the openssl command makes the test certificate")
    certificate = self_signed_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", certificate[0])   # what ssl.create_default_context() trusts
    server = SmtpServer(tls=request.param, certificate=certificate, users={"portal": "s3cret"})
    server.start()
    saved = {key: app.config.get(key) for key in ("SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY", "SMTP_USERNAME",
                                                   "SMTP_PASSWORD")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_SECURITY=request.param,
                      SMTP_USERNAME="portal", SMTP_PASSWORD="s3cret")
    yield server
    server.stop()
    app.config.update(saved)


@pytest.mark.parametrize("tls_server", ["starttls", "ssl"], indirect=True)
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # aiosmtpd, on implicit TLS
def test_mail_goes_over_tls_with_the_configured_login(make, customer, tls_server, app):
    order = make.order(customer)
    assert delivery.sweep(now=NOW).sent
    [mail] = tls_server.received
    assert mail.tls and mail.login == "portal" and order.number in mail.message["Subject"]

    app.config["SMTP_PASSWORD"] = "wrong"                 # a bad login is the server's problem, not the notice's
    services.announce(order, "delivered", now=NOW)
    db.session.commit()
    report = delivery.sweep(now=NOW)
    assert report.unreachable and report.failed == []
    assert [n.status for n in notices_of(order)] == [NoticeStatus.SENT, NoticeStatus.PENDING]


def test_two_workers_sweeping_at_once_send_each_notice_once(make, smtp_server, customer, app):
    orders = [shipped_order(make, customer, tracking=f"1Z{n:016d}") for n in range(4)]
    db.session.commit()
    start = threading.Barrier(2)
    reports = []

    def worker():
        with app.app_context():
            start.wait(10)
            reports.append(delivery.sweep(now=NOW))
            db.session.remove()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    written = [n for order in orders for n in notices_of(order)]
    assert sorted(n for report in reports for n in report.sent) == sorted(n.id for n in written)
    assert sorted(item.message_id for item in smtp_server.received) == sorted(n.message_id for n in written)


def test_the_sweep_command_announces_delays_and_delivers(make, smtp_server, customer, app):
    order = make.order(customer)
    for notice in notices_of(order):
        notice.next_attempt_at = utcnow() - timedelta(seconds=1)   # due by the command's own clock
    order.expected_date = order.promise_date + timedelta(days=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["notices", "sweep"])
    assert result.exit_code == 0 and "Sent 2" in result.output      # received, and the new delay
    assert {item.message["X-Portal-Notice"] for item in smtp_server.received} == {"received", "delay"}


@pytest.mark.parametrize("environment, kind", [({}, "SqliteHuey"), ({"REDIS_URL": "redis://127.0.0.1:6379/15"}, "RedisHuey")])
def test_the_worker_queue_is_sqlite_by_default_and_redis_with_redis_url(tmp_path, environment, kind):
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(PORTAL_ENV="development", PORTAL_INSTANCE_PATH=str(tmp_path), **environment)
    shown = subprocess.run([sys.executable, "-c", "import worker; print(type(worker.huey).__name__, "
                            "sorted(worker.huey._registry._registry))"],
                           cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    assert shown.startswith(kind) and "deliver_notices" in shown and "sweep_outbox" in shown
    assert (kind == "SqliteHuey") == (tmp_path / "huey.db").exists()


def test_an_orders_emails_thread_together_and_carry_a_one_click_unsubscribe(make, smtp_server, client, customer):
    order = make.order(customer)                                   # "received"
    services.announce(order, "proof_ready", now=NOW)               # always sent: no unsubscribe
    services.announce(order, "shipped", now=NOW, carrier="UPS", tracking_number="1Z999AA10123456784")
    db.session.commit()
    delivery.sweep(now=NOW)
    mail = {item.message["X-Portal-Notice"]: item.message for item in smtp_server.received}
    assert {m["References"] for m in mail.values()} == {f"<order-{order.id}@example.edu>"}
    assert all(m["In-Reply-To"] == m["References"] for m in mail.values())
    assert mail["proof_ready"]["List-Unsubscribe"] is None
    assert mail["shipped"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = mail["shipped"]["List-Unsubscribe"].strip("<>")
    path = link[link.index("/notices/unsubscribe/"):]

    page = client.get(path)                                        # a link scanner's GET changes nothing
    assert page.status_code == 200 and "Stop these emails?" in page.get_data(as_text=True)
    assert f"emails to {customer.email} about “Shipped”" in page.get_data(as_text=True)  # says what stops
    assert ("shipped", "email") not in services.turned_off(customer)
    done = client.post(path, data={"List-Unsubscribe": "One-Click"}, csrf=False)  # as a mail program posts it
    assert done.status_code == 200 and "These emails are off" in done.get_data(as_text=True)
    assert services.turned_off(customer) == {("shipped", "email")}
    assert client.post(path.replace("/unsubscribe/", "/unsubscribe/x"), csrf=False).status_code == 404


def test_an_unknown_smtp_security_sends_nothing_rather_than_plain_text(make, smtp_server, customer, app):
    order = shipped_order(make, customer)
    app.config["SMTP_SECURITY"] = "tls"  # starttls was meant
    with pytest.raises(ValueError, match='SMTP_SECURITY "tls" is not one of starttls, ssl, none'):
        delivery.sweep(now=NOW)
    assert smtp_server.received == []
    assert all(n.status == NoticeStatus.PENDING and n.attempts == 0 for n in notices_of(order))
    app.config["SMTP_SECURITY"] = "none"
    assert len(delivery.sweep(now=NOW).sent) == 2 and len(smtp_server.received) == 2
