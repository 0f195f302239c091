"""The staff's promises page: kept rates, orders at risk, the load chart, the shop calendar."""
import re

import pytest
import time_machine
from sqlalchemy import func, select

from portal.extensions import db
from portal.promises.models import ClearanceCalibration, Closure, Station, StationDowntime
from tests.factories import NOW


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_page_is_for_staff_only(customer_client):
    assert customer_client.get("/staff/promises").status_code == 404
    assert customer_client.post("/staff/promises/closures", data={"day": "2026-12-24", "reason": "x"}).status_code == 404


def test_staff_see_kept_rates_at_risk_and_the_load_chart(app, make, customer, staff_client):
    order = make.order(customer)
    with app.app_context():
        bindery = db.session.scalar(select(Station.id).where(Station.code == "bindery"))
    for day in ("2026-11-23", "2026-11-24", "2026-11-25"):
        response = staff_client.post("/staff/promises/downtime", data={"station": str(bindery), "day": day,
                                                                        "reason": "Coil binder broken"})
        assert response.status_code == 303
    page = staff_client.get("/staff/promises").get_data(as_text=True)
    assert "kept over the last 30 days" in page and "at risk today" in page
    assert order.number in page and "The Bindery is out of service" in page
    assert page.count('<figure class="load-chart">') == 6 and 'role="img"' in page
    assert "Show the load as a table" in page
    assert '<figure class="trend-chart">' in page and "Promises kept by week: " in page  # the on-time trend
    assert "Show the weeks as a table" in page


def test_the_page_shows_the_clearance_time_next_to_the_buffers_stated_then_calibrated(app, staff_client):
    stated = staff_client.get("/staff/promises").get_data(as_text=True)
    assert 'data-clearance-days="5"' in stated and "<strong>5 business days</strong>" in stated
    assert "stated figure, until 10 requests have been answered" in stated
    with app.app_context():
        db.session.add(ClearanceCalibration(computed_at=NOW, business_days=3, previous_business_days=5, samples=40,
                                            percentile=0.9))
        db.session.commit()
    calibrated = staff_client.get("/staff/promises").get_data(as_text=True)
    assert 'data-clearance-days="3"' in calibrated and "<strong>3 business days</strong>" in calibrated
    assert "enough for 90% of the last 40 answered requests" in calibrated and "(was 5)" in calibrated


def test_the_promises_page_gives_each_element_its_own_id(staff_client):
    ids = re.findall(r'\sid="([^"]+)"', staff_client.get("/staff/promises").get_data(as_text=True))
    assert ids and len(ids) == len(set(ids))


def test_a_closure_with_a_bad_day_is_explained_and_nothing_saved(app, staff_client):
    response = staff_client.post("/staff/promises/closures", data={"day": "2026-11-01", "reason": "Winter break"})
    assert response.status_code == 422
    assert "Choose today or a later day." in response.get_data(as_text=True)
    assert 'value="Winter break"' in response.get_data(as_text=True)
    staff_client.post("/staff/promises/closures", data={"day": "2026-12-24", "reason": "Winter break"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Closure)) == 1
        assert db.session.scalar(select(func.count()).select_from(StationDowntime)) == 0
