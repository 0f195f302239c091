"""A person at a browser without JavaScript, over plain HTTP with requests: pages are fetched, forms are read
from the HTML (hidden fields, the CSRF token, checked radios, selected options) and submitted as a browser
would. Every response is recorded (when it was asked, when it answered, its status, which server) so the
test can count 5xx answers and when they happened."""
from __future__ import annotations

import http.cookiejar
import http.cookies
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests


class NoCookies(http.cookiejar.DefaultCookiePolicy):
    """requests keeps no cookies itself: the portal's are Secure, which browsers send to http://127.0.0.1
    (loopback counts as secure) and http.cookiejar never sends over http. Person keeps them instead."""

    def set_ok(self, cookie, request):
        return False


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # what the form would submit, in order
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # (name, value, text)
    text: str = ""  # the form's visible text
    options: dict[str, list[str]] = field(default_factory=dict)  # radio and select choices by name
    files: list[str] = field(default_factory=list)  # names of file inputs

    def values(self, **changes) -> list[tuple[str, str]]:
        """The fields with `changes` (name → value; None removes the field) applied."""
        kept = [(name, value) for name, value in self.fields if name not in changes]
        return kept + [(name, value) for name, value in changes.items() if value is not None]

    def value(self, name: str) -> str | None:
        return next((value for key, value in self.fields if key == name), None)


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: str | None = None
        self.select_first: str | None = None
        self.select_chosen = False
        self.option: dict | None = None
        self.textarea: tuple[str, list[str]] | None = None
        self.button: list | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.current = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self.current)
            return
        form = self.current
        if form is None:
            return
        if tag == "input":
            kind, name = a.get("type", "text").lower(), a.get("name")
            if not name or "disabled" in a:
                return
            if kind in ("radio", "checkbox"):
                form.options.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    form.fields.append((name, a.get("value", "on")))
            elif kind == "file":
                form.files.append(name)
            elif kind in ("submit", "image"):
                form.buttons.append((name, a.get("value", ""), a.get("value", "")))
            elif kind != "reset":
                form.fields.append((name, a.get("value", "")))
        elif tag == "select" and a.get("name") and "disabled" not in a:
            self.select, self.select_first, self.select_chosen = a["name"], None, False
        elif tag == "option" and self.select:
            self.option = {"value": a.get("value"), "selected": "selected" in a, "text": []}
        elif tag == "textarea" and a.get("name"):
            self.textarea = (a["name"], [])
        elif tag == "button":
            self.button = [a.get("name", ""), a.get("value", ""), [], a.get("type", "submit")]

    def handle_data(self, data):
        if self.current is not None:
            self.current.text += data
        if self.option is not None:
            self.option["text"].append(data)
        if self.textarea is not None:
            self.textarea[1].append(data)
        if self.button is not None:
            self.button[2].append(data)

    def handle_endtag(self, tag):
        form = self.current
        if tag == "option" and self.option is not None and self.select:
            value = self.option["value"] if self.option["value"] is not None else "".join(self.option["text"]).strip()
            form.options.setdefault(self.select, []).append(value)
            if self.select_first is None:
                self.select_first = value
            if self.option["selected"] and not self.select_chosen:
                form.fields.append((self.select, value))
                self.select_chosen = True
            self.option = None
        elif tag == "select" and self.select:
            if not self.select_chosen and self.select_first is not None:
                form.fields.append((self.select, self.select_first))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            if form is not None:
                form.fields.append((self.textarea[0], "".join(self.textarea[1]).lstrip("\n")))
            self.textarea = None
        elif tag == "button" and self.button is not None:
            name, value, text, kind = self.button
            if form is not None and kind == "submit":
                form.buttons.append((name, value, " ".join("".join(text).split())))
            self.button = None
        elif tag == "form":
            self.current = None


def forms_in(html: str, base: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        form.action = urljoin(base, form.action or base)
    return parser.forms


@dataclass
class Exchange:
    person: str
    method: str
    url: str
    status: int | None  # None: no answer (connection refused or reset)
    began: float  # monotonic
    ended: float
    error: str = ""


class Log:
    """Every exchange of every person, shared (thread-safe)."""

    def __init__(self):
        self.exchanges: list[Exchange] = []
        self.lock = threading.Lock()

    def add(self, exchange: Exchange) -> None:
        with self.lock:
            self.exchanges.append(exchange)


class Person:
    """One person's browser: a requests.Session (its own cookies), pointed at `base` unless told a server."""

    def __init__(self, name: str, base: str, log: Log):
        self.name, self.base, self.log = name, base, log
        self.session = requests.Session()
        self.session.cookies.set_policy(NoCookies())
        self.cookies: dict[str, str] = {}  # name → value, sent to every loopback server like a browser would
        self.session.headers["User-Agent"] = f"cluster-test ({name})"

    def request(self, method: str, path: str, *, server: str | None = None, expect: int | tuple | None = 200,
                **kwargs) -> requests.Response:
        url = urljoin(server or self.base, path) if not path.startswith("http") else path
        if server and path.startswith("http"):  # the same path on another server
            parts = urlsplit(path)
            url = urljoin(server, parts.path + (f"?{parts.query}" if parts.query else ""))
        kwargs.setdefault("timeout", 60)
        follow = kwargs.pop("allow_redirects", True)
        began = time.monotonic()
        hops = 0
        while True:
            try:
                response = self.session.request(method, url, allow_redirects=False, headers=self._cookie_header(url),
                                                **kwargs)
            except requests.RequestException as error:
                self.log.add(Exchange(self.name, method, url, None, began, time.monotonic(), repr(error)))
                raise
            self.log.add(Exchange(self.name, method, url, response.status_code, began, time.monotonic()))
            self._keep_cookies(response)
            if not (follow and response.is_redirect and hops < 10):
                break
            hops += 1
            url = urljoin(url, response.headers["Location"])
            if response.status_code in (301, 302, 303):
                method = "GET"
                kwargs.pop("data", None)
                kwargs.pop("files", None)
                kwargs.pop("params", None)
        if expect is not None:
            wanted = expect if isinstance(expect, tuple) else (expect,)
            assert response.status_code in wanted, (
                f"{self.name}: {method} {url} answered {response.status_code}, wanted {wanted}:\n{response.text[:3000]}")
        return response

    def _cookie_header(self, url: str) -> dict[str, str]:
        if urlsplit(url).hostname != "127.0.0.1" or not self.cookies:
            return {}
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}

    def _keep_cookies(self, response: requests.Response) -> None:
        if urlsplit(response.url).hostname != "127.0.0.1":
            return
        for header in response.raw.headers.getlist("Set-Cookie"):
            jar = http.cookies.SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["expires"] and "1970" in morsel["expires"] or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def form(self, response: requests.Response, *, action: str | None = None, containing: str | None = None) -> Form:
        """The form on the page whose action ends with `action` and/or whose text contains `containing`."""
        found = [f for f in forms_in(response.text, response.url)
                 if (action is None or urlsplit(f.action).path.endswith(action))
                 and (containing is None or containing in f.text or any(containing in b[2] for b in f.buttons))]
        assert found, f"{self.name}: no form {action or ''} {containing or ''} on {response.url}:\n{response.text[:3000]}"
        return found[0]

    def submit(self, form: Form, *, button: str | None = None, server: str | None = None, files=None,
               expect: int | tuple | None = 200, **changes) -> requests.Response:
        """Submits `form` as a browser would, pressing the button whose text starts with `button`."""
        values = form.values(**changes)
        if button is not None:
            pressed = next((b for b in form.buttons if b[2].startswith(button)), None)
            assert pressed, f"{self.name}: no button {button!r} in {form.action}: {form.buttons}"
            if pressed[0]:
                values = [(k, v) for k, v in values if k != pressed[0]] + [(pressed[0], pressed[1])]
        if form.method == "get":
            return self.request("GET", form.action, server=server, params=values, expect=expect)
        return self.request("POST", form.action, server=server, data=values, files=files, expect=expect)

    def sign_in(self, email: str, password: str, *, server: str | None = None) -> None:
        page = self.get("/sign-in", server=server)
        answer = self.submit(self.form(page, action="/sign-in"), server=server, email=email, password=password)
        assert "/sign-in" not in urlsplit(answer.url).path, f"{self.name} could not sign in:\n{answer.text[:2000]}"
