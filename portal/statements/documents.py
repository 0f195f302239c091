"""Statements as files: the PDF (WeasyPrint, through portal.documents.pdf) and the CSV of a statement, and the
journal CSV for the finance system; each served as a download that is never cached."""
from __future__ import annotations

from flask import Response

from portal.database import utcnow
from portal.documents.pdf import render_pdf
from portal.spreadsheets import csv_text
from portal.statements import rules
from portal.statements.services import MonthView


def _download(data: bytes | str, *, mimetype: str, filename: str, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'{disposition}; filename="{filename}"', "Cache-Control": "no-store"})


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")[:60] or "statement"


def statement_pdf(view: MonthView, *, title: str, accounts: tuple[rules.AccountStatement, ...], totals: rules.Totals,
                  name: str) -> Response:
    data = render_pdf("statements/pdf/statement.html", view=view, title=title, accounts=accounts, totals=totals,
                      printed_at=utcnow())
    return _download(data, mimetype="application/pdf", filename=f"statement-{view.month.key}-{_slug(name)}.pdf",
                     inline=True)


def statement_csv(view: MonthView, *, accounts: tuple[rules.AccountStatement, ...], name: str) -> Response:
    rows = rules.statement_rows(view.month, accounts, closed=view.close is not None)
    return _download(csv_text(rows), mimetype="text/csv", filename=f"statement-{view.month.key}-{_slug(name)}.csv")


def journal_csv(month: rules.Month, rows: list[list[str]]) -> Response:
    return _download(csv_text(rows), mimetype="text/csv", filename=f"journal-{month.key}.csv")
