"""Configuration from the environment: DATABASE_URL, SECRET_KEY, REDIS_URL, SMTP_* and PORTAL_*.

In production, start-up checks the environment first (production_problems, with pydantic-settings) and
refuses to start with one clear message for each setting that is missing or malformed; development and
the tests keep their defaults."""
from __future__ import annotations

import os
from datetime import timedelta
from typing import Literal, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, HttpUrl, RedisDsn, ValidationError, create_model, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

WHOLE_NUMBERS: dict[str, int] = {}  # every PORTAL_*/SMTP_* setting read as a whole number, with its default


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _int(name: str, default: int) -> int:
    """A whole-number setting; one that is not a number keeps its default here (production refuses it at
    start-up, see production_problems)."""
    WHOLE_NUMBERS[name] = default
    try:
        return int(_env(name, str(default)))
    except ValueError:
        return default


class Config:
    """Production defaults; every value can be set from the environment."""

    PORTAL_ENV = _env("PORTAL_ENV", "production")
    SECRET_KEY = _env("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL")  # None: SQLite file in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = _env("REDIS_URL")
    WORKERS = _int("PORTAL_WORKERS", 1)  # background worker processes that will run; beyond one, REDIS_URL

    # The shop as customers see it on every page.
    SHOP_NAME = _env("PORTAL_SHOP_NAME", "Campus Print & Mail")
    SHOP_PHONE = _env("PORTAL_SHOP_PHONE", "(555) 013-4400")
    SHOP_HOURS = _env("PORTAL_SHOP_HOURS", "Mon–Fri 8:00–17:00")
    SHOP_LOCATION = _env("PORTAL_SHOP_LOCATION", "Service Building, Room 110")
    SHOP_EMAIL = _env("PORTAL_SHOP_EMAIL", "printshop@example.edu")
    TIMEZONE = _env("PORTAL_TIMEZONE", "America/New_York")
    ORDER_CUTOFF = _env("PORTAL_ORDER_CUTOFF", "14:00")
    # A budget code in the university's format: fund-organisation-account.
    BUDGET_CODE_PATTERN = _env("PORTAL_BUDGET_CODE_PATTERN", r"\d{2}-\d{4}-\d{4}")
    BUDGET_CODE_EXAMPLE = _env("PORTAL_BUDGET_CODE_EXAMPLE", "10-4410-7200")
    # The chargeback file (portal/statements): the shop's recovery account, credited for what departments
    # are charged, and the journal CSV's columns (`field` or `Heading=field`, in order; README, "Month close").
    JOURNAL_CREDIT_ACCOUNT = _env("PORTAL_JOURNAL_CREDIT_ACCOUNT", "90-1000-4800")
    JOURNAL_COLUMNS = _env("PORTAL_JOURNAL_COLUMNS", "debit_account,credit_account,amount,reference,period")

    # Files.
    UPLOAD_DIR = _env("PORTAL_UPLOAD_DIR")  # None: "uploads" in the instance folder
    STORAGE = _env("PORTAL_STORAGE", "local")  # local (UPLOAD_DIR) or s3 (boto3's AWS_* settings)
    S3_BUCKET = _env("PORTAL_S3_BUCKET")
    STORAGE_TIMEOUT = _int("PORTAL_STORAGE_TIMEOUT", 10)  # seconds to wait for the object store
    MAX_PDF_BYTES = _int("PORTAL_MAX_PDF_MB", 100) * 1024 * 1024
    MAX_CONTENT_LENGTH = MAX_PDF_BYTES + 1024 * 1024

    # Sessions and CSRF (RELIABILITY.md, baseline controls).
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    WTF_CSRF_TIME_LIMIT = None  # valid for the session: a page left open still works
    WTF_CSRF_HEADERS = ["X-CSRFToken"]
    SIGN_IN_MAX_FAILURES = _int("PORTAL_SIGN_IN_MAX_FAILURES", 5)
    SIGN_IN_WINDOW_MINUTES = _int("PORTAL_SIGN_IN_WINDOW_MINUTES", 15)
    # How many reverse proxies in front of the portal set X-Forwarded-For/-Proto/-Host (Werkzeug's
    # ProxyFix trusts exactly that many); 0 reads the client address from the connection itself.
    PROXY_HOPS = _int("PORTAL_PROXY_HOPS", 0)

    # Campus single sign-on (OpenID Connect, portal/accounts/sso.py): on when OIDC_ISSUER is set.
    OIDC_ISSUER = _env("OIDC_ISSUER")  # its discovery document is at /.well-known/openid-configuration
    OIDC_CLIENT_ID = _env("OIDC_CLIENT_ID")
    OIDC_CLIENT_SECRET = _env("OIDC_CLIENT_SECRET")
    OIDC_SCOPES = _env("OIDC_SCOPES", "openid email profile")
    OIDC_NAME_CLAIM = _env("OIDC_NAME_CLAIM", "name")
    OIDC_EMAIL_CLAIM = _env("OIDC_EMAIL_CLAIM", "email")
    OIDC_DEPARTMENT_CLAIM = _env("OIDC_DEPARTMENT_CLAIM")  # None: people are asked once for their department
    OIDC_TIMEOUT = _int("OIDC_TIMEOUT", 10)  # seconds to wait for the campus's sign-in server
    SSO_NAME = _env("PORTAL_SSO_NAME", "Sign in with your campus account")

    # Logs: JSON lines (production's default) or text, each line with the request id (portal/logs.py).
    LOG_FORMAT = _env("PORTAL_LOG_FORMAT", "json" if _env("PORTAL_ENV", "production") == "production" else "text")

    PAGE_SIZE = 25
    # Signed-in pages kept rendered per process under the data version (portal/web/page_cache.py): served again
    # without rendering until anything is written or the minute turns. 0 turns it off.
    PAGE_CACHE_ENTRIES = _int("PORTAL_PAGE_CACHE_ENTRIES", 2000)

    # Notices (portal/notices): outbound mail, the outbox worker, tracking and approval links.
    BASE_URL = _env("PORTAL_BASE_URL", "http://127.0.0.1:5000")  # links in emails start with this
    SHOP_CONTACT = _env("PORTAL_SHOP_CONTACT", "Rosa Alvarez, customer service")  # named in every email
    SMTP_HOST = _env("SMTP_HOST")  # None: mail is written to .eml files in MAIL_DIR instead
    SMTP_PORT = _int("SMTP_PORT", 587)
    SMTP_USERNAME = _env("SMTP_USERNAME")
    SMTP_PASSWORD = _env("SMTP_PASSWORD")
    SMTP_SECURITY = _env("SMTP_SECURITY", "starttls")  # starttls, ssl or none
    SMTP_FROM = _env("SMTP_FROM")  # None: the shop's name and email address
    SMTP_TIMEOUT = _int("SMTP_TIMEOUT", 30)
    MAIL_DIR = _env("PORTAL_MAIL_DIR")  # None: "mail" in the instance folder
    NOTICE_LEASE_SECONDS = _int("PORTAL_NOTICE_LEASE_SECONDS", 300)  # a claimed notice is due again after this
    NOTICE_BACKOFF_SECONDS = _int("PORTAL_NOTICE_BACKOFF_SECONDS", 60)  # first retry; doubles each time
    NOTICE_BACKOFF_MAX_SECONDS = _int("PORTAL_NOTICE_BACKOFF_MAX_SECONDS", 3600)
    NOTICE_MAX_ATTEMPTS = _int("PORTAL_NOTICE_MAX_ATTEMPTS", 10)  # 4xx refusals after this park the notice
    NOTICE_POLL_SECONDS = _int("PORTAL_NOTICE_POLL_SECONDS", 60)  # the unread count in the navigation
    TRACKING_LINK_DAYS = _int("PORTAL_TRACKING_LINK_DAYS", 180)
    APPROVAL_LINK_DAYS = _int("PORTAL_APPROVAL_LINK_DAYS", 7)
    SATISFACTION_LINK_DAYS = _int("PORTAL_SATISFACTION_LINK_DAYS", 60)
    TRACKING_LOOKUPS_PER_WINDOW = _int("PORTAL_TRACKING_LOOKUPS_PER_WINDOW", 30)  # per client address
    TRACKING_WINDOW_SECONDS = _int("PORTAL_TRACKING_WINDOW_SECONDS", 600)
    # Care (portal/care): the first answer to a problem report within this many business hours of the working day.
    CARE_RESPONSE_HOURS = _int("PORTAL_CARE_RESPONSE_HOURS", 4)
    # Course packs (portal/terms): order this many business days before a term's first day of classes to
    # have the pack on day one; instructors who had a pack last term are reminded this many before that.
    TERM_ORDER_BUSINESS_DAYS = _int("PORTAL_TERM_ORDER_DAYS", 15)
    TERM_REMINDER_BUSINESS_DAYS = _int("PORTAL_TERM_REMINDER_DAYS", 10)
    CARE_DAY = _env("PORTAL_CARE_DAY", "08:00-17:00")
    CARE_WARN_MINUTES = _int("PORTAL_CARE_WARN_MINUTES", 60)  # owner and manager told this long before it is due
    CARE_LINK_DAYS = _int("PORTAL_CARE_LINK_DAYS", 180)


class DevelopmentConfig(Config):
    # make run serves plain http on 127.0.0.1; browsers treat loopback as secure, so Secure cookies work.
    PORTAL_ENV = "development"


class TestConfig(Config):
    PORTAL_ENV = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SIGN_IN_MAX_FAILURES = 5
    BASE_URL = "http://portal.test"
    SMTP_HOST = None  # tests start their own SMTP server (aiosmtpd) and point at it
    SMTP_TIMEOUT = 10
    NOTICE_LEASE_SECONDS = 5
    NOTICE_BACKOFF_SECONDS = 1
    NOTICE_BACKOFF_MAX_SECONDS = 4
    NOTICE_MAX_ATTEMPTS = 3
    OIDC_ISSUER = None  # campus sign-in only where a test starts its own provider


class _Production(BaseSettings):
    """What production must be given. Each field is an environment variable of the same name."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", env_ignore_empty=True)

    SECRET_KEY: str = Field(min_length=32)
    PORTAL_BASE_URL: HttpUrl
    SMTP_HOST: str
    SMTP_SECURITY: Literal["starttls", "ssl", "none"] = "starttls"
    SMTP_FROM: str | None = Field(None, pattern=r"^[^@\s<>]+@[^@\s<>]+$|<[^@\s<>]+@[^@\s<>]+>$")
    DATABASE_URL: str | None = Field(None, pattern=r"^(sqlite|postgresql(\+psycopg)?)://")
    REDIS_URL: RedisDsn | None = None
    PORTAL_WORKERS: int = Field(1, ge=1)  # how many background worker processes will run (REDIS_URL beyond one)
    PORTAL_STORAGE: Literal["local", "s3"] = "local"
    PORTAL_S3_BUCKET: str | None = None
    PORTAL_TIMEZONE: str = "America/New_York"

    @field_validator("SMTP_SECURITY", "PORTAL_STORAGE", mode="before")
    @classmethod
    def _lower(cls, value):
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("PORTAL_TIMEZONE")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not a time zone name like America/New_York") from None
        return value


# What to do about each setting, said after its problem.
ADVICE = {
    "SECRET_KEY": "set it to a long random value: python3 -c 'import secrets; print(secrets.token_hex(32))'",
    "PORTAL_BASE_URL": "set it to the address people open the portal at, e.g. https://print.example.edu "
                       "(links in emails start with it)",
    "SMTP_HOST": "set it to the mail server the portal sends notices through",
    "SMTP_SECURITY": "use starttls (port 587), ssl (port 465) or none (a relay on the same machine only)",
    "SMTP_FROM": 'write an address, e.g. "Print Shop <printshop@example.edu>"',
    "DATABASE_URL": "write postgresql+psycopg://user:password@host/database (or sqlite:///path)",
    "REDIS_URL": "write redis://host:6379/0",
    "PORTAL_WORKERS": "the number of background worker processes that will run (1 or more)",
    "PORTAL_STORAGE": "use local (a folder on this machine) or s3 (an S3-compatible object store)",
    "PORTAL_TIMEZONE": "use the shop's zone name, e.g. America/New_York",
    "SMTP_PORT": "write the mail server's port, 1 to 65535 (587 for starttls, 465 for ssl)",
}


def _model() -> type[BaseSettings]:
    whole = {name: (int, Field(default, ge=0)) for name, default in WHOLE_NUMBERS.items()
             if name not in _Production.model_fields}
    whole["SMTP_PORT"] = (int, Field(587, ge=1, le=65535))
    return create_model("ProductionSettings", __base__=_Production, **whole)


def production_problems(environ: Mapping[str, str] | None = None) -> list[str]:
    """Every problem with production's settings in `environ` (os.environ by default), one sentence each
    naming the setting and what to do; none: the portal can start."""
    environ = dict(os.environ if environ is None else environ)
    problems: list[str] = []
    model = _model()
    given = {name: value for name, value in environ.items() if name in model.model_fields and value != ""}
    try:
        settings = model.model_validate(given)
    except ValidationError as error:
        for detail in error.errors():
            name = str(detail["loc"][0])
            said = "is not set" if detail["type"] == "missing" else _problem(detail)
            advice = ADVICE.get(name) or (f"write a whole number (the default is {WHOLE_NUMBERS[name]})"
                                          if name in WHOLE_NUMBERS else "")
            problems.append(f"{name} {said}" + (f": {advice}." if advice else "."))
        settings = None
    if settings is not None:
        if settings.PORTAL_WORKERS > 1 and settings.REDIS_URL is None:
            problems.append(f"REDIS_URL is not set, but PORTAL_WORKERS is {settings.PORTAL_WORKERS}: several "
                            "workers share their queue and their schedule through Redis; set REDIS_URL=redis://host:6379/0.")
        if settings.PORTAL_STORAGE == "s3" and not settings.PORTAL_S3_BUCKET:
            problems.append("PORTAL_S3_BUCKET is not set, but PORTAL_STORAGE is s3: name the bucket files go in.")
        if environ.get("SMTP_USERNAME") and not environ.get("SMTP_PASSWORD"):
            problems.append("SMTP_PASSWORD is not set, but SMTP_USERNAME is: give both, or neither.")
    return problems


def _problem(detail: dict) -> str:
    given = detail.get("input")
    shown = f' ("{given}")' if isinstance(given, str) and len(given) < 80 and "SECRET" not in str(detail["loc"][0]) else ""
    message = detail["msg"][0].lower() + detail["msg"][1:]
    if detail["type"] == "literal_error":
        message = "is not one of the values it takes"
    elif detail["type"] == "string_too_short":
        message = f"is too short ({detail['ctx']['min_length']} characters at least)"
    elif detail["type"] == "string_pattern_mismatch":
        message = "is not written as expected"
    elif detail["type"] in ("int_parsing", "int_type"):
        message = "is not a whole number"
    elif detail["type"] in ("greater_than_equal", "less_than_equal"):
        bound = detail["ctx"].get("ge", detail["ctx"].get("le"))
        message = f"is {'below' if detail['type'] == 'greater_than_equal' else 'above'} {bound}"
    elif detail["type"].startswith("url_"):
        message = "is not a whole web address (scheme and host, e.g. https://print.example.edu)"
    elif detail["type"] == "value_error":
        message = message.removeprefix("value error, ")
    else:
        message = f"is not valid: {message}"
    return f"{message}{shown}"


class SettingsRefused(SystemExit):
    """Production's start-up refused: every problem, one per line (uncaught, it is printed and exits with 1)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("The portal cannot start; fix these settings in its environment:\n"
                         + "\n".join(f"  - {problem}" for problem in problems))


def config_for_environment() -> type[Config]:
    return {"development": DevelopmentConfig, "test": TestConfig}.get(
        _env("PORTAL_ENV", "production"), Config
    )
