"""The home page."""
from __future__ import annotations

from dataclasses import dataclass

from flask_login import current_user, login_required

from portal.accounts.services import departments_of
from portal.catalog.services import product_cards
from portal.home import blueprint
from portal.database import utcnow
from portal.orders import reorders
from portal.orders.services import open_orders
from portal.shop.clock import shop_today
from portal.web import admin_required, render


@blueprint.get("/")
@login_required
def index():
    """Greets the customer: open orders with promised dates, what they order most (priced today,
    with today's promise, one click to reorder), and the catalog."""
    now = utcnow()
    on_file = reorders.OnFile.load(current_user, shop_today(now))
    buy_again = [reorders.plan_reorder(current_user, past, now=now, on_file=on_file)
                 for past in reorders.buy_again(current_user)]
    return render("home/index.html", open_orders=open_orders(current_user), cards=product_cards(now=now),
                  buy_again=buy_again, now=now, departments=departments_of(current_user))


@dataclass(frozen=True)
class Section:
    title: str
    links: tuple[tuple[str, str, str], ...]  # (name, endpoint, what it is for)


# The manager's pages, grouped as the shop thinks of them; the navigation shows one "Manage" link to them.
MANAGE = (
    Section("What the shop sells, and when", (
        ("Catalog", "catalog.manage", "products, options, prices, routings and the stations' hours"),
        ("Terms", "terms.index", "first days of classes and the course-pack ordering deadline"),
        ("Term start", "queue.term_start", "course packs due in a term's first two weeks and their load"),
        ("Promises", "promises.dashboard", "promises kept, closures and stations down"))),
    Section("Who orders and pays", (
        ("People", "accounts.people", "customers, staff and department administrators; invitations"),
        ("Departments and budget accounts", "billing.finance_file", "the finance office's file, previewed then applied"),
        ("Statements", "statements.index", "each month's statements, the chargeback file and the month close"))),
    Section("How customers feel", (
        ("Care", "care.staff_care", "satisfaction over time, open cases, response times kept"),
        ("Relationships", "care.relationships_page", "each department's orders, who is drifting, who sends everything"),
        ("Outside print purchases", "care.outside_file", "the purchasing office's file, for the share of print spend"),
        ("Who owns what", "care.owners", "the staff member who owns each department's problems, and who is on duty"))),
    Section("When something goes wrong", (
        ("Emails not delivered", "notices.failed", "notices the mail server refused, to send again or follow up"),)),
)
MANAGED = frozenset(endpoint for section in MANAGE for _, endpoint, _ in section.links) | {"home.manage"}


@blueprint.get("/staff/manage")
@admin_required
def manage():
    """The shop manager's pages in one place."""
    return render("home/manage.html", sections=MANAGE)
