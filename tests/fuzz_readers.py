"""A bounded, coverage-guided fuzz run (atheris, libFuzzer) of the two readers that take files from strangers:
the guarded PDF reader (portal.documents.rules.inspect_pdf) and the spreadsheet reader
(portal.spreadsheets.read_table). Every input must end as a result or as the reader's BadFile (a message for
the customer); anything else raised, a hang past --timeout or memory past --rss is a crash, and the run fails.

    .venv/bin/python -m tests.fuzz_readers --seconds 60      (make fuzz)

The seed corpus is tests/hostile_files.py's small files (encrypted of every kind, owner-only, truncated,
broken cross-references, absurd CSV shapes, UTF-16 without a BOM, binary, NULs) and a few good files; the
200 MB bombs are left to tests/test_hostile_files.py (each run of them takes seconds, not microseconds).
A crashing input is written to instance/fuzz/ to be replayed:  python -m tests.fuzz_readers instance/fuzz/crash-...
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile

import atheris

with atheris.instrument_imports(include=["pypdf", "portal.documents", "portal.spreadsheets", "openpyxl"]):
    import pypdf  # noqa: F401  (instrumented: the fuzzer is guided by pypdf's own branches)

    from portal import spreadsheets
    from portal.documents import rules as documents

PDF, TABLE = 0, 1  # the first byte of an input chooses the reader; the rest is the file
CRASHES = os.path.join("instance", "fuzz")


def one_input(data: bytes) -> None:
    if not data:
        return
    reader, body = data[0] % 2, data[1:]
    if reader == PDF:
        try:
            documents.inspect_pdf(body, contents=True)
        except documents.BadFile as refused:
            assert str(refused), "a refusal without a message"
    else:
        try:
            spreadsheets.read_table(body, max_rows=2000, max_bytes=spreadsheets.MAX_BYTES)
        except spreadsheets.BadFile as refused:
            assert str(refused), "a refusal without a message"


def seeds() -> list[tuple[int, bytes]]:
    from tests import hostile_files as hostile
    from tests.factories import MAILING_ROWS, list_bytes, pdf_bytes

    pdfs = [pdf_bytes(2), hostile.truncated(), hostile.broken_xref(), hostile.absurd_startxref(),
            hostile.many_pages(5)]
    pdfs += [hostile.encrypted(user_password=password, algorithm=algorithm)
             for algorithm in ("RC4-128", "AES-128", "AES-256") for password in ("", "reader-secret")]
    tables = [list_bytes(MAILING_ROWS), list_bytes(MAILING_ROWS, encoding="cp1252", delimiter=";"),
              list_bytes(MAILING_ROWS, encoding="utf-16", delimiter="\t"), hostile.csv_with_columns(150),
              hostile.csv_with_a_huge_field(2 * 1024), hostile.utf16_without_bom(), hostile.binary_noise(),
              hostile.with_nuls()]
    return [(PDF, data) for data in pdfs] + [(TABLE, data) for data in tables]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60, help="how long the run lasts (libFuzzer -max_total_time)")
    parser.add_argument("--timeout", type=int, default=10, help="seconds one input may take before it is a crash")
    parser.add_argument("--rss", type=int, default=2048, help="MB of memory the run may use before it is a crash")
    parser.add_argument("replay", nargs="*", help="crash files to run again instead of fuzzing")
    options = parser.parse_args()
    os.makedirs(CRASHES, exist_ok=True)
    flags = [f"-timeout={options.timeout}", f"-rss_limit_mb={options.rss}", "-max_len=65536",
             f"-artifact_prefix={CRASHES}/", "-print_final_stats=1"]
    if options.replay:
        atheris.Setup([sys.argv[0], *flags, *options.replay], one_input)
        atheris.Fuzz()
        return
    with tempfile.TemporaryDirectory(prefix="fuzz-corpus-") as corpus:
        for number, (reader, data) in enumerate(seeds()):
            with open(os.path.join(corpus, f"seed-{number:02d}"), "wb") as seed:
                seed.write(bytes([reader]) + data)
        atheris.Setup([sys.argv[0], *flags, f"-max_total_time={options.seconds}", corpus], one_input)
        atheris.Fuzz()


if __name__ == "__main__":
    main()
