"""SQLite's write lock is held only for the write: a request's session lookup, its parsing of an upload and
its rendering run in a deferred (read) transaction, and the lock is taken at the first write. So a slow
upload never blocks another customer's POST, and nobody is told "database is locked"."""
from __future__ import annotations

import sqlite3
import threading
from io import BytesIO

import pytest
from sqlalchemy import func, select, text

from portal import spreadsheets
from portal.database import serialized
from portal.extensions import db
from portal.mailers.models import MailingList
from tests.factories import MAILING_ROWS, list_bytes

WAIT = 10  # seconds: a bound on each wait, never a sleep; the busy timeout (30 s) would be far longer


def _sqlite_path(app) -> str | None:
    url = db.engine.url
    return url.database if url.get_backend_name() == "sqlite" else None


def _lock_is_free(path: str) -> bool:
    """Whether another connection could take SQLite's write lock at once (no waiting at all)."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:  # "database is locked"
        return False
    finally:
        other.close()


def _upload(client, data: bytes, name: str):
    return client.post("/mailers/lists", data={"product": "postcard-mailer", "list_file": (BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_a_slow_upload_being_parsed_does_not_block_another_customers_post(app, make, monkeypatch):
    make.catalog()
    slow_customer, other_customer = make.customer(), make.customer()
    with app.app_context():
        path = _sqlite_path(app)
    slow, other = app.test_client(), app.test_client()
    slow.sign_in(slow_customer)
    other.sign_in(other_customer)

    parsing, release = threading.Event(), threading.Event()
    lock_free_while_parsing = []
    real_read_table = spreadsheets.read_table

    def read_table(data, **kwargs):  # the real reader, held open mid-parse for the slow customer's file
        if b"Slowfile" in data:
            if path:
                lock_free_while_parsing.append(_lock_is_free(path))
            parsing.set()
            assert release.wait(WAIT), "the test never let the slow parse finish"
        return real_read_table(data, **kwargs)

    monkeypatch.setattr(spreadsheets, "read_table", read_table)
    answers = {}

    def post(name, client, data):
        response = _upload(client, data, f"{name}.csv")
        answers[name] = (response.status_code, response.get_data(as_text=True))

    slow_rows = MAILING_ROWS + [["Slowfile", "Reader", "1 Main St", "Ithaca", "NY", "14850"]]
    slow_thread = threading.Thread(target=post, args=("slow", slow, list_bytes(slow_rows)), daemon=True)
    slow_thread.start()
    try:
        assert parsing.wait(WAIT), "the slow upload never reached its parse"
        # The slow request has looked up its session and is parsing: another customer's write goes through now.
        other_thread = threading.Thread(target=post, args=("other", other, list_bytes(MAILING_ROWS)), daemon=True)
        other_thread.start()
        other_thread.join(WAIT)
        assert not other_thread.is_alive(), "another customer's POST waited for the slow upload's parse"
        assert slow_thread.is_alive()  # it really was still parsing while the other customer saved a list
    finally:
        release.set()
        slow_thread.join(WAIT)
    assert not slow_thread.is_alive()
    for name, (status, body) in answers.items():
        assert status == 303, (name, status, body[:500])
        assert "database is locked" not in body
    if path:
        assert lock_free_while_parsing == [True]  # nobody held the write lock during the parse
    with app.app_context():
        owners = sorted(db.session.scalars(select(MailingList.owner_id)))
    assert owners == sorted([slow_customer.id, other_customer.id])


def _request_connection(app):
    """A POST's transaction, as a request would begin it, and the SQLite file (None on PostgreSQL)."""
    return app.test_request_context("/anything", method="POST")


def test_a_post_takes_the_lock_at_its_first_write_not_its_first_read(app, make):
    customer = make.customer()
    with _request_connection(app):
        path = _sqlite_path(app)
        if path is None:
            pytest.skip("SQLite's write lock")
        db.session.execute(select(func.count()).select_from(MailingList)).scalar()
        assert _lock_is_free(path)  # reading holds nothing
        db.session.execute(text("UPDATE users SET name = name WHERE id = :id"), {"id": customer.id})
        assert not _lock_is_free(path)  # the first write took the lock, and keeps it to the commit
        db.session.commit()
        assert _lock_is_free(path)
        db.session.remove()


@pytest.mark.parametrize("take", ["serialized", "for_update", "savepoint", "flush"])
def test_every_kind_of_write_takes_the_lock_before_it_runs(app, make, take):
    customer = make.customer()
    with _request_connection(app):
        path = _sqlite_path(app)
        if path is None:
            pytest.skip("SQLite's write lock")
        from portal.accounts.models import User

        person = db.session.get(User, customer.id)
        assert _lock_is_free(path)
        if take == "serialized":  # a count-then-insert: the count must already be inside the lock
            serialized(db.session, "test")
        elif take == "for_update":
            db.session.execute(select(User.id).where(User.id == customer.id).with_for_update())
        elif take == "savepoint":  # the SAVEPOINT is sent with the next statement: it is the first write
            db.session.begin_nested()
            db.session.execute(select(User.id)).all()
        else:
            person.name = "Renamed"
            db.session.flush()
        assert not _lock_is_free(path)
        db.session.rollback()
        db.session.remove()


def test_a_write_after_another_writer_committed_waits_and_succeeds_instead_of_failing(app, make):
    """Upgrading a WAL read snapshot in place fails at once ("database is locked") when someone else wrote
    since it began; the restart at the first write reads afresh and writes."""
    customer = make.customer()
    with _request_connection(app):
        from portal.accounts.models import User

        person = db.session.get(User, customer.id)  # this transaction's snapshot begins here
        with app.app_context():  # another request writes and commits meanwhile
            db.session.execute(text("UPDATE users SET phone = '555-0100' WHERE id = :id"), {"id": customer.id})
            db.session.commit()
            db.session.remove()
        person.name = "Changed by the first"
        db.session.commit()  # no "database is locked"
        db.session.remove()
    with app.app_context():
        saved = db.session.get(User, customer.id)
        assert (saved.name, saved.phone) == ("Changed by the first", "555-0100")
