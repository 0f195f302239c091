"""Mailing lists and mailer pieces. Pure: bytes and plain values in, plain values or a message out.

One module for each question, in the order a mailer meets them: how a list file is read (reading),
how its columns map to the piece's fields (mapping), what makes a row mailable (checks), what
spreadsheet cells are made safe on export (export), how a piece's text is merged (merging), what
postage costs by mail class (postage), how many pieces are printed (printing), when a mailer is
promised, its mail date (mail_date), and the piece and its proof (piece). The names are re-exported
here, so callers write `rules.read_list` or `from portal.mailers.rules import MailClass`.
"""
from portal.mailers.rules.checks import (
    ABBREVIATIONS,
    MAX_LINE,
    STATES,
    TITLES,
    Kind,
    ListCheck,
    Problem,
    address_lines,
    check_list,
    check_row,
    duplicate_key,
    state_code,
    zip_problem,
)
from portal.mailers.rules.export import FORMULA_STARTS, csv_text, report_rows, spreadsheet_safe
from portal.mailers.rules.mail_date import MailPromise, mail_promise
from portal.mailers.rules.mapping import (
    FIELD_LABELS,
    REQUIRED,
    SYNONYMS,
    Field,
    guess_mapping,
    mapping_problems,
    merge_fields,
    merge_name,
    recipient,
)
from portal.mailers.rules.merging import PLACEHOLDER, merge, paragraphs, unknown_placeholders
from portal.mailers.rules.piece import (
    APPEARANCE_OPTIONS,
    PIECE_SIZES,
    PROOF_PIECES,
    approval_fingerprint,
    piece_kind,
    piece_size,
)
from portal.mailers.rules.postage import (
    MARKETING_MAIL_MINIMUM,
    POSTAGE_CENTS,
    POSTAGE_RATES_AS_OF,
    MailClass,
    mail_class_problem,
    postage_cents,
)
from portal.mailers.rules.printing import PrintRun, addresses, print_run
from portal.mailers.rules.reading import (
    BINARY,
    CONTROL,
    DAMAGED_XLSX,
    EMPTY,
    HOW_TO_SAVE,
    MAX_BYTES,
    MAX_ROWS,
    NO_HEADINGS,
    NO_ROWS,
    OLD_EXCEL,
    UNREADABLE,
    XLSX_MAX_UNPACKED,
    ZIP,
    BadList,
    Table,
    columns_key,
    decode_text,
    read_list,
    size_text,
    too_large,
    too_many_rows,
)

__all__ = [
    # reading
    "MAX_ROWS", "MAX_BYTES", "XLSX_MAX_UNPACKED", "HOW_TO_SAVE", "EMPTY", "BINARY", "OLD_EXCEL", "UNREADABLE",
    "DAMAGED_XLSX", "NO_ROWS", "NO_HEADINGS", "CONTROL", "ZIP", "BadList", "size_text", "too_large",
    "too_many_rows", "Table", "columns_key", "read_list", "decode_text",
    # mapping
    "Field", "FIELD_LABELS", "REQUIRED", "SYNONYMS", "guess_mapping", "mapping_problems", "merge_name",
    "recipient", "merge_fields",
    # checks
    "MAX_LINE", "Kind", "Problem", "STATES", "state_code", "zip_problem", "address_lines", "check_row",
    "ABBREVIATIONS", "TITLES", "duplicate_key", "ListCheck", "check_list",
    # export
    "FORMULA_STARTS", "spreadsheet_safe", "csv_text", "report_rows",
    # merging
    "PLACEHOLDER", "merge", "unknown_placeholders", "paragraphs",
    # postage
    "MailClass", "POSTAGE_RATES_AS_OF", "POSTAGE_CENTS", "MARKETING_MAIL_MINIMUM", "postage_cents",
    "mail_class_problem",
    # printing
    "addresses", "PrintRun", "print_run",
    # mail_date
    "MailPromise", "mail_promise",
    # piece
    "PROOF_PIECES", "APPEARANCE_OPTIONS", "approval_fingerprint", "piece_kind", "PIECE_SIZES", "piece_size",
]
