"""The home page."""
from __future__ import annotations

from flask_login import current_user, login_required

from portal.catalog.services import active_products
from portal.home import blueprint
from portal.orders.services import open_orders
from portal.web import render


@blueprint.get("/")
@login_required
def index():
    """Greets the customer, lists their open orders with promised dates, and the catalog."""
    return render("home/index.html", open_orders=open_orders(current_user), products=active_products())
