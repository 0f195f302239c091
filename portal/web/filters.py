"""Template filters and globals: money, dates in the shop's time zone (written by portal.shop.formats),
the shop's contact details. Domains register their own filters (an address on one line, an order's
cancel deadline) when their blueprint is registered."""
from __future__ import annotations

import os
from urllib.parse import quote

from flask import Flask, url_for

from portal.shop.formats import counted, day, long_day, machine_time, moment, money


def url_pattern(endpoint: str, param: str):
    """url_for once for a list page: a function giving the URL for each value of one parameter.

    A page of 25 rows would otherwise call url_for for every link of every row.
    """
    for marker in ("PARAM-VALUE-MARKER", "987654321987"):  # a word, or a number for <int:...> rules
        try:
            pattern = url_for(endpoint, **{param: marker})
            break
        except ValueError:
            continue
    return lambda value: pattern.replace(marker, quote(str(value), safe=""))


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_filter(money)
    app.add_template_filter(day)
    app.add_template_filter(long_day)
    app.add_template_filter(moment)
    app.add_template_filter(machine_time)
    app.add_template_filter(counted)
    shop = {
        "name": app.config["SHOP_NAME"],
        "phone": app.config["SHOP_PHONE"],
        "hours": app.config["SHOP_HOURS"],
        "location": app.config["SHOP_LOCATION"],
        "email": app.config["SHOP_EMAIL"],
        "tel": "+1" + "".join(ch for ch in app.config["SHOP_PHONE"] if ch.isdigit())[-10:],
    }
    app.jinja_env.globals["shop"] = shop
    app.jinja_env.globals["url_pattern"] = url_pattern
    # A fresh key for each order or reorder form: a repeated submission of one form makes one order.
    app.jinja_env.globals["idempotency_key"] = lambda: os.urandom(16).hex()
