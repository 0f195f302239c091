"""What makes an uploaded file acceptable: judged by parsing, never by its name."""
from io import BytesIO

import pytest
from pypdf import PdfReader, PdfWriter

from portal.documents import rules
from tests.factories import pdf_bytes


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf_bytes(2))))
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_real_pdf_gives_its_page_count():
    assert rules.inspect_pdf(pdf_bytes(7)) == 7


@pytest.mark.parametrize("data, message", [
    (b"", rules.EMPTY),
    (b"Dear colleague, here are the readings.\n" * 20, rules.NOT_PDF),               # a text file named .pdf
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 200, rules.NOT_PDF),                             # an image named .pdf
    (pdf_bytes(3)[:400], rules.TRUNCATED),                                           # cut short in transfer
    (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF", rules.DAMAGED),
])
def test_files_that_are_not_usable_pdfs_are_refused_with_the_reason(data, message):
    with pytest.raises(rules.BadFile) as refused:
        rules.inspect_pdf(data)
    assert str(refused.value) == message


def test_a_password_protected_pdf_is_refused():
    with pytest.raises(rules.BadFile, match="needs a password to open"):
        rules.inspect_pdf(encrypted_pdf())


@pytest.mark.parametrize("typed, shown", [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\system.ini", "system.ini"),
    ("reading\r\nContent-Type: text/html.pdf", "html.pdf"),
    ("week\x001\r\n.pdf", "week1.pdf"),
    ("", "document.pdf"),
    ("...", "document.pdf"),
    ("Week 1 – Marbury.pdf", "Week 1 – Marbury.pdf"),
])
def test_display_names_lose_folders_and_control_characters(typed, shown):
    assert rules.display_name(typed) == shown


def test_titles_come_from_file_names():
    assert rules.title_from_name("Week_01_marbury_v_madison.PDF") == "Week 01 marbury v madison"
