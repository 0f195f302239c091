"""Static files: compressed, cached, and named by their content's hash, so a page never gets a stale stylesheet
and a browser keeps each file a year (portal/web/assets.py, WhiteNoise)."""
from __future__ import annotations

import gzip
import re
from pathlib import Path

from portal.web import assets

STATIC = Path(__file__).resolve().parent.parent / "static"


def test_pages_link_each_static_file_by_its_hashed_name_and_it_is_kept_a_year(client):
    page = client.get("/sign-in").get_data(as_text=True)
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert {re.sub(r"\.[0-9a-f]{12}\.", ".", link) for link in links} >= {
        "/static/css/portal.css", "/static/js/htmx.min.js", "/static/js/portal.js", "/static/favicon.svg"}
    for link in links:
        assert re.search(r"\.[0-9a-f]{12}\.[a-z]+$", link), link
        served = client.get(link)
        plain = link.removeprefix("/static/")
        source = STATIC / re.sub(r"\.[0-9a-f]{12}(\.[a-z]+)$", r"\1", plain)
        assert served.status_code == 200 and served.data == source.read_bytes()
        assert served.headers["Cache-Control"] == "max-age=315360000, public, immutable"
        assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_text_files_are_sent_compressed_to_a_browser_that_accepts_it(client):
    link = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', client.get("/sign-in").get_data(as_text=True))[1]
    compressed = client.get(link, headers={"Accept-Encoding": "gzip, br"})
    assert compressed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in compressed.headers["Vary"]
    assert gzip.decompress(compressed.data) == (STATIC / "css/portal.css").read_bytes()
    assert len(compressed.data) < len((STATIC / "css/portal.css").read_bytes()) / 2


def test_a_plain_name_is_still_served_with_a_short_cache_and_an_unknown_file_is_a_404(client):
    plain = client.get("/static/css/portal.css")
    assert plain.status_code == 200 and plain.headers["Cache-Control"] == "max-age=300, public"
    assert client.get("/static/css/nothing.css").status_code == 404


def test_the_build_is_the_same_wherever_it_runs_and_a_changed_file_gets_a_new_name(tmp_path):
    source = tmp_path / "static"
    (source / "css").mkdir(parents=True)
    (source / "css" / "site.css").write_text("body { color: black }")
    first = assets.build(source, tmp_path / "one")
    assert first == assets.build(source, tmp_path / "two")
    assert (tmp_path / "one" / first["css/site.css"]).read_bytes() == (tmp_path / "two" / first["css/site.css"]).read_bytes()
    (source / "css" / "site.css").write_text("body { color: navy }")
    second = assets.build(source, tmp_path / "one")
    assert second["css/site.css"] != first["css/site.css"]
    assert (tmp_path / "one" / second["css/site.css"]).read_text() == "body { color: navy }"
    assert (tmp_path / "one" / first["css/site.css"]).read_text() == "body { color: black }"  # an open page keeps its file
