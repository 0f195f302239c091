"""A request id for every request: taken from the proxy's X-Request-ID when it sends a sane one, else
made here; sent back in X-Request-ID, shown on error pages, and on every log line of the request."""
from __future__ import annotations

import logging
import re
import secrets
import time

from flask import Flask, g, request

SANE = re.compile(r"[A-Za-z0-9._-]{6,64}")
log = logging.getLogger("portal.requests")


def init_app(app: Flask) -> None:
    @app.before_request
    def start():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if SANE.fullmatch(incoming) else secrets.token_hex(4)
        g.request_started = time.perf_counter()

    @app.after_request
    def finish(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers["X-Request-ID"] = request_id
            took = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
            log.info("%s %s %s %.1fms", request.method, request.path, response.status_code, took,
                     extra={"method": request.method, "path": request.path, "status": response.status_code,
                            "ms": round(took, 1)})
        return response
