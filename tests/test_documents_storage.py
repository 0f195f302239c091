"""Files in object storage: a real S3 server (SeaweedFS) on loopback behind two app servers that share
nothing but the database and the bucket."""
from __future__ import annotations

from io import BytesIO
from urllib.parse import unquote

import pytest
import requests
from sqlalchemy import func, select

from portal import create_app
from portal.documents import storage
from portal.documents.models import StoredFile
from portal.extensions import db
from tests.conftest import PortalClient
from tests.factories import job_values, pdf_bytes
from tests.objectstore import BUCKET

pytestmark = pytest.mark.real_clock  # S3 signatures carry the time; nothing here depends on the date


@pytest.fixture
def products(make):
    return make.catalog()


@pytest.fixture
def second_server(app, s3_app, tmp_path):
    """Another app server: its own instance folder, the same database and bucket."""
    other = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SERVER_NAME": None,
                        "UPLOAD_DIR": str(tmp_path / "elsewhere"), "STORAGE": "s3", "S3_BUCKET": BUCKET})
    other.test_client_class = PortalClient
    yield other
    with other.app_context():
        db.engine.dispose()


def _upload(client, marker: str):
    data = {**job_values("course-pack"), "action": "upload",
            "upload": (BytesIO(pdf_bytes(4, marker=marker)), "Week 2 Reading.pdf")}
    return client.post("/products/course-pack", data=data, content_type="multipart/form-data")


def test_a_reading_uploaded_on_one_server_downloads_from_the_other(s3_app, second_server, products, customer, ctx):
    first = s3_app.test_client()
    first.sign_in(customer)
    assert _upload(first, "sharedbytes").status_code == 200
    stored = db.session.scalar(select(StoredFile))
    assert not (s3_app.config["UPLOAD_DIR"] and storage.LocalFolder()._path(stored.storage_key).exists())

    other = second_server.test_client()
    other.sign_in(customer)
    response = other.get(f"/files/{stored.id}")
    assert response.status_code == 303 and response.headers["Cache-Control"] == "no-store"
    fetched = requests.get(response.headers["Location"], timeout=10)  # the short-lived presigned URL
    assert fetched.status_code == 200 and b"sharedbytes" in fetched.content
    assert fetched.headers["Content-Type"] == "application/pdf"
    assert unquote(fetched.headers["Content-Disposition"]).endswith("Week 2 Reading.pdf")

    again = _upload(other, "sharedbytes")  # the same file on the second server: the one row, unchanged
    assert again.status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(StoredFile.storage_key)) == stored.storage_key


def test_someone_elses_file_and_a_missing_file_are_404_not_a_link(s3_app, products, make, customer, ctx):
    owner = s3_app.test_client()
    owner.sign_in(customer)
    _upload(owner, "private")
    stored = db.session.scalar(select(StoredFile))
    stranger = s3_app.test_client()
    stranger.sign_in(make.customer())
    assert stranger.get(f"/files/{stored.id}").status_code == 404
    with s3_app.app_context():
        storage.delete(stored.storage_key)
    assert owner.get(f"/files/{stored.id}").status_code == 404


def test_a_store_that_does_not_answer_saves_nothing_says_so_and_a_retry_works(s3_app, s3_server, products,
                                                                              customer, ctx):
    client = s3_app.test_client()
    client.sign_in(customer)
    s3_server.pause()
    try:
        response = _upload(client, "while-down")
    finally:
        s3_server.resume()
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "Nothing was saved" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0
    assert _upload(client, "while-down").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 1


def test_the_store_keeps_reads_writes_and_deletes_whole(s3_app):
    with s3_app.app_context():
        key = storage.new_key(".csv")
        assert not storage.exists(key)
        storage.write(key, "naïve,café\r\n".encode())
        assert storage.exists(key) and storage.read(key).decode() == "naïve,café\r\n"
        storage.delete(key)
        with pytest.raises(storage.Missing):
            storage.read(key)
        with pytest.raises(ValueError):
            storage.write("../escape", b"x")
