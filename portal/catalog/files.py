"""The catalog as a file (`flask catalog export | import`): reading a YAML catalog, checking all of it
and naming the line of every problem, and writing one. No database here: portal/catalog/transfer.py
exports the shop's catalog into a CatalogFile and applies one.

Money is written in dollars, as text ("0.045" is 4.5 cents), and read from the characters written,
never through a float: a file may also leave the quotes off. Minutes are plain decimal numbers,
read the same way. The format is described in README.md, "Catalog file".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import yaml
from yaml.composer import ComposerError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from portal.catalog import rules
from portal.catalog.models import ProductKind
from portal.catalog.rules import BOUNDS, CODE, LIMITS, SLUG, plain_decimal
from portal.promises.rules import WEEKDAYS

HEADER = """\
# The shop's catalog: flask --app wsgi catalog export > catalog.yaml; flask --app wsgi catalog import catalog.yaml
# Money is in dollars, written as text ("0.045" is 4.5 cents); minutes are numbers. See README.md, "Catalog file".
"""


@dataclass(frozen=True)
class Problem:
    line: int  # 1-based, as an editor numbers them
    message: str


class CatalogFileRefused(Exception):
    """A catalog file that cannot be applied; `problems` says why, each with its line."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]):
        self.problems = tuple(problems)
        super().__init__("; ".join(f"line {p.line}: {p.message}" for p in self.problems))


@dataclass(frozen=True)
class StationEntry:
    code: str
    name: str
    minutes_per_day: int
    # The weekdays whose working minutes differ from minutes_per_day, in weekday order: (("fri", 600),).
    weekday_minutes: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class ChoiceEntry:
    code: str
    label: str
    is_default: bool = False
    per_copy_cents: Decimal = Decimal(0)
    per_page_cents: Decimal = Decimal(0)
    per_sheet_cents: Decimal = Decimal(0)
    pages_per_sheet: int | None = None
    extra_days: int = 0


@dataclass(frozen=True)
class OptionEntry:
    code: str
    label: str
    help: str = ""
    choices: tuple[ChoiceEntry, ...] = ()


@dataclass(frozen=True)
class RouteEntry:
    station: str
    stage: str
    setup_minutes: Decimal = Decimal(0)
    per_copy: Decimal = Decimal(0)
    per_sheet: Decimal = Decimal(0)
    per_impression: Decimal = Decimal(0)
    when_option: str | None = None
    when_choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProductEntry:
    """A product as the file gives it; the field names are Product's columns."""

    slug: str
    name: str
    kind: ProductKind
    active: bool = True
    summary: str = ""
    description: str = ""
    min_quantity: int = 1
    max_quantity: int = 10000
    quantity_step: int = 1
    default_quantity: int = 1
    unit_name: str = "copy"
    default_pages: int = 1
    setup_cents: int = 0
    minimum_cents: int = 0
    per_copy_cents: Decimal = Decimal(0)
    per_page_cents: Decimal = Decimal(0)
    volume_breaks: tuple[tuple[int, int], ...] = ()  # (from quantity, percent off)
    rush_surcharge_percent: int = 50
    base_days: int = 1
    pages_per_day: int = 50000
    needs_proof: bool = False
    needs_files: bool = True
    options: tuple[OptionEntry, ...] = ()
    route: tuple[RouteEntry, ...] = ()


@dataclass(frozen=True)
class CatalogFile:
    stations: tuple[StationEntry, ...]
    products: tuple[ProductEntry, ...]
    stations_line: int = 1  # where `stations:` is, for problems about stations the file leaves out


@dataclass(frozen=True)
class Reading:
    """What a file holds: the catalog when every part of it is right, otherwise every problem."""

    catalog: CatalogFile | None
    problems: tuple[Problem, ...]


PRODUCT_KEYS = ("slug", "name", "kind", "active", "summary", "description", "quantity", "default_pages",
                "price", "production", "options", "routing")
QUANTITY_KEYS = ("min", "max", "step", "default", "unit")
PRICE_KEYS = ("setup", "minimum", "per_copy", "per_page", "rush_surcharge_percent", "volume_breaks")
PRODUCTION_KEYS = ("base_days", "pages_per_day", "needs_proof", "needs_files")
OPTION_KEYS = ("code", "label", "help", "choices")
CHOICE_KEYS = ("code", "label", "default", "per_copy", "per_page", "per_sheet", "pages_per_sheet", "extra_days")
ROUTE_KEYS = ("station", "stage", "setup_minutes", "minutes_per_copy", "minutes_per_sheet",
              "minutes_per_impression", "when")
STATION_KEYS = ("code", "name", "minutes_per_day", "minutes_by_weekday")


PLAIN_TAGS = frozenset({"!", *(f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null",
                                                                          "map", "seq"))})


class _Loader(yaml.SafeLoader):
    """The safe loader, composing nodes only (nothing is constructed), and refusing aliases (a
    catalog has no use for them, and they can multiply a small file into a huge tree) and tags
    other than YAML's plain ones."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise ComposerError(None, None, "aliases (*name) are not used in a catalog file", event.start_mark)
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in PLAIN_TAGS:
            raise ComposerError(None, None, f"tags (like {tag}) are not used in a catalog file", event.start_mark)
        return super().compose_node(parent, index)


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _named(node: Node, what: str, key: str = "code") -> str:
    """What a mapping is, named by its code or slug when it has one: 'product "flyer"'."""
    if isinstance(node, MappingNode):
        for key_node, value in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == key and isinstance(value, ScalarNode):
                return f'{what} "{value.value.strip()}"'
    return what


def _shown(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "keys and values"
    if isinstance(node, SequenceNode):
        return "a list"
    return f'"{node.value}"'


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, node: Node, message: str) -> None:
        self.problems.append(Problem(_line(node), message))

    # The shapes.
    def fields(self, node: Node, where: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()
               ) -> dict[str, Node] | None:
        """The values of a mapping by key; an unknown, repeated or missing key is a problem."""
        if not isinstance(node, MappingNode):
            self.problem(node, f"{where}: expected keys and values (key: value), found {_shown(node)}")
            return None
        found: dict[str, Node] = {}
        for key_node, value in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if key is None or key not in allowed:
                self.problem(key_node, f"{where}: unknown key {_shown(key_node)} (known: {', '.join(allowed)})")
            elif key in found:
                self.problem(key_node, f"{where}: {key} is given twice")
            else:
                found[key] = value
        for key in required:
            if key not in found:
                self.problem(node, f"{where}: {key} is missing")
        return found

    def items(self, node: Node | None, where: str) -> list[Node]:
        if node is None or (isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null"):
            return []
        if not isinstance(node, SequenceNode):
            self.problem(node, f"{where}: expected a list (lines starting with -), found {_shown(node)}")
            return []
        return list(node.value)

    def scalar(self, node: Node, where: str) -> str | None:
        if not isinstance(node, ScalarNode):
            self.problem(node, f"{where}: expected a single value, found {_shown(node)}")
            return None
        return node.value

    # The values.
    def text(self, node: Node | None, where: str, *, limit: int, required: bool = False, default: str = ""
             ) -> str | None:
        if node is None:
            return default
        value = self.scalar(node, where)
        if value is None:
            return None
        if node.tag == "tag:yaml.org,2002:null" and node.style is None:
            value = ""
        problem = rules.text_problem(value, limit=limit, required=required)
        if problem:
            self.problem(node, f"{where}: {problem}")
            return None
        return value

    def code(self, node: Node | None, where: str, *, pattern: re.Pattern = CODE, limit: int = 30) -> str | None:
        value = self.text(node, where, limit=limit, required=True)
        problem = value and rules.code_problem(value, slug=pattern is SLUG)
        if problem:
            self.problem(node, f"{where}: {problem}")
            return None
        return value

    def whole(self, node: Node | None, where: str, *, minimum: int, maximum: int, default: int | None = None
              ) -> int | None:
        if node is None:
            return default
        value = self.scalar(node, where)
        if value is None:
            return None
        number, problem = rules.read_whole(value, minimum=minimum, maximum=maximum)
        if problem:
            self.problem(node, f"{where}: {problem}")
        return number

    def flag(self, node: Node | None, where: str, *, default: bool) -> bool | None:
        if node is None:
            return default
        value = self.scalar(node, where)
        if value is None:
            return None
        value = value.strip()
        if value.lower() not in ("true", "false"):
            self.problem(node, f'{where}: expected true or false, found "{value}"')
            return None
        return value.lower() == "true"

    def checked(self, node: Node | None, where: str, check) -> Decimal | None:
        """A value read by one of rules' checks (`check(text)` gives (value, problem)); absent is 0."""
        if node is None:
            return Decimal(0)
        value = self.scalar(node, where)
        if value is None:
            return None
        number, problem = check(value)
        if problem:
            self.problem(node, f"{where}: {problem}")
        return number

    def dollars(self, node: Node | None, where: str, *, whole_cents: bool = False) -> Decimal | None:
        """Dollars written as text ("0.045"), as cents (rules.read_dollars)."""
        return self.checked(node, where, lambda text: rules.read_dollars(text, whole_cents=whole_cents))

    def minutes(self, node: Node | None, where: str, *, setup: bool = False) -> Decimal | None:
        return self.checked(node, where, lambda text: rules.read_minutes(text, setup=setup))

    # The sections.
    def catalog(self, root: Node) -> CatalogFile | None:
        top = self.fields(root, "the catalog", ("stations", "products"), ("stations", "products"))
        if top is None:
            return None
        stations_node = top.get("stations")
        stations: dict[str, tuple[int, StationEntry | None]] = {}
        for node in self.items(stations_node, "stations"):
            code, entry = self.station(node)
            if code is None:
                continue
            if code in stations:
                self.problem(node, f'station "{code}" is given twice (first on line {stations[code][0]})')
            else:
                stations[code] = (_line(node), entry)
        products: list[ProductEntry | None] = []
        seen: dict[str, int] = {}
        product_nodes = self.items(top.get("products"), "products")
        if "products" in top and not product_nodes and not self.problems:
            self.problem(top["products"], "products: the file lists none (it holds the whole catalog: "
                                          "importing it would retire every product)")
        for node in product_nodes:
            products.append(self.product(node, stations, seen))
        if self.problems:
            return None
        return CatalogFile(stations=tuple(entry for _, entry in stations.values()), products=tuple(products),
                           stations_line=_line(stations_node) if stations_node is not None else 1)

    def station(self, node: Node) -> tuple[str | None, StationEntry | None]:
        where = _named(node, "station")
        given = self.fields(node, where, STATION_KEYS, STATION_KEYS[:3])
        if given is None:
            return None, None
        code = self.code(given.get("code"), f"{where}: code")
        name = self.text(given.get("name"), f"{where}: name", limit=LIMITS["station_name"], required=True)
        minutes = self.whole(given.get("minutes_per_day"), f"{where}: minutes_per_day", **BOUNDS["minutes_per_day"])
        weekdays = self.weekday_minutes(given.get("minutes_by_weekday"), f"{where}: minutes_by_weekday", minutes)
        if None in (code, name, minutes, weekdays):
            return code, None
        return code, StationEntry(code=code, name=name, minutes_per_day=minutes, weekday_minutes=weekdays)

    def weekday_minutes(self, node: Node | None, where: str, usual: int | None) -> tuple[tuple[str, int], ...] | None:
        """A station's minutes on the weekdays that differ from its usual day ({fri: 600}), in weekday
        order; a day given at the usual minutes is left out, as the shop's form leaves it."""
        if node is None:
            return ()
        given = self.fields(node, where, WEEKDAYS)
        if given is None:
            return None
        found = {day: self.whole(value, f"{where}.{day}", **BOUNDS["weekday_minutes"]) for day, value in given.items()}
        if None in found.values():
            return None
        return tuple((day, found[day]) for day in WEEKDAYS if day in found and found[day] != usual)

    def product(self, node: Node, stations: dict, seen: dict[str, int]) -> ProductEntry | None:
        where = _named(node, "product", "slug")
        given = self.fields(node, where, PRODUCT_KEYS, ("slug", "name", "kind"))
        if given is None:
            return None
        slug = self.code(given.get("slug"), f"{where}: slug", pattern=SLUG, limit=LIMITS["slug"])
        if slug in seen:
            self.problem(given["slug"], f'product "{slug}" is given twice (first on line {seen[slug]})')
        elif slug:
            seen[slug] = _line(node)
        values: dict = dict(
            slug=slug,
            name=self.text(given.get("name"), f"{where}: name", limit=LIMITS["product_name"], required=True),
            kind=self.kind(given.get("kind"), f"{where}: kind"),
            active=self.flag(given.get("active"), f"{where}: active", default=True),
            summary=self.text(given.get("summary"), f"{where}: summary", limit=LIMITS["summary"]),
            description=self.text(given.get("description"), f"{where}: description", limit=LIMITS["description"]),
            default_pages=self.whole(given.get("default_pages"), f"{where}: default_pages",
                                     **BOUNDS["default_pages"], default=1),
        )
        values.update(self.quantity(given.get("quantity"), node, where))
        values.update(self.price(given.get("price"), where, values))
        values.update(self.production(given.get("production"), where))
        option_nodes = self.items(given.get("options"), f"{where}: options")
        options = [self.option(option, where) for option in option_nodes]
        codes: dict[str, int] = {}
        for option_node, option in zip(option_nodes, options):
            if option is None:
                continue
            if option.code in codes:
                self.problem(option_node, f'{where}: option "{option.code}" is given twice '
                                          f"(first on line {codes[option.code]})")
            codes.setdefault(option.code, _line(option_node))
        known = {option.code: option for option in options if option is not None}
        route = [self.step(step, f"{where}: routing step {number}", stations, known)
                 for number, step in enumerate(self.items(given.get("routing"), f"{where}: routing"), start=1)]
        values.update(options=tuple(options), route=tuple(route))
        if any(value is None for value in values.values()) or None in options or None in route:
            return None
        return ProductEntry(**values)

    def kind(self, node: Node | None, where: str) -> ProductKind | None:
        value = self.text(node, where, limit=30, required=True)
        if value is None:
            return None
        try:
            return ProductKind(value)
        except ValueError:
            self.problem(node, f'{where}: "{value}" is not one of {", ".join(k.value for k in ProductKind)}')
            return None

    def quantity(self, node: Node | None, product_node: Node, where: str) -> dict:
        given = self.fields(node, f"{where}: quantity", QUANTITY_KEYS) if node is not None else {}
        if given is None:
            return dict(min_quantity=None)
        at = f"{where}: quantity"
        low = self.whole(given.get("min"), f"{at}.min", **BOUNDS["min_quantity"], default=1)
        high = self.whole(given.get("max"), f"{at}.max", **BOUNDS["max_quantity"], default=10000)
        step = self.whole(given.get("step"), f"{at}.step", **BOUNDS["quantity_step"], default=1)
        usual = self.whole(given.get("default"), f"{at}.default", **BOUNDS["default_quantity"], default=low)
        unit = self.text(given.get("unit"), f"{at}.unit", limit=LIMITS["unit_name"], required=True, default="copy")
        if None not in (low, high, step, usual):
            problems = rules.quantity_rule_problems(low=low, high=high, step=step, usual=usual)
            for key, problem in problems.items():
                self.problem(given.get(key, node or product_node), f"{at}.{key}: {problem}")
            if problems:
                high, usual = (None, usual) if "max" in problems else (high, None)
        return dict(min_quantity=low, max_quantity=high, quantity_step=step, default_quantity=usual, unit_name=unit)

    def price(self, node: Node | None, where: str, product: dict) -> dict:
        given = self.fields(node, f"{where}: price", PRICE_KEYS) if node is not None else {}
        if given is None:
            return dict(setup_cents=None)
        at = f"{where}: price"
        setup = self.dollars(given.get("setup"), f"{at}.setup", whole_cents=True)
        minimum = self.dollars(given.get("minimum"), f"{at}.minimum", whole_cents=True)
        breaks = []
        for item in self.items(given.get("volume_breaks"), f"{at}.volume_breaks"):
            brk = self.fields(item, f"{at}.volume_breaks", ("from", "percent_off"), ("from", "percent_off"))
            if brk is None:
                breaks.append(None)
                continue
            start = self.whole(brk.get("from"), f"{at}.volume_breaks.from", **BOUNDS["break_from"])
            off = self.whole(brk.get("percent_off"), f"{at}.volume_breaks.percent_off", **BOUNDS["percent_off"])
            previous = breaks[-1] if breaks else None
            problem = start is not None and rules.volume_break_problem(
                start, low=product.get("min_quantity"), high=product.get("max_quantity"),
                previous=previous[0] if previous else None)
            if problem:
                self.problem(item, f"{at}.volume_breaks: {problem}")
                start = None
            breaks.append(None if None in (start, off) else (start, off))
        return dict(
            setup_cents=None if setup is None else int(setup),
            minimum_cents=None if minimum is None else int(minimum),
            per_copy_cents=self.dollars(given.get("per_copy"), f"{at}.per_copy"),
            per_page_cents=self.dollars(given.get("per_page"), f"{at}.per_page"),
            rush_surcharge_percent=self.whole(given.get("rush_surcharge_percent"), f"{at}.rush_surcharge_percent",
                                              **BOUNDS["rush_surcharge_percent"], default=50),
            volume_breaks=None if None in breaks else tuple(breaks),
        )

    def production(self, node: Node | None, where: str) -> dict:
        given = self.fields(node, f"{where}: production", PRODUCTION_KEYS) if node is not None else {}
        if given is None:
            return dict(base_days=None)
        at = f"{where}: production"
        return dict(
            base_days=self.whole(given.get("base_days"), f"{at}.base_days", **BOUNDS["base_days"], default=1),
            pages_per_day=self.whole(given.get("pages_per_day"), f"{at}.pages_per_day",
                                     **BOUNDS["pages_per_day"], default=50000),
            needs_proof=self.flag(given.get("needs_proof"), f"{at}.needs_proof", default=False),
            needs_files=self.flag(given.get("needs_files"), f"{at}.needs_files", default=True),
        )

    def option(self, node: Node, product: str) -> OptionEntry | None:
        where = f'{product}, {_named(node, "option")}'
        given = self.fields(node, where, OPTION_KEYS, ("code", "label", "choices"))
        if given is None:
            return None
        code = self.code(given.get("code"), f"{where}: code")
        label = self.text(given.get("label"), f"{where}: label", limit=LIMITS["option_label"], required=True)
        help_text = self.text(given.get("help"), f"{where}: help", limit=LIMITS["help"])
        nodes = self.items(given.get("choices"), f"{where}: choices")
        if "choices" in given and not nodes:
            self.problem(given["choices"], f"{where}: choices: {rules.NO_CHOICES}")
        choices = [self.choice(choice, where) for choice in nodes]
        codes: dict[str, int] = {}
        defaults = 0
        for choice_node, choice in zip(nodes, choices):
            if choice is None:
                continue
            if choice.code in codes:
                self.problem(choice_node, f"{where}: " + rules.repeated_problem(
                    "choice", choice.code, f"first on line {codes[choice.code]}"))
            codes.setdefault(choice.code, _line(choice_node))
            defaults += choice.is_default
            if choice.is_default and defaults > 1:
                self.problem(choice_node, f"{where}: {rules.ONE_DEFAULT}")
        if None in (code, label, help_text) or None in choices or not nodes:
            return None
        return OptionEntry(code=code, label=label, help=help_text, choices=tuple(choices))

    def choice(self, node: Node, option: str) -> ChoiceEntry | None:
        where = f'{option}, {_named(node, "choice")}'
        given = self.fields(node, where, CHOICE_KEYS, ("code", "label"))
        if given is None:
            return None
        code = self.code(given.get("code"), f"{where}: code")
        values = dict(
            code=code,
            label=self.text(given.get("label"), f"{where}: label", limit=LIMITS["choice_label"], required=True),
            is_default=self.flag(given.get("default"), f"{where}: default", default=False),
            per_copy_cents=self.dollars(given.get("per_copy"), f"{where}: per_copy"),
            per_page_cents=self.dollars(given.get("per_page"), f"{where}: per_page"),
            per_sheet_cents=self.dollars(given.get("per_sheet"), f"{where}: per_sheet"),
            extra_days=self.whole(given.get("extra_days"), f"{where}: extra_days", **BOUNDS["extra_days"], default=0),
        )
        pages_per_sheet = self.whole(given.get("pages_per_sheet"), f"{where}: pages_per_sheet",
                                     **BOUNDS["pages_per_sheet"])
        if ("pages_per_sheet" in given and pages_per_sheet is None) or None in values.values():
            return None
        return ChoiceEntry(pages_per_sheet=pages_per_sheet, **values)

    def step(self, node: Node, where: str, stations: dict, options: dict[str, OptionEntry]) -> RouteEntry | None:
        given = self.fields(node, where, ROUTE_KEYS, ("station", "stage"))
        if given is None:
            return None
        station = self.code(given.get("station"), f"{where}: station")
        problem = station is not None and rules.station_problem(station, stations)
        if problem:
            self.problem(given["station"], f"{where}: {problem}")
            station = None
        stage = self.text(given.get("stage"), f"{where}: stage", limit=20, required=True)
        problem = stage and rules.stage_problem(stage)
        if problem:
            self.problem(given["stage"], f"{where}: {problem}")
            stage = None
        minutes = dict(
            setup_minutes=self.minutes(given.get("setup_minutes"), f"{where}: setup_minutes", setup=True),
            per_copy=self.minutes(given.get("minutes_per_copy"), f"{where}: minutes_per_copy"),
            per_sheet=self.minutes(given.get("minutes_per_sheet"), f"{where}: minutes_per_sheet"),
            per_impression=self.minutes(given.get("minutes_per_impression"), f"{where}: minutes_per_impression"),
        )
        when_option, when_choices = self.when(given.get("when"), where, options)
        if None in (station, stage, when_choices) or None in minutes.values():
            return None
        return RouteEntry(station=station, stage=stage, when_option=when_option, when_choices=when_choices,
                          **minutes)

    def when(self, node: Node | None, where: str, options: dict[str, OptionEntry]
             ) -> tuple[str | None, tuple[str, ...] | None]:
        """A step's condition: it is done only when `option` has one of `choices`."""
        if node is None:
            return None, ()
        given = self.fields(node, f"{where}: when", ("option", "choices"), ("option", "choices"))
        if given is None or "option" not in given:
            return None, None
        option = self.code(given["option"], f"{where}: when.option")
        if option is None:
            return None, None
        offered = {code: {choice.code for choice in entry.choices} for code, entry in options.items()}
        problem = rules.when_option_problem(option, offered)
        if problem:
            self.problem(given["option"], f"{where}: when.option: {problem}")
            return None, None
        chosen = []
        for item in self.items(given.get("choices"), f"{where}: when.choices"):
            code = self.code(item, f"{where}: when.choices")
            problem = code is not None and rules.when_choice_problem(option, code, offered)
            if problem:
                self.problem(item, f"{where}: when.choices: {problem}")
                code = None
            chosen.append(code)
        if not chosen and "choices" in given:
            self.problem(given["choices"], f"{where}: when.choices: {rules.NO_WHEN_CHOICES}")
            return None, None
        return (option, tuple(chosen)) if None not in chosen else (None, None)


def read(text: str) -> Reading:
    """Reads a catalog file: the catalog when all of it is right, else every problem found, each
    with its line. Only YAML's safe subset is read (no tags that make objects, no aliases)."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        return Reading(None, (Problem(mark.line + 1 if mark else 1, f"not readable as YAML: {error.problem or error}"),))
    except ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        return Reading(None, (Problem(line, "a character that a YAML file cannot hold"),))
    if root is None:
        return Reading(None, (Problem(1, "the file is empty: it needs stations: and products:"),))
    reader = _Reader()
    catalog = reader.catalog(root)
    problems = sorted(reader.problems, key=lambda problem: problem.line)
    return Reading(catalog if not problems else None, tuple(problems))


class _Flow(dict):
    """A mapping written on one line: {key: value, ...}."""


class _FlowList(list):
    """A list written on one line: [a, b]."""


class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(_Flow, lambda dumper, value: dumper.represent_mapping(
    "tag:yaml.org,2002:map", value.items(), flow_style=True))
_Dumper.add_representer(_FlowList, lambda dumper, value: dumper.represent_sequence(
    "tag:yaml.org,2002:seq", value, flow_style=True))
_Dumper.add_representer(Decimal, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:float" if "." in format(value, "f") else "tag:yaml.org,2002:int", format(value, "f")))


def dollars(cents: Decimal | int) -> str:
    """Cents as the file writes dollars: 1500 as "15.00", 4.5 as "0.045"."""
    whole, _, fraction = format(plain_decimal(Decimal(cents).scaleb(-2)), "f").partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def _choice(choice: ChoiceEntry) -> dict:
    written: dict = {"code": choice.code, "label": choice.label}
    if choice.is_default:
        written["default"] = True
    for key, cents in (("per_copy", choice.per_copy_cents), ("per_page", choice.per_page_cents),
                       ("per_sheet", choice.per_sheet_cents)):
        if cents:
            written[key] = dollars(cents)
    if choice.pages_per_sheet is not None:
        written["pages_per_sheet"] = choice.pages_per_sheet
    if choice.extra_days:
        written["extra_days"] = choice.extra_days
    return _Flow(written)


def _step(step: RouteEntry) -> dict:
    written: dict = {"station": step.station, "stage": step.stage}
    for key, minutes in (("setup_minutes", step.setup_minutes), ("minutes_per_copy", step.per_copy),
                         ("minutes_per_sheet", step.per_sheet), ("minutes_per_impression", step.per_impression)):
        if minutes:
            written[key] = plain_decimal(minutes)
    if step.when_option:
        written["when"] = {"option": step.when_option, "choices": list(step.when_choices)}
    return _Flow(written)


def _price(product: ProductEntry) -> dict:
    written = {"setup": dollars(product.setup_cents)}
    if product.minimum_cents:
        written["minimum"] = dollars(product.minimum_cents)
    written.update({"per_copy": dollars(product.per_copy_cents), "per_page": dollars(product.per_page_cents),
                    "rush_surcharge_percent": product.rush_surcharge_percent,
                    "volume_breaks": _FlowList(_Flow({"from": start, "percent_off": off})
                                               for start, off in product.volume_breaks)})
    return written


def _station(station: StationEntry) -> dict:
    written: dict = {"code": station.code, "name": station.name, "minutes_per_day": station.minutes_per_day}
    if station.weekday_minutes:
        written["minutes_by_weekday"] = _Flow(station.weekday_minutes)
    return _Flow(written)


def _product(product: ProductEntry) -> dict:
    return {
        "slug": product.slug, "name": product.name, "kind": product.kind.value, "active": product.active,
        "summary": product.summary, "description": product.description,
        "quantity": _Flow({"min": product.min_quantity, "max": product.max_quantity, "step": product.quantity_step,
                           "default": product.default_quantity, "unit": product.unit_name}),
        "default_pages": product.default_pages,
        "price": _price(product),
        "production": {"base_days": product.base_days, "pages_per_day": product.pages_per_day,
                       "needs_proof": product.needs_proof, "needs_files": product.needs_files},
        "options": [{"code": option.code, "label": option.label, "help": option.help,
                     "choices": [_choice(choice) for choice in option.choices]} for option in product.options],
        "routing": [_step(step) for step in product.route],
    }


def write(catalog: CatalogFile) -> str:
    """The catalog as its file: the same catalog always gives the same text, and reading it back
    gives the same catalog."""
    document = {
        "stations": [_station(s) for s in catalog.stations],
        "products": [_product(product) for product in catalog.products],
    }
    return HEADER + yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000,
                              default_flow_style=False)
