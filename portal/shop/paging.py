"""One page of a list, for every list the portal shows."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Page:
    """One page of a list: its rows, and whether there are newer or older ones."""

    items: list
    page: int
    per_page: int
    has_next: bool
    total: int | None = None  # when the list counts its rows (the staff queue does; order history does not)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def pages(self) -> int | None:
        return None if self.total is None else max(1, -(-self.total // self.per_page))
