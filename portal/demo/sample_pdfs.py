"""Real PDFs for the demo and the tests, drawn with WeasyPrint: readings and artwork with real text."""
from __future__ import annotations

from html import escape

from weasyprint import HTML

PAGE_CSS = """
@page { size: letter; margin: 1in; @bottom-center { content: counter(page); font-size: 9pt; } }
body { font-family: DejaVu Serif, serif; font-size: 11pt; line-height: 1.45; }
h1 { font-size: 16pt; } section { page-break-after: always; } section:last-child { page-break-after: auto; }
"""
PARAGRAPH = ("The question presented is narrow, but its answer touches the structure of the whole. "
             "We begin, as we must, with the text, and then turn to the history that gives it meaning. ")


def reading_pdf(title: str, pages: int) -> bytes:
    """A reading of `pages` pages with its title on the first."""
    sections = "".join(
        f"<section><h1>{escape(title)}</h1><p>Page {n} of {pages}.</p><p>{PARAGRAPH * 6}</p></section>"
        for n in range(1, pages + 1))
    return HTML(string=f"<html><head><style>{PAGE_CSS}</style></head><body>{sections}</body></html>").write_pdf()


def artwork_pdf(headline: str, pages: int = 1) -> bytes:
    """A one- or two-sided piece of artwork (flyer, postcard, card)."""
    sides = "".join(f"<section><h1>{escape(headline)}</h1><p>Side {n}</p></section>" for n in range(1, pages + 1))
    return HTML(string=f"<html><head><style>{PAGE_CSS}</style></head><body>{sides}</body></html>").write_pdf()
