"""Static files: served by WhiteNoise, compressed and cached, under names that carry their content's hash.

At start-up each file in static/ is copied into the instance folder's `static/` under a hashed name
(`css/portal.css` as `css/portal.3f2a9c1b04de.css`) beside its gzip copy, and `url_for("static", ...)`
gives the hashed name. A hashed file never changes, so browsers and proxies keep it for a year
(`immutable`); a new release has new names, so nobody sees a stale stylesheet. The plain names are
served too (with a short cache) for anything that asks for them by name. Building is deterministic
and written file by file through a temporary name, so several workers starting at once agree.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import re
import tempfile
from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise

HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
COMPRESSIBLE = (".css", ".js", ".svg", ".html", ".txt", ".json", ".ico")
YEAR = 365 * 24 * 3600


def hashed_name(name: str, data: bytes) -> str:
    """`css/portal.css` with its content's hash: `css/portal.<12 hex>.css`."""
    stem, dot, extension = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:12]
    return f"{stem}.{digest}.{extension}" if dot else f"{name}.{digest}"


def _write(path: Path, data: bytes) -> None:
    """Writes `data` at `path` unless it is there already, through a temporary file (atomic)."""
    if path.exists() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".building-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, path)


def build(source: Path, target: Path) -> dict[str, str]:
    """Copies every file of `source` into `target` under its plain and its hashed name, with a gzip copy
    of each text file, and returns the manifest: plain name → hashed name."""
    manifest: dict[str, str] = {}
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        name = path.relative_to(source).as_posix()
        data = path.read_bytes()
        manifest[name] = hashed_name(name, data)
        for written in (name, manifest[name]):
            _write(target / written, data)
            if path.suffix in COMPRESSIBLE:
                _write(target / f"{written}.gz", gzip.compress(data, compresslevel=9, mtime=0))
    return manifest


def _immutable(path: str, url: str) -> bool:
    return bool(HASHED.search(url.removesuffix(".gz")))


def _headers(headers, path: str, url: str) -> None:
    headers["X-Content-Type-Options"] = "nosniff"


def init_app(app: Flask) -> None:
    """Builds the hashed copies, points url_for("static") at them and puts WhiteNoise in front."""
    target = Path(app.instance_path) / "static"
    manifest = build(Path(app.static_folder), target)
    app.extensions["static_manifest"] = manifest

    @app.url_defaults
    def hashed_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in manifest:
            values["filename"] = manifest[values["filename"]]

    app.wsgi_app = WhiteNoise(app.wsgi_app, root=str(target), prefix=app.static_url_path.strip("/") + "/",
                              max_age=300, immutable_file_test=_immutable, add_headers_function=_headers,
                              allow_all_origins=False)
