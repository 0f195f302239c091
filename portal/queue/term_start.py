"""The manager's term-start view (/staff/term-start): the coming term's course packs due by the end of its first
two weeks, their readings' clearance, and their work on each station by day, so a surge shows weeks ahead."""
from __future__ import annotations

from flask import request

from portal.database import utcnow
from portal.queue import blueprint, term_load
from portal.web import render, staff_required


@blueprint.get("/term-start")
@staff_required
def term_start():
    """The term-start page for the coming term, or the term chosen (`?term=<id>`; an unknown one is 404)."""
    chosen = request.args.get("term", type=int)
    return render("queue/term_start.html", view=term_load.term_start(now=utcnow(), term_id=chosen))
