"""The shop's paperwork as PDFs (WeasyPrint): job tickets, packing slips and the campus run sheet."""
from __future__ import annotations

from datetime import date

import segno
from flask import Response, abort, url_for

from portal.database import utcnow
from portal.documents.pdf import render_pdf
from portal.orders import rules as order_rules
from portal.queue import rules, services


def job_url(order) -> str:
    """The job page's absolute address: what a ticket's QR code opens."""
    return url_for("queue.job", number=order.number, _external=True)


def qr_code(url: str) -> str:
    """A QR code of `url` as a PNG data URI (two pixels a module, the quiet zone included)."""
    return segno.make(url, error="m").png_data_uri(scale=2, border=4)


def _pdf(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-store"})


def job_tickets(numbers: list[str]) -> Response:
    """One ticket page per job, in the order asked; 404 when none of the numbers is a job."""
    orders = services.jobs(numbers)
    if not orders:
        abort(404)
    tickets = [dict(order=order, url=job_url(order), qr=qr_code(job_url(order)),
                    stage=rules.stage_label(order.status, order.delivery_method),
                    routing=rules.routing(needs_proof=order.product.needs_proof,
                                          delivery_method=order.delivery_method,
                                          product_kind=order.product.kind.value, product_slug=order.product.slug))
               for order in orders]
    name = f"ticket-{orders[0].number}.pdf" if len(orders) == 1 else f"tickets-{len(orders)}-jobs.pdf"
    return _pdf(render_pdf("queue/pdf/tickets.html", tickets=tickets, printed_at=utcnow()), name)


def packing_slip(number: str) -> Response:
    order = services.job(number)
    bundles = order_rules.bundles(order.quantity, order.copies_per_bundle)  # for the campus bookstore
    return _pdf(render_pdf("queue/pdf/packing_slip.html", order=order, printed_at=utcnow(), bundles=bundles),
                f"packing-slip-{order.number}.pdf")


def run_sheet(day: date) -> Response:
    stops = services.campus_run(day)
    return _pdf(render_pdf("queue/pdf/run_sheet.html", day=day, stops=stops, printed_at=utcnow(),
                           count=sum(len(stop.orders) for stop in stops)),
                f"campus-run-{day.isoformat()}.pdf")
