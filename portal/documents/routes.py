"""Downloading uploaded files."""
from __future__ import annotations

from flask_login import current_user, login_required

from portal.documents import blueprint, services, storage


@blueprint.get("/files/<int:file_id>")
@login_required
def download(file_id: int):
    """The file as an attachment, for its owner and staff; 404 for anyone else."""
    stored = services.file_for(current_user, file_id)
    return storage.download(stored.storage_key, media_type=stored.media_type, filename=stored.original_name)
