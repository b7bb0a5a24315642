"""Item codes: one normaliser for what people type (imports, forms, the analysis's
recommendations) and one way to print a code as the year's framework writes it.

Stored codes are canonical lower case (``i1``, ``e13``, ``o34``, Item.code); the framework's
own spelling is Item.label (2564–2565 wrote ``o34``, 2566 on ``O34``). Agencies type codes
with Thai digits (``อ๑๑``, ``o๑๑``) and often with a Thai zero for the letter O
(``๐๑๑``, ``๐38``, ``011``): where the year has O-codes, a leading zero is the O.
"""

import re
from collections.abc import Iterable

from ita_portal.compiled import Compiled

from .thai import normalise_text, to_arabic_digits

PREFIXES = frozenset("ieo")
_CODE = re.compile(r"([a-z])([0-9]{1,3})")
# Letters people type for the tools' letters: Thai look-alikes and full-width Latin.
_LETTERS = str.maketrans({"ไ": "i", "อ": "o", "โ": "o", "Ｉ": "i", "Ｅ": "e", "Ｏ": "o"})


def normalise_item_code(raw: str, prefixes: Iterable[str] = PREFIXES) -> str:
    """The canonical code for what was typed, or "" when it does not look like one:
    ``E1`` → ``e1``, ``o๓๔`` → ``o34``, ``๐๑๑`` → ``o11`` and ``๐38`` → ``o38`` when ``o``
    is among ``prefixes`` (the year's letters). Spaces, dots and dashes between the letter
    and the number are dropped (``O-11``, ``O.11``, ``O 11``)."""
    text = to_arabic_digits(normalise_text(raw)).strip().lower().translate(_LETTERS)
    text = re.sub(r"(?<=^[a-z])[\s.\-]+", "", text)
    if "o" in set(prefixes) and re.fullmatch(r"0[0-9]{1,3}", text):
        text = "o" + text[1:]
    match = _CODE.fullmatch(text)
    if not match or match[1] not in set(prefixes):
        return ""
    return f"{match[1]}{int(match[2])}"


def split_codes(raw: str) -> list[str]:
    """The codes of a list typed with commas, semicolons, slashes, new lines or spaces between
    them; ``O 11`` (a letter, a space, its number) stays one code."""
    out = []
    for part in re.split(r"[,;/\n]+", raw or ""):
        part = normalise_text(part)
        if not part:
            continue
        if re.fullmatch(r"\S\s+[0-9\u0e50-\u0e59]+", part):
            out.append(part)
        else:
            out.extend(part.split())
    return out


def item_labels(fiscal_year) -> dict[str, str]:
    """``{code: label}`` of a fiscal year's items as its framework writes them (all editions)."""
    if fiscal_year is None:
        return {}
    return dict(_ITEM_LABELS.rows(fiscal_year.pk))


def item_labels_query(fiscal_year_id: int):
    from .models import Item

    return Item.objects.filter(edition__fiscal_year_id=fiscal_year_id).values_list("code", "label")


# Built once per thread (ita_portal.compiled): the ORM took longer to build it than to run it.
_ITEM_LABELS = Compiled(item_labels_query)


def year_prefixes(labels: dict[str, str]) -> frozenset[str]:
    """The letters a year's codes start with (all three when the year is unknown)."""
    return frozenset(code[:1] for code in labels) or PREFIXES


def display_code(code: str, labels: dict[str, str]) -> str:
    """A stored code as the framework writes it (``e1`` → ``E1`` in a year that writes E1);
    a code the year does not know is written upper case, as the frameworks since 2567 do."""
    return labels.get(code) or code.upper()


def display_codes(codes: Iterable[str], labels: dict[str, str]) -> list[str]:
    return [display_code(c, labels) for c in codes]


def parse_item_codes(raw: str, labels: dict[str, str]) -> tuple[list[str], list[str]]:
    """(canonical codes, the parts typed that are no code of the year). With no ``labels``
    any i/e/o code is accepted."""
    prefixes = year_prefixes(labels)
    codes, bad = [], []
    for part in split_codes(raw):
        code = normalise_item_code(part, prefixes)
        if not code or (labels and code not in labels):
            bad.append(part)
        elif code not in codes:
            codes.append(code)
    return codes, bad
