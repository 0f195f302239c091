"""Merging a piece's text: {field} placeholders filled from a recipient, and its paragraphs."""
from __future__ import annotations

import re
from typing import Iterable, Mapping


PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)\}")


def merge(template: str, values: Mapping[str, str]) -> str:
    """The template with each {field} replaced by the recipient's value, in one pass (a value that
    itself looks like a placeholder stays as typed). Unknown placeholders stay as written."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1).lower(), m.group(0)), template)


def unknown_placeholders(template: str, known: Iterable[str]) -> list[str]:
    known = set(known)
    return sorted({m.group(1) for m in PLACEHOLDER.finditer(template) if m.group(1).lower() not in known})


def paragraphs(text: str) -> list[str]:
    """A message's paragraphs: separated by blank lines; single line breaks kept within one."""
    return [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
