"""The queue over HTTP: who may see it, moves with htmx, two staff at once, proofs and notes."""
import re
import threading
from io import BytesIO

import pytest
import time_machine
from sqlalchemy import func, insert, select

from portal.extensions import db
from portal.orders.models import Order, OrderEvent, OrderStatus as S
from portal.queue import rules
from tests.factories import NOW, pdf_bytes, to_clear
from tests.queue_support import counting_queries, job_at

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def order(make, customer):
    make.catalog()
    return job_at(make, customer)


def staff_urls(number: str) -> list[tuple[str, str]]:
    return [("GET", "/staff/queue"), ("GET", "/staff/queue/board"), ("GET", "/staff/queue/counts"),
            ("GET", f"/staff/jobs/{number}"), ("POST", f"/staff/jobs/{number}/move"),
            ("POST", f"/staff/jobs/{number}/notes"), ("POST", f"/staff/jobs/{number}/assign"),
            ("POST", f"/staff/jobs/{number}/proofs"), ("GET", f"/staff/jobs/{number}/ticket.pdf"),
            ("GET", f"/staff/tickets.pdf?job={number}"), ("GET", f"/staff/jobs/{number}/packing-slip.pdf"),
            ("GET", "/staff/campus-run.pdf")]


def test_customers_get_404_on_every_staff_url_and_strangers_are_sent_to_sign_in(client, customer_client, order):
    for method, url in staff_urls(order.number):
        data = {"to": "prepress", "seen": "received", "text": "x"} if method == "POST" else None
        assert customer_client.open(url, method=method, data=data).status_code == 404, url
        response = client.open(url, method=method, data=data)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], url


def test_the_queue_nav_link_is_for_staff_only(customer_client, staff_client, order):
    assert 'href="/staff/queue"' not in customer_client.get("/").get_data(as_text=True)
    assert 'href="/staff/queue"' in staff_client.get("/").get_data(as_text=True)


def test_the_list_shows_open_jobs_and_filters_answer_with_the_results_fragment(staff_client, order):
    page = staff_client.get("/staff/queue").get_data(as_text=True)
    assert order.number in page and "Job queue" in page and 'data-count="received">1<' in page
    fragment = staff_client.get("/staff/queue?q=nothing-like-this", headers=HTMX)
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="queue-results"') and "No jobs match" in body
    assert "HX-Request" in fragment.headers["Vary"]
    board = staff_client.get("/staff/queue/board").get_data(as_text=True)
    assert 'id="column-received"' in board and order.number in board


def test_one_click_moves_the_row_in_place_and_tells_the_counts(app, staff_client, order):
    response = staff_client.post(f"/staff/jobs/{order.number}/move", headers=HTMX,
                                 data={"to": "prepress", "seen": "received", "shown_as": "row"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith(f'<tr id="job-{order.number}"')
    assert "is now in Prepress" in body and "Move to Printing" in body
    assert "job-moved" in response.headers["HX-Trigger"]
    counts = staff_client.get("/staff/queue/counts", headers=HTMX).get_data(as_text=True)
    assert 'data-count="prepress">1<' in counts and 'data-count="received">0<' in counts
    with app.app_context():
        event = db.session.scalar(select(OrderEvent).where(OrderEvent.status == S.PREPRESS))
        assert event.actor.is_staff and event.at == NOW


def test_without_javascript_a_move_redirects_back_with_a_message(staff_client, order):
    response = staff_client.post(f"/staff/jobs/{order.number}/move",
                                 data={"to": "prepress", "seen": "received", "next": "/staff/queue?when=late"})
    assert response.status_code == 303 and response.headers["Location"] == "/staff/queue?when=late"
    assert "is now in Prepress" in staff_client.get("/staff/queue").get_data(as_text=True)
    offsite = staff_client.post(f"/staff/jobs/{order.number}/move",
                                data={"to": "printing", "seen": "prepress", "next": "https://evil.example/"})
    assert offsite.headers["Location"] == f"/staff/jobs/{order.number}"


def test_a_blocked_move_says_why_in_the_row(make, customer, staff_client):
    make.catalog()
    held = job_at(make, customer, S.PREPRESS, **to_clear(0))
    row = staff_client.post(f"/staff/jobs/{held.number}/move", headers=HTMX,
                            data={"to": "printing", "seen": "prepress", "shown_as": "row"}).get_data(as_text=True)
    assert "Copyright permission is pending for 1 reading" in row and 'role="alert"' in row
    assert "Copyright permission is pending" in staff_client.get("/staff/queue").get_data(as_text=True)


def test_two_staff_moving_the_same_job_at_once_one_wins_the_other_is_told_by_whom(app, make, order):
    people = [make.staff(name="Priya Natarajan"), make.staff(name="Tom Becker")]
    clients = []
    for person in people:
        clients.append(app.test_client())
        clients[-1].sign_in(person)
    barrier, answers = threading.Barrier(2, timeout=30), {}

    def click(client, person):
        data = {"to": "prepress", "seen": "received", "shown_as": "row", "csrf_token": client.csrf_token()}
        barrier.wait()
        answers[person.name] = client.post(f"/staff/jobs/{order.number}/move", data=data, headers=HTMX)

    threads = [threading.Thread(target=click, args=(c, p), daemon=True) for c, p in zip(clients, people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answers) == ["Priya Natarajan", "Tom Becker"]
    bodies = {name: r.get_data(as_text=True) for name, r in answers.items()}
    winners = [name for name, body in bodies.items() if f"{order.number} is now in Prepress" in body]
    assert len(winners) == 1, bodies
    loser = next(name for name in bodies if name not in winners)
    assert f"{winners[0]} changed this job" in bodies[loser] and "It is now in Prepress" in bodies[loser]
    assert "job-moved" not in answers[loser].headers.get("HX-Trigger", "")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OrderEvent).where(
            OrderEvent.status == S.PREPRESS)) == 1


def test_internal_notes_and_staff_only_lines_never_reach_the_customer(app, make, customer_client, staff_client, staff,
                                                                      order):
    staff_client.post(f"/staff/jobs/{order.number}/notes", data={"text": "Customer is difficult; call first"})
    staff_client.post(f"/staff/jobs/{order.number}/assign", data={"assigned_to": str(staff.id)})
    job_page = staff_client.get(f"/staff/jobs/{order.number}").get_data(as_text=True)
    assert "Customer is difficult; call first" in job_page and f"Assigned to {staff.name}" in job_page
    customer_page = customer_client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Customer is difficult" not in customer_page and "Assigned to" not in customer_page
    empty = staff_client.post(f"/staff/jobs/{order.number}/notes", data={"text": ""})
    assert empty.status_code == 422 and 'id="text-error"' in empty.get_data(as_text=True)


def proof_job(make, customer):
    make.catalog()
    return job_at(make, customer, product="booklet")


def test_a_proof_goes_to_the_customer_who_approves_it_and_the_job_moves_on(app, make, customer, customer_client,
                                                                          staff_client):
    job = proof_job(make, customer)
    refused = staff_client.post(f"/staff/jobs/{job.number}/proofs", content_type="multipart/form-data",
                                data={"proof": (BytesIO(b"GIF89a fake"), "proof.pdf"), "message": "Check the cover"})
    assert refused.status_code == 422 and "not a PDF" in refused.get_data(as_text=True)
    assert "Check the cover" in refused.get_data(as_text=True)  # what was typed is kept
    sent = staff_client.post(f"/staff/jobs/{job.number}/proofs", content_type="multipart/form-data",
                             data={"proof": (BytesIO(pdf_bytes(2)), "cover-proof.pdf"), "message": "Check the cover"})
    assert sent.status_code == 303
    page = customer_client.get(f"/orders/{job.number}").get_data(as_text=True)
    assert "Your proof is ready to check" in page and "Check the cover" in page
    assert "waiting for your answer for under an hour" in page
    proof_url = re.search(r'href="(/orders/[^"]+/proof\.pdf)"', page).group(1)
    download = customer_client.get(proof_url)
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    answer_url = re.search(r'action="(/orders/[^"]+/answer)"', page).group(1)
    no_comment = customer_client.post(answer_url, data={"decision": "changes", "comment": ""})
    assert no_comment.status_code == 422 and "Say what should change." in no_comment.get_data(as_text=True)
    approved = customer_client.post(answer_url, data={"decision": "approve", "comment": "Looks great"})
    assert approved.status_code == 303
    page = customer_client.get(f"/orders/{job.number}").get_data(as_text=True)
    assert "Proof 1: approved" in page and "Proof approved: on the press." in page
    with app.app_context():
        assert db.session.get(Order, job.id).status == S.PRINTING
    staff_page = staff_client.get(f"/staff/jobs/{job.number}").get_data(as_text=True)
    assert "the customer took under an hour" in staff_page and "Looks great" in staff_page


def test_another_customers_order_and_proof_answer_404(app, make, customer, staff_client):
    job = proof_job(make, customer)
    staff_client.post(f"/staff/jobs/{job.number}/proofs", content_type="multipart/form-data",
                      data={"proof": (BytesIO(pdf_bytes(2)), "p.pdf")})
    stranger = app.test_client()
    stranger.sign_in(make.customer())
    with app.app_context():
        proof_id = db.session.scalar(select(Order).where(Order.id == job.id)).proofs[0].id
    assert stranger.get(f"/orders/{job.number}").status_code == 404
    assert stranger.get(f"/orders/{job.number}/proofs/{proof_id}/proof.pdf").status_code == 404
    assert stranger.post(f"/orders/{job.number}/proofs/{proof_id}/answer",
                         data={"decision": "approve"}).status_code == 404
    with app.app_context():
        assert db.session.get(Order, job.id).proofs[0].answer is None


def test_shipping_by_carrier_from_the_job_page_keeps_what_was_typed_on_error(make, customer, staff_client):
    from portal.shop.delivery import DeliveryMethod
    make.catalog()
    job = job_at(make, customer, S.READY, delivery=DeliveryMethod.CARRIER)
    page = staff_client.get(f"/staff/jobs/{job.number}").get_data(as_text=True)
    assert 'name="carrier"' in page and 'name="tracking_number"' in page
    missing = staff_client.post(f"/staff/jobs/{job.number}/move", data={"to": "shipped", "seen": "ready",
                                                                        "carrier": "FedEx"})
    body = missing.get_data(as_text=True)
    assert missing.status_code == 422 and "Enter the tracking number." in body and 'value="FedEx"' in body
    staff_client.post(f"/staff/jobs/{job.number}/move", data={"to": "shipped", "seen": "ready", "carrier": "FedEx",
                                                              "tracking_number": "7711 2233 4455"})
    assert "tracking number 7711 2233 4455" in staff_client.get(f"/staff/jobs/{job.number}").get_data(as_text=True)


def many_jobs(app, count: int) -> None:
    """`count` more open jobs, copied from the first one, spread over stages, customers and staff."""
    with app.app_context():
        first = db.session.scalar(select(Order).order_by(Order.id))
        columns = {c.key: getattr(first, c.key) for c in Order.__table__.columns if c.key not in ("id", "number", "tracking_token")}
        people = [first.customer_id] + list(db.session.scalars(
            select(Order.customer_id).distinct().where(Order.customer_id != first.customer_id)))
        rows = [{**columns, "idempotency_key": f"bulk-{n}", "number": f"26-9{n:04d}",
                 "status": rules.STAGES[n % len(rules.STAGES)], "customer_id": people[n % len(people)],
                 "rush": n % 5 == 0} for n in range(count)]
        db.session.execute(insert(Order), rows)
        db.session.commit()


@pytest.mark.parametrize("url", ["/staff/queue", "/staff/queue/board", "/staff/queue?when=late&rush=1&q=law"])
def test_the_queue_runs_the_same_few_queries_for_few_and_many_jobs(app, make, staff_client, order, url):
    make.order(make.customer())
    staff_client.get(url)  # warm caches (the staff member's session, the shop calendar)
    with counting_queries(app) as few:
        assert staff_client.get(url).status_code == 200
    many_jobs(app, 120)
    with counting_queries(app) as many:
        response = staff_client.get(url)
    assert response.status_code == 200
    assert len(few) == len(many) <= 12, "\n".join(many)
