"""The shop manager loads the finance office's file of departments and budget accounts: upload, preview,
apply. The file travels with the preview (a hidden field), so nothing is kept between the two steps."""
from __future__ import annotations

import base64
import binascii

from flask import flash, redirect, request, url_for

from portal.billing import blueprint, finance
from portal.database import utcnow
from portal.extensions import db
from portal.failures import Conflict, ValidationFailed
from portal.spreadsheets import csv_text
from portal.web import admin_required, refused, render

SAMPLE = [["Account code", "Account name", "Department", "Active until", "Approver"],
          ["10-4410-7200", "Law School operations", "School of Law", "2027-06-30", "deptadmin@example.edu"],
          ["10-4420-1100", "History teaching", "History", "", ""]]


@blueprint.get("/staff/finance-file")
@admin_required
def finance_file():
    return render("billing/finance.html", preview=None, problems={}, encoded="")


@blueprint.get("/staff/finance-file/sample.csv")
@admin_required
def finance_sample():
    return csv_text(SAMPLE), 200, {"Content-Type": "text/csv; charset=utf-8",
                                   "Content-Disposition": 'attachment; filename="finance-accounts-sample.csv"'}


@blueprint.post("/staff/finance-file")
@admin_required
def finance_preview():
    """Reads the uploaded file and shows what applying it would do; changes nothing."""
    upload = request.files.get("file")
    data = upload.read(finance.MAX_BYTES + 1) if upload else b""
    try:
        preview = finance.preview(data)
    except ValidationFailed as refusal:
        return refused("billing/finance.html", preview=None, problems=refusal.errors, encoded="")
    return render("billing/finance.html", preview=preview, problems={},
                  encoded=base64.b64encode(data).decode(), filename=upload.filename if upload else "")


@blueprint.post("/staff/finance-file/apply")
@admin_required
def finance_apply():
    """Applies the previewed file in one transaction, if it is still what was previewed."""
    try:
        data = base64.b64decode(request.form.get("data", ""), validate=True)
        plan = finance.apply(data, digest=request.form.get("digest", ""), now=utcnow())
        db.session.commit()
    except binascii.Error:
        return refused("billing/finance.html", preview=None, encoded="",
                       problems={"file": "The preview was damaged in transit. Upload the file again."})
    except ValidationFailed as refusal:
        return refused("billing/finance.html", preview=None, problems=refusal.errors, encoded="")
    except Conflict as changed:
        return refused("billing/finance.html", preview=changed.current, problems={"": changed.message},
                       encoded=request.form.get("data", ""), filename=request.form.get("filename", ""))
    flash(f"The finance file is applied: {len(plan.added)} accounts added, {len(plan.changed)} changed, "
          f"{len(plan.withdrawn)} withdrawn, {len(plan.new_departments)} new departments.", "success")
    return redirect(url_for("billing.finance_file"), code=303)
