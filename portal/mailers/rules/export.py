"""Exporting a list to a spreadsheet: CSV for Excel with formula-safe cells, and the problem report."""
from __future__ import annotations

import csv
import io
from typing import Iterable, Sequence

from portal.mailers.rules.checks import ListCheck


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """A cell a spreadsheet will show as text: one that would run as a formula gets a leading '."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: Iterable[Sequence[str]]) -> str:
    """Rows as CSV for Excel (UTF-8 with a byte-order mark), every cell made spreadsheet-safe."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return buffer.getvalue()


def report_rows(headers: Sequence[str], table_rows: Iterable[tuple[int, Sequence[str]]],
                check: ListCheck) -> list[list[str]]:
    """The problem report: each row with problems, its number, what is wrong, then its cells."""
    rows = [["Row", "Problems", *headers]]
    for number, cells in table_rows:
        found = check.problems.get(number)
        if found:
            rows.append([str(number), " ".join(p.message for p in found), *cells])
    return rows
