"""Downloading uploaded files."""
from __future__ import annotations

from flask import abort, send_file
from flask_login import current_user, login_required

from portal.documents import blueprint, services, storage


@blueprint.get("/files/<int:file_id>")
@login_required
def download(file_id: int):
    """The file as an attachment, for its owner and staff; 404 for anyone else."""
    stored = services.file_for(current_user, file_id)
    path = storage.path_for(stored.storage_key)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=stored.media_type, as_attachment=True,
                     download_name=stored.original_name, max_age=0)
