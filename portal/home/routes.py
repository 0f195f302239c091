"""The home page."""
from __future__ import annotations

from flask_login import current_user, login_required

from portal.accounts.services import departments_of
from portal.catalog.services import product_cards
from portal.home import blueprint
from portal.database import utcnow
from portal.orders import reorders
from portal.orders.services import open_orders
from portal.shop.clock import shop_today
from portal.web import render


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
