"""Extensions, created once and bound to the app with init_app."""
from __future__ import annotations

import os
from pathlib import Path

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints, so Alembic migrations can alter them on SQLite and PostgreSQL alike.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


# Objects stay readable after commit (a route renders what it just saved without reloading it).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = Htmx()


def _make_huey() -> Huey:
    """Background work: on Redis when REDIS_URL is set, else a SQLite file in the instance folder.

    Built from the environment (as create_app reads it) because the consumer imports this module
    before any app exists. Tests queue in memory and never run a consumer: they call the work directly.
    """
    if os.environ.get("PORTAL_ENV") == "test":
        return MemoryHuey("portal", immediate=False)
    if os.environ.get("REDIS_URL"):
        return RedisHuey("portal", url=os.environ["REDIS_URL"])
    instance = Path(os.environ.get("PORTAL_INSTANCE_PATH") or Path(__file__).resolve().parent.parent / "instance")
    instance.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("portal", filename=str(instance / "huey.db"))


huey = _make_huey()
