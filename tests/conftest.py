"""Fixtures: a real database built by the migrations (a SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set), an app, clients signed in as each kind of person, and factories."""
from __future__ import annotations

import hashlib
import logging
import os
import shutil

import pytest
import time_machine
from flask import has_app_context
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, text

os.environ["PORTAL_ENV"] = "test"

from portal import create_app  # noqa: E402
from portal.database import deferred_transactions  # noqa: E402
from portal.extensions import db  # noqa: E402
from tests import factories  # noqa: E402


def _reachable_database(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure to connect ends the run: CI must not skip PostgreSQL
        pytest.exit(f"TEST_DATABASE_URL={url} cannot be reached: {error}", returncode=3)
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return _reachable_database(url)
    return f"sqlite:///{tmp_path_factory.mktemp('database') / 'portal.db'}"


def _empty_database(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The portal on a database built by running every migration."""
    from flask_migrate import upgrade

    _empty_database(database_url)
    instance = tmp_path_factory.mktemp("instance")
    application = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_DIR": str(instance / "uploads"),
        "SERVER_NAME": None,
    })
    application.test_client_class = PortalClient
    with application.app_context():
        upgrade()
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def table_names(app) -> list[str]:
    with app.app_context():
        return [t.name for t in reversed(db.metadata.sorted_tables)]


@pytest.fixture(autouse=True)
def _clean_database(request, app, table_names):
    """Every test starts from empty tables and an empty upload folder."""
    yield
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text(f"TRUNCATE {', '.join(table_names)} RESTART IDENTITY CASCADE"))
            else:
                for name in table_names:
                    connection.execute(text(f"DELETE FROM {name}"))
    shutil.rmtree(app.config["UPLOAD_DIR"], ignore_errors=True)


@pytest.fixture(autouse=True)
def shop_clock(request):
    """Every test below the browser tests starts at factories.NOW (a Monday morning in the shop), with the
    clock running: nothing depends on today's date, and a session signed in now is still valid when a
    test travels forward. A test that needs a still clock travels again inside this one; the browser
    tests keep the real clock, which Chromium shares, and so do tests marked real_clock (an S3 server
    refuses requests signed nine days away from its own clock)."""
    if request.node.path.parent.name == "e2e" or request.node.get_closest_marker("real_clock"):
        yield None
        return
    with time_machine.travel(factories.NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def ctx(app):
    """An application context for service tests: db.session is ready."""
    with app.app_context(), deferred_transactions():
        yield
        db.session.remove()


class PortalClient(FlaskClient):
    """A test client that signs its unsafe requests with the session's CSRF token, like a form does."""

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", hashlib.sha1(os.urandom(64)).hexdigest())
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def open(self, *args, csrf: bool = True, **kwargs):
        if has_app_context():
            db.session.commit()  # the test's own session ends its transaction: each sees the other
        method = (kwargs.get("method") or "GET").upper()
        if csrf and method not in ("GET", "HEAD", "OPTIONS") and not kwargs.get("headers", {}).get("X-CSRFToken"):
            data = kwargs.get("data")
            if isinstance(data, dict) and "csrf_token" not in data:
                kwargs["data"] = {**data, "csrf_token": self.csrf_token()}
            elif data is None or isinstance(data, dict):
                kwargs.setdefault("headers", {})
                kwargs["headers"] = {**kwargs["headers"], "X-CSRFToken": self.csrf_token()}
        # A request reuses an app context already pushed for its app (and with it g and db.session):
        # give each request a fresh one, as a server would, so nothing leaks from the test into it.
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def sign_in(self, user, password: str = factories.PASSWORD):
        response = self.post("/sign-in", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response


@pytest.fixture
def client(app) -> PortalClient:
    return app.test_client()


@pytest.fixture
def make(app):
    """The factories, bound to an app context and committed: make.customer(), make.order(...)."""
    with app.app_context(), deferred_transactions():
        yield factories.Factory()
        db.session.remove()


@pytest.fixture
def customer(make):
    return make.customer()


@pytest.fixture
def customer_client(app, customer) -> PortalClient:
    client = app.test_client()
    client.sign_in(customer)
    return client


@pytest.fixture
def staff(make):
    return make.staff()


@pytest.fixture
def staff_client(app, staff) -> PortalClient:
    client = app.test_client()
    client.sign_in(staff)
    return client


def pytest_configure(config):
    config.addinivalue_line("markers", "real_clock: the test keeps the real clock (it talks to a server that checks it)")


def pytest_report_header(config):
    return f"database: {os.environ.get('TEST_DATABASE_URL') or 'SQLite file'}"


# Notices: a real SMTP server on loopback, and the app pointed at it for the test.
@pytest.fixture
def smtp_server(app, tmp_path):
    """aiosmtpd on a free loopback port, with SMTP_* set to reach it (plain, no TLS) for this test."""
    from tests.mail import SmtpServer

    server = SmtpServer()
    server.start()
    saved = {key: app.config.get(key) for key in ("SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY", "MAIL_DIR")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_SECURITY="none",
                      MAIL_DIR=str(tmp_path / "mail"))
    yield server
    server.stop()
    app.config.update(saved)


# Campus sign-in: a real OpenID Connect provider on loopback (oidc-provider-mock, in a thread).
@pytest.fixture(scope="session")
def oidc_provider():
    """The provider's issuer URL. People are set with campus_person(); any client id is accepted."""
    from oidc_provider_mock import run_server_in_thread

    logging.getLogger("oidc_provider_mock").setLevel(logging.ERROR)
    with run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


def campus_settings(issuer: str, **overrides) -> dict:
    return {"OIDC_ISSUER": issuer, "OIDC_CLIENT_ID": "print-portal", "OIDC_CLIENT_SECRET": "portal-secret",
            "OIDC_DEPARTMENT_CLAIM": "department", **overrides}


@pytest.fixture(scope="session")
def campus_app(app, oidc_provider):
    """The portal, on the test database, with campus sign-in pointed at the loopback provider."""
    application = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                              "UPLOAD_DIR": app.config["UPLOAD_DIR"], "SERVER_NAME": None,
                              **campus_settings(oidc_provider)})
    application.test_client_class = PortalClient
    yield application
    with application.app_context():
        db.engine.dispose()


# Files in object storage: a real S3 server (SeaweedFS) on loopback, and apps that keep their files there.
@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    from tests.objectstore import SeaweedS3

    server = SeaweedS3(tmp_path_factory.mktemp("seaweedfs"))
    server.start()
    saved = {key: os.environ.get(key) for key in server.environment()}
    os.environ.update(server.environment())
    yield server
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    server.stop()


@pytest.fixture(scope="session")
def s3_app(app, s3_server):
    """The portal, on the test database, keeping its files in the S3 bucket."""
    from tests.objectstore import BUCKET

    application = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SERVER_NAME": None,
                              "UPLOAD_DIR": app.config["UPLOAD_DIR"], "STORAGE": "s3", "S3_BUCKET": BUCKET,
                              "STORAGE_TIMEOUT": 2})
    application.test_client_class = PortalClient
    yield application
    with application.app_context():
        db.engine.dispose()
