"""The shop's products as it sells them: portal/demo/catalog.yaml, a catalog file loaded through the
same import as `flask catalog import` (by the demo, and by tests that need the real catalog)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy import select

from portal.catalog import files, transfer
from portal.catalog.models import Product
from portal.extensions import db

CATALOG_FILE = Path(__file__).with_name("catalog.yaml")


@lru_cache(maxsize=1)
def demo_catalog() -> files.CatalogFile:
    """The demo's catalog file, read once; a problem in it is a bug in the portal, raised as
    CatalogFileRefused with its lines."""
    reading = files.read(CATALOG_FILE.read_text(encoding="utf-8"))
    if reading.catalog is None:
        raise files.CatalogFileRefused(reading.problems)
    return reading.catalog


def load_catalog() -> dict[str, Product]:
    """Imports the demo catalog (stations, products, options, prices, routings) when the shop has
    no products yet, and returns the products by slug. Run again, it changes nothing. Flushes."""
    if db.session.scalar(select(Product.id).limit(1)) is None:
        transfer.import_catalog(demo_catalog())
    return {product.slug: product for product in db.session.scalars(select(Product))}
