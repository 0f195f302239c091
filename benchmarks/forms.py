"""What a browser would submit for a form on a page: its hidden and filled inputs, checked boxes and
radios, chosen options and text areas (the load run's customers and staff fill forms as people do)."""
from __future__ import annotations

from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: str | None = None
        self._select_first: tuple[str, str] | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": (a.get("method") or "get").lower(),
                               "fields": []})
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._select_first = name, None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = (self._select, value)
            if "selected" in a:
                fields.append((self._select, value))
                self._select_first = ("", "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields.append((name, ""))

    def handle_data(self, data):
        if self._textarea and self.forms:
            name, value = self.forms[-1]["fields"][-1]
            self.forms[-1]["fields"][-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            if self._select_first and self._select_first[0] and self.forms:
                self.forms[-1]["fields"].append(self._select_first)  # nothing selected: the first option
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms(page: str) -> list[dict]:
    """Every form on the page: {"action", "method", "fields": [(name, value), ...]}."""
    parser = _Forms()
    parser.feed(page)
    return parser.forms


def form(page: str, action_contains: str) -> dict | None:
    """The first form whose action contains the text (a POST form), or None."""
    for found in forms(page):
        if action_contains in found["action"] and found["method"] == "post":
            return found
    return None
