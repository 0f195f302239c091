"""Storing uploaded PDFs and finding them for the people allowed to see them. Flush, never commit."""
from __future__ import annotations

import hashlib
from typing import IO, Iterable

from flask import current_app
from sqlalchemy import select

from portal.accounts.models import User
from portal.documents import rules, storage
from portal.documents.models import StoredFile
from portal.extensions import db
from portal.failures import NotAllowed, ValidationFailed


def read_limited(stream: IO[bytes], field: str = "upload") -> bytes:
    """The upload's bytes; raises ValidationFailed past the size limit without reading it all."""
    limit = current_app.config["MAX_PDF_BYTES"]
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValidationFailed({field: rules.too_large(limit)})
    return data


def store_pdf(owner: User, *, data: bytes, filename: str, field: str = "upload", contents: bool = False) -> StoredFile:
    """Checks and keeps a PDF for its owner; the same content again returns the file already kept.
    With `contents`, its first page's content is checked too (artwork the portal lays onto proofs).

    Raises ValidationFailed on `field` with the reason when the file is refused; a refused file is
    never written to disk.
    """
    try:
        pages = rules.inspect_pdf(data, contents=contents)
    except rules.BadFile as refused:
        raise ValidationFailed({field: str(refused)}) from None
    digest = hashlib.sha256(data).hexdigest()
    existing = db.session.scalar(select(StoredFile).where(
        StoredFile.owner_id == owner.id, StoredFile.sha256 == digest))
    if existing is not None and storage.exists(existing.storage_key):
        return existing
    key = storage.new_key()
    storage.write(key, data)
    if existing is not None:  # the row survived but its file was lost: keep the row, new bytes
        existing.storage_key = key
        return existing
    stored = StoredFile(owner_id=owner.id, original_name=rules.display_name(filename),
                        storage_key=key, sha256=digest, size_bytes=len(data), page_count=pages)
    db.session.add(stored)
    db.session.flush()
    return stored


def file_for(user: User, file_id: int) -> StoredFile:
    """A file its owner or staff may download; anyone else's raises NotAllowed."""
    stored = db.session.get(StoredFile, file_id)
    if stored is None or (stored.owner_id != user.id and not user.is_staff):
        raise NotAllowed("file")
    return stored


def owned_files(user: User, file_ids: Iterable[int]) -> dict[int, StoredFile]:
    """The customer's own files by id; raises NotAllowed if any id is someone else's or unknown."""
    wanted = set(file_ids)
    if not wanted:
        return {}
    found = {f.id: f for f in db.session.scalars(
        select(StoredFile).where(StoredFile.id.in_(wanted), StoredFile.owner_id == user.id))}
    if set(found) != wanted:
        raise NotAllowed("file")
    return found
