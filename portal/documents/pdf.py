"""Every PDF the portal makes (job tickets, packing slips, proofs, statements) goes through here:
a Jinja template rendered to HTML, then WeasyPrint. Only our own static files may be fetched."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from weasyprint import HTML
from weasyprint.urls import URLFetcher


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint's fetcher (70+: a URLFetcher, no longer a function) limited to data: URLs and
    the portal's static folder: a template can never make a PDF read other files or the network."""

    def __init__(self, static: Path):
        super().__init__(allowed_protocols=("data", "file"))
        self._static = static.resolve()

    def fetch(self, url, headers=None):
        if url.startswith("file:"):
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not path.is_relative_to(self._static):
                raise ValueError(f"PDFs may only use the portal's static files, not {url!r}")
        elif not url.startswith("data:"):
            raise ValueError(f"PDFs may only use the portal's static files, not {url!r}")
        return super().fetch(url, headers)


def render_pdf(template: str, **context) -> bytes:
    """The PDF of `template` (under templates/), rendered with `context`."""
    html = render_template(template, **context)
    static = Path(current_app.static_folder)
    base_url = static.resolve().as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=StaticOnlyFetcher(static)).write_pdf()
