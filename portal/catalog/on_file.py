"""The Preferences page's other half: how orders are delivered and which account pays, chosen among what
is on file. It sets the address book's and the accounts' defaults (never copies of them), which the
configurator, checkout and reorders already start from. Services flush and never commit."""
from __future__ import annotations

from dataclasses import dataclass

from portal.accounts.models import User
from portal.addresses import services as addresses
from portal.addresses.models import Address
from portal.billing import services as billing
from portal.billing.models import AccountHolder
from portal.failures import NotAllowed, ValidationFailed


@dataclass(frozen=True)
class OnFile:
    addresses: list[Address]
    holdings: list[AccountHolder]

    def address_choices(self) -> list[tuple[int, str]]:
        """Each address as "Campus delivery: Office (Myron Taylor Hall)": the delivery method goes with it."""
        return [(a.id, f"{a.kind.label}: {a.label}" if a.kind.value != "pickup" else a.kind.label)
                for a in self.addresses]

    def account_choices(self) -> list[tuple[int, str]]:
        return [(h.account_id, f"{h.account.code} · {h.account.name} ({h.account.department.name})")
                for h in self.holdings]

    @property
    def default_address_id(self) -> int | None:
        return next((a.id for a in self.addresses if a.is_default), None)

    @property
    def default_account_id(self) -> int | None:
        return next((h.account_id for h in self.holdings if h.is_default), None)


def on_file(user: User) -> OnFile:
    return OnFile(addresses.addresses_of(user), billing.holdings_of(user))


def save_defaults(user: User, *, address_id, account_id) -> None:
    """Makes the chosen address (and with it the delivery method) and account the defaults. An id that is
    not one of theirs raises ValidationFailed on `address` or `account`; nothing changes then."""
    problems, address, account = {}, None, None
    if address_id not in (None, ""):
        try:
            address = addresses.address_for(user, address_id)
        except NotAllowed:
            problems["address"] = "Choose one of your addresses."
    if account_id not in (None, ""):
        try:
            account = billing.held_account(user, account_id)
        except NotAllowed:
            problems["account"] = "Choose one of your budget accounts."
    if problems:
        raise ValidationFailed(problems)
    if address is not None and not address.is_default:
        addresses.set_default(user, address)
    if account is not None:
        billing.set_default(user, account)
