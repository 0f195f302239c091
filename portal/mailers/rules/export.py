"""Exporting a list to a spreadsheet: CSV for Excel with formula-safe cells (portal.spreadsheets), and the problem report."""
from __future__ import annotations

from typing import Iterable, Sequence

from portal.mailers.rules.checks import ListCheck
from portal.spreadsheets import FORMULA_STARTS, csv_text, spreadsheet_safe  # noqa: F401  (shared CSV writing)


def report_rows(headers: Sequence[str], table_rows: Iterable[tuple[int, Sequence[str]]],
                check: ListCheck) -> list[list[str]]:
    """The problem report: each row with problems, its number, what is wrong, then its cells."""
    rows = [["Row", "Problems", *headers]]
    for number, cells in table_rows:
        found = check.problems.get(number)
        if found:
            rows.append([str(number), " ".join(p.message for p in found), *cells])
    return rows
