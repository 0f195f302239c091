"""The portal as several machines run it, on loopback: nginx in front of two gunicorn app servers (own
instance folders), two huey workers, PostgreSQL, Redis and SeaweedFS (tests/cluster/support.py). The main
journeys go through nginx and, to force a server, straight to each app server; one app server is stopped
(SIGTERM) and one worker (SIGINT) while orders keep being placed. Then: no 5xx except while the server was
stopping, every order placed recorded once, every email sent exactly once, every file readable from both
servers, the outbox sweep claimed once per minute.

`make test-cluster` runs it (never part of `make test`)."""
from __future__ import annotations

import re
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import requests

from tests.cluster.browser import Log, Person
from tests.factories import pdf_bytes

FACULTY = ("faculty@example.edu", "print-demo-faculty")
STAFF = ("staff@example.edu", "print-demo-staff")
MINUTES_OF_SWEEPS = 2  # whole minutes, with a worker running throughout, whose sweep must be claimed once
STOPPING_GRACE = 2.0  # seconds after a stopped server is gone that its 5xx still count as "while stopping"


def order_number(response: requests.Response) -> str:
    match = re.search(r"/orders/(\d\d-\d{5})$", urlsplit(response.url).path)
    assert match, f"not an order page: {response.url}"
    return match.group(1)


def file_bytes(person: Person, path: str, server: str) -> bytes:
    """A stored file as the person gets it from `server`: the portal's 303 to a presigned URL, then the store."""
    answer = person.get(path, server=server, allow_redirects=False, expect=303)
    stored = requests.get(answer.headers["Location"], timeout=30)
    assert stored.status_code == 200, f"{path} from {server}: the store answered {stored.status_code}"
    return stored.content


class Orders:
    """Every order a person placed (by the number the portal answered) and the key that placed it."""

    def __init__(self):
        self.placed: dict[str, str] = {}  # idempotency key → order number
        self.lock = threading.Lock()

    def add(self, key: str, number: str) -> None:
        with self.lock:
            assert self.placed.get(key, number) == number, f"key {key} placed {self.placed[key]} and {number}"
            self.placed[key] = number


def reorder(person: Person, source: str, orders: Orders, *, server: str | None = None, attempts: int = 6) -> str:
    """One-click reorder of `source`; a failed answer (5xx, no answer) is retried with the same form and key,
    as a person pressing the button again would."""
    page = person.get(f"/orders/{source}", server=server)
    form = person.form(page, action=f"/orders/{source}/reorder")
    key = form.value("idempotency_key")
    # a course pack of the term now ending is offered for the next one ("Reprint for Spring 2027")
    button = next(b[2].split(" ")[0] for b in form.buttons if b[2].startswith(("Reorder", "Reprint")))
    for attempt in range(attempts):
        try:
            answer = person.submit(form, button=button, server=server, expect=None)
        except requests.RequestException:
            answer = None
        if answer is not None and answer.status_code == 200 and "/orders/" in answer.url:
            number = order_number(answer)
            assert number != source and f"order {number} is placed" in answer.text
            orders.add(key, number)
            return number
        assert answer is None or answer.status_code >= 500, (
            f"reorder of {source}: {answer.status_code} {answer.url}\n{answer.text[:2000]}")
        time.sleep(0.5 * (attempt + 1))
    raise AssertionError(f"reorder of {source} failed {attempts} times")


class Shopper(threading.Thread):
    """Another faculty member's browser through nginx, reordering again and again until told to stop."""

    def __init__(self, cluster, log: Log, orders: Orders, source: str):
        super().__init__(daemon=True, name="shopper")
        self.person = Person("shopper", cluster.url, log)
        self.person.sign_in(*FACULTY)
        self.orders, self.source = orders, source
        self.done = threading.Event()
        self.error: BaseException | None = None
        self.count = 0

    def run(self):
        try:
            while not self.done.is_set():
                reorder(self.person, self.source, self.orders)
                self.person.get("/orders")
                self.count += 1
                self.done.wait(1.0)
        except BaseException as error:  # reported by the test
            self.error = error


def sweep_minutes(cluster, end: float) -> list[datetime]:
    """Whole minutes (UTC) during which a worker ran throughout (one always runs: only one is stopped)."""
    first = datetime.fromtimestamp(cluster.workers_started, tz=timezone.utc).replace(second=0, microsecond=0)
    minute, minutes = first + timedelta(minutes=1), []
    while minute.timestamp() + 60 <= end:
        minutes.append(minute)
        minute += timedelta(minutes=1)
    return minutes


def test_the_cluster(cluster):
    began = time.monotonic()
    log, orders = Log(), Orders()
    web1, web2 = cluster.web_urls
    with cluster.connect() as db:
        orders_before = db.execute("SELECT count(*) FROM orders").fetchone()[0]
        heads = db.execute("SELECT version_num FROM alembic_version").fetchall()
    assert len(heads) == 1, f"two upgrades at once left {heads}"

    faculty = Person("faculty", cluster.url, log)
    faculty.sign_in(*FACULTY, server=web1)  # signed in on one server, the session works on every one
    staff = Person("staff", cluster.url, log)
    staff.sign_in(*STAFF)
    for server in (web1, web2, cluster.url):
        assert "Sign out" in faculty.get("/orders", server=server).text

    # A reading uploaded on server 1, the course pack configured on server 2, placed through nginx.
    reading = pdf_bytes(4)
    page = faculty.get("/products/course-pack", server=web1)
    page = faculty.submit(faculty.form(page, action="/products/course-pack"), button="Upload", server=web1,
                          files={"upload": ("Week_1_reading.pdf", reading, "application/pdf")},
                          course_code="LAW 501", term=faculty.form(page, action="/products/course-pack").options["term"][1],
                          enrollment="20")
    assert "Week_1_reading.pdf" in page.text
    files = {"reading": ("/files/" + faculty.form(page, action="/products/course-pack").value("files-0-file_id"), reading)}
    checkout = faculty.submit(faculty.form(page, action="/products/course-pack"), button="Continue to checkout", server=web2,
                              **{"files-0-copyright": "public_domain"})  # every reading's status is chosen
    checkout_form = faculty.form(checkout, action="/checkout")
    placed = faculty.submit(checkout_form, button="Place order")
    course_pack = order_number(placed)
    orders.add(checkout_form.value("idempotency_key"), course_pack)
    assert f"order {course_pack} is placed" in placed.text
    again = faculty.submit(checkout_form, button="Place order")  # the same form twice: the same order
    assert order_number(again) == course_pack

    # Reorder, once by server, once through nginx.
    reorder(faculty, course_pack, orders, server=web2)
    reorder(faculty, course_pack, orders)

    # Staff: a proof uploaded on server 2 (the job moves to prepress), seen by the customer on server 1.
    job = staff.get(f"/staff/jobs/{course_pack}", server=web2)
    proof_pdf = pdf_bytes(2)
    staff.submit(staff.form(job, action=f"/staff/jobs/{course_pack}/proofs"), server=web2,
                 files={"proof": ("proof-1.pdf", proof_pdf, "application/pdf")}, message="Please check page 2.")
    order_page = faculty.get(f"/orders/{course_pack}", server=web1)
    proof_links = sorted(set(re.findall(rf'href="(/orders/{course_pack}/proofs/[^"]+)"', order_page.text)))
    assert proof_links, "the proof is not on the customer's order page"
    files["proof"] = (proof_links[0], proof_pdf)

    # A staff move on the queue, through nginx, from the stage the staff member saw.
    job = staff.get(f"/staff/jobs/{course_pack}")
    moved = staff.submit(staff.form(job, action=f"/staff/jobs/{course_pack}/move", containing="Move to"))
    assert "is now in" in moved.text

    # A mailer: list and design on server 1, the proof built on server 2 (WeasyPrint), approved through nginx.
    csv = faculty.get("/mailers/sample.csv").content
    page = faculty.get("/mailers/new?product=postcard-mailer", server=web1)
    checked = faculty.submit(faculty.form(page, action="/mailers/lists"), server=web1,
                             files={"list_file": ("alumni.csv", csv, "text/csv")})
    list_id = re.search(r"/mailers/lists/(\d+)/", checked.url).group(1)
    design = faculty.get(f"/mailers/lists/{list_id}/design", server=web1)
    proof_page = faculty.submit(faculty.form(design, action="/design"), server=web1, headline="Reunion weekend",
                                message="Dear {first_name}, come back to campus.")
    built = faculty.submit(faculty.form(proof_page, action=f"/mailers/lists/{list_id}/proof"), server=web2)
    assert f"/mailers/lists/{list_id}/proof.pdf" in built.text
    mailer_proof = file_bytes(faculty, f"/mailers/lists/{list_id}/proof.pdf", web2)
    assert mailer_proof.startswith(b"%PDF")
    files["mailer proof"] = (f"/mailers/lists/{list_id}/proof.pdf", mailer_proof)
    approve = faculty.form(built, action=f"/mailers/lists/{list_id}/approve")
    approved = faculty.submit(approve, checked="y")
    assert "approved" in approved.text.lower()

    for name, (path, expected) in files.items():
        for server in (web1, web2, cluster.url):
            assert file_bytes(faculty, path, server) == expected, f"{name} differs from {server}"

    # Orders keep coming through nginx while server 1 stops (SIGTERM: it finishes what it started).
    shopper = Shopper(cluster, log, orders, course_pack)
    shopper.start()
    time.sleep(1.5)
    cluster.web[0].stop()
    stopping = cluster.web[0].stopped_at
    assert cluster.web[0].process.returncode is not None
    for _ in range(3):
        reorder(faculty, course_pack, orders)
        assert faculty.get("/healthz").json()["status"] == "ok"
    for name, (path, expected) in files.items():  # what server 1 stored, from the server left
        assert file_bytes(faculty, path, web2) == expected, f"{name} differs on the server left"
    job = staff.get(f"/staff/jobs/{course_pack}")
    assert staff.submit(staff.form(job, action=f"/staff/jobs/{course_pack}/move", containing="Move to")).ok

    # One worker stops (SIGINT: it finishes its tasks); the other delivers and sweeps alone.
    cluster.workers[0].stop()
    for _ in range(2):
        reorder(faculty, course_pack, orders)

    # Run on until MINUTES_OF_SWEEPS whole minutes had a worker throughout, the shopper ordering all along.
    while len(sweep_minutes(cluster, time.time() - 3)) < MINUTES_OF_SWEEPS:
        assert shopper.is_alive(), f"the shopper stopped: {shopper.error!r}"
        faculty.get("/", expect=200)
        time.sleep(2)
    shopper.done.set()
    shopper.join(90)
    assert shopper.error is None, f"the shopper failed: {shopper.error!r}"
    assert shopper.count >= 3
    ended = time.time()

    # Every email written is sent, exactly once (Message-IDs at the SMTP server against the outbox rows).
    deadline = time.monotonic() + 90
    with cluster.connect() as db:
        while True:
            pending = db.execute("SELECT count(*) FROM notices WHERE channel = 'email' AND status <> 'sent'").fetchone()[0]
            if pending == 0 or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert pending == 0, f"{pending} emails still unsent"
        sent = [row[0] for row in db.execute("SELECT message_id FROM notices WHERE channel = 'email'")]
        placed_rows = dict(db.execute("SELECT idempotency_key, number FROM orders WHERE idempotency_key = ANY(%s)",
                                      [list(orders.placed)]).fetchall())
        key_counts = Counter(row[0] for row in db.execute(
            "SELECT idempotency_key FROM orders WHERE idempotency_key = ANY(%s)", [list(orders.placed)]))
        orders_after = db.execute("SELECT count(*) FROM orders").fetchone()[0]
        claims = db.execute("SELECT task, period_start, claimed_at, worker FROM periodic_runs ORDER BY 1, 2").fetchall()
    received = [item.message_id for item in cluster.smtp.received]
    duplicates = {mid: n for mid, n in Counter(received).items() if n > 1}
    assert not duplicates, f"emails received more than once: {duplicates}"
    assert len(received) == len(sent) and set(received) == set(sent), (
        f"{len(received)} received, {len(sent)} in the outbox: missing {set(sent) - set(received)}, "
        f"unknown {set(received) - set(sent)}")
    assert len(sent) >= 5

    # Every order placed is recorded once, and nothing else was placed.
    assert placed_rows == orders.placed
    assert all(n == 1 for n in key_counts.values())
    assert orders_after - orders_before == len(orders.placed)

    # The outbox sweep: one claim per whole minute a worker ran, by the worker that ran it; the workers
    # enqueued it more often than it ran (both schedule it), and claims never two per period (the key).
    sweeps = {period: (claimed, worker) for task, period, claimed, worker in claims if task == "notices.sweep_outbox"}
    for minute in sweep_minutes(cluster, ended):
        assert minute in sweeps, f"no outbox sweep claimed for {minute:%H:%M} (claims: {sorted(sweeps)})"
    for period, (claimed, _worker) in sweeps.items():
        assert timedelta(0) <= claimed - period < timedelta(minutes=1), f"the sweep of {period} claimed at {claimed}"
    assert Counter((task, period) for task, period, *_ in claims).most_common(1)[0][1] == 1
    for task, period, *_ in claims:
        every = {"notices.sweep_outbox": 60, "promises.replan": 300, "care.warn": 300}.get(task, 86400)
        assert int(period.timestamp()) % every == 0, f"{task} claimed for {period}, not a period start"
    enqueued = sum(worker.tail(10_000_000).count("Enqueueing periodic task portal.notices.tasks.sweep_outbox")
                   for worker in cluster.workers)
    ran_sweeps = [w.name for w in cluster.workers if "Executing portal.notices.tasks.sweep_outbox" in w.tail(10_000_000)]
    assert enqueued > len(sweeps), f"{enqueued} sweeps enqueued by the workers for {len(sweeps)} claims"

    # No 5xx (and no unanswered request) except while server 1 was stopping.
    window = (stopping[0], stopping[1] + STOPPING_GRACE)
    failures = [e for e in log.exchanges if e.status is None or e.status >= 500]
    outside = [e for e in failures if e.ended < window[0] or e.began > window[1]]
    assert not outside, "5xx or no answer outside the stop:\n" + "\n".join(
        f"{e.person} {e.method} {e.url} {e.status} {e.error}" for e in outside)
    access = (cluster.folder / "nginx-access.log").read_text().splitlines()
    nginx_5xx = [line for line in access if line.split()[1].startswith("5")]
    wall = time.time() - time.monotonic()  # monotonic → epoch, for nginx's $msec
    nginx_outside = [line for line in nginx_5xx
                     if not (window[0] + wall - 1 <= float(line.split()[0]) <= window[1] + wall + 1)]
    assert not nginx_outside, "nginx answered 5xx outside the stop:\n" + "\n".join(nginx_outside)

    print(f"\nCluster test: {len(log.exchanges)} requests ({len(access)} through nginx), {len(orders.placed)} orders "
          f"placed ({shopper.count} by the shopper during the stops), {len(sent)} emails sent once each, "
          f"{len(sweeps)} sweeps claimed ({enqueued} enqueued; executed by {', '.join(ran_sweeps)}), "
          f"{len(failures)} failed answers while server 1 stopped ({stopping[1] - stopping[0]:.1f} s), "
          f"{len(nginx_5xx)} 5xx at nginx; start-up {cluster.timings}, test {time.monotonic() - began:.0f} s")
