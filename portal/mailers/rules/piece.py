"""The piece and its proof: postcard or letter, its page size, what an approval covers, how many proof pieces."""
from __future__ import annotations

import hashlib
import json
from typing import Iterable, Mapping

PROOF_PIECES = 5


def approval_fingerprint(*, list_sha256: str, mapping: Mapping[str, int], dropped: Iterable[int],
                         design: Mapping[str, object], appearance: Mapping[str, str]) -> str:
    """What an approval covers: the list's content, how it is mapped, which rows are dropped, the
    design, and the options that change how the piece looks. Any change needs a new approval."""
    payload = json.dumps({"list": list_sha256, "mapping": dict(sorted(mapping.items())),
                          "dropped": sorted(dropped), "design": dict(sorted(design.items())),
                          "appearance": dict(sorted(appearance.items()))}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


APPEARANCE_OPTIONS = ("size", "color", "sides", "envelope")


def piece_kind(product_slug: str) -> str:
    return "postcard" if "postcard" in product_slug else "letter"


PIECE_SIZES = {"4x6": ("6in", "4in"), "6x9": ("9in", "6in"), "6x11": ("11in", "6in")}


def piece_size(kind: str, size_code: str | None) -> tuple[str, str]:
    """Page width and height of one side of the piece, for the proof."""
    if kind == "postcard":
        return PIECE_SIZES.get(size_code or "", PIECE_SIZES["4x6"])
    return "8.5in", "11in"
