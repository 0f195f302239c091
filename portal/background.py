"""Background work runs in the worker's own app, made once; tasks run outside any request."""
from __future__ import annotations

import logging
import threading

from flask import Flask, has_app_context

from portal.extensions import db

log = logging.getLogger("portal")
_app: Flask | None = None
_app_lock = threading.Lock()
_at_start = []
_make_app = None


def use_app_factory(make_app) -> None:
    """The worker (worker.py) says how to make its app: background work knows no domain above it."""
    global _make_app
    _make_app = make_app


def at_start(hook) -> None:
    """Something to run once when the worker's app is made (a warning about its configuration)."""
    _at_start.append(hook)


def worker_app() -> Flask:
    """The consumer's own app, made once (tasks run outside any request)."""
    global _app
    with _app_lock:
        if _app is None:
            if _make_app is None:
                raise RuntimeError("No app factory: start the worker with huey_consumer worker.huey")
            _app = _make_app()
            if not log.handlers:
                handler = logging.StreamHandler()
                handler.setFormatter(logging.Formatter("[%(asctime)s] %(levelname)s %(name)s: %(message)s"))
                log.addHandler(handler)
                log.setLevel(logging.INFO)
                log.propagate = False
            for hook in _at_start:
                hook(_app)
    return _app


def in_app(work):
    """Runs `work` in the current app context, or in the worker's app with a fresh session."""
    if has_app_context():
        return work()
    with worker_app().app_context():
        try:
            return work()
        finally:
            db.session.remove()


