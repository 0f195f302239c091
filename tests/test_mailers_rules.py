"""The mailer rules as plain function calls: reading lists in the encodings people produce, mapping
columns, checking rows, escaping formulas, merging text, print runs, postage and the mail date."""
from datetime import date
from io import BytesIO

import pytest

from portal.catalog.rules import ProductRules
from portal.mailers import rules
from portal.mailers.rules import BadList, Kind, MailClass

ROWS = [["First name", "Last name", "Address", "City", "State", "ZIP"],
        ["José", "Müller", "12 Elm Street", "Ithaca", "NY", "14850"],
        ["Zoë", "O’Brien", "480 Lake Shore Drive", "Chicago", "IL", "60611"]]


def as_text(rows, delimiter=",") -> str:
    return "\r\n".join(delimiter.join(cells) for cells in rows) + "\r\n"


def xlsx_bytes(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for cells in rows:
        workbook.active.append(cells)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("name, data, encoding", [
    ("UTF-8", as_text(ROWS).encode("utf-8"), "utf-8"),
    ("UTF-8 with BOM (Excel's CSV UTF-8)", b"\xef\xbb\xbf" + as_text(ROWS).encode("utf-8"), "utf-8-sig"),
    ("Windows-1252 (Excel's CSV on Windows)", as_text(ROWS).encode("cp1252"), "windows-1252"),
    ("UTF-16 LE with BOM, tabs (Excel's Unicode text)", as_text(ROWS, "\t").encode("utf-16"), "utf-16"),
    ("UTF-16 BE with BOM", b"\xfe\xff" + as_text(ROWS, "\t").encode("utf-16-be"), "utf-16"),
    ("UTF-16 LE without BOM", as_text(ROWS, "\t").encode("utf-16-le"), "utf-16"),
    ("semicolons (European Excel)", as_text(ROWS, ";").encode("utf-8"), "utf-8"),
    ("Excel workbook", xlsx_bytes(ROWS), "xlsx"),
])
def test_the_encodings_people_produce_read_the_same(name, data, encoding):
    table = rules.read_list(data)
    assert table.encoding == encoding, name
    assert table.headers == tuple(ROWS[0]), name
    assert table.rows == ((2, tuple(ROWS[1])), (3, tuple(ROWS[2]))), name


@pytest.mark.parametrize("name, data, message", [
    ("empty", b"", rules.EMPTY),
    ("PNG image", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), rules.BINARY),
    ("PDF", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nstream\n\x00\x01\x02", rules.BINARY),
    ("old Excel .xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, rules.OLD_EXCEL),
    ("bytes undefined in every encoding we read", b"Name\r\n\x81\x8d\x8f\x90\x9d\r\n", rules.UNREADABLE),
    ("UTF-16 that is cut in half", b"\xff\xfeN\x00a\x00\x00\xd8", rules.UNREADABLE),
    ("control characters", b"Name,City\r\nAna\x07,\x1bIthaca\r\n", rules.BINARY),
    ("a zip that is no workbook", b"PK\x03\x04" + b"\x00" * 60, rules.DAMAGED_XLSX),
    ("headings only", b"Name,Address,City\r\n", rules.NO_ROWS),
    ("no heading row", b"Ana Lima,12 Elm Street,Ithaca,NY,14850\r\nBo,3 Main,Troy,NY,12180\r\n", rules.NO_HEADINGS),
])
def test_what_cannot_be_read_is_refused_with_how_to_save_it(name, data, message):
    with pytest.raises(BadList) as refused:
        rules.read_list(data)
    assert str(refused.value) == message, name
    if message in (rules.BINARY, rules.OLD_EXCEL, rules.UNREADABLE):
        assert "CSV UTF-8" in str(refused.value)


def test_a_list_past_the_row_limit_is_refused_before_it_is_all_read():
    data = as_text(ROWS[:1] + [["A", "B", f"{n} Elm", "Ithaca", "NY", "14850"] for n in range(30)]).encode()
    with pytest.raises(BadList, match="at most 25"):
        rules.read_list(data, max_rows=25)
    assert len(rules.read_list(data, max_rows=30).rows) == 30


def test_rows_keep_their_spreadsheet_numbers_and_cells_are_tidied():
    data = b'Name,Address\r\n\r\n"Ana  Lima ","12 Elm\nStreet"\r\n,\r\nBo,3 Main,extra\r\n'
    table = rules.read_list(data)
    assert table.headers == ("Name", "Address", "Column C")
    assert table.rows == ((3, ("Ana Lima", "12 Elm Street", "")), (5, ("Bo", "3 Main", "extra")))


def test_numbers_in_a_workbook_read_as_typed():
    table = rules.read_list(xlsx_bytes([["Name", "ZIP", "Joined"], ["Ana", 14850, date(2004, 6, 1)]]))
    assert table.rows == ((2, ("Ana", "14850", "2004-06-01")),)


def test_same_columns_give_the_same_key_whatever_the_case_and_spacing():
    assert rules.columns_key(["First Name", "ZIP"]) == rules.columns_key(["first_name", " zip "])
    assert rules.columns_key(["First Name", "ZIP"]) != rules.columns_key(["ZIP", "First Name"])


@pytest.mark.parametrize("headers, expected", [
    (["First name", "Last name", "Address", "City", "State", "ZIP"],
     {"first_name": 0, "last_name": 1, "address1": 2, "city": 3, "state": 4, "zip": 5}),
    (["Name", "Street Address", "Apt/Suite", "Town", "ST", "Postal Code"],
     {"full_name": 0, "address1": 1, "address2": 2, "city": 3, "state": 4, "zip": 5}),
    (["FNAME", "LNAME", "ADDRESS_1", "ADDRESS_2", "CITY", "STATE", "ZIP_CODE", "CLASS_YEAR"],
     {"first_name": 0, "last_name": 1, "address1": 2, "address2": 3, "city": 4, "state": 5, "zip": 6}),
    (["Mailing Address (home)", "Zip Code+4", "Surname"], {"address1": 0, "zip": 1, "last_name": 2}),
    (["Email", "Phone"], {}),
])
def test_the_mapping_is_guessed_from_the_headings(headers, expected):
    assert rules.guess_mapping(headers) == expected


@pytest.mark.parametrize("mapping, problems", [
    ({"full_name": 0, "address1": 1, "city": 2, "state": 3, "zip": 4}, set()),
    ({"last_name": 0, "address1": 1, "city": 2, "state": 3, "zip": 4}, set()),
    ({"address1": 1, "city": 2, "state": 3, "zip": 4}, {"full_name"}),
    ({"full_name": 0, "city": 2, "state": 3, "zip": 4}, {"address1"}),
    ({"full_name": 0, "address1": 0, "city": 2, "state": 3, "zip": 4}, {"address1"}),
    ({"full_name": 0, "address1": 1, "city": 2, "state": 3, "zip": 9}, {"zip"}),
])
def test_a_mapping_needs_a_name_and_every_part_of_the_address_once(mapping, problems):
    assert set(rules.mapping_problems(mapping, 5)) == problems


def test_a_row_becomes_a_recipient_with_custom_merge_fields():
    headers = ["First", "Last", "Address", "City", "State", "ZIP", "Class Year"]
    mapping = {"first_name": 0, "last_name": 1, "address1": 2, "city": 3, "state": 4, "zip": 5}
    values = rules.recipient(headers, mapping, ["Ana", "Lima", "12 Elm", "Ithaca", "New York", "14850", "2004"])
    assert values["full_name"] == "Ana Lima" and values["state"] == "NY" and values["class_year"] == "2004"
    only_full = rules.recipient(["Name"], {"full_name": 0}, ["Dr. Maya Okafor"])
    assert only_full["first_name"] == "Maya"
    assert rules.merge_fields(headers, mapping)[-1] == "class_year"


GOOD = {"full_name": "Ana Lima", "address1": "12 Elm Street", "address2": "", "city": "Ithaca", "state": "NY",
        "zip": "14850"}


@pytest.mark.parametrize("changes, kinds, message", [
    ({}, [], ""),
    ({"zip": "14850-1234"}, [], ""),
    ({"zip": "148501234"}, [], ""),
    ({"state": "New York"}, [], ""),
    ({"address1": ""}, [Kind.MISSING], "Missing address."),
    ({"full_name": "", "city": " "}, [Kind.MISSING], "Missing name and city."),
    ({"zip": ""}, [Kind.MISSING], "Missing ZIP code."),
    ({"zip": "1485"}, [Kind.ZIP], "dropped its leading zero (01485)"),
    ({"zip": "ABCDE"}, [Kind.ZIP], "is not valid"),
    ({"zip": "148500"}, [Kind.ZIP], "is not valid"),
    ({"state": "Ontario"}, [Kind.STATE], "is not a US state"),
    ({"address1": "1 " + "x" * 40}, [Kind.TOO_LONG], "has 42 characters"),
    ({"city": "Llanfairpwllgwyngyllgogerychwyrndrob", "state": "NY"}, [Kind.TOO_LONG], "at most 40"),
    ({"address1": "", "zip": "1"}, [Kind.MISSING, Kind.ZIP], "Missing address."),
])
def test_each_row_check(changes, kinds, message):
    problems = rules.check_row({**GOOD, **changes})
    assert [p.kind for p in problems] == kinds
    assert message in " ".join(p.message for p in problems)


@pytest.mark.parametrize("other, duplicate", [
    ({}, True),
    ({"full_name": "ANA LIMA", "address1": "12 Elm St.", "zip": "14850-2201"}, True),
    ({"full_name": "Dr. Ana Lima", "address1": "12 elm street"}, True),
    ({"full_name": "Lima, Ana"}, True),
    ({"full_name": "José Lima"}, False),
    ({"address1": "14 Elm Street"}, False),
    ({"address2": "Apt 2"}, False),
    ({"zip": "14853"}, False),
])
def test_duplicates_are_the_same_person_at_the_same_address_normalised(other, duplicate):
    check = rules.check_list([(2, GOOD), (3, {**GOOD, **other})])
    assert check.good == ([2] if duplicate else [2, 3])
    if duplicate:
        assert check.problems[3][0].message == "Same person at the same address as row 2."


def test_the_summary_counts_rows_by_kind():
    check = rules.check_list([(2, GOOD), (3, GOOD), (4, {**GOOD, "full_name": "Bo", "zip": "1"}),
                              (5, {**GOOD, "full_name": "Cy", "address1": ""})])
    assert (check.good_count, check.problem_count) == (1, 3)
    assert check.counts == {"missing": 1, "zip": 1, "state": 0, "too_long": 0, "duplicate": 1}


@pytest.mark.parametrize("cell, safe", [
    ("=SUM(A1:A2)", "'=SUM(A1:A2)"), ("+1", "'+1"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"),
    ("\tTab", "'\tTab"), ("\rCR", "'\rCR"), ("Ana", "Ana"), ("12 Elm = home", "12 Elm = home"), ("", ""),
])
def test_cells_that_would_run_as_formulas_are_escaped(cell, safe):
    assert rules.spreadsheet_safe(cell) == safe


def test_exported_csv_opens_in_excel_and_escapes_every_cell():
    text = rules.csv_text([["Name", "Note"], ["=cmd|'/c calc'!A1", "+ok"]])
    assert text.startswith("\ufeff")
    assert "'=cmd|'/c calc'!A1" in text and "'+ok" in text


@pytest.mark.parametrize("template, text", [
    ("Dear {first_name},", "Dear Ana,"),
    ("{FIRST_NAME} of {class_year}", "Ana of 2004"),
    ("Hi {nickname}", "Hi {nickname}"),
    ("{first_name}{first_name}", "AnaAna"),
    ("Tricky {trick}", "Tricky {first_name}"),  # a value is never merged again
])
def test_merge_fills_placeholders_once(template, text):
    assert rules.merge(template, {"first_name": "Ana", "class_year": "2004", "trick": "{first_name}"}) == text


def test_unknown_placeholders_are_named():
    assert rules.unknown_placeholders("Hi {first_name} {frist_name} {x}", ["first_name"]) == ["frist_name", "x"]


POSTCARD = ProductRules(min_quantity=100, max_quantity=50000, quantity_step=50, unit_name="postcard")


@pytest.mark.parametrize("pieces, quantity, note", [
    (4000, 4000, "One postcard for each of your 4,000 addresses."),
    (3987, 4000, "we print in multiples of 50. The 13 spares come back"),
    (40, 100, "the minimum run is 100 postcards. The 60 spares"),
    (1, 100, "The 99 spares"),
    (60000, None, "Your list has 60,000 addresses. The most we take online is 50,000 postcards"),
])
def test_the_good_addresses_set_the_print_run(pieces, quantity, note):
    run = rules.print_run(POSTCARD, pieces)
    assert run.quantity == quantity
    assert note in (run.note if quantity else run.problem)


@pytest.mark.parametrize("pieces, quantity, spares, advice", [
    (120, 150, 30, "To mail them instead, add up to 30 addresses to your list: they are printed already, so they "
                   "cost only their postage."),
    (40, 100, 60, "add up to 60 addresses"),
    (4000, 4000, 0, ""),  # one for each: nothing to explain
])
def test_spare_pieces_are_counted_and_say_what_the_customer_can_do(pieces, quantity, spares, advice):
    run = rules.print_run(POSTCARD, pieces)
    assert (run.quantity, run.spares) == (quantity, spares)
    assert advice in run.advice and bool(run.advice) is bool(spares)


@pytest.mark.parametrize("piece, mail_class, pieces, cents", [
    ("postcard", MailClass.FIRST_CLASS, 1000, 61000),
    ("postcard", MailClass.MARKETING, 1000, 40000),
    ("letter", MailClass.FIRST_CLASS, 3, 222),
    ("letter", MailClass.MARKETING, 250, 10750),
])
def test_postage_estimate_by_mail_class(piece, mail_class, pieces, cents):
    assert rules.postage_cents(piece, mail_class, pieces) == cents
    assert rules.POSTAGE_RATES_AS_OF == date(2025, 7, 13)


def test_marketing_mail_needs_200_pieces():
    assert "at least 200" in rules.mail_class_problem(MailClass.MARKETING, 199)
    assert rules.mail_class_problem(MailClass.MARKETING, 200) is None
    assert rules.mail_class_problem(MailClass.FIRST_CLASS, 1) is None


READY = date(2026, 11, 30)  # a Monday
LATEST = date(2027, 5, 1)


def weekdays(day: date) -> bool:
    return day.weekday() < 5 and day != date(2026, 12, 25)


@pytest.mark.parametrize("mail_date, promised, problem", [
    (None, READY, None),                                  # no date: mailed the day it is ready
    (READY, READY, None),
    (date(2026, 12, 3), date(2026, 12, 3), None),
    (date(2026, 11, 27), READY, "Monday, November 30 at the earliest"),
    (date(2026, 12, 5), READY, "business days"),          # a Saturday
    (date(2026, 12, 25), READY, "business days"),         # a holiday
    (date(2027, 6, 1), READY, "before May 1, 2027"),
])
def test_a_mailer_is_promised_on_its_mail_date_never_before_it_is_ready(mail_date, promised, problem):
    result = rules.mail_promise(ready=READY, mail_date=mail_date, is_business_day=weekdays, latest=LATEST)
    assert result.mail_date == promised
    assert (problem in result.problem) if problem else result.problem is None


def test_an_approval_covers_the_list_mapping_rows_design_and_look():
    base = dict(list_sha256="a" * 64, mapping={"zip": 4}, dropped=[5], design={"headline": "Hi"},
                appearance={"size": "4x6"})
    first = rules.approval_fingerprint(**base)
    assert first == rules.approval_fingerprint(**{**base, "dropped": (5,)})
    for change in ({"list_sha256": "b" * 64}, {"mapping": {"zip": 3}}, {"dropped": []},
                   {"design": {"headline": "Hello"}}, {"appearance": {"size": "6x9"}}):
        assert rules.approval_fingerprint(**{**base, **change}) != first, change


def test_piece_sizes():
    assert rules.piece_size("postcard", "6x9") == ("9in", "6in")
    assert rules.piece_size("postcard", None) == ("6in", "4in")
    assert rules.piece_size("letter", None) == ("8.5in", "11in")
