"""Configuration from the environment: DATABASE_URL, SECRET_KEY, REDIS_URL, SMTP_* and PORTAL_*."""
from __future__ import annotations

import os
from datetime import timedelta


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


class Config:
    """Production defaults; every value can be set from the environment."""

    PORTAL_ENV = _env("PORTAL_ENV", "production")
    SECRET_KEY = _env("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL")  # None: SQLite file in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = _env("REDIS_URL")

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


def config_for_environment() -> type[Config]:
    return {"development": DevelopmentConfig, "test": TestConfig}.get(
        _env("PORTAL_ENV", "production"), Config
    )
