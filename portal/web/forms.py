"""Form helpers shared by every domain."""
from __future__ import annotations

from typing import Iterable

from wtforms.fields.choices import SelectChoice


def choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """(value, label) pairs as the choices of a select or radio field."""
    return [SelectChoice(str(value), label) for value, label in pairs]
