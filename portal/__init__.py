"""The in-plant print portal: create_app() wires configuration, extensions, blueprints and errors."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from portal import database  # noqa: F401  (SQLite pragmas and BEGIN IMMEDIATE)
from portal.config import Config, config_for_environment
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
    _finish_config(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    # Sessions are rows on the server (rotated at sign-in, deleted at sign-out), so Flask-Login's
    # per-request IP/user-agent fingerprint adds no protection, only a hash and a cookie write.
    login_manager.session_protection = None
    csrf.init_app(app)
    htmx.init_app(app)

    from portal import web

    web.init_app(app)
    _register_blueprints(app)
    return app


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


DOMAINS = ("accounts", "addresses", "billing", "catalog", "demo", "documents", "home", "mailers", "notices",
           "orders", "promises", "queue")


def _register_blueprints(app: Flask) -> None:
    """Each domain's blueprint lives in its package; its routes, CLI commands and background tasks
    are imported here, so importing a domain's rules or services never drags in the whole portal."""
    import importlib
    import importlib.util

    for domain in DOMAINS:
        package = importlib.import_module(f"portal.{domain}")
        for module in ("routes", "commands", "tasks"):
            if importlib.util.find_spec(f"portal.{domain}.{module}"):
                importlib.import_module(f"portal.{domain}.{module}")
        app.register_blueprint(package.blueprint)
