"""/healthz: every part the portal needs, and the outbox backlog; 503 naming a part that does not answer."""
from __future__ import annotations

from datetime import timedelta

import pytest


def test_health_reports_each_part_and_the_outbox_backlog(client, make, customer, shop_clock):
    report = client.get("/healthz").get_json()
    assert report["status"] == "ok" and report["database"] == "ok"
    assert report["storage"] == "ok (local folder)" and "pending_tasks" in report["queue"]
    assert report["outbox"] == {"pending_emails": 0, "oldest_pending_seconds": 0}
    make.order(customer)  # its "received" email waits for the worker
    shop_clock.shift(timedelta(minutes=10))
    backlog = client.get("/healthz").get_json()["outbox"]
    assert backlog["pending_emails"] == 1 and backlog["oldest_pending_seconds"] >= 600


@pytest.mark.real_clock
def test_a_store_that_does_not_answer_is_named_with_a_503(s3_app, s3_server):
    client = s3_app.test_client()
    assert client.get("/healthz").get_json()["storage"] == "ok (s3)"
    s3_server.pause()
    try:
        response = client.get("/healthz")
    finally:
        s3_server.resume()
    assert response.status_code == 503
    assert response.get_json()["storage"] == "unreachable" and response.get_json()["database"] == "ok"
