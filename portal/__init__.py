"""The in-plant print portal: create_app() wires configuration, extensions, blueprints and errors."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import database, logs
from portal.config import Config, SettingsRefused, config_for_environment, production_problems
from portal.extensions import csrf, db, htmx, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


class MissingSecretKey(SystemExit):
    pass


def create_app(config: type[Config] | dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=os.environ.get("PORTAL_INSTANCE_PATH", str(ROOT / "instance")),
    )
    base = config if isinstance(config, type) else config_for_environment()
    app.config.from_object(base)
    if isinstance(config, dict):
        app.config.update(config)
    if app.config["PORTAL_ENV"] not in ("development", "test") and config is None:
        refuse_bad_settings()
    _finish_config(app)

    database.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    # Sessions are rows on the server (rotated at sign-in, deleted at sign-out), so Flask-Login's
    # per-request IP/user-agent fingerprint adds no protection, only a hash and a cookie write.
    login_manager.session_protection = None
    csrf.init_app(app)
    htmx.init_app(app)

    _register_domains(app)
    if app.config["PORTAL_ENV"] == "production":
        logs.configure(json_lines=app.config["LOG_FORMAT"] == "json")
    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
    return app


def refuse_bad_settings() -> None:
    """Production starts only with its settings right: each missing or malformed one is named (config.py)."""
    problems = production_problems()
    if problems:
        raise SettingsRefused(problems)


def _finish_config(app: Flask) -> None:
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'portal.db'}"
    if not app.config.get("UPLOAD_DIR"):
        app.config["UPLOAD_DIR"] = str(Path(app.instance_path) / "uploads")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # One connection per thread; the busy timeout lives in portal.database.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    if not app.config.get("SECRET_KEY"):
        if app.config["PORTAL_ENV"] != "development":
            raise MissingSecretKey(
                "SECRET_KEY is not set. Set it in the environment to a long random value, "
                "for example: export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))'). "
                "For a local demo, run with PORTAL_ENV=development (make run does)."
            )
        app.config["SECRET_KEY"] = _development_secret(Path(app.instance_path) / "secret_key")
    app.debug = app.config["PORTAL_ENV"] == "development" and bool(os.environ.get("FLASK_DEBUG"))


def _development_secret(path: Path) -> str:
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _register_domains(app: Flask) -> None:
    """Every domain's blueprint with its routes, CLI commands and background tasks, and what it
    listens for. Imported here, when an app is made, and not when the package is: importing one
    domain's rules or services (a test, a benchmark) must not load every route of the portal."""
    from portal import web
    from portal.accounts import commands as _account_commands  # noqa: F401  (flask users create|promote|deactivate)
    from portal.accounts import people as _people  # noqa: F401  (the People and department members pages)
    from portal.accounts import routes as accounts  # with campus sign-in (accounts.sso)
    from portal.accounts import welcome as _account_links  # noqa: F401  (invitations and password resets)
    from portal.addresses import routes as addresses
    from portal.billing import finance_routes as _finance  # noqa: F401  (the finance office's accounts file)
    from portal.billing import routes as billing
    from portal.catalog import routes as catalog
    from portal.catalog import commands as _catalog_commands  # noqa: F401  (flask catalog export|import)
    from portal.catalog import manage as _catalog_manage  # noqa: F401  (the manager's Catalog area, /staff/catalog)
    from portal.care import routes as care
    from portal.care import relationships_routes as _relationships  # noqa: F401  (Relationships, outside purchases)
    from portal.care import tasks as _care_tasks  # noqa: F401  (the nearly-due warnings, periodic in huey)
    from portal.copyright import routes as copyright
    from portal.demo import commands as demo
    from portal.documents import routes as documents, storage
    from portal.home import routes as home
    from portal.mailers import kind as mailer_kind, routes as mailers
    from portal.notices import commands as _notice_commands  # noqa: F401  (CLI commands on the notices blueprint)
    from portal.notices import routes as notices, tasks as notice_tasks
    from portal.orders import routes as orders
    from portal.keeping import commands as _promise_commands  # noqa: F401  (CLI commands on the promises blueprint)
    from portal.keeping import routes as promises
    from portal.keeping import tasks as _promise_tasks  # noqa: F401  (re-plan and calibration, periodic in huey)
    from portal.queue import customer_routes as proofs, routes as queue
    from portal.queue import term_start as _term_start  # noqa: F401  (the manager's term-start view, /staff/term-start)
    from portal.statements import routes as statements
    from portal.terms import routes as terms

    web.init_app(app)
    storage.init_app(app)
    for routes in (accounts, addresses, billing, care, catalog, copyright, demo, documents, home, mailers, notices, orders,
                   promises, queue, proofs, statements, terms):
        app.register_blueprint(routes.blueprint)
    accounts.init_app(app)
    care.init_app(app)
    copyright.init_app(app)
    mailer_kind.init_app(app)
    notice_tasks.init_app(app)
