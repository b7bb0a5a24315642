"""Wrapped-line estimate: LibreOffice does not fit row heights to wrapped text, so a row's height
is set from the lines its text takes, wrapped at Thai word boundaries with Sarabun's widths."""

import unicodedata
from functools import lru_cache

from pythainlp.tokenize import word_tokenize

from .cells import SIZE

# Advance widths (em) of Sarabun measured with fontTools. TH SarabunPSK 16 pt looks like
# Sarabun 10.9 pt (THAI-PDF.md); 12 pt leaves a margin so an estimate errs on the tall side.
EM_PT = 12.0
_WIDTHS = {
    "thai": 0.614,
    "thai_digit": 0.686,
    "lower": 0.482,
    "upper": 0.599,
    "digit": 0.55,
    " ": 0.243,
    "punct": 0.336,
}


def _char_width(c):
    if unicodedata.category(c) == "Mn":  # Thai vowels and tone marks above or below
        return 0.0
    if "\u0e50" <= c <= "\u0e59":
        return _WIDTHS["thai_digit"]
    if "\u0e00" <= c <= "\u0e7f":
        return _WIDTHS["thai"]
    if c.isdigit():
        return _WIDTHS["digit"]
    if c.isspace():
        return _WIDTHS[" "]
    if c in ".,:;()[]/-–'\"":
        return _WIDTHS["punct"]
    return _WIDTHS["upper"] if c.isupper() else _WIDTHS["lower"]


def _width_pt(text, bold=False, size=SIZE):
    return sum(_char_width(c) for c in text) * EM_PT * size / SIZE * (1.04 if bold else 1.0)


@lru_cache(maxsize=4096)
def wrap(text, width_pt, bold=False, size=SIZE):
    """Lines of a text wrapped at Thai word boundaries (pythainlp) in a box width_pt wide."""
    lines = []
    for para in str(text).split("\n"):
        line, used = "", 0.0
        for token in word_tokenize(para, keep_whitespace=True) if para.strip() else []:
            w = _width_pt(token, bold, size)
            if line and used + w > width_pt:
                lines.append(line.rstrip())
                line, used = "", 0.0
                if token.isspace():
                    continue
            while w > width_pt and len(token) > 1:  # a word longer than the box breaks anywhere
                cut = max(1, int(len(token) * width_pt / w))
                lines.append(token[:cut])
                token = token[cut:]
                w = _width_pt(token, bold, size)
            line, used = line + token, used + w
        lines.append(line.rstrip())
    return lines


def chunks(text, lines, per):
    """The text cut where wrapped line k*per starts, with each piece's line count."""
    if len(lines) <= per:
        return [(text, len(lines))]
    starts, pos = [], 0
    for line in lines:
        found = text.find(line, pos) if line else -1
        pos = found if found >= 0 else pos
        starts.append(pos)
        pos += len(line)
    cuts = [starts[k] for k in range(0, len(lines), per)] + [len(text)]
    return [
        (text[a:b].strip(), min(per, len(lines) - n * per))
        for n, (a, b) in enumerate(zip(cuts, cuts[1:], strict=False))
    ]


def box_pt(widths):
    """Usable text width (pt) of cells whose Excel widths are given: 7 px a unit (Calibri 11, the
    workbook's Normal font, sets the unit), less the cell's padding."""
    return (sum(7 * w for w in widths) - 7) * 0.75
