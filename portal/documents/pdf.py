"""Every PDF the portal makes (job tickets, packing slips, proofs, statements) goes through here:
a Jinja template rendered to HTML, then WeasyPrint. Only our own static files may be fetched."""
from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template
from weasyprint import HTML, default_url_fetcher


def _static_only(url: str, *args, **kwargs):
    static = Path(current_app.static_folder).resolve()
    if url.startswith("data:"):
        return default_url_fetcher(url, *args, **kwargs)
    if url.startswith("file://"):
        path = Path(url.removeprefix("file://")).resolve()
        if path.is_relative_to(static):
            return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"PDFs may only use the portal's static files, not {url!r}")


def render_pdf(template: str, **context) -> bytes:
    """The PDF of `template` (under templates/), rendered with `context`."""
    html = render_template(template, **context)
    base_url = Path(current_app.static_folder).resolve().as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=_static_only).write_pdf()
