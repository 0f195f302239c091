"""The mail promise: a mailer is promised on its mail date, the day the shop hands it to the post office."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class MailPromise:
    mail_date: date
    problem: str | None = None


def mail_promise(*, ready: date, mail_date: date | None, is_business_day, latest: date) -> MailPromise:
    """When a mailer is promised: on its mail date, the day the shop hands it to the post office.

    No mail date: it mails the day it is ready. A mail date must be a business day on or after the
    day production can have it ready (and not past `latest`); otherwise the problem says so and the
    promise is the ready day.
    """
    if mail_date is None:
        return MailPromise(ready)
    if mail_date < ready:
        return MailPromise(ready, f"The pieces can be ready to mail on {ready:%A, %B %-d} at the earliest. "
                                  "Choose that day or a later one, or rush the job.")
    if mail_date > latest:
        return MailPromise(ready, f"Choose a mail date before {latest:%B %-d, %Y}.")
    if not is_business_day(mail_date):
        return MailPromise(ready, "The shop mails on business days: choose a weekday that is not a holiday.")
    return MailPromise(mail_date)
