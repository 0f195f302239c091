"""Staff: promises kept, orders at risk, load against capacity, calibration, and the shop calendar."""
from __future__ import annotations

from flask import request, url_for

from portal.database import utcnow
from portal.extensions import db
from portal.failures import ValidationFailed
from portal.keeping import blueprint, services as keeping
from portal.keeping.forms import ClosureForm, DowntimeForm
from portal.promises import rules, services
from portal.web import refused, render, staff_required
from portal.web.forms import choices
from portal.web.navigation import redirect_to


def _page(closure_form=None, downtime_form=None, problems=None, status: int = 200):
    now = utcnow()
    downtime_form = downtime_form or DowntimeForm()
    downtime_form.station.choices = choices([("", "Choose a station")] + [(s.id, s.name) for s in services.stations()])
    return render("promises/dashboard.html", status=status, target=rules.KEPT_TARGET, percentile=keeping.PERCENTILE,
                  kept_30=keeping.kept_rate(now=now, days=30),
                  kept_90=keeping.kept_rate(now=now, days=90), trend=keeping.kept_trend(now=now), at_risk=keeping.at_risk_orders(),
                  chart=keeping.load_chart(now=now), calibrations=keeping.calibration_history(),
                  clearance=services.clearance_calibration(), clearance_days=services.clearance_days(),
                  clearance_minimum=rules.CLEARANCE_MINIMUM_SAMPLES,
                  closures=services.upcoming_closures(now), downtime=services.upcoming_downtime(now),
                  closure_form=closure_form or ClosureForm(), downtime_form=downtime_form, problems=problems or {})


@blueprint.get("/staff/promises")
@staff_required
def dashboard():
    """Promises kept over 30 and 90 days, orders at risk today, the load chart, calibration history."""
    return _page()


def _change_calendar(change, **forms):
    """Applies a change to the shop calendar and re-plans open orders at once; a refusal shows the
    page again with the form as typed and the errors beside its fields."""
    now = utcnow()
    try:
        change(now)
        keeping.replan(now=now)
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_page, **forms, problems=refusal.errors)
    return redirect_to(url_for("promises.dashboard"))


@blueprint.post("/staff/promises/closures")
@staff_required
def add_closure():
    """Closes the shop for a day."""
    form = ClosureForm(request.form)
    return _change_calendar(lambda now: services.add_closure(day=form.day.data, reason=form.reason.data, now=now),
                            closure_form=form)


@blueprint.post("/staff/promises/downtime")
@staff_required
def add_downtime():
    """Marks a station down for a day."""
    form = DowntimeForm(request.form)
    return _change_calendar(lambda now: services.add_downtime(station_id=form.station.data, day=form.day.data,
                                                              reason=form.reason.data, now=now), downtime_form=form)


@blueprint.post("/staff/promises/replan")
@staff_required
def replan():
    """Re-plans every open order now (the worker also does it every few minutes)."""
    keeping.replan(now=utcnow())
    db.session.commit()
    return redirect_to(url_for("promises.dashboard"))
