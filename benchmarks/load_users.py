"""The people of the mixed load run (locust): customers browsing, ordering flyers with a PDF upload and
reordering, and staff moving jobs through the queue. benchmarks/load.py starts the portal and runs these;
run alone as  locust -f benchmarks/load_users.py --host http://127.0.0.1:PORT  against a portal with demo data.

Every answer of 500 or more, and any answer that says "database is locked", is a failure; so is an order
that does not end on its order page. A refused move (422) or a move someone else made first is a normal day.
"""
from __future__ import annotations

import http.cookiejar
import os
import random
import re
import sys
from io import BytesIO
from pathlib import Path

from locust import HttpUser, between, events, task
from pypdf import PdfWriter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.forms import form, forms  # noqa: E402

# The portal's cookies are Secure even in development, as browsers treat http://127.0.0.1 as a secure origin
# and send them; requests does not, so the load's customers do as browsers do (loopback only, never elsewhere).
http.cookiejar.DefaultCookiePolicy.return_ok_secure = lambda self, cookie, request: True

CUSTOMERS = [("faculty@example.edu", "print-demo-faculty"), ("deptadmin@example.edu", "print-demo-admin")]
STAFF = [("staff@example.edu", "print-demo-staff"), ("manager@example.edu", "print-demo-staff")]
LOCKED = "database is locked"
ORDER_PAGE = re.compile(r"^/orders/[0-9]{2}-[0-9]{5}$")


def a_pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    writer.add_metadata({"/Title": os.urandom(8).hex()})  # each upload is a new file
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


class Person(HttpUser):
    abstract = True
    wait_time = between(0.2, 1.0)
    accounts: list[tuple[str, str]] = []

    def on_start(self):
        email, password = random.choice(self.accounts)
        page = self.get("/sign-in", name="/sign-in")
        fields = dict(form(page.text, "sign-in")["fields"])
        self.post("/sign-in", data={**fields, "email": email, "password": password}, name="/sign-in [post]",
                  expect=(302,))

    def _check(self, response, expect):
        if response.status_code >= 500 or LOCKED in response.text:
            response.failure(f"{response.status_code}: {LOCKED if LOCKED in response.text else 'server error'}")
        elif expect and response.status_code not in expect:
            response.failure(f"answered {response.status_code}, expected {expect}")
        else:
            response.success()
        return response

    def get(self, path, *, name=None, expect=(200,)):
        with self.client.get(path, name=name or path, catch_response=True, allow_redirects=False) as response:
            return self._check(response, expect)

    def post(self, path, *, data, name, files=None, expect=(200, 303), headers=None):
        with self.client.post(path, data=data, files=files, name=name, catch_response=True, allow_redirects=False,
                              headers=headers) as response:
            return self._check(response, expect)


class Customer(Person):
    weight = 3
    accounts = CUSTOMERS

    def _my_orders(self) -> list[str]:
        page = self.get("/orders")
        return re.findall(r'href="/orders/([0-9]{2}-[0-9]{5})"', page.text)

    @task(4)
    def browse(self):
        self.get("/")
        self.get("/products")
        numbers = self._my_orders()
        if numbers:
            self.get(f"/orders/{random.choice(numbers)}", name="/orders/[number]")
        self.get("/products/flyer", name="/products/[slug]")

    @task(2)
    def order_a_flyer_with_an_upload(self):
        page = self.get("/products/flyer", name="/products/[slug]")
        configurator = form(page.text, "/products/flyer")
        if configurator is None:
            return
        fields = [(k, v) for k, v in configurator["fields"]] + [("title", "Load run flyer"), ("action", "checkout")]
        answer = self.post("/products/flyer", data=fields, name="/products/[slug] [upload]",
                           files={"upload": ("flyer.pdf", a_pdf(random.randint(1, 2)), "application/pdf")},
                           expect=(303,))
        if answer.status_code != 303:
            return
        checkout = self.get(answer.headers["Location"], name="/checkout")
        place = form(checkout.text, "/checkout")
        if place is None:
            return
        placed = self.post("/checkout", data=place["fields"] + [("action", "place")], name="/checkout [place]",
                           expect=(303,))
        if placed.status_code == 303 and not ORDER_PAGE.match(placed.headers.get("Location", "")):
            placed.failure(f"the order was not placed: {placed.headers.get('Location')}")
        elif placed.status_code == 303:
            self.get(placed.headers["Location"], name="/orders/[number]")

    @task(1)
    def reorder(self):
        numbers = self._my_orders()
        if not numbers:
            return
        number = random.choice(numbers[:10])
        page = self.get(f"/orders/{number}", name="/orders/[number]")
        again = form(page.text, f"/orders/{number}/reorder")
        if again is None:
            return
        # Ready to place: a new order (303); or the panel saying what to fix first (422): both are answers.
        self.post(f"/orders/{number}/reorder", data=again["fields"], name="/orders/[number]/reorder",
                  expect=(303, 422))


class Staff(Person):
    weight = 1
    accounts = STAFF

    @task(3)
    def look_at_the_queue(self):
        self.get("/staff/queue")
        self.get("/staff/queue/board")

    @task(2)
    def move_a_job(self):
        page = self.get("/staff/queue")
        moves = [found for found in forms(page.text) if found["action"].endswith("/move") and found["method"] == "post"]
        if not moves:
            return
        chosen = random.choice(moves)
        # Moved (303), refused with a reason (422), or someone else moved it first (303 with what changed).
        self.post(chosen["action"], data=chosen["fields"], name="/staff/jobs/[number]/move", expect=(303, 422))


@events.quitting.add_listener
def _fail_on_any_error(environment, **kwargs):
    if environment.stats.total.num_failures:
        environment.process_exit_code = 1
