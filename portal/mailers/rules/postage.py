"""Postage: the mail classes, the estimate per piece, and the Marketing Mail minimum."""
from __future__ import annotations

from datetime import date

from portal.shop.delivery import MailClass


# Postage per piece in cents, by mail class and piece. Planning estimates from the USPS prices in
# force from July 13, 2025: First-Class postcard 61¢ (the postcard stamp) and letter 74¢ (metered,
# 1 oz); Marketing Mail at a typical commercial letter-size presort price. The shop confirms the
# exact postage at mailing.
POSTAGE_RATES_AS_OF = date(2025, 7, 13)
POSTAGE_CENTS = {
    ("postcard", MailClass.FIRST_CLASS): 61,
    ("postcard", MailClass.MARKETING): 40,
    ("letter", MailClass.FIRST_CLASS): 74,
    ("letter", MailClass.MARKETING): 43,
}
MARKETING_MAIL_MINIMUM = 200  # USPS: a Marketing Mail mailing is at least 200 pieces (or 50 lb)


def postage_cents(piece: str, mail_class: MailClass, pieces: int) -> int:
    """The postage estimate for `pieces` pieces of this kind ("postcard" or "letter")."""
    return POSTAGE_CENTS[(piece if piece == "postcard" else "letter", mail_class)] * pieces


def mail_class_problem(mail_class: MailClass, pieces: int) -> str | None:
    if mail_class == MailClass.MARKETING and pieces < MARKETING_MAIL_MINIMUM:
        return (f"Marketing Mail needs at least {MARKETING_MAIL_MINIMUM} pieces; your list has {pieces:,}. "
                "Choose First-Class Mail.")
    return None
