"""Products and configurations: what a customer chose, checked, priced and estimated."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.accounts.models import User
from portal.addresses.models import Address
from portal.billing.models import AccountHolder
from portal.catalog import kinds, rules
from portal.catalog.models import OptionChoice, Product, ProductOption
from portal.documents import services as documents
from portal.documents.models import StoredFile
from portal.database import kept_in_app, kept_or_made, read_only_copies, version_to_keep_by
from portal.extensions import db
from portal.failures import NotAllowed, ValidationFailed
from portal.promises import services as promises
from portal.promises.models import RouteStep
from portal.promises.rules import Estimate
from portal.shop.delivery import DeliveryMethod
from portal.shop.formats import money, plural
from portal.terms import services as terms


@dataclass(frozen=True)
class ProductCard:
    """A product as the catalog shows it: its lowest price and how many business days it usually takes."""

    product: Product
    from_cents: int
    usual_days: int

    @property
    def starting_price(self) -> str:
        """"From $18.00" (a kind may say more: "plus postage")."""
        return kinds.card_words(self.product.kind).starting_price.format(price=money(self.from_cents))

    @property
    def turnaround(self) -> str:
        """"Usually 3 business days" (a mailer: "Usually mailed in 4 business days")."""
        return kinds.card_words(self.product.kind).turnaround.format(days=plural(self.usual_days, "business day"))


def product_cards(*, now: datetime) -> list[ProductCard]:
    """Every active product with its starting price (rules.starting_quote: the smallest run with the
    cheapest choices) and its usual turnaround (the product's usual job, as configured by default,
    on the shop's calendar and capacity without the day's queue: promises.usual_business_days)."""
    products = db.session.scalars(select(Product).where(Product.active.is_(True)).order_by(Product.position).options(
        selectinload(Product.options).selectinload(ProductOption.choices),
        selectinload(Product.route).joinedload(RouteStep.station)))
    state = promises.shop_state(now)
    cards = []
    for product in products:
        usual = Configuration(product=product, choices={o.code: o.default_choice for o in product.options},
                              quantity=product.default_quantity)
        starting = rules.starting_quote(product.rules(), {o.code: [c.rules() for c in o.choices] for o in product.options})
        days = promises.usual_business_days(usual.job(), delivery_method=kinds.card_words(product.kind).delivery,
                                            now=now, state=state)
        cards.append(ProductCard(product, starting.total_cents, days))
    return cards


def product_by_slug(slug: str, *, include_retired: bool = False) -> Product:
    """The product with its options and choices loaded; raises NotAllowed when there is none."""
    product = db.session.scalar(_product_query(slug))
    if product is None or (not product.active and not include_retired):
        raise NotAllowed("product")
    return product


def product_to_configure(slug: str) -> Product:
    """product_by_slug for the configurator's many reads (each option changed asks again): the product with its
    options, choices and routing is kept per process under the data version, loaded once in a session of its own
    and shared as it is, read-only (database.read_only_copies: attaching it to a session raises; copying it into
    each request's session was a fifth of the price-and-date fragment). Raises NotAllowed when there is none."""
    if version_to_keep_by(db.session) is None:  # this transaction has written: it reads its own
        return product_by_slug(slug)
    found = kept_or_made(db.session, kept_in_app("catalog.products", KEPT_PRODUCTS), slug, lambda: _unattached(slug))
    if found is None or not found.active:
        raise NotAllowed("product")
    return found


def _unattached(slug: str) -> Product | None:
    with Session(db.engine) as session:  # never the request's: what is kept must not change with it
        product = session.scalar(_product_query(slug))
        read_only_copies(session)
        return product


KEPT_PRODUCTS = 64


def _product_query(slug: str):
    return select(Product).where(Product.slug == slug).options(
        selectinload(Product.options).selectinload(ProductOption.choices),
        selectinload(Product.route).joinedload(RouteStep.station))


def replacement_for(product: Product) -> Product | None:
    """What the shop sells instead of a retired product: the product it was replaced by, followed on while
    that one was retired too, until one on sale (None: nothing replaced it, or the trail loops)."""
    seen = {product.id}
    found = product.replaced_by
    while found is not None and not found.active and found.id not in seen:
        seen.add(found.id)
        found = found.replaced_by
    return found if found is not None and found.active else None


@dataclass
class ConfiguredFile:
    file: StoredFile
    title: str
    copyright_status: str | None
    copyright_details: dict = field(default_factory=dict)  # who granted it, the fair-use reason, or the work to clear

    @property
    def awaiting_clearance(self) -> bool:
        return self.copyright_status == "awaiting_clearance"


@dataclass
class Configuration:
    """A job as configured, before it is an order: enough to price it and promise a date."""

    product: Product
    choices: dict[str, OptionChoice]
    quantity: int | None
    rush: bool = False
    files: list[ConfiguredFile] = field(default_factory=list)
    title: str = ""
    course_code: str = ""
    term: str = ""
    instructor: str = ""
    enrollment: int | None = None
    problems: dict[str, str] = field(default_factory=dict)
    addition: object | None = None  # what the product's kind adds (a mailer's list, mail class and date): kinds.py

    @property
    def pages(self) -> int:
        """Pages per copy: the files' pages added up, or the product's usual count before upload."""
        return sum(f.file.page_count for f in self.files) or self.product.default_pages

    @property
    def has_files(self) -> bool:
        return bool(self.files)

    @property
    def awaiting_clearance(self) -> list[ConfiguredFile]:
        """The course-pack readings the instructor asked the shop to clear."""
        return [f for f in self.files if f.awaiting_clearance]

    @property
    def clearance_days(self) -> int:
        """Business days the promise allows for the shop to clear readings: its usual clearance time, calibrated
        (promises.clearance_days, read only for a pack with readings to clear), or none when nothing awaits."""
        return promises.clearance_days() if self.awaiting_clearance else 0

    @property
    def is_complete(self) -> bool:
        return not self.problems

    def chosen_rules(self) -> dict[str, rules.ChoiceRules]:
        return {code: choice.rules() for code, choice in self.choices.items()}

    def option_labels(self) -> list[list[str]]:
        labels = {option.code: option.label for option in self.product.options}
        return [[labels[code], choice.label] for code, choice in self.choices.items()]

    def quote(self) -> rules.Quote | None:
        if self.quantity is None or "quantity" in self.problems:
            return None
        return rules.price(self.product.rules(), self.chosen_rules(), quantity=self.quantity,
                           pages=self.pages, rush=self.rush)

    def job(self) -> promises.Job:
        """The job as the promise sees it: its routing and what drives its minutes."""
        return promises.Job(
            product_id=self.product.id, route=tuple(step.rule() for step in self.product.route),
            chosen={code: choice.code for code, choice in self.choices.items()}, quantity=self.quantity or 0,
            pages=self.pages, sheets=rules.sheets_per_copy(self.pages, self.chosen_rules()), rush=self.rush,
            needs_proof=self.product.needs_proof, clearance_days=self.clearance_days)

    def estimate(self, *, delivery_method: DeliveryMethod, now: datetime) -> Estimate | None:
        if self.quantity is None or "quantity" in self.problems:
            return None
        estimate = promises.estimate_for(self.job(), delivery_method=delivery_method, now=now)
        return self.addition.promise(estimate) if self.addition else estimate  # e.g. a mailer is promised its mail date

    def job_title(self) -> str:
        if self.title:
            return self.title
        if self.product.is_course_pack and self.course_code:
            return f"{self.course_code} course pack, {self.term}".strip(", ")
        if self.files:
            return f"{self.product.name}: {self.files[0].title}"
        if self.addition and self.addition.title:  # e.g. a mailer is known by its list
            return f"{self.product.name}: {self.addition.title}"
        return self.product.name


@dataclass
class CheckoutDefaults:
    """What the configurator's estimate and checkout start from: the customer's default address and
    billing account on file."""

    address: Address | None
    holding: AccountHolder | None

    @property
    def delivery_method(self) -> DeliveryMethod:
        return self.address.kind if self.address else DeliveryMethod.CAMPUS


def checkout_defaults(user: User) -> CheckoutDefaults:
    address = db.session.scalar(select(Address).where(
        Address.user_id == user.id, Address.deleted_at.is_(None)).order_by(Address.is_default.desc(), Address.id))
    holding = db.session.scalar(select(AccountHolder).where(AccountHolder.user_id == user.id)
                                .order_by(AccountHolder.is_default.desc(), AccountHolder.id))
    return CheckoutDefaults(address, holding)


def configure(product: Product, form, owner: User, *, today: date, now: datetime | None = None) -> Configuration:
    """Reads a configurator form into a Configuration and records every problem by field.

    Another customer's file id in the form raises NotAllowed; nothing else raises: the problems
    say what is missing, so a half-finished job can still be priced. Field errors come from
    form.validate(), which the caller runs when the customer has submitted something. A mailer's
    list (another customer's raises NotAllowed) sets its quantity; with `now`, its mail date is
    checked against the day the pieces can be ready.
    """
    problems = {name: errors[0] for name, errors in form.errors.items() if name != "files" and errors}
    choices = {}
    for code, radio in form.options():
        option = next(o for o in product.options if o.code == code)
        choices[code] = next((c for c in option.choices if c.code == radio.data), option.default_choice)
    entries = [entry.form for entry in form.files.entries if entry.form.file_id.data]
    try:
        ids = [int(entry.file_id.data) for entry in entries]
    except ValueError:
        raise NotAllowed("file") from None
    owned = documents.owned_files(owner, ids)
    files = [ConfiguredFile(owned[file_id], " ".join((entry.title.data or "").split())
                            or documents.rules.title_from_name(owned[file_id].original_name),
                            entry.copyright.data if product.is_course_pack else None)
             for file_id, entry in zip(ids, entries)]
    if product.is_course_pack:
        for configured, entry in zip(files, entries):
            _declare_copyright(configured, entry, problems)
    config = Configuration(
        product=product, choices=choices, quantity=form.quantity.data, rush=bool(form.rush.data),
        files=files, title=" ".join((form.title.data or "").split()), problems=problems)
    if product.is_course_pack:
        config.course_code = rules.clean_course_code(form.course_code.data)
        config.term = form.term.data or ""
        config.instructor = " ".join((form.instructor.data or "").split())
        config.enrollment = form.enrollment.data
        if config.quantity is None and "quantity" not in problems:
            config.quantity = config.enrollment
        _course_pack_problems(config, problems, today)
    if product.needs_files and not files:
        problems.setdefault("files", "Upload your readings as PDF files." if product.is_course_pack
                            else "Upload your artwork as a PDF file.")
    hooks = kinds.hooks_for(product.kind)
    if hooks:  # what the product's kind adds: a mailer's list, proof approval, mail class and date
        hooks.configure(config, form, owner, problems, now=now)
    if config.quantity is not None and "quantity" not in problems:
        problem = rules.quantity_problem(product.rules(), config.quantity)
        if problem:
            problems["quantity"] = problem
    elif config.quantity is None and "quantity" not in problems:
        problems["quantity"] = rules.quantity_problem(product.rules(), None)
    if config.rush and not product.rush_surcharge_percent:
        config.rush = False
    return config


def _declare_copyright(configured: ConfiguredFile, entry, problems: dict[str, str]) -> None:
    """Reads one reading's copyright declaration (rules.reading_declaration); its problems go under the
    reading's own field names (files-2-granted_by), so each shows next to its reading."""
    prefix = entry.copyright.name.removesuffix("copyright")
    status = entry.copyright.data or ""
    details, found = rules.reading_declaration(status, {part: entry[part].data for part in rules.READING_PARTS})
    configured.copyright_status = status if "copyright" not in found else None
    configured.copyright_details = details
    for part, problem in found.items():
        problems.setdefault(prefix + part, problem)


def course_pack_terms(today: date) -> list[str]:
    """The terms a course pack can be ordered for today: the current and coming terms of the manager's Terms page,
    or the generated names while it has no coming term (rules.course_pack_terms). One small query."""
    return rules.course_pack_terms(terms.first_days(), today)


def _course_pack_problems(config: Configuration, problems: dict[str, str], today: date) -> None:
    problem = rules.course_code_problem(config.course_code)
    if problem:
        problems.setdefault("course_code", problem)
    if not config.term:
        problems.setdefault("term", "Choose the term the course is taught.")
    elif config.term not in course_pack_terms(today):
        problems.setdefault("term", f"Choose this term or a coming one; {config.term} is not open for ordering.")
    if not config.instructor:
        problems.setdefault("instructor", "Enter the instructor's name.")
    if config.enrollment is None and "enrollment" not in problems:
        problems["enrollment"] = "Enter how many students are enrolled."


def require_complete(config: Configuration) -> Configuration:
    if config.problems:
        raise ValidationFailed(config.problems)
    return config


PREFERABLE = ("stock", "color", "sides", "binding")


def preferable_choices() -> dict[str, list[tuple[str, str]]]:
    """The choices a customer can prefer, per option, across every active product (first label wins)."""
    rows = db.session.execute(
        select(ProductOption.code, OptionChoice.code, OptionChoice.label).join(OptionChoice.option).join(ProductOption.product)
        .where(Product.active.is_(True), ProductOption.code.in_(PREFERABLE))
        .order_by(ProductOption.code, Product.position, OptionChoice.position))
    offered: dict[str, dict[str, str]] = {code: {} for code in PREFERABLE}
    for option_code, choice_code, label in rows:
        offered[option_code].setdefault(choice_code, label)
    return {code: list(pairs.items()) for code, pairs in offered.items() if pairs}
