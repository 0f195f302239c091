"""Production's settings are checked at start-up: each missing or malformed one is refused with one clear
message naming it and what to do, and nothing starts; development and the tests keep their defaults."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.config import production_problems

ROOT = Path(__file__).resolve().parent.parent
GOOD = {"SECRET_KEY": "9f" * 32, "PORTAL_BASE_URL": "https://print.example.edu", "SMTP_HOST": "mail.example.edu"}


def test_good_settings_have_no_problems():
    assert production_problems(GOOD) == []
    assert production_problems({**GOOD, "SMTP_SECURITY": "SSL", "SMTP_PORT": "465", "PORTAL_WORKERS": "2",
                                "REDIS_URL": "redis://127.0.0.1:6379/0", "PORTAL_STORAGE": "s3",
                                "PORTAL_S3_BUCKET": "portal-files", "DATABASE_URL": "postgresql+psycopg://p@db/portal",
                                "SMTP_FROM": "Print Shop <printshop@example.edu>", "PORTAL_PROXY_HOPS": "1"}) == []


def test_each_missing_setting_production_needs_is_named_with_what_to_do():
    problems = production_problems({})
    assert [p.split(" ", 1)[0] for p in problems] == ["SECRET_KEY", "PORTAL_BASE_URL", "SMTP_HOST"]
    assert all(" is not set: " in p for p in problems)
    assert "secrets.token_hex(32)" in problems[0] and "links in emails start with it" in problems[1]


@pytest.mark.parametrize(("name", "value", "said"), [
    ("SECRET_KEY", "abc123", "SECRET_KEY is too short (32 characters at least)"),
    ("PORTAL_BASE_URL", "print.example.edu", 'PORTAL_BASE_URL is not a whole web address'),
    ("SMTP_SECURITY", "tls", 'SMTP_SECURITY is not one of the values it takes ("tls"): use starttls'),
    ("SMTP_PORT", "99999", 'SMTP_PORT is above 65535 ("99999")'),
    ("SMTP_PORT", "submission", 'SMTP_PORT is not a whole number ("submission")'),
    ("SMTP_FROM", "the print shop", 'SMTP_FROM is not written as expected ("the print shop")'),
    ("PORTAL_PROXY_HOPS", "two", 'PORTAL_PROXY_HOPS is not a whole number ("two"): write a whole number (the default is 0)'),
    ("PORTAL_NOTICE_MAX_ATTEMPTS", "-1", "PORTAL_NOTICE_MAX_ATTEMPTS is below 0"),
    ("PORTAL_STORAGE", "nfs", 'PORTAL_STORAGE is not one of the values it takes ("nfs")'),
    ("PORTAL_TIMEZONE", "Mars/Olympus", "PORTAL_TIMEZONE is not a time zone name"),
    ("DATABASE_URL", "mysql://db/portal", 'DATABASE_URL is not written as expected ("mysql://db/portal")'),
    ("REDIS_URL", "localhost:6379", "REDIS_URL is not a whole web address"),
])
def test_each_malformed_setting_is_one_message(name, value, said):
    problems = production_problems({**GOOD, name: value})
    assert len(problems) == 1 and problems[0].startswith(said), problems
    if name == "SECRET_KEY":
        assert value not in problems[0]  # a secret is never repeated back


@pytest.mark.parametrize(("given", "said"), [
    ({"PORTAL_WORKERS": "2"}, "REDIS_URL is not set, but PORTAL_WORKERS is 2"),
    ({"PORTAL_STORAGE": "s3"}, "PORTAL_S3_BUCKET is not set, but PORTAL_STORAGE is s3"),
    ({"SMTP_USERNAME": "portal"}, "SMTP_PASSWORD is not set, but SMTP_USERNAME is"),
])
def test_settings_that_need_another_say_which(given, said):
    assert [p[:len(said)] for p in production_problems({**GOOD, **given})] == [said]


def _start(environment: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    """`flask db current` as production runs it, in a process of its own with only `environment`."""
    env = {"PATH": os.environ["PATH"], "PORTAL_ENV": "production", "PORTAL_INSTANCE_PATH": str(tmp_path),
           **environment}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "current"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_production_refuses_to_start_and_says_every_problem_once(tmp_path):
    started = _start({"SMTP_SECURITY": "tls", "PORTAL_WORKERS": "3"}, tmp_path)
    assert started.returncode == 1
    assert "Traceback" not in started.stderr
    lines = [line.strip() for line in started.stderr.splitlines() if line.strip().startswith("- ")]
    assert [line.split(" ")[1] for line in lines] == ["SECRET_KEY", "PORTAL_BASE_URL", "SMTP_HOST", "SMTP_SECURITY"]
    assert started.stderr.startswith("The portal cannot start; fix these settings in its environment:")
    assert not (tmp_path / "portal.db").exists()  # nothing was made


def test_production_starts_with_good_settings(tmp_path):
    started = _start({**GOOD, "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}"}, tmp_path)
    assert started.returncode == 0, started.stderr


def test_development_keeps_its_defaults_for_a_malformed_number(tmp_path):
    env = {"PATH": os.environ["PATH"], "PORTAL_ENV": "development", "PORTAL_PROXY_HOPS": "two"}
    shown = subprocess.run([sys.executable, "-c", "from portal.config import Config; print(Config.PROXY_HOPS)"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and shown.stdout.strip() == "0"
