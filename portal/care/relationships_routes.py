"""The Relationships page (staff), and the manager's import of the purchasing office's outside print purchases:
upload, preview, apply. The file travels with the preview (a hidden field), so nothing is kept between steps."""
from __future__ import annotations

import base64
import binascii

from flask import flash, request, url_for

from portal.care import blueprint, outside, relationships, rules
from portal.database import utcnow
from portal.extensions import db
from portal.failures import Conflict, ValidationFailed
from portal.spreadsheets import csv_text
from portal.web import admin_required, refused, render, staff_required
from portal.web.navigation import redirect_to

PAGE = "care/outside.html"
SAMPLE = [["Department", "Vendor", "Date", "Amount"],
          ["History", "Ithaca Print & Copy", "2026-10-14", "412.50"],
          ["School of Law", "Campus Express Printing", "10/22/2026", "$1,280.00"]]


@blueprint.get("/staff/relationships")
@staff_required
def relationships_page():
    """Per department: orders and spend by month, people and repeat rate, usual gap and who is overdue,
    satisfaction, open cases, share of print spend with the shop and its trend, the 100 % departments."""
    return render("care/relationships.html", view=relationships.overview(now=utcnow()),
                  in_weeks_or_days=rules.in_weeks_or_days)


@blueprint.get("/staff/relationships/outside")
@admin_required
def outside_file():
    """The upload form for the purchasing office's file of outside print purchases."""
    return render(PAGE, preview=None, problems={}, encoded="")


@blueprint.get("/staff/relationships/outside/sample.csv")
@admin_required
def outside_sample():
    """A sample file, formula-safe (portal.spreadsheets.csv_text)."""
    return csv_text(SAMPLE), 200, {"Content-Type": "text/csv; charset=utf-8",
                                   "Content-Disposition": 'attachment; filename="outside-print-sample.csv"'}


@blueprint.post("/staff/relationships/outside")
@admin_required
def outside_preview():
    """Reads the uploaded file and shows what applying it would add, with each row's problems; changes nothing."""
    upload = request.files.get("file")
    data = upload.read(outside.MAX_BYTES + 1) if upload else b""
    try:
        preview = outside.preview(data, now=utcnow())
    except ValidationFailed as refusal:
        return refused(PAGE, preview=None, problems=refusal.errors, encoded="")
    return render(PAGE, preview=preview, problems={}, encoded=base64.b64encode(data).decode(),
                  filename=upload.filename if upload else "")


@blueprint.post("/staff/relationships/outside/apply")
@admin_required
def outside_apply():
    """Adds the previewed purchases in one transaction, if they are still what was previewed."""
    try:
        data = base64.b64decode(request.form.get("data", ""), validate=True)
        added = outside.apply(data, digest=request.form.get("digest", ""), now=utcnow())
        db.session.commit()
    except binascii.Error:
        return refused(PAGE, preview=None, encoded="",
                       problems={"file": "The preview was damaged in transit. Upload the file again."})
    except ValidationFailed as refusal:
        return refused(PAGE, preview=None, problems=refusal.errors, encoded="")
    except Conflict as changed:
        return refused(PAGE, preview=changed.current, problems={"": changed.message},
                       encoded=request.form.get("data", ""), filename=request.form.get("filename", ""))
    flash(f"The purchasing office's file is loaded: {len(added.added)} outside purchases added.", "success")
    return redirect_to(url_for("care.relationships_page"))
