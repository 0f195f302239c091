"""The load run, short (benchmarks/load.py; `make load` is the long one): customers browsing, ordering with
uploads and reordering, staff moving jobs, against a real gunicorn and the notice worker on this suite's
database (a SQLite file, or PostgreSQL). No 5xx, nobody meets "database is locked", and every order placed
wrote its outbox row, whose notices the worker sent."""
from __future__ import annotations

import pytest

from benchmarks.load import report, run


# real_clock: gunicorn, the worker and locust run as they would on a server, with the machine's clock (under
# faketime, a year ahead, the huey consumer's polling stalls and nothing is delivered; `make test-later` leaves
# this test out, as it does the other tests that talk to servers).
@pytest.mark.real_clock
def test_a_short_mixed_load_has_no_errors_no_locks_and_loses_no_notice(app, database_url, tmp_path):
    loaded = app.test_cli_runner().invoke(args=["demo", "load", "--days", "1"])  # the demo campus, in this process
    assert loaded.exit_code == 0, loaded.output
    result = run(database_url, seconds=8, users=6, workdir=tmp_path, reset=False, demo_days=None, drain_seconds=60,
                 upload_dir=app.config["UPLOAD_DIR"])
    summary = report(result)
    print(summary)  # the figures, in the log of a run with -s
    assert result.requests >= 6, summary  # every user got through (how many more is the machine's speed, not a test)
    assert result.failures == 0 and result.server_errors == 0, summary
    assert result.locked == 0, summary
    assert result.orders_placed > 0, summary
    assert result.orders_placed == result.outbox_rows == result.notices_sent, summary
    assert result.notices_written > result.orders_placed and result.notices_unsent == 0, summary  # moves too
    assert result.mail_files > 0, summary
