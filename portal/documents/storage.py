"""Where uploaded files live: generated names in a folder outside static/."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import current_app


def new_key(suffix: str = ".pdf") -> str:
    return secrets.token_hex(16) + suffix


def path_for(key: str) -> Path:
    if not key or "/" in key or "\\" in key or key.startswith("."):
        raise ValueError("bad storage key")
    return Path(current_app.config["UPLOAD_DIR"]) / key[:2] / key


def write(key: str, data: bytes) -> None:
    """Writes atomically: a reader never sees half a file."""
    path = path_for(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)


def exists(key: str) -> bool:
    return path_for(key).is_file()
