"""How names become keys: slugs for deterministic ids, normalised forms for matching."""

from __future__ import annotations

import re
import unicodedata


def slug(text: str) -> str:
    """A lowercase ASCII slug: "Ma'aret Al No'man" -> "maaret-al-noman"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"'", "", ascii_text.lower())
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def normalised(name: str) -> str:
    """Lowercase, without diacritics or punctuation, single-spaced: how names are compared.

    Unlike a slug it keeps non-Latin letters, so Arabic names compare too.
    """
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    return " ".join(re.findall(r"\w+", folded))
