"""The mixed load run: customers browsing, ordering flyers with uploads and reordering, staff moving jobs
(benchmarks/load_users.py, locust), against a real gunicorn on loopback with the notice worker running,
as `make run` serves it, on SQLite and on PostgreSQL.

    make load                  # a temporary SQLite file, then PostgreSQL at LOAD_PG_URL (a database it empties)
    .venv/bin/python -m benchmarks.load --seconds 60 --users 12 --database postgresql+psycopg://postgres@127.0.0.1/portal_load

It passes when no answer was a 5xx, nobody (web or worker) met "database is locked", and orders placed =
outbox rows written for them = announcements whose notices were all sent (after the worker drained the
outbox). Prints the figures (the README keeps the latest) and exits 1 when one of those fails.
tests/test_load_short.py runs a short version in the suite.
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOCKED = "database is locked"
PLACEMENTS = ("received", "approval_needed")  # the announcement every placed order writes (portal.notices)


@dataclass
class Result:
    database: str
    seconds: int
    users: int
    requests: int = 0
    failures: int = 0
    server_errors: int = 0
    locked: int = 0
    requests_per_second: float = 0.0
    median_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    orders_placed: int = 0
    outbox_rows: int = 0         # placement announcements written for those orders
    notices_sent: int = 0        # of those, the announcements whose every notice was sent
    notices_written: int = 0     # every notice written during the run (moves too), each channel
    notices_unsent: int = 0      # of those, still pending, sending or failed once the outbox drained
    mail_files: int = 0          # emails the worker wrote to the mail folder
    drained_in_s: float = 0.0
    phases_s: dict = field(default_factory=dict)  # how long preparing, starting, the run itself and stopping took
    failure_lines: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return (self.failures == 0 and self.server_errors == 0 and self.locked == 0 and self.orders_placed > 0
                and self.orders_placed == self.outbox_rows == self.notices_sent and self.notices_unsent == 0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reset_database(url: str) -> None:
    """An empty database at `url` (made when missing on PostgreSQL); only for the load run's own database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}).first():
            connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    server.dispose()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _flask(env: dict, *command: str) -> None:
    done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *command], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    if done.returncode:
        raise RuntimeError(f"flask {' '.join(command)} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")


def _wait_for(url: str, process: subprocess.Popen, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} stopped (exit {process.returncode})")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer {url} in {seconds} s")


def _counts(engine, since: dict | None = None) -> dict:
    with engine.connect() as connection:
        top = {table: connection.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar()
               for table in ("orders", "announcements", "notices")}
        if since is None:
            return top
        new_orders = connection.execute(text("SELECT COUNT(*) FROM orders WHERE id > :o"), {"o": since["orders"]}).scalar()
        placements = (" FROM announcements a JOIN orders o ON o.id = a.order_id WHERE o.id > :o"
                      " AND a.kind IN ('received', 'approval_needed')")
        outbox = connection.execute(text("SELECT COUNT(*)" + placements), {"o": since["orders"]}).scalar()
        sent = connection.execute(text(
            "SELECT COUNT(*)" + placements + " AND EXISTS (SELECT 1 FROM notices n WHERE n.announcement_id = a.id)"
            " AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.announcement_id = a.id AND n.status <> 'sent')"),
            {"o": since["orders"]}).scalar()
        written = connection.execute(text("SELECT COUNT(*) FROM notices WHERE id > :n"), {"n": since["notices"]}).scalar()
        unsent = connection.execute(text("SELECT COUNT(*) FROM notices WHERE id > :n AND status <> 'sent'"),
                                    {"n": since["notices"]}).scalar()
        return {"orders_placed": new_orders, "outbox_rows": outbox, "notices_sent": sent,
                "notices_written": written, "notices_unsent": unsent}


def _drain(engine, since: dict, seconds: float) -> float:
    """Waits (bounded) until the worker has sent every notice written during the run; how long it took."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        with engine.connect() as connection:
            waiting = connection.execute(text(
                "SELECT COUNT(*) FROM notices WHERE id > :n AND status IN ('pending', 'sending')"),
                {"n": since["notices"]}).scalar()
        if not waiting:
            break
        time.sleep(0.25)
    return round(time.monotonic() - started, 1)


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _locust_stats(prefix: Path, result: Result) -> None:
    with open(f"{prefix}_stats.csv", newline="") as stats:
        for row in csv.DictReader(stats):
            if row["Name"] == "Aggregated":
                result.requests, result.failures = int(row["Request Count"]), int(row["Failure Count"])
                result.requests_per_second = round(float(row["Requests/s"]), 1)
                result.median_ms, result.max_ms = float(row["50%"]), round(float(row["Max Response Time"]))
                result.p95_ms, result.p99_ms = float(row["95%"]), float(row["99%"])
    with open(f"{prefix}_failures.csv", newline="") as failures:
        for row in csv.DictReader(failures):
            line = f"{row['Method']} {row['Name']}: {row['Error']} ×{row['Occurrences']}"
            result.failure_lines.append(line)
            if LOCKED in row["Error"]:
                result.locked += int(row["Occurrences"])
            if "server error" in row["Error"] or row["Error"].startswith("5"):
                result.server_errors += int(row["Occurrences"])


def run(database_url: str, *, seconds: int = 60, users: int = 12, workdir: Path | None = None, reset: bool = True,
        demo_days: int | None = 90, drain_seconds: float = 90, upload_dir: str | None = None) -> Result:
    """One load run against `database_url` (emptied first with `reset`, else it must be migrated and empty, or hold
    the demo campus already, with `demo_days` None and its files in `upload_dir`)."""
    own_dir = workdir is None
    workdir = Path(workdir or tempfile.mkdtemp(prefix="portal-load-"))
    port = free_port()
    env = {**os.environ, "PORTAL_ENV": "development", "SECRET_KEY": "load-run-secret", "DATABASE_URL": database_url,
           "PORTAL_INSTANCE_PATH": str(workdir), "PORTAL_MAIL_DIR": str(workdir / "mail"),
           "PORTAL_BASE_URL": f"http://127.0.0.1:{port}", "PORTAL_LOG_FORMAT": "text"}
    for key in ("SMTP_HOST", "REDIS_URL", "PORTAL_WORKERS", "TEST_DATABASE_URL", "PORTAL_UPLOAD_DIR"):
        env.pop(key, None)
    if upload_dir:
        env["PORTAL_UPLOAD_DIR"] = upload_dir
    result = Result(database=make_url(database_url).get_backend_name(), seconds=seconds, users=users)
    started = time.monotonic()

    def phase(name: str) -> None:
        result.phases_s[name] = round(time.monotonic() - started - sum(result.phases_s.values()), 1)
    if reset:
        reset_database(database_url)
        _flask(env, "db", "upgrade")
    if demo_days is not None:  # None: the caller loaded the demo campus already
        _flask(env, "demo", "load", "--days", str(demo_days))
    phase("prepare")
    engine = create_engine(database_url)
    logs = {name: open(workdir / f"{name}.log", "w") for name in ("gunicorn", "worker", "locust")}
    worker = subprocess.Popen([str(BIN / "huey_consumer"), "worker.huey", "--workers", "2", "--worker-type", "thread"],
                              cwd=ROOT, env=env, stdout=logs["worker"], stderr=subprocess.STDOUT)
    server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "2", "--threads", "4", "--bind",
                               f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
                              cwd=ROOT, env=env, stdout=logs["gunicorn"], stderr=subprocess.STDOUT)
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", server, "gunicorn")
        before = _counts(engine)
        phase("start")
        prefix = workdir / "locust"
        subprocess.run([str(BIN / "locust"), "-f", str(ROOT / "benchmarks" / "load_users.py"), "--headless",
                        "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s",
                        "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
                        "--stop-timeout", "10", "--loglevel", "WARNING"],
                       cwd=ROOT, env=env, stdout=logs["locust"], stderr=subprocess.STDOUT, timeout=seconds + 120)
        _locust_stats(prefix, result)
        phase("locust")
        result.drained_in_s = _drain(engine, before, drain_seconds)
        for key, value in _counts(engine, before).items():
            setattr(result, key, value)
        mail = workdir / "mail"
        result.mail_files = sum(1 for _ in mail.rglob("*.eml")) if mail.exists() else 0
    finally:
        _stop(server)
        _stop(worker, signal.SIGINT)
        engine.dispose()
        for log in logs.values():
            log.close()
        phase("drain and stop")
    for name in ("gunicorn", "worker"):
        written = (workdir / f"{name}.log").read_text(errors="replace")
        result.locked += written.count(LOCKED)
        if "Traceback" in written and name == "gunicorn":
            result.failure_lines.append(f"{name}.log has a traceback: {workdir / (name + '.log')}")
            result.server_errors += written.count("Traceback")
    if own_dir and result.passed:
        shutil.rmtree(workdir, ignore_errors=True)
    elif not result.passed:
        result.failure_lines.append(f"logs kept in {workdir}")
    return result


def report(result: Result) -> str:
    figures = asdict(result)
    lines = [f"== {result.database}: {result.users} users for {result.seconds} s "
             f"({'passed' if result.passed else 'FAILED'})"]
    lines += [f"  {key}: {value}" for key, value in figures.items() if key not in ("database", "failure_lines")]
    lines += [f"  ! {line}" for line in result.failure_lines]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", action="append", default=[],
                        help="a PostgreSQL database the run may empty (made when missing), after a temporary SQLite file")
    parser.add_argument("--no-sqlite", action="store_true", help="leave out the run on a temporary SQLite file")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=12)
    options = parser.parse_args()
    passed = True
    with tempfile.TemporaryDirectory(prefix="portal-load-db-") as folder:
        for url in ([] if options.no_sqlite else [f"sqlite:///{Path(folder) / 'load.db'}"]) + options.database:
            result = run(url, seconds=options.seconds, users=options.users)
            print(report(result), flush=True)
            passed &= result.passed
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
