"""The proof PDF: a cover sheet, then the first pieces merged with real rows from the list, each
drawn at its printed size inside a margin that names it. Rendered by WeasyPrint; the customer's
artwork PDF, when there is one, is laid onto the front of each postcard with pypdf."""
from __future__ import annotations

from datetime import datetime
from io import BytesIO

from pypdf import PdfReader, PdfWriter, Transformation

from portal.documents import storage
from portal.documents.pdf import render_pdf
from portal.documents.rules import open_pdf
from portal.mailers import rules
from portal.mailers.models import MailingList

POINTS_PER_INCH = 72
MARGIN_IN = 0.5


def _inches(length: str) -> float:
    return float(length.removesuffix("in"))


def render(mailing: MailingList, pieces: list[tuple[int, dict[str, str]]], *, looks: dict[str, str],
           total: int, now: datetime) -> tuple[bytes, int]:
    """The proof's bytes and page count."""
    kind = rules.piece_kind(mailing.product.slug)
    width, height = rules.piece_size(kind, looks.get("size"))
    merged = [{
        "row": number,
        "address": rules.address_lines(values),
        "headline": rules.merge(mailing.headline, values),
        "paragraphs": [rules.merge(p, values) for p in rules.paragraphs(mailing.message)],
    } for number, values in pieces]
    option_labels = {option.code: option.label for option in mailing.product.options}
    choice_labels = {option.code: {c.code: c.label for c in option.choices} for option in mailing.product.options}
    look_lines = [(option_labels[code], choice_labels[code].get(choice, choice)) for code, choice in looks.items()]
    data = render_pdf("mailers/proof.html", mailing=mailing, pieces=merged, kind=kind, total=total,
                      total_text=rules.addresses(total),
                      width=width, height=height, margin=f"{MARGIN_IN}in",
                      page_width=f"{_inches(width) + 2 * MARGIN_IN}in",
                      page_height=f"{_inches(height) + 2 * MARGIN_IN}in",
                      return_lines=mailing.return_address.split("\n") if mailing.return_address else [],
                      look_lines=look_lines, generated_at=now, has_artwork=bool(mailing.artwork))
    if kind == "postcard" and mailing.artwork is not None:
        data = _with_artwork(data, storage.read(mailing.artwork.storage_key), len(merged),
                             _inches(width), _inches(height))
    return data, len(PdfReader(BytesIO(data)).pages)


def _with_artwork(proof: bytes, artwork: bytes, count: int, width: float, height: float) -> bytes:
    """Lays the artwork's first page, scaled to fit, onto each postcard's front (pages 2, 4, ...)."""
    writer = PdfWriter(clone_from=BytesIO(proof))
    art = open_pdf(artwork).pages[0]  # owner-password artwork opens; it was checked when uploaded
    box = art.mediabox
    art_width, art_height = float(box.width), float(box.height)
    scale = min(width * POINTS_PER_INCH / art_width, height * POINTS_PER_INCH / art_height)
    left = MARGIN_IN * POINTS_PER_INCH + (width * POINTS_PER_INCH - art_width * scale) / 2
    bottom = MARGIN_IN * POINTS_PER_INCH + (height * POINTS_PER_INCH - art_height * scale) / 2
    placed = Transformation().translate(-float(box.left), -float(box.bottom)).scale(scale, scale).translate(left, bottom)
    for index in range(count):
        writer.pages[1 + 2 * index].merge_transformed_page(art, placed)
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
