"""Terms and course packs across terms for the term-cycle tests (issue 17)."""
from __future__ import annotations

from datetime import date, datetime, timezone

from portal.extensions import db
from portal.terms import services as terms

FALL_FIRST_DAY = date(2026, 8, 31)
SPRING_FIRST_DAY = date(2027, 1, 19)  # the Tuesday after Martin Luther King Jr. Day
LAST_SUMMER = datetime(2026, 7, 20, 15, 0, tzinfo=timezone.utc)  # when last term's packs were ordered
# Readings whose status needs nothing more from the instructor (permission obtained asks who granted it).
PUBLIC_DOMAIN = {"files-0-copyright": "public_domain"}


def add_terms():
    fall = terms.save_term(None, name="Fall 2026", first_day=FALL_FIRST_DAY)
    spring = terms.save_term(None, name="Spring 2027", first_day=SPRING_FIRST_DAY)
    db.session.commit()
    return fall, spring


def last_terms_pack(make, customer, **overrides):
    """A Fall 2026 course pack ordered in the summer, delivered since."""
    return make.order(customer, now=LAST_SUMMER, term="Fall 2026", **{**PUBLIC_DOMAIN, **overrides})
