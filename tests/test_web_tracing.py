"""Every response names its request; error pages show that reference; log lines carry it, as JSON lines."""
from __future__ import annotations

import io
import json
import logging

from portal import logs


def test_every_response_carries_a_request_id_and_a_sane_incoming_one_is_kept(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first.headers["X-Request-ID"]) == 8 and first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    assert client.get("/healthz", headers={"X-Request-ID": "nginx-7f3a9c21"}).headers["X-Request-ID"] == "nginx-7f3a9c21"
    forged = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert forged.headers["X-Request-ID"] != "<script>" and len(forged.headers["X-Request-ID"]) == 8


def test_an_error_page_shows_the_reference_a_caller_can_give(client):
    response = client.get("/no-such-page")
    reference = response.headers["X-Request-ID"]
    assert response.status_code == 404
    assert f"mention reference <strong class=\"code\">{reference}</strong>" in response.get_data(as_text=True)


def test_log_lines_are_json_with_the_request_id(app, client):
    saved = {name: (logging.getLogger(name).handlers[:], logging.getLogger(name).level, logging.getLogger(name).propagate)
             for name in ("portal", "flask.app", "huey", "gunicorn.error")}
    stream = io.StringIO()
    try:
        logs.configure(json_lines=True)
        logging.getLogger("portal").handlers[0].setStream(stream)
        response = client.get("/healthz", headers={"X-Request-ID": "call-3f2a9b1c"})
        logging.getLogger("portal.worker").info("outside any request")
    finally:
        for name, (handlers, level, propagate) in saved.items():
            logger = logging.getLogger(name)
            logger.handlers, logger.level, logger.propagate = handlers, level, propagate
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    access = next(line for line in lines if line["logger"] == "portal.requests")
    assert access["request_id"] == "call-3f2a9b1c" == response.headers["X-Request-ID"]
    assert access["path"] == "/healthz" and access["status"] == 200 and access["level"] == "INFO"
    assert lines[-1]["request_id"] == "-" and lines[-1]["message"] == "outside any request"


def test_signed_in_pages_are_never_stored_by_a_browser_or_proxy(customer_client, client):
    assert customer_client.get("/addresses").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/sign-in").headers.get("Cache-Control", "")
