"""The address book: list, find and add addresses. Services flush and never commit."""
from __future__ import annotations

from typing import Mapping

from sqlalchemy import select, update

from portal.accounts.models import User
from portal.addresses import rules
from portal.addresses.models import Address, AddressKind
from portal.extensions import db
from portal.failures import NotAllowed, ValidationFailed


def addresses_of(user: User) -> list[Address]:
    """The customer's addresses, the default first."""
    return list(db.session.scalars(
        select(Address).where(Address.user_id == user.id, Address.deleted_at.is_(None))
        .order_by(Address.is_default.desc(), Address.label, Address.id)))


def address_for(user: User, address_id: int | str | None) -> Address:
    """One of the customer's own addresses; anyone else's, or a deleted one, raises NotAllowed."""
    try:
        address = db.session.get(Address, int(address_id))
    except (TypeError, ValueError):
        address = None
    if address is None or address.user_id != user.id or address.deleted_at is not None:
        raise NotAllowed("address")
    return address


def add_address(user: User, values: Mapping[str, str], *, make_default: bool = False) -> Address:
    """Saves a new address; the first one, or one marked so, becomes the default.

    Raises ValidationFailed with a message per field; nothing is saved then.
    """
    cleaned = rules.clean(values)
    problems = rules.address_problems(cleaned)
    if problems:
        raise ValidationFailed(problems)
    first = not addresses_of(user)
    if make_default and not first:
        _clear_default(user)
    address = Address(user_id=user.id, is_default=first or make_default,
                      **{**cleaned, "kind": AddressKind(cleaned["kind"])})
    db.session.add(address)
    db.session.flush()
    return address


def _clear_default(user: User) -> None:
    db.session.execute(update(Address).where(Address.user_id == user.id, Address.is_default.is_(True))
                       .values(is_default=False))


def pickup_address(user: User) -> Address:
    """The customer's "Pickup at the shop" entry, added to the address book the first time."""
    existing = next((a for a in addresses_of(user) if a.kind == AddressKind.PICKUP), None)
    if existing is not None:
        return existing
    return add_address(user, {"kind": "pickup", "label": "Pickup at the shop"})
