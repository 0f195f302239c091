"""The address book: list, find and add addresses. Services flush and never commit."""
from __future__ import annotations

from datetime import timedelta
from typing import Mapping

from sqlalchemy import select, update

from portal.accounts.models import User
from portal.addresses import rules
from portal.addresses.models import Address
from portal.shop.delivery import DeliveryMethod
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
        db.session.flush()
    address = Address(user_id=user.id, is_default=first or make_default,
                      **{**cleaned, "kind": DeliveryMethod(cleaned["kind"])})
    db.session.add(address)
    db.session.flush()
    return address


def _clear_default(user: User) -> None:
    db.session.execute(update(Address).where(Address.user_id == user.id, Address.is_default.is_(True))
                       .values(is_default=False))


def pickup_address(user: User) -> Address:
    """The customer's "Pickup at the shop" entry, added to the address book the first time."""
    existing = next((a for a in addresses_of(user) if a.kind == DeliveryMethod.PICKUP), None)
    if existing is not None:
        return existing
    return add_address(user, {"kind": DeliveryMethod.PICKUP, "label": DeliveryMethod.PICKUP.label})


def bookstore_address(user: User) -> Address:
    """The customer's "Campus bookstore" entry, added to the address book the first time."""
    existing = next((a for a in addresses_of(user) if a.kind == DeliveryMethod.BOOKSTORE), None)
    if existing is not None:
        return existing
    return add_address(user, {"kind": DeliveryMethod.BOOKSTORE, "label": DeliveryMethod.BOOKSTORE.label})


UNDO_WINDOW_MINUTES = 10


def update_address(user: User, address: Address, values: Mapping[str, str]) -> Address:
    """Changes an address in place. Orders keep the snapshot they were placed with.

    Raises ValidationFailed with a message per field; the stored address is untouched then
    (the values are checked before anything is assigned).
    """
    cleaned = rules.clean({**address.snapshot(), **values})
    problems = rules.address_problems(cleaned)
    if problems:
        raise ValidationFailed(problems)
    for field, value in cleaned.items():
        setattr(address, field, DeliveryMethod(value) if field == "kind" else value)
    db.session.flush()
    return address


def delete_address(user: User, address: Address, *, now) -> None:
    """Removes an address from the book (it can be undone for a few minutes); past orders keep theirs.

    When it was the default, the next address becomes the default.
    """
    address.deleted_at = now
    if address.is_default:
        address.is_default = False
        db.session.flush()
        successor = next((a for a in addresses_of(user) if a.id != address.id), None)
        if successor is not None:
            successor.is_default = True
    db.session.flush()


def restorable(user: User, address_id, *, now) -> Address | None:
    """A deleted address of this customer that can still be brought back, or None."""
    try:
        address = db.session.get(Address, int(address_id))
    except (TypeError, ValueError):
        return None
    if (address is None or address.user_id != user.id or address.deleted_at is None
            or now - address.deleted_at > timedelta(minutes=UNDO_WINDOW_MINUTES)):
        return None
    return address


def restore_address(user: User, address_id, *, now) -> Address:
    """Undo of a delete, within the undo window. Raises NotAllowed when too late or not theirs."""
    address = restorable(user, address_id, now=now)
    if address is None:
        raise NotAllowed("address")
    alone = not addresses_of(user)
    address.deleted_at = None
    address.is_default = alone
    db.session.flush()
    return address


def set_default(user: User, address: Address) -> None:
    _clear_default(user)
    db.session.flush()
    address.is_default = True
    db.session.flush()
