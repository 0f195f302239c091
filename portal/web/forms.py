"""Form helpers shared by every domain."""
from __future__ import annotations

from datetime import date
from typing import Iterable

from wtforms import DateField
from wtforms.fields.choices import SelectChoice


def choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """(value, label) pairs as the choices of a select or radio field."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class DayField(DateField):
    """A date in ISO form, as browsers' date inputs send it, with a plain message when it is not."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        try:
            self.data = date.fromisoformat(text)
        except ValueError:
            self.data = None
            raise ValueError("Enter a date like 2026-12-15.") from None
