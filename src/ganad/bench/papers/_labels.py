"""Label normalisation shared by the papers' lookups."""

from __future__ import annotations

import re

__all__ = ["label_key"]


def label_key(label: str) -> str:
    """`label` lower-cased, "³" as "3", without punctuation: how labels are compared."""
    return re.sub(r"[^a-z0-9]", "", str(label).lower().replace("³", "3"))
