"""SQLite tuned for several writers: WAL, a busy timeout, foreign keys, BEGIN IMMEDIATE for writes.

A request that may write (anything but GET/HEAD/OPTIONS) and all background work take the write
lock when their transaction begins, so two writers queue on the busy timeout instead of failing
half-way with "database is locked". Reads begin a plain deferred transaction and never wait.
"""
from __future__ import annotations

import contextvars
import enum
import hashlib
from contextlib import contextmanager
from datetime import datetime, timezone

from flask import g, has_request_context, request
from sqlalchemy import DateTime, Enum, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

from portal.shop.clock import utcnow  # noqa: F401  (models and services read the clock from here too)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BUSY_TIMEOUT_MS = 30_000


_immediate_outside_requests = contextvars.ContextVar("immediate_outside_requests", default=True)


def wants_write_lock() -> bool:
    if not has_request_context():
        return _immediate_outside_requests.get()
    return request.method not in SAFE_METHODS or bool(g.get("write_transaction"))


@contextmanager
def deferred_transactions():
    """Outside requests, begin plain (deferred) transactions: for a test's own session, which reads
    between requests and must not hold the write lock they need."""
    token = _immediate_outside_requests.set(False)
    try:
        yield
    finally:
        _immediate_outside_requests.reset(token)


def _on_connect(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.split(".")[0] != "sqlite3":
        return
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _on_begin(connection):
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if wants_write_lock() else "BEGIN")


def init_app(app) -> None:
    """Called by create_app: SQLite pragmas at connect and BEGIN IMMEDIATE for writes (added once per process)."""
    for name, listener in (("connect", _on_connect), ("begin", _on_begin)):
        if not event.contains(Engine, name, listener):
            event.listen(Engine, name, listener)


def _lock_id(key: str) -> int:
    """A stable signed 64-bit number for a lock's name (PostgreSQL's advisory locks take a bigint)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def serialized(session, key: str) -> None:
    """For the rest of this transaction, one at a time for `key` across every process and machine:
    PostgreSQL's transaction-level advisory lock, released at commit or rollback (a count-then-insert,
    such as a rate limit, is then atomic). SQLite's writers are already one at a time (BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _lock_id(key)})


def exclusive(session, key: str) -> bool:
    """True when this transaction is the only one doing `key` now (it holds the lock until it ends);
    False when another process already is, so this one should not (two re-plans at once)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.execute(text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": _lock_id(key)}).scalar())


class UTCDateTime(TypeDecorator):
    """A moment in time, stored in UTC and always returned timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        return value.astimezone(timezone.utc) if dialect.name != "sqlite" else value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def enum_column(enum_class: type[enum.Enum], length: int = 24, name: str | None = None) -> Enum:
    """Enums stored as their values in a VARCHAR with a CHECK, the same on SQLite and PostgreSQL.

    `name` names the CHECK when a table has two columns of the same enum (the default is the enum's).
    """
    named = {"name": name} if name else {}
    return Enum(enum_class, native_enum=False, length=length, create_constraint=True,
                values_callable=lambda members: [member.value for member in members],
                validate_strings=True, **named)
