"""Where uploaded and generated files live, and the only way to read or write one: a folder outside static/
(the default), or any S3-compatible object store through boto3 (PORTAL_STORAGE=s3, PORTAL_S3_BUCKET, and
boto3's own AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION), so every app
server sees every file. Keys are generated names; downloads stay authorised by the portal, which streams
the file (local) or redirects to a presigned URL good for a minute with the file's name (S3).

A store that does not answer raises portal.failures.Unavailable: the request rolls back, the person is told
to try again, and nothing is half-saved (a file is written before the row that names it)."""
from __future__ import annotations

import mimetypes
import os
import secrets
from pathlib import Path
from urllib.parse import quote

from flask import Flask, current_app, redirect, send_file

from portal.failures import NotAllowed, Unavailable
from portal.web.routes import health_check

PRESIGNED_SECONDS = 60
EXTENSION = "portal_storage"


class Missing(NotAllowed):
    """No file is stored under this key (answered as 404, like anything not there)."""


def new_key(suffix: str = ".pdf") -> str:
    return secrets.token_hex(16) + suffix


def _checked(key: str) -> str:
    if not key or "/" in key or "\\" in key or key.startswith("."):
        raise ValueError("bad storage key")
    return key


class LocalFolder:
    """Files in UPLOAD_DIR, written atomically (a reader never sees half a file)."""

    def _path(self, key: str) -> Path:
        return Path(current_app.config["UPLOAD_DIR"]) / key[:2] / _checked(key)

    def write(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        with open(partial, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)

    def read(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise Missing(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def check(self) -> str:
        folder = Path(current_app.config["UPLOAD_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK):
            raise Unavailable(f"cannot write to {folder}")
        return "ok (local folder)"

    def download(self, key: str, *, media_type: str, filename: str):
        path = self._path(key)
        if not path.is_file():
            raise Missing(key)
        return send_file(path, mimetype=media_type, as_attachment=True, download_name=filename, max_age=0)


class ObjectStore:
    """Files in an S3 bucket (AWS, or anything speaking S3: SeaweedFS, MinIO, Ceph) under the same keys."""

    def __init__(self, bucket: str, timeout: int):
        import boto3  # imported here: only a portal configured for S3 loads boto3, which is heavy
        from botocore.config import Config  # (with boto3)
        from botocore.exceptions import BotoCoreError, ClientError  # (with boto3)

        self.bucket = bucket
        self.client = boto3.client("s3", config=Config(connect_timeout=timeout, read_timeout=timeout,
                                                       signature_version="s3v4",  # presigned URLs too
                                                       retries={"max_attempts": 2, "mode": "standard"}))
        self._errors = (BotoCoreError, ClientError)
        self._client_error = ClientError

    def _call(self, operation, **arguments):
        try:
            return operation(Bucket=self.bucket, **arguments)
        except self._client_error as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchKey", "404", "NotFound"):
                raise Missing(arguments.get("Key", "")) from None
            raise Unavailable(f"file storage refused {operation.__name__}: {code or error}") from error
        except self._errors as error:
            raise Unavailable(f"file storage is not answering: {error}") from error

    def write(self, key: str, data: bytes) -> None:
        media_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
        self._call(self.client.put_object, Key=_checked(key), Body=data, ContentType=media_type)

    def read(self, key: str) -> bytes:
        body = self._call(self.client.get_object, Key=_checked(key))["Body"]
        try:
            return body.read()
        except self._errors as error:
            raise Unavailable(f"file storage stopped mid-read: {error}") from error

    def exists(self, key: str) -> bool:
        try:
            self._call(self.client.head_object, Key=_checked(key))
        except Missing:
            return False
        return True

    def delete(self, key: str) -> None:
        self._call(self.client.delete_object, Key=_checked(key))

    def check(self) -> str:
        self._call(self.client.head_bucket)
        return "ok (s3)"

    def download(self, key: str, *, media_type: str, filename: str):
        if not self.exists(key):
            raise Missing(key)
        disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
        url = self.client.generate_presigned_url("get_object", ExpiresIn=PRESIGNED_SECONDS, Params={
            "Bucket": self.bucket, "Key": key, "ResponseContentType": media_type,
            "ResponseContentDisposition": disposition})
        response = redirect(url, code=303)
        response.headers["Cache-Control"] = "no-store"
        return response


def init_app(app: Flask) -> None:
    """The store this app uses, from PORTAL_STORAGE (local, the default, or s3)."""
    if app.config["STORAGE"] == "s3":
        app.extensions[EXTENSION] = ObjectStore(app.config["S3_BUCKET"], app.config["STORAGE_TIMEOUT"])
    else:
        app.extensions[EXTENSION] = LocalFolder()
    health_check(app, "storage", lambda: _store().check())


def _store() -> LocalFolder | ObjectStore:
    return current_app.extensions[EXTENSION]


def write(key: str, data: bytes) -> None:
    """Keeps `data` under `key`, whole or not at all. Raises Unavailable when the store does not answer."""
    _store().write(key, data)


def read(key: str) -> bytes:
    """The file's bytes. Raises Missing when there is none, Unavailable when the store does not answer."""
    return _store().read(key)


def exists(key: str) -> bool:
    return _store().exists(key)


def delete(key: str) -> None:
    """Removes the file if there is one."""
    _store().delete(key)


def download(key: str, *, media_type: str, filename: str):
    """The response that gives the signed-in person the file as an attachment named `filename` (the caller
    has checked they may have it). Raises Missing when there is none."""
    return _store().download(key, media_type=media_type, filename=filename)
