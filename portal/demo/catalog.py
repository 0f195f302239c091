"""The shop's products as it sells them: loaded by the demo and by tests that need the real catalog."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from portal.catalog.models import OptionChoice, Product, ProductKind, ProductOption
from portal.extensions import db
from portal.promises.models import RouteStep, Station

D = Decimal

# Each choice: code, label, and its rates: c = cents per copy, p = per page, s = per sheet,
# pps = pages per sheet (sides), days = extra production days. The first choice marked * is the default.
COLOR = ("color", "Colour", [("bw*", "Black and white", {"p": "4.5"}), ("color", "Full colour", {"p": "22"})])
SIDES = ("sides", "Sides", [("double*", "Double-sided", {"pps": 2}), ("single", "Single-sided", {"pps": 1})])
TEXT_STOCK = ("stock", "Paper", [
    ("bond20*", "20 lb white bond", {"s": "1.0"}),
    ("bright24", "24 lb bright white", {"s": "1.6"}),
    ("recycled", "20 lb 100% recycled", {"s": "1.3"}),
])

PRODUCTS = [
    dict(slug="course-pack", name="Course pack", kind=ProductKind.COURSE_PACK, position=1,
         summary="Readings for a course, printed and bound for every student; reprinted term after term.",
         unit_name="copy", min_quantity=1, max_quantity=2000, default_quantity=30, default_pages=120,
         setup_cents=1500, per_copy_cents=D(75), per_page_cents=D(0), volume_breaks=[[100, 5], [250, 10]],
         rush_surcharge_percent=50, base_days=3, pages_per_day=60000, needs_proof=False,
         options=[COLOR, SIDES, TEXT_STOCK,
                  ("binding", "Binding", [("coil*", "Coil bound with clear cover", {"c": "225", "days": 1}),
                                          ("perfect", "Perfect bound (glued spine)", {"c": "325", "days": 2}),
                                          ("drilled", "Three-hole drilled, shrink-wrapped", {"c": "60"}),
                                          ("staple", "Corner stapled", {"c": "10"})])]),
    dict(slug="postcard-mailer", name="Postcard mailer", kind=ProductKind.MAILER, position=2,
         summary="A personalised postcard mailed to every name on your list, from 100 to 50,000.",
         unit_name="postcard", min_quantity=100, max_quantity=50000, quantity_step=50, default_quantity=500,
         default_pages=2, setup_cents=2500, per_copy_cents=D(6), volume_breaks=[[2500, 8], [10000, 15]],
         rush_surcharge_percent=40, base_days=3, pages_per_day=80000, needs_proof=True, needs_files=False,
         options=[("size", "Size", [("4x6*", "4 × 6 in", {"c": "9"}), ("6x9", "6 × 9 in", {"c": "16"}),
                                    ("6x11", "6 × 11 in", {"c": "21"})]),
                  ("stock", "Card stock", [("gloss100*", "100 lb gloss cover", {"c": "4"}),
                                           ("matte14", "14 pt matte", {"c": "6"})]),
                  ("color", "Colour", [("color2*", "Full colour both sides", {"p": "6"}),
                                       ("color1", "Full colour front, black back", {"p": "4"})])]),
    dict(slug="letter-mailer", name="Letter mailer", kind=ProductKind.MAILER, position=3,
         summary="Personalised letters, folded, inserted and sealed in envelopes, mailed for you.",
         unit_name="letter", min_quantity=100, max_quantity=25000, quantity_step=50, default_quantity=500,
         default_pages=1, setup_cents=3000, per_copy_cents=D(14), volume_breaks=[[2500, 8]],
         rush_surcharge_percent=40, base_days=4, pages_per_day=60000, needs_proof=True, needs_files=False,
         options=[COLOR, SIDES, ("stock", "Letterhead paper", [("bond24*", "24 lb white bond", {"s": "1.6"}),
                                                               ("linen", "24 lb linen", {"s": "3.5"})]),
                  ("envelope", "Envelope", [("window10*", "#10 window", {"c": "7"}), ("plain10", "#10 printed address", {"c": "9"}),
                                            ("flat", "6 × 9 flat", {"c": "15"})])]),
    dict(slug="flyer", name="Flyer", kind=ProductKind.PRINT, position=4,
         summary="Event flyers and handouts, letter or tabloid, black and white or colour.",
         unit_name="flyer", min_quantity=10, max_quantity=20000, default_quantity=100, default_pages=1,
         setup_cents=500, per_copy_cents=D(0), volume_breaks=[[1000, 10]],
         rush_surcharge_percent=50, base_days=1, pages_per_day=90000,
         options=[("size", "Size", [("letter*", "Letter, 8.5 × 11 in", {}), ("half", "Half letter, 5.5 × 8.5 in", {"c": "1"}),
                                    ("tabloid", "Tabloid, 11 × 17 in", {"c": "12"})]),
                  COLOR, SIDES,
                  ("stock", "Paper", [("bond20*", "20 lb white bond", {"s": "1.0"}), ("text80", "80 lb gloss text", {"s": "6"}),
                                      ("astro", "24 lb bright colour", {"s": "3"})])]),
    dict(slug="poster", name="Poster", kind=ProductKind.PRINT, position=5,
         summary="Wide-format posters for conferences, events and research presentations.",
         unit_name="poster", min_quantity=1, max_quantity=200, default_quantity=1, default_pages=1,
         setup_cents=0, per_copy_cents=D(0), rush_surcharge_percent=50, base_days=2, pages_per_day=120,
         needs_proof=False,
         options=[("size", "Size", [("18x24*", "18 × 24 in", {"c": "2400"}), ("24x36", "24 × 36 in", {"c": "4200"}),
                                    ("36x48", "36 × 48 in", {"c": "6800"})]),
                  ("stock", "Material", [("satin*", "Satin photo paper", {}), ("matte", "Heavy matte", {"c": "300"}),
                                         ("fabric", "Wrinkle-free fabric", {"c": "2500", "days": 1})]),
                  ("finishing", "Finishing", [("none*", "None", {}), ("laminate", "Gloss lamination", {"c": "1500"}),
                                              ("foam", "Mounted on foam board", {"c": "2200", "days": 1})])]),
    dict(slug="booklet", name="Booklet", kind=ProductKind.PRINT, position=6,
         summary="Programs, reports and handbooks, saddle-stitched or perfect bound.",
         unit_name="booklet", min_quantity=10, max_quantity=5000, default_quantity=100, default_pages=16,
         setup_cents=2000, per_copy_cents=D(20), volume_breaks=[[500, 8], [1000, 12]],
         rush_surcharge_percent=50, base_days=3, pages_per_day=60000, needs_proof=True,
         options=[("size", "Size", [("half*", "5.5 × 8.5 in (letter folded)", {}), ("letter", "8.5 × 11 in", {"c": "15"})]),
                  ("color", "Colour", [("color*", "Full colour", {"p": "12"}), ("bw", "Black and white", {"p": "3.5"})]),
                  ("stock", "Inside pages", [("text80*", "80 lb gloss text", {"s": "4"}), ("bond24", "24 lb bright white", {"s": "1.6"})]),
                  ("binding", "Binding", [("saddle*", "Saddle stitched", {"c": "25"}),
                                          ("perfect", "Perfect bound", {"c": "180", "days": 2})])]),
    dict(slug="business-cards", name="Business cards", kind=ProductKind.PRINT, position=7,
         summary="University business cards in boxes of 250, on the official template.",
         unit_name="box", min_quantity=1, max_quantity=40, default_quantity=1, default_pages=2,
         setup_cents=0, per_copy_cents=D(1800), rush_surcharge_percent=50, base_days=3, pages_per_day=400,
         needs_proof=True,
         options=[("stock", "Card stock", [("matte14*", "14 pt matte", {}), ("gloss16", "16 pt gloss", {"c": "300"}),
                                           ("recycled", "14 pt recycled", {"c": "150"})]),
                  ("sides", "Sides", [("single*", "Printed on one side", {"pps": 1}),
                                      ("double", "Printed on both sides", {"pps": 2, "c": "600"})])]),
]


STATIONS = [  # code, name, working minutes on a business day (people or machines × their hours)
    ("prepress", "Prepress desk", 1350),
    ("bw_press", "Black-and-white presses", 1680),
    ("color_press", "Colour presses", 1560),
    ("wide_format", "Wide-format printers", 900),
    ("bindery", "Bindery", 1800),
    ("mail_prep", "Mail preparation", 900),
]
BW = ("color", ["bw"])
COLOUR = ("color", ["color"])
# Routing per product: station, stage, setup minutes, minutes per copy / sheet / printed page, condition.
ROUTES = {
    "course-pack": [
        ("prepress", "prepress", 25, 0, 0, 0, None),
        ("bw_press", "printing", 10, 0, 0, "0.0083", BW),
        ("color_press", "printing", 15, 0, 0, "0.0143", COLOUR),
        ("bindery", "finishing", 15, "1.6", 0, 0, ("binding", ["coil"])),
        ("bindery", "finishing", 30, "1.2", 0, 0, ("binding", ["perfect"])),
        ("bindery", "finishing", 10, "0.4", 0, 0, ("binding", ["drilled"])),
        ("bindery", "finishing", 5, "0.15", 0, 0, ("binding", ["staple"])),
    ],
    "postcard-mailer": [
        ("prepress", "prepress", 40, 0, 0, 0, None),
        ("color_press", "printing", 20, "0.008", 0, 0, None),
        ("bindery", "finishing", 15, "0.002", 0, 0, None),
        ("mail_prep", "finishing", 30, "0.01", 0, 0, None),
    ],
    "letter-mailer": [
        ("prepress", "prepress", 40, 0, 0, 0, None),
        ("bw_press", "printing", 10, 0, 0, "0.0083", BW),
        ("color_press", "printing", 15, 0, 0, "0.0143", COLOUR),
        ("mail_prep", "finishing", 30, "0.03", 0, 0, None),
    ],
    "flyer": [
        ("prepress", "prepress", 10, 0, 0, 0, None),
        ("bw_press", "printing", 5, 0, 0, "0.0083", BW),
        ("color_press", "printing", 10, 0, 0, "0.0143", COLOUR),
        ("bindery", "finishing", 10, "0.001", 0, 0, ("size", ["half"])),
    ],
    "poster": [
        ("prepress", "prepress", 15, 0, 0, 0, None),
        ("wide_format", "printing", 5, 8, 0, 0, ("size", ["18x24"])),
        ("wide_format", "printing", 5, 12, 0, 0, ("size", ["24x36"])),
        ("wide_format", "printing", 5, 18, 0, 0, ("size", ["36x48"])),
        ("bindery", "finishing", 5, 5, 0, 0, ("finishing", ["laminate"])),
        ("bindery", "finishing", 5, 8, 0, 0, ("finishing", ["foam"])),
    ],
    "booklet": [
        ("prepress", "prepress", 30, 0, 0, 0, None),
        ("color_press", "printing", 15, 0, 0, "0.0143", COLOUR),
        ("bw_press", "printing", 10, 0, 0, "0.0083", BW),
        ("bindery", "finishing", 20, "0.3", 0, 0, ("binding", ["saddle"])),
        ("bindery", "finishing", 30, "1.2", 0, 0, ("binding", ["perfect"])),
    ],
    "business-cards": [
        ("prepress", "prepress", 20, 0, 0, 0, None),
        ("color_press", "printing", 10, "1.0", 0, 0, None),
        ("bindery", "finishing", 5, "1.5", 0, 0, None),
    ],
}


def load_stations() -> dict[str, Station]:
    """Adds the shop's workstations (once) and returns them by code."""
    existing = {s.code: s for s in db.session.scalars(select(Station))}
    for position, (code, name, minutes) in enumerate(STATIONS):
        if code not in existing:
            existing[code] = Station(code=code, name=name, minutes_per_day=minutes, position=position)
            db.session.add(existing[code])
    db.session.flush()
    return existing


def load_catalog() -> dict[str, Product]:
    """Adds the shop's products with their routings (once) and returns them by slug."""
    stations = load_stations()
    existing = {p.slug: p for p in db.session.scalars(select(Product))}
    for spec in PRODUCTS:
        if spec["slug"] in existing:
            continue
        spec = dict(spec)
        options = spec.pop("options")
        product = Product(**spec)
        for position, (code, label, choices) in enumerate(options):
            option = ProductOption(code=code, label=label, position=position)
            for choice_position, (choice_code, choice_label, rates) in enumerate(choices):
                option.choices.append(OptionChoice(
                    code=choice_code.rstrip("*"), label=choice_label, position=choice_position,
                    is_default=choice_code.endswith("*"),
                    per_copy_cents=D(rates.get("c", 0)), per_page_cents=D(rates.get("p", 0)),
                    per_sheet_cents=D(rates.get("s", 0)), pages_per_sheet=rates.get("pps"),
                    extra_days=rates.get("days", 0)))
            product.options.append(option)
        for position, (station, stage, setup, copy, sheet, impression, when) in enumerate(ROUTES[product.slug]):
            product.route.append(RouteStep(
                station=stations[station], position=position, stage=stage, setup_minutes=D(setup),
                per_copy=D(copy), per_sheet=D(sheet), per_impression=D(impression),
                when_option=when[0] if when else None, when_choices=when[1] if when else []))
        db.session.add(product)
        existing[product.slug] = product
    db.session.flush()
    return existing
