"""Identity checks on single values: Israeli company numbers, names for duplicate search."""

from __future__ import annotations

import re
import unicodedata


def il_number_ok(number: str) -> bool:
    """Israeli company / ID number: 9 digits, weights 1,2,1,2…, digit sums ≡ 0 mod 10."""
    digits = re.sub(r"[\s-]", "", str(number))
    if not re.fullmatch(r"\d{9}", digits):
        return False
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (1 if i % 2 == 0 else 2)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def il_number_complete(first8: str) -> str:
    """The nine-digit number whose first eight digits are `first8` (for demo data)."""
    for last in "0123456789":
        if il_number_ok(first8 + last):
            return first8 + last
    raise ValueError(first8)


# Legal suffixes dropped before comparing names for likely duplicates.
_SUFFIXES = {
    "ltd", "limited", "inc", "incorporated", "llc", "llp", "plc", "corp", "corporation",
    "co", "company", "gmbh", "ag", "sa", "srl", "bv", "nv", "oy", "ab", "as", "spa",
    "pty", "בעמ", "בע״מ", "בע\"מ", "בעמ.", "חברה", "בערבון", "מוגבל",
}


def fold_name(name: str) -> str:
    """A company name folded for duplicate search: case, punctuation, legal suffixes."""
    text = unicodedata.normalize("NFKC", str(name)).casefold()
    text = text.replace("בע\"מ", " בעמ ").replace("בע״מ", " בעמ ").replace("&", " and ")
    words = re.findall(r"\w+", text)
    while words and words[-1] in _SUFFIXES:
        words.pop()
    return " ".join(w for w in words if w not in {"the"})
