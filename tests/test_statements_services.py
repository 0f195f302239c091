"""Statements without HTTP: what a month charges, who sees which statements, the month close (final, once,
only when over, emails to department administrators), credits, and totals that reconcile over generated
months on the real database."""
from __future__ import annotations

import random
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.demo import data
from portal.extensions import db
from portal.failures import NotAllowed, ValidationFailed
from portal.notices.models import Notice
from portal.notices.rules import Channel, NoticeKind
from portal.orders.models import Order, OrderEvent, OrderStatus
from portal.statements import rules, services
from portal.statements.models import Adjustment, StatementLine
from portal.statements.rules import Month
from tests.factories import NOW
from tests.statements_support import charged

NOV, DEC = Month(2026, 11), Month(2026, 12)
DECEMBER_2 = datetime(2026, 12, 2, 15, 0, tzinfo=timezone.utc)


@pytest.fixture
def campus(make):
    """Two departments with an account each, an administrator of Law, the manager, and a placed order."""
    law, history = make.department("School of Law"), make.department("History")
    customer = make.customer(department=law)
    law_account = make.account(customer, department=law, code="10-4410-7200", name="Law course materials")
    history_account = make.account(customer, department=history, code="10-2230-7200", name="History teaching")
    template = make.order(customer, account=law_account)
    return dict(law=law, history=history, customer=customer, law_account=law_account,
                history_account=history_account, template=template,
                administrator=make.user(name="Daniel Reyes", administers=[law]),
                manager=make.user(role=Role.ADMIN, name="Rosa Alvarez"), staff=make.staff())


def test_a_month_charges_the_orders_delivered_in_it_and_nothing_else(campus):
    t, law = campus["template"], campus["law_account"]
    delivered = charged(t, account=law, price_cents=12000, delivered_on=date(2026, 11, 3))
    charged(t, account=law, price_cents=9999, delivered_on=date(2026, 10, 31))           # October's
    charged(t, account=law, price_cents=7777, delivered_on=date(2026, 12, 1))            # December's
    for status in (OrderStatus.CANCELLED, OrderStatus.AWAITING_APPROVAL, OrderStatus.PRINTING, OrderStatus.SHIPPED):
        charged(t, account=law, price_cents=5000, delivered_on=None, status=status)
    lines = services.month_lines(NOV)
    assert [(line.order_number, line.amount_cents, line.account_code) for line in lines] == [
        (delivered.number, 12000, "10-4410-7200")]
    assert services.month_lines(DEC)[0].amount_cents == 7777


def test_department_administrators_see_only_their_departments(campus):
    t = campus["template"]
    charged(t, account=campus["law_account"], price_cents=1000, delivered_on=date(2026, 11, 3))
    charged(t, account=campus["history_account"], price_cents=2000, delivered_on=date(2026, 11, 4))
    assert [d.name for d in services.month_view(NOV, viewer=campus["staff"]).departments] == ["History",
                                                                                                "School of Law"]
    assert [d.name for d in services.month_view(NOV, viewer=campus["administrator"]).departments] == ["School of Law"]
    with pytest.raises(NotAllowed):
        services.department_statement(NOV, campus["history"].id, viewer=campus["administrator"])
    with pytest.raises(NotAllowed):
        services.account_statement(NOV, campus["history_account"].id, viewer=campus["administrator"])
    with pytest.raises(NotAllowed):
        services.month_view(NOV, viewer=campus["customer"])
    _, statement = services.account_statement(NOV, campus["law_account"].id, viewer=campus["administrator"])
    assert statement.totals.net_cents == 1000


def test_a_month_closes_only_when_it_is_over_only_by_the_manager_and_only_once(campus):
    with pytest.raises(ValidationFailed) as early:
        services.close_month(NOV, actor=campus["manager"], now=NOW)
    assert "not over yet" in early.value.errors["month"]
    with pytest.raises(NotAllowed):
        services.close_month(NOV, actor=campus["staff"], now=DECEMBER_2)
    services.close_month(NOV, actor=campus["manager"], now=DECEMBER_2)
    db.session.commit()
    with pytest.raises(ValidationFailed) as twice:
        services.close_month(NOV, actor=campus["manager"], now=DECEMBER_2)
    assert "already closed" in twice.value.errors["month"]


def test_a_closed_month_never_changes_and_later_corrections_go_to_the_next_open_month(campus):
    t, law = campus["template"], campus["law_account"]
    order = charged(t, account=law, price_cents=12000, delivered_on=date(2026, 11, 3), title="LAW 501 pack")
    services.credit_order(order, amount="20", kind="refund", reason="Three copies short", actor=campus["staff"],
                          now=datetime(2026, 11, 20, 15, tzinfo=timezone.utc))
    db.session.commit()
    services.close_month(NOV, actor=campus["manager"], now=DECEMBER_2)
    db.session.commit()
    before = [(line.order_number, line.amount_cents, line.title) for line in services.month_lines(NOV)]
    assert [amount for _, amount, _ in before] == [12000, -2000]

    # After the close: the order is renamed and repriced, a delivery is recorded late into November,
    # the account is renamed, and the order is credited again in December.
    order.title, order.price_cents = "Renamed", 99999
    law.name = "Renamed account"
    late = charged(t, account=law, price_cents=3000, delivered_on=date(2026, 11, 28))
    services.credit_order(order, amount="15.50", kind="reprint", reason="Smudged page 4", actor=campus["staff"],
                          now=DECEMBER_2)
    db.session.commit()

    assert [(line.order_number, line.amount_cents, line.title) for line in services.month_lines(NOV)] == before
    december = services.month_lines(DEC)
    assert sorted((line.order_number, line.amount_cents) for line in december) == sorted(
        [(late.number, 3000), (order.number, -1550)])
    [credit] = [line for line in december if line.kind == "credit"]
    assert "Smudged page 4" in credit.reason and credit.order_id == order.id
    # December closed in its turn freezes the late delivery there, once.
    services.close_month(DEC, actor=campus["manager"], now=datetime(2027, 1, 4, 15, tzinfo=timezone.utc))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(StatementLine)
                             .where(StatementLine.order_id == late.id)) == 1
    assert services.month_lines(Month(2027, 1)) == []


def test_closing_a_month_emails_each_department_administrator_once(campus, make):
    t = campus["template"]
    charged(t, account=campus["law_account"], price_cents=12345, delivered_on=date(2026, 11, 3))
    charged(t, account=campus["history_account"], price_cents=500, delivered_on=date(2026, 11, 3))
    history_admin = make.user(name="Omar Farouk", administers=[campus["history"], campus["law"]])
    services.close_month(NOV, actor=campus["manager"], now=DECEMBER_2)
    db.session.commit()
    emails = db.session.scalars(select(Notice).where(Notice.kind == NoticeKind.STATEMENTS_READY,
                                                     Notice.channel == Channel.EMAIL).order_by(Notice.id)).all()
    assert {(e.recipient_id, e.to_address) for e in emails} == {
        (campus["administrator"].id, campus["administrator"].email), (history_admin.id, history_admin.email)}
    daniel = next(e for e in emails if e.recipient_id == campus["administrator"].id)
    assert daniel.subject == "Your November 2026 print statements are ready"
    assert "School of Law: 1 order charged $123.45" in daniel.body_text and "History" not in daniel.body_text
    assert f"/statements/2026-11/departments/{campus['law'].id}/statement.pdf" in daniel.body_text
    omar = next(e for e in emails if e.recipient_id == history_admin.id)
    assert "History" in omar.body_text and "School of Law" in omar.body_text
    assert db.session.scalar(select(func.count()).select_from(Notice).where(
        Notice.kind == NoticeKind.STATEMENTS_READY, Notice.channel == Channel.PORTAL)) == 2


@pytest.mark.parametrize("amount, kind, reason, field, says", [
    ("0", "refund", "Short", "amount", "above $0.00"),
    ("-5", "refund", "Short", "amount", "positive"),
    ("12.345", "refund", "Short", "amount", "dollars and cents"),
    ("120.01", "refund", "Short", "amount", "more than the order's price, $120.00"),
    ("10", "", "Short", "kind", "Choose what the credit is for"),
    ("10", "refund", "  ", "reason", "Say why"),
    ("10", "refund", "x" * 501, "reason", "at most 500"),
])
def test_a_credit_that_breaks_a_rule_is_refused_and_changes_nothing(campus, amount, kind, reason, field, says):
    order = charged(campus["template"], account=campus["law_account"], price_cents=12000,
                    delivered_on=date(2026, 11, 3))
    with pytest.raises(ValidationFailed) as refusal:
        services.credit_order(order, amount=amount, kind=kind, reason=reason, actor=campus["staff"], now=NOW)
    assert says in refusal.value.errors[field]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Adjustment)) == 0


def test_credits_add_up_to_the_price_at_most_and_only_on_charged_orders(campus):
    order = charged(campus["template"], account=campus["law_account"], price_cents=12000,
                    delivered_on=date(2026, 11, 3))
    services.credit_order(order, amount="100", kind="refund", reason="Short", actor=campus["staff"], now=NOW)
    with pytest.raises(ValidationFailed, match=r"at most \$20.00"):
        services.credit_order(order, amount="20.01", kind="refund", reason="Short", actor=campus["staff"], now=NOW)
    services.credit_order(order, amount="20", kind="refund", reason="Short", actor=campus["staff"], now=NOW)
    assert services.credited_cents(order) == 12000
    waiting = charged(campus["template"], account=campus["law_account"], price_cents=12000, delivered_on=None,
                      status=OrderStatus.PRINTING)
    with pytest.raises(ValidationFailed, match="Only a delivered order can be credited"):
        services.credit_order(waiting, amount="1", kind="refund", reason="Short", actor=campus["staff"], now=NOW)
    with pytest.raises(NotAllowed):
        services.credit_order(order, amount="1", kind="refund", reason="Short", actor=campus["customer"], now=NOW)


def test_a_credit_is_on_the_customers_timeline_with_its_reason(campus):
    order = charged(campus["template"], account=campus["law_account"], price_cents=12000,
                    delivered_on=date(2026, 11, 3))
    services.credit_order(order, amount="$12.50", kind="reprint", reason="Smudged page 4", actor=campus["staff"],
                          now=NOW)
    db.session.commit()
    event = db.session.scalar(select(OrderEvent).where(OrderEvent.order_id == order.id, OrderEvent.public))
    assert event.message == "Credited $12.50 (reprint: the shop's mistake): Smudged page 4"
    [adjustment] = services.adjustments_of(order)
    assert (adjustment.month, adjustment.credit_cents) == ("2026-11", 1250)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_generated_months_statements_add_up_to_its_charged_orders_and_credits(campus, make, seed):
    rng = random.Random(seed)
    departments = [campus["law"], campus["history"], make.department(f"Biology {seed}")]
    accounts = [campus["law_account"], campus["history_account"]] + [
        make.account(campus["customer"], department=rng.choice(departments)) for _ in range(3)]
    expected = 0
    for _ in range(40):
        status = rng.choice([OrderStatus.DELIVERED] * 4 + [OrderStatus.CANCELLED, OrderStatus.AWAITING_APPROVAL,
                                                           OrderStatus.PRINTING])
        day = date(2026, rng.choice([10, 11, 11, 11, 12]), rng.randint(1, 28))
        price = rng.randint(100, 400_000)
        order = charged(campus["template"], account=rng.choice(accounts), price_cents=price,
                        delivered_on=day if status == OrderStatus.DELIVERED else None, status=status)
        if status == OrderStatus.DELIVERED and day.month == 11:
            expected += price
        if status == OrderStatus.DELIVERED and rng.random() < 0.3:
            credit_day = date(2026, 11, rng.randint(day.day, 28)) if day.month == 11 else day
            cents = rng.randint(1, price)
            services.credit_order(order, amount=f"{cents // 100}.{cents % 100:02d}", kind="refund", reason="Short",
                                  actor=campus["staff"], now=datetime.combine(credit_day, datetime.min.time(),
                                                                                tzinfo=timezone.utc).replace(hour=16))
            if credit_day.month == 11:
                expected -= cents
    db.session.commit()
    open_view = services.month_view(NOV, viewer=campus["staff"])
    assert sum(d.totals.net_cents for d in open_view.departments) == open_view.totals.net_cents == expected
    journal = services.journal(NOV)
    assert sum(_signed(row) for row in journal[1:]) == expected
    services.close_month(NOV, actor=campus["manager"], now=DECEMBER_2)
    db.session.commit()
    closed = services.month_view(NOV, viewer=campus["staff"])
    assert closed.totals.net_cents == expected
    assert [d.totals for d in closed.departments] == [d.totals for d in open_view.departments]
    assert sum(d.totals.net_cents for d in services.month_view(NOV, viewer=campus["administrator"]).departments) == \
        sum(d.totals.net_cents for d in closed.departments if d.department_id == campus["law"].id)


def _signed(row: list[str]) -> int:
    """A journal row (debit, credit, amount, ...) as signed cents: positive when the recovery account is credited."""
    cents = int(row[2].replace(".", ""))
    return cents if row[1] == "90-1000-4800" else -cents


def test_the_journal_file_uses_the_configured_columns(app, campus):
    charged(campus["template"], account=campus["law_account"], price_cents=12000, delivered_on=date(2026, 11, 3))
    saved = dict(app.config)
    app.config.update(JOURNAL_COLUMNS="Period=period,Account=debit_account,Offset=credit_account,Amount=amount",
                      JOURNAL_CREDIT_ACCOUNT="99-9999-4800")
    try:
        assert services.journal(NOV) == [["Period", "Account", "Offset", "Amount"],
                                         ["2026-11", "10-4410-7200", "99-9999-4800", "120.00"]]
    finally:
        app.config.update(JOURNAL_COLUMNS=saved["JOURNAL_COLUMNS"],
                          JOURNAL_CREDIT_ACCOUNT=saved["JOURNAL_CREDIT_ACCOUNT"])


def test_rules_and_services_agree_on_the_charging_month(campus):
    order = charged(campus["template"], account=campus["law_account"], price_cents=100, delivered_on=date(2026, 11, 30))
    assert rules.charged_month(status=order.status, delivered_on=order.delivered_on) == NOV
    assert [line.order_id for line in services.month_lines(NOV)] == [order.id]


def test_the_demo_has_last_months_statements_matching_its_orders_with_a_credit(make, app):
    data.load(now=NOW, history_days=70)
    db.session.commit()
    staff = make.staff()
    last_month = Month.of(NOW.date()).previous  # relative to the shop's today, never a fixed month
    view = services.month_view(last_month, viewer=staff)
    delivered = db.session.scalar(select(func.sum(Order.price_cents)).where(
        Order.status == OrderStatus.DELIVERED, Order.delivered_on >= last_month.first_day,
        Order.delivered_on < last_month.next.first_day))
    credits = db.session.scalar(select(func.sum(Adjustment.credit_cents)).where(Adjustment.month == last_month.key))
    assert delivered and credits
    assert view.totals.charges_cents == delivered and view.totals.credits_cents == credits
    assert {"School of Law", "Alumni"} <= {d.name for d in view.departments}
