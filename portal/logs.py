"""Logs from the web and the worker: JSON lines in production (python-json-logger), plain text elsewhere,
every line with the request id that the response header and the error page show too, so a phone call
("it said reference 3f2a9b1c") finds the line."""
from __future__ import annotations

import logging
import sys

from flask import g, has_request_context
from pythonjsonlogger.json import JsonFormatter

TEXT = "[%(asctime)s] %(levelname)s %(name)s [%(request_id)s]: %(message)s"
FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"


class RequestId(logging.Filter):
    """Adds request_id to every record: the request's, or "-" outside a request (the worker)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def configure(*, json_lines: bool, level: int = logging.INFO) -> None:
    """One handler on stderr for the portal's loggers (and Flask's, gunicorn's and huey's), JSON or text.
    Called once per process by create_app in production and by the worker; tests keep pytest's capture."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestId())
    handler.setFormatter(JsonFormatter(FIELDS, rename_fields={"asctime": "time", "levelname": "level",
                                                              "name": "logger"})
                         if json_lines else logging.Formatter(TEXT))
    for name in ("portal", "flask.app", "huey", "gunicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False
