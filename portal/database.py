"""SQLite tuned for several writers: WAL, a busy timeout, foreign keys, BEGIN IMMEDIATE for writes.

Every transaction of a request begins deferred (a read snapshot, no lock): a POST's session lookup,
its parsing of an upload, its checks and its rendering hold nothing. At its first write (INSERT,
UPDATE, DELETE, a SAVEPOINT, a SELECT ... FOR UPDATE, `serialized()`), while it has written nothing
yet, the read transaction is ended and BEGIN IMMEDIATE taken on the same connection, so two writers
queue on the busy timeout instead of failing with "database is locked" (upgrading a WAL read
snapshot in place fails at once when another writer committed meanwhile). What was read before the
write may since have changed, exactly as under PostgreSQL's READ COMMITTED: lost updates are stopped
by the version guards (`version_id_col`, `UPDATE ... WHERE version = ?`), unique constraints and
`serialized()`, the same on both databases. Background work (and a request that sets
g.write_transaction) takes the write lock when its transaction begins.
"""
from __future__ import annotations

import contextvars
import enum
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from flask import current_app, g, has_request_context
from sqlalchemy import DateTime, Enum, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from portal.shop.clock import utcnow  # noqa: F401  (models and services read the clock from here too)

BUSY_TIMEOUT_MS = 30_000


_immediate_outside_requests = contextvars.ContextVar("immediate_outside_requests", default=True)


def wants_write_lock() -> bool:
    """BEGIN IMMEDIATE from the start: background work, and a request that asked for it up front."""
    if not has_request_context():
        return _immediate_outside_requests.get()
    return bool(g.get("write_transaction"))


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


_LOCK = "sqlite_write_lock"  # in the pooled connection's info: True once this transaction holds the write lock
_READS = ("SELECT", "(SELECT")


def _on_begin(connection):
    connection.info.pop(_WROTE, None)
    connection.info.pop(_VERSION_READ, None)
    if connection.dialect.name == "sqlite":
        immediate = wants_write_lock()
        connection.info.pop(_LOCK, None)  # whatever an earlier transaction left, BEGIN itself is not a write
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        connection.info[_LOCK] = immediate


def _writes(statement: str, context) -> bool:
    """Anything but a plain SELECT counts as a write (a statement missed here would be rolled back)."""
    if not statement.lstrip().upper().startswith(_READS):
        return True
    compiled = getattr(context, "compiled", None)
    return getattr(getattr(compiled, "statement", None), "_for_update_arg", None) is not None


def _take_write_lock(connection) -> None:
    """Ends this transaction's read snapshot (nothing written yet) and begins it again holding the lock."""
    dbapi_connection = connection.connection.dbapi_connection
    dbapi_connection.execute("ROLLBACK")
    dbapi_connection.execute("BEGIN IMMEDIATE")  # waits for another writer up to the busy timeout
    connection.info[_LOCK] = True


def _before_cursor_execute(connection, cursor, statement, parameters, context, executemany):
    if connection.info.get(_LOCK) is False and _writes(statement, context):
        _take_write_lock(connection)
    if not connection.info.get(_WROTE) and _changes(statement):
        connection.info[_WROTE] = True


def _on_end(connection):
    connection.info.pop(_LOCK, None)
    connection.info.pop(_WROTE, None)
    connection.info.pop(_VERSION_READ, None)


# The data version: one number that every transaction which wrote anything moves on, in its own commit, so a
# page or a figure kept under the number it was made at is never older than the last committed write.
_WROTE = "wrote_data"  # in the pooled connection's info: this transaction has changed something
_NOT_CHANGES = ("SELECT", "(SELECT", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA", "SET", "SHOW")
_BUMP = "UPDATE data_versions SET version = version + 1 WHERE id = 1"


def _changes(statement: str) -> bool:
    """Anything but a read or transaction control counts as a change (one counted too many only costs a
    kept page; one missed would show a stale one). SELECT ... FOR UPDATE changes nothing."""
    return not statement.lstrip().upper().startswith(_NOT_CHANGES)


def _before_commit(connection):
    """Moves the data version on inside the transaction that wrote, just before it commits (raw DB-API, so
    SQLAlchemy's own state is untouched). Under a savepoint: before migration 0019 the table does not exist,
    and an error must not spoil a PostgreSQL transaction that is about to commit."""
    if not connection.info.pop(_WROTE, False):
        return
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        try:
            cursor.execute("SAVEPOINT data_version")
        except Exception:  # no transaction to be part of (an AUTOCOMMIT connection making a database)
            return
        try:
            cursor.execute(_BUMP)
        except Exception:  # the table is missing (an older schema): nothing to move on
            cursor.execute("ROLLBACK TO SAVEPOINT data_version")
        cursor.execute("RELEASE SAVEPOINT data_version")
    finally:
        cursor.close()


def data_version(session) -> int | None:
    """The data version as this transaction sees it (None before migration 0019 or after the row is gone); read
    once per transaction (a request asks for it for each thing it finds kept)."""
    connection = session.connection()
    if _VERSION_READ not in connection.info:
        connection.info[_VERSION_READ] = connection.execute(text(_VERSION)).scalar()
    return connection.info[_VERSION_READ]


_VERSION_READ = "data_version"  # in the pooled connection's info: the version this transaction read


def wrote_data(session) -> bool:
    """True when this transaction has changed something, flushed or still pending in the session: a figure kept
    under the data version must neither be served to it (it would miss its own changes) nor be made from what it
    sees (they are not committed, and may roll back)."""
    if session.new or session.dirty or session.deleted:
        return True
    return bool(session.connection().info.get(_WROTE))


def unversioned(session) -> None:
    """What this transaction has written so far is bookkeeping that no page or kept figure shows (a worker's claim
    of a periodic run): it does not move the data version on by itself. Later writes still do."""
    session.connection().info.pop(_WROTE, None)


def version_to_keep_by(session) -> int | None:
    """The data version a figure made in this transaction may be kept under and found by: None when there is
    none, or when this transaction has written (it would miss its own changes, or keep what may roll back)."""
    return None if wrote_data(session) else data_version(session)


class Kept:
    """What one process keeps under the data version (pages, the shop state, products): at most `entries`
    things and `budget` of their `size`, the least recently found dropped first. A key names the version it
    was made at, so nothing older than the last committed write is ever found again."""

    def __init__(self, entries: int, *, budget: int | None = None, size: Callable[[Any], int] = lambda _: 0):
        self.entries, self.budget, self.size = entries, budget, size
        self.things: OrderedDict = OrderedDict()
        self.used = 0
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self.lock:
            thing = self.things.get(key)
            if thing is not None:
                self.things.move_to_end(key)
            return thing

    def put(self, key: Hashable, thing: Any) -> None:
        with self.lock:
            replaced = self.things.pop(key, None)
            self.used += self.size(thing) - (self.size(replaced) if replaced is not None else 0)
            self.things[key] = thing
            while self.things and (len(self.things) > self.entries
                                   or (self.budget is not None and self.used > self.budget)):
                self.used -= self.size(self.things.popitem(last=False)[1])


def kept_in_app(name: str, entries: int) -> Kept:
    """The app's own Kept called `name` (one per app: it belongs to the app's database), made at first use."""
    return current_app.extensions.setdefault(name, Kept(entries))


def kept_or_made(session, kept: Kept, key: Hashable, make: Callable[[], Any]) -> Any:
    """What `kept` holds for `key` under the data version this transaction reads, or `make()`, kept there when it
    is not None. A transaction that has written (or a database without a version) makes its own and keeps none."""
    version = version_to_keep_by(session)
    if version is None:
        return make()
    found = kept.get((version, key))
    if found is None:
        found = make()
        if found is not None:
            kept.put((version, key), found)
    return found


def read_only_copies(session) -> None:
    """Marks every object `session` holds as shared and read-only: kept for many requests (and threads) after the
    session closes, used as loaded, never attached to another session. Attaching one (adding it, or an object
    related to it) raises, so no request can change what every other request reads."""
    for thing in list(session.identity_map.values()):
        thing.__dict__[_READ_ONLY] = True


_READ_ONLY = "_portal_read_only_copy"


@event.listens_for(Session, "before_attach")
def _refuse_read_only(session, thing) -> None:
    if thing.__dict__.get(_READ_ONLY):
        raise InvalidRequestError(f"{type(thing).__name__} is a shared read-only copy: load it in this session "
                                  "to change it or relate something to it")


def latest_data_version(engine: Engine) -> int | None:
    """The data version as last committed, read on a pooled connection of its own outside SQLAlchemy's
    transaction machinery (a few microseconds: what serving a kept page costs most of). Whatever this request
    reads after it is at least as new."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(_VERSION)
        row = cursor.fetchone()
        cursor.close()
        return row[0] if row else None
    finally:
        connection.close()  # back to the pool, which rolls back what PostgreSQL began


_VERSION = "SELECT version FROM data_versions WHERE id = 1"


def write_lock(session) -> None:
    """From here on this transaction holds SQLite's write lock (a count-then-insert reads fresh rows and
    writes before anyone else can); nothing on PostgreSQL."""
    connection = session.connection()
    if connection.dialect.name == "sqlite" and connection.info.get(_LOCK) is False:
        _take_write_lock(connection)


def execute_many(session, statement, rows: list[dict]) -> int:
    """One statement run for many rows, as the driver takes them: compiled once per dialect, each distinct value
    converted once per column, then a plain executemany. SQLAlchemy's own executemany builds and converts every
    row's parameters afresh (most of the re-plan's write of 10,000 orders). The statement must name every value
    (no Python-side defaults: an `onupdate` column is given explicitly). Returns the rows matched in all."""
    connection = session.connection()
    dialect = connection.dialect
    compiled = statement.compile(dialect=dialect)
    names = list(compiled.positiontup) if compiled.positional else list(dict.fromkeys(compiled.bind_names.values()))
    converters = {}
    for name in set(names):
        kind = compiled.binds[name].type
        convert = kind.dialect_impl(dialect).bind_processor(dialect)  # as SQLAlchemy converts it for this dialect
        if convert is not None:
            converters[name] = (convert, {})

    def value(row: dict, name: str):
        raw = row[name] if name in row else compiled.binds[name].value  # a value fixed in the statement
        if name not in converters:
            return raw
        convert, seen = converters[name]
        if raw not in seen:
            seen[raw] = convert(raw)
        return seen[raw]

    if compiled.positional:
        parameters = [tuple(value(row, name) for name in names) for row in rows]
    else:
        parameters = [{name: value(row, name) for name in names} for row in rows]
    return connection.exec_driver_sql(compiled.string, parameters).rowcount


def init_app(app) -> None:
    """Called by create_app: SQLite pragmas at connect and the write lock at the first write (added once per process)."""
    for name, listener in (("connect", _on_connect), ("begin", _on_begin), ("commit", _before_commit), ("commit", _on_end),
                           ("rollback", _on_end), ("before_cursor_execute", _before_cursor_execute)):
        if not event.contains(Engine, name, listener):
            event.listen(Engine, name, listener)


def _lock_id(key: str) -> int:
    """A stable signed 64-bit number for a lock's name (PostgreSQL's advisory locks take a bigint)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def serialized(session, key: str) -> None:
    """For the rest of this transaction, one at a time for `key` across every process and machine:
    PostgreSQL's transaction-level advisory lock, released at commit or rollback (a count-then-insert,
    such as a rate limit, is then atomic). On SQLite it takes the write lock now (writers are one at a time)."""
    write_lock(session)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _lock_id(key)})


def exclusive(session, key: str) -> bool:
    """True when this transaction is the only one doing `key` now (it holds the lock until it ends);
    False when another process already is, so this one should not (two re-plans at once)."""
    if session.get_bind().dialect.name != "postgresql":
        write_lock(session)
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
