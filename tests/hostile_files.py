"""Hostile and broken files, made by the tests themselves: encrypted PDFs of every kind, bombs, cut and
damaged PDFs, spreadsheets with absurd shapes. Each generator returns bytes."""
from __future__ import annotations

import zlib
from io import BytesIO

from pypdf import PdfWriter
from pypdf.generic import NameObject, NumberObject, StreamObject

from tests.factories import pdf_bytes

BOMB_BYTES = 200 * 1024 * 1024  # unpacks to 200 MB; the files themselves are a few hundred KB


def encrypted(*, user_password: str, algorithm: str) -> bytes:
    writer = PdfWriter(clone_from=BytesIO(pdf_bytes(2)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm=algorithm)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _flate_bomb() -> bytes:
    compressor = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    return b"".join(compressor.compress(chunk) for _ in range(BOMB_BYTES // len(chunk))) + compressor.flush()


def content_stream_bomb() -> bytes:
    """A one-page PDF whose page content unpacks to 200 MB."""
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    stream = StreamObject()
    stream._data = _flate_bomb()
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    stream[NameObject("/Length")] = NumberObject(len(stream._data))
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def object_stream_bomb() -> bytes:
    """A PDF 1.5 whose page tree sits in an object stream that unpacks to 200 MB (its xref is a stream)."""
    bomb = _flate_bomb()
    body = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n"
    catalog_at = len(body)
    body += b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    objstm_at = len(body)
    body += (b"3 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(bomb)
             + bomb + b"\nendstream\nendobj\n")
    xref_at = len(body)
    rows = [(0, 0, 65535), (1, catalog_at, 0), (2, 3, 0), (1, objstm_at, 0), (1, xref_at, 0)]
    table = b"".join(kind.to_bytes(1, "big") + where.to_bytes(4, "big") + extra.to_bytes(2, "big")
                     for kind, where, extra in rows)
    body += (b"4 0 obj\n<< /Type /XRef /Size 5 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(table)
             + table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at)
    return body


def many_pages(count: int) -> bytes:
    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(612, 792)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def truncated() -> bytes:
    return pdf_bytes(3)[:-200]


def broken_xref() -> bytes:
    data = pdf_bytes(3)
    return data.replace(b"startxref", b"startxref\n999999999\n%%EOF\n", 1)[:len(data)] + b"\n%%EOF\n"


def absurd_startxref() -> bytes:
    """A cross-reference offset past any file size (pypdf raised OverflowError seeking to it: found by the fuzz run)."""
    data = pdf_bytes(2)
    return data[:data.rfind(b"startxref")] + b"startxref\n" + b"9" * 24 + b"\n%%EOF\n"


def csv_with_columns(count: int) -> bytes:
    return (",".join(f"c{n}" for n in range(count)) + "\r\n" + ",".join("x" for _ in range(count)) + "\r\n").encode()


def csv_with_a_huge_field(size: int = 200 * 1024) -> bytes:
    return b"First name,Address\r\n\"" + b"A" * size + b"\",12 Elm Street\r\n"


def utf16_without_bom() -> bytes:
    return "First name\tAddress\tCity\tState\tZIP\r\nAna\t12 Elm Street\tIthaca\tNY\t14850\r\n".encode("utf-16-le")


def binary_noise() -> bytes:
    return bytes(range(256)) * 64


def with_nuls() -> bytes:
    return b"First name,Address\r\nAna\x00,12 Elm\r\n"
