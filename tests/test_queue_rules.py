"""The queue's rules, with plain values: every move in the table, what blocks one, the proof promise."""
from datetime import date, datetime, timedelta, timezone

import pytest

from portal.orders.models import OrderStatus as S
from portal.promises.rules import PROOF_ROUND_TRIP_DAYS
from portal.shop.calendar import ShopCalendar
from portal.queue import rules
from portal.queue.rules import JobFacts

# Every stage and where a plain job (campus delivery, no proof, nothing pending) may go from it.
ALLOWED = {
    S.AWAITING_APPROVAL: {S.CANCELLED},
    S.RECEIVED: {S.PREPRESS, S.ON_HOLD, S.CANCELLED},
    S.PREPRESS: {S.PRINTING, S.ON_HOLD, S.CANCELLED},
    S.PRINTING: {S.FINISHING, S.ON_HOLD, S.CANCELLED},
    S.FINISHING: {S.READY, S.ON_HOLD, S.CANCELLED},
    S.READY: {S.SHIPPED, S.ON_HOLD, S.CANCELLED},  # delivered only after going out (campus)
    S.SHIPPED: {S.DELIVERED},
    S.ON_HOLD: {S.PRINTING, S.CANCELLED},  # back where it was held (printing, below), or cancelled
    S.DELIVERED: set(),
    S.CANCELLED: set(),
}


@pytest.mark.parametrize("start", list(S))
@pytest.mark.parametrize("to", list(S))
def test_every_move_in_the_table(start, to):
    job = JobFacts(status=start, delivery_method="campus", held_from=S.PRINTING if start == S.ON_HOLD else None)
    allowed = rules.refusal(job, to) is None
    assert allowed == (to in ALLOWED[start]), f"{start} → {to}"


def test_the_table_names_every_status():
    assert set(rules.MOVES) == set(S)
    assert all(set(targets) <= set(S) for targets in rules.MOVES.values())


@pytest.mark.parametrize("method, ready_to, refused", [
    ("pickup", S.DELIVERED, S.SHIPPED),
    ("campus", S.SHIPPED, S.DELIVERED),
    ("carrier", S.SHIPPED, S.DELIVERED),
])
def test_a_pickup_is_handed_over_and_other_jobs_go_out_first(method, ready_to, refused):
    job = JobFacts(status=S.READY, delivery_method=method)
    assert rules.next_stage(job) == ready_to
    assert rules.refusal(job, ready_to) is None
    assert rules.refusal(job, refused)


@pytest.mark.parametrize("proof, reason", [
    (None, "This job needs a proof"),
    ("waiting", "has not answered the proof"),
    ("changes_requested", "asked for changes"),
    ("approved", None),
])
def test_a_job_that_needs_a_proof_prints_only_once_it_is_approved(proof, reason):
    job = JobFacts(status=S.PREPRESS, needs_proof=True, proof=proof)
    refused = rules.refusal(job, S.PRINTING)
    assert (refused is None) if reason is None else (reason in refused)


def test_pending_copyright_blocks_printing_with_the_readings_named():
    job = JobFacts(status=S.PREPRESS, pending_readings=("Week 3: Brown v. Board", "Week 4: Notes"))
    refused = rules.refusal(job, S.PRINTING)
    assert "Copyright permission is pending for 2 readings" in refused
    assert "Week 3: Brown v. Board" in refused and "Week 4: Notes" in refused
    # Held and resumed into printing: still blocked. Other moves are not.
    assert rules.refusal(JobFacts(status=S.ON_HOLD, held_from=S.PRINTING, pending_readings=("X",)), S.PRINTING)
    assert rules.refusal(job, S.ON_HOLD) is None and rules.refusal(job, S.CANCELLED) is None
    assert S.PRINTING not in rules.allowed_moves(job)


def test_a_held_job_goes_back_to_the_stage_it_was_held_in():
    job = JobFacts(status=S.ON_HOLD, held_from=S.FINISHING)
    assert rules.next_stage(job) == S.FINISHING
    assert rules.refusal(job, S.FINISHING) is None
    assert "goes back there" in rules.refusal(job, S.PRINTING)
    assert rules.action_label(job, S.FINISHING) == "Resume in Finishing"


@pytest.mark.parametrize("status, expected", [
    (S.RECEIVED, S.PREPRESS), (S.PREPRESS, S.PRINTING), (S.PRINTING, S.FINISHING), (S.FINISHING, S.READY),
    (S.READY, S.SHIPPED), (S.SHIPPED, S.DELIVERED), (S.DELIVERED, None), (S.CANCELLED, None),
    (S.AWAITING_APPROVAL, None),
])
def test_the_next_stage_is_one_click_away(status, expected):
    assert rules.next_stage(JobFacts(status=status, delivery_method="campus")) == expected


@pytest.mark.parametrize("method, to, fields", [
    ("campus", S.PREPRESS, ()), ("campus", S.SHIPPED, ()), ("carrier", S.SHIPPED, ("carrier", "tracking_number")),
    ("pickup", S.DELIVERED, ("received_by",)), ("campus", S.ON_HOLD, ("reason",)),
])
def test_moves_that_need_details(method, to, fields):
    assert rules.needs_details(JobFacts(status=S.READY, delivery_method=method), to) == fields


def test_stage_words_follow_the_delivery_method():
    assert rules.stage_label(S.SHIPPED, "campus") == "Out for delivery"
    assert rules.stage_label(S.SHIPPED, "carrier") == "Shipped"
    assert rules.stage_label(S.DELIVERED, "pickup") == "Picked up"
    assert rules.stage_label(S.READY, "pickup") == "Ready for pickup"
    assert rules.event_message(JobFacts(status=S.READY, delivery_method="carrier"), S.SHIPPED,
                               {"carrier": "UPS", "tracking_number": "1Z999"}) == \
        "Shipped by UPS, tracking number 1Z999."


def test_routing_lists_every_stage_with_its_station():
    steps = rules.routing(needs_proof=True, delivery_method="pickup", product_kind="print", product_slug="poster")
    assert [stage for stage, _ in steps] == ["Received", "Prepress", "Printing", "Finishing", "Ready for pickup",
                                             "Picked up"]
    assert "proof" in steps[1][1] and steps[2][1] == "Wide-format printer"
    assert [s for s, _ in rules.routing(needs_proof=False, delivery_method="campus", product_kind="course_pack")][-2:] \
        == ["Out for delivery", "Delivered"]


TODAY = date(2026, 11, 23)


@pytest.mark.parametrize("promise, expected, status, flags", [
    (TODAY - timedelta(days=1), TODAY - timedelta(days=1), S.PRINTING, ("late",)),
    (TODAY, TODAY, S.PRINTING, ("due today",)),
    (TODAY + timedelta(days=2), TODAY + timedelta(days=3), S.PRINTING, ("at risk",)),
    (TODAY - timedelta(days=1), TODAY + timedelta(days=1), S.READY, ("late", "at risk")),
    (TODAY - timedelta(days=5), TODAY - timedelta(days=5), S.DELIVERED, ()),
    (TODAY + timedelta(days=5), TODAY + timedelta(days=5), S.RECEIVED, ()),
])
def test_flags(promise, expected, status, flags):
    assert rules.flags(status=status, promise_date=promise, expected_date=expected, today=TODAY) == flags


CALENDAR = ShopCalendar(closed=frozenset({date(2026, 11, 26), date(2026, 11, 27)}))  # Thanksgiving


@pytest.mark.parametrize("sent, answered, before, extra, expected", [
    (date(2026, 11, 23), date(2026, 11, 23), 0, 0, date(2026, 12, 4)),   # same day
    (date(2026, 11, 23), date(2026, 11, 25), 0, 0, date(2026, 12, 4)),   # two business days: the plan
    (date(2026, 11, 23), date(2026, 11, 30), 0, 1, date(2026, 12, 7)),   # three (holidays skipped): one late
    (date(2026, 11, 30), date(2026, 12, 4), 0, 2, date(2026, 12, 8)),    # four business days
    (date(2026, 11, 30), date(2026, 12, 1), 2, 1, date(2026, 12, 7)),    # the allowance used by round one
    (date(2026, 11, 28), date(2026, 11, 30), 0, 0, date(2026, 12, 4)),   # sent on a Saturday
])
def test_a_late_proof_answer_moves_the_expected_date_by_the_extra_business_days(sent, answered, before, extra, expected):
    delay = rules.expected_after_proof(expected_date=date(2026, 12, 4), sent_on=sent, answered_on=answered,
                                       waited_before=before, calendar=CALENDAR)
    assert PROOF_ROUND_TRIP_DAYS == 2
    assert (delay.extra_days, delay.expected_date) == (extra, expected)


@pytest.mark.parametrize("minutes, words", [
    (5, "under an hour"), (60, "1 hour"), (60 * 27, "1 day 3 hours"), (60 * 48, "2 days"), (-10, "under an hour"),
])
def test_waiting_time_in_words(minutes, words):
    start = datetime(2026, 11, 23, 15, tzinfo=timezone.utc)
    assert rules.waiting_time(start, start + timedelta(minutes=minutes)) == words


@pytest.mark.parametrize("sent_on, ready_by, waited_before, answer_by", [
    (date(2026, 11, 16), date(2026, 11, 20), 0, date(2026, 11, 17)),  # Monday's proof: printing planned Wednesday
    (date(2026, 11, 20), date(2026, 11, 30), 0, date(2026, 11, 23)),  # Friday's: over the weekend to Monday
    (date(2026, 11, 19), date(2026, 11, 23), 0, date(2026, 11, 20)),  # due to be ready Monday: answer by Friday
    (date(2026, 11, 20), date(2026, 11, 23), 0, date(2026, 11, 20)),  # the day before ready: that very day
    (date(2026, 11, 23), date(2026, 11, 23), 0, date(2026, 11, 23)),  # sent late: as soon as they can
    (date(2026, 11, 23), date(2026, 12, 4), 2, date(2026, 11, 23)),   # earlier rounds used the round trip
    (date(2026, 11, 24), date(2026, 12, 4), 0, date(2026, 11, 25)),   # Thanksgiving is not a day to answer on
])
def test_a_proof_is_answered_by_a_day_that_keeps_the_promise(sent_on, ready_by, waited_before, answer_by):
    calendar = ShopCalendar(closed=frozenset({date(2026, 11, 26)}))
    assert rules.proof_answer_by(sent_on=sent_on, ready_by=ready_by, waited_before=waited_before,
                                 calendar=calendar) == answer_by
