"""Each main page against a bare Flask hello world, on the same gunicorn, in one run (wrk).

    make bench                      # or: .venv/bin/python -m benchmarks.pages --orders 20000

Builds a generated campus (benchmarks/dataset.py) in a temporary SQLite file, serves it and the
hello world with identical gunicorn settings on loopback, signs in, and measures requests per second
for each page with wrk: as the portal runs (nothing is written during the run, so after its first request
each page is served kept, portal/web/page_cache.py), and again with nothing kept, every request rendered
(what the first request after a write costs). Prints a Markdown table; the README keeps the latest figures.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))


def serve(app: str, port: int, env: dict, workers: int) -> subprocess.Popen:
    process = subprocess.Popen([GUNICORN, "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level",
                                "warning", app], cwd=ROOT, env=env)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz" if "wsgi" in app else f"http://127.0.0.1:{port}/",
                                   timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{app} did not start")


def session_cookie(port: int, email: str, password: str) -> str:
    """Signs in over plain http (the session cookie is marked Secure, so no cookie jar would send it)."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/sign-in")
    response = connection.getresponse()
    page, cookie = response.read().decode(), response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password})
    connection.request("POST", "/sign-in", body=body, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    if response.status != 302:
        raise SystemExit(f"sign-in failed: {response.status}")
    cookie = response.getheader("Set-Cookie").split(";")[0]
    # The first page after sign-in adds the CSRF secret to the session, as it would in a browser.
    connection.request("GET", "/", headers={"Cookie": cookie})
    response = connection.getresponse()
    response.read()
    cookie = (response.getheader("Set-Cookie") or cookie).split(";")[0]
    return cookie.split("=", 1)[1]


CONNECTIONS = 16
# Issue 19's targets, against the hello world measured in the same run: (share of its requests/s, p99 in ms).
TARGETS = {"Order history": (1 / 3, 25), "Order page": (1 / 3, 25), "Address book": (1 / 3, 25),
           "Staff queue": (1 / 5, 50), "Staff board": (1 / 5, 50)}


def milliseconds(text: str) -> float:
    """wrk's latency ("850.00us", "12.31ms", "1.20s") in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def wrk(url: str, *, seconds: int, cookie: str | None = None) -> dict:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: session={cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1),
            "p99": re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1),
            "errors": int(errors.group(1)) if errors else 0}


def _serves(url: str, cookie: str) -> bool:
    try:
        request = urllib.request.Request(url, headers={"Cookie": f"session={cookie}"})
        return urllib.request.urlopen(request).status == 200
    except urllib.error.HTTPError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=20000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (make bench installs it)")
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    # development: the same code, but session cookies without Secure, since this runs on plain http.
    env = {**os.environ, "PORTAL_ENV": "development", "SECRET_KEY": "benchmark-secret",
           "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}", "PORTAL_INSTANCE_PATH": str(workdir)}
    built = subprocess.run([PYTHON, "-m", "benchmarks.dataset", "--orders", str(args.orders)], cwd=ROOT, env=env,
                           capture_output=True, text=True, check=True).stdout
    info = json.loads(built.split(": ", 1)[1].replace("'", '"'))
    # The portal twice: as it runs (pages kept until a write or the minute turns, portal/web/page_cache.py), and
    # with nothing kept, so every request renders: what the first request after each write costs.
    servers = [serve("benchmarks.hello:app", 8101, env, args.workers), serve("wsgi:app", 8102, env, args.workers),
               serve("wsgi:app", 8103, {**env, "PORTAL_PAGE_CACHE_ENTRIES": "0"}, args.workers)]
    try:
        pages = [("Order history", "/orders", "customer"), ("Order page", f"/orders/{info['order']}", "customer"),
                 ("Address book", "/addresses", "customer"), ("Staff queue", "/staff/queue", "staff"),
                 ("Staff board", "/staff/queue/board", "staff")]
        results = [("Hello world (bare Flask)", wrk("http://127.0.0.1:8101/", seconds=args.seconds), None)]
        for port in (8102, 8103):
            cookies = {who: session_cookie(port, info[who], info["password"]) for who in ("customer", "staff")}
            for name, path, who in pages:
                url = f"http://127.0.0.1:{port}{path}"
                if not _serves(url, cookies[who]):
                    continue  # a page that does not exist yet
                measured = wrk(url, seconds=args.seconds, cookie=cookies[who])
                if port == 8102:
                    results.append((name, measured, None))
                else:
                    results = [(n, r, measured if n == name else rendered) for n, r, rendered in results]
    finally:
        for server in servers:
            server.terminate()
            server.wait()
        shutil.rmtree(workdir, ignore_errors=True)
    hello = results[0][1]["rps"]
    print(f"\n{args.orders:,} orders, gunicorn --workers {args.workers} (sync), wrk -t2 -c{CONNECTIONS} "
          f"-d{args.seconds}s, {os.cpu_count()} cores\n")
    print("| Page | Requests/s | vs hello world | p50 | p99 | errors | Target | Met | Rendered every time: req/s | vs hello | p99 |")
    print("|---|---:|---:|---:|---:|---:|---|---|---:|---:|---:|")
    for name, result, rendered in results:
        share, p99 = result["rps"] / hello, milliseconds(result["p99"])
        target = TARGETS.get(name)
        wanted = f"≥ {target[0]:.2f}, p99 < {target[1]} ms" if target else ""
        met = ("yes" if share >= target[0] and p99 < target[1] else "no") if target else ""
        cold = (f"{rendered['rps']:,.0f} | {rendered['rps'] / hello:.2f} | {rendered['p99']}" if rendered
                else " | | ")
        print(f"| {name} | {result['rps']:,.0f} | {share:.2f} | {result['p50']} | {result['p99']} "
              f"| {result['errors']} | {wanted} | {met} | {cold} |")


if __name__ == "__main__":
    main()
