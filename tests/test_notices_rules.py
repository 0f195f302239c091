"""Who hears of what, how repeats are told apart, how delivery retries: plain function calls."""
from datetime import date, datetime, timezone

import pytest

from portal.notices import rules
from portal.notices.rules import Channel, NoticeKind, Outcome


@pytest.mark.parametrize("kind, turned_off, expected", [
    (NoticeKind.SHIPPED, set(), [Channel.EMAIL, Channel.PORTAL]),
    (NoticeKind.SHIPPED, {("shipped", "email")}, [Channel.PORTAL]),
    (NoticeKind.SHIPPED, {("shipped", "email"), ("shipped", "portal")}, []),
    (NoticeKind.SHIPPED, {("delivered", "email")}, [Channel.EMAIL, Channel.PORTAL]),
    (NoticeKind.PROOF_READY, {("proof_ready", "email"), ("proof_ready", "portal")}, [Channel.EMAIL, Channel.PORTAL]),
    (NoticeKind.APPROVAL_NEEDED, {("approval_needed", "email")}, [Channel.EMAIL, Channel.PORTAL]),
    (NoticeKind.DECLINED, {("declined", "email")}, [Channel.EMAIL, Channel.PORTAL]),
])
def test_preferences_are_respected_except_for_notices_that_need_action(kind, turned_off, expected):
    assert rules.wanted_channels(kind, turned_off) == expected


@pytest.mark.parametrize("kind, details, expected", [
    (NoticeKind.RECEIVED, {}, ""),
    (NoticeKind.DELAY, {"expected_date": "2026-12-04", "reason": "Press down"}, "2026-12-04"),
    (NoticeKind.DELAY, {"expected_date": "2026-12-04", "reason": "Another note"}, "2026-12-04"),
    (NoticeKind.PROOF_READY, {"occurrence": "proof-2"}, "proof-2"),
])
def test_what_tells_an_event_apart_from_a_repeat(kind, details, expected):
    assert rules.occurrence(kind, details) == expected


def test_the_same_details_are_the_same_event_and_other_details_another():
    first = rules.occurrence(NoticeKind.SHIPPED, {"carrier": "UPS", "tracking_number": "1Z1"})
    again = rules.occurrence(NoticeKind.SHIPPED, {"tracking_number": "1Z1", "carrier": "UPS"})
    other = rules.occurrence(NoticeKind.SHIPPED, {"carrier": "UPS", "tracking_number": "1Z2"})
    assert first == again != other and len(first) == 16


def test_details_become_plain_json_values():
    moment = datetime(2026, 11, 23, 15, tzinfo=timezone.utc)
    assert rules.plain_details({"on": date(2026, 12, 4), "at": moment, "n": 3, "who": None, "list": (1, "a")}) == {
        "on": "2026-12-04", "at": "2026-11-23T15:00:00+00:00", "n": 3, "who": None, "list": [1, "a"]}


@pytest.mark.parametrize("text, expected", [
    ("Maya Okafor", "Maya Okafor"),
    ("Mallory\r\nBcc: victim@example.com", "Mallory Bcc: victim@example.com"),
    ("Eve\nTo: x@example.com\r\n\r\nbody", "Eve To: x@example.com body"),
    ("Line\u2028separator\x85next", "Line separator next"),
    ("  spaced   out  ", "spaced out"),
])
def test_header_text_is_always_one_line(text, expected):
    assert rules.header_text(text) == expected


def test_header_text_is_shortened():
    assert rules.header_text("x" * 300, 10) == "x" * 9 + "…"


@pytest.mark.parametrize("kind, words", [
    (NoticeKind.RECEIVED, "Order 26-00042 received: promised for Tue, Dec 1"),
    (NoticeKind.APPROVAL_NEEDED, "Action needed: approve order 26-00042 ($1,250.00)"),
    (NoticeKind.PROOF_READY, "Action needed: your proof for order 26-00042 is ready"),
    (NoticeKind.DELAY, "Order 26-00042 is running late: now expected Fri, Dec 4"),
])
def test_subjects_carry_the_order_number(kind, words):
    headline = rules.Headline(kind, "26-00042", promise_day="Tue, Dec 1", expected_day="Fri, Dec 4", price="$1,250.00")
    assert rules.subject(headline, "LAW 501 course pack\r\nBcc: x") == f"{words} (LAW 501 course pack Bcc: x)"


@pytest.mark.parametrize("carrier, number, expected", [
    ("UPS", "1Z999AA10123456784", "https://www.ups.com/track?tracknum=1Z999AA10123456784"),
    ("FedEx", "7712 3456", "https://www.fedex.com/fedextrack/?trknbr=7712%203456"),
    ("U.S.P.S.", "9400", "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400"),
    ("Campus courier", "42", None),
    ("UPS", "", None),
    (None, "1Z", None),
])
def test_carrier_tracking_links(carrier, number, expected):
    assert rules.carrier_tracking_url(carrier, number) == expected


@pytest.mark.parametrize("code, attempts, expected", [
    (550, 1, Outcome.PARK), (554, 1, Outcome.PARK), (451, 1, Outcome.RETRY), (421, 2, Outcome.RETRY),
    (452, 3, Outcome.PARK),
])
def test_permanent_refusals_park_temporary_ones_retry_until_the_last_try(code, attempts, expected):
    assert rules.outcome_of_refusal(code, attempts=attempts, max_attempts=3) == expected


@pytest.mark.parametrize("attempts, expected", [(1, 60), (2, 120), (3, 240), (6, 1920), (7, 3600), (20, 3600)])
def test_backoff_doubles_up_to_a_cap(attempts, expected):
    assert rules.backoff_seconds(attempts, base=60, cap=3600) == expected

