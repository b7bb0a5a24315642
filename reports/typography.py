"""Thai typography of every PDF: what a line may never be broken inside.

One pass over a document's rendered HTML (reports/pdf.py ``render_html``, so every kind gets
it without its template doing anything) wraps in ``<span class="nobr">`` (white-space:
nowrap, templates/reports/pdf/base.html):

- each space-separated part of the name of a person (``นางสาวพรรณวดี`` and ``ศรีหาบัว``: the
  line may break at the space, as Thai text does, never inside the surname), an organisation,
  a unit or a position; an organisation's name also after its kind (``องค์การบริหารส่วนตำบล``
  + ``บึงกอก``, never ``บึง|กอก``), and whole when it is short enough for running text
  (MAX_ORGANISATION_EM). Only parts that fit the narrowest table column
  (MAX_PART_EM, about 2.6 cm at 11 pt): a longer one (``นักวิเคราะห์นโยบายและแผนชำนาญการ``) would
  overflow it, so it breaks between the dictionary's words;
- an abbreviation or word with its number: ``พ.ศ. ๒๕๖๙``, ``ข้อ ๑``, ``ตัวชี้วัดที่ ๙``;
- hyphenated Latin words (``E-Service``, ``COVID-19``) and terms Pango's dictionary cuts
  (``ตัวชี้วัด``).

A zero-width space on each side of the span, where it touches Thai letters, keeps the break
before and after it (WeasyPrint finds none between a text and a nowrap span otherwise); it is
drawn as nothing and never extracted. No-break spaces and word joiners were measured and do
not work: WeasyPrint 70 breaks lines at both.

Pango with libthai breaks Thai between dictionary words, and a surname is not in the
dictionary (ศรีหา|บัว, THAI-PDF.md); nowrap is the one WeasyPrint honours (it ignores
``word-break: keep-all`` and ``line-break``). Never inside ``<style>`` or ``class="code"``.
"""

import re
from collections.abc import Iterable
from functools import lru_cache

from django.utils.html import escape

# Words that take a number after them; the space between may never end a line.
NUMBERED = (
    "พ.ศ.", "ค.ศ.", "ข้อ", "ข้อที่", "ที่", "ฉบับที่", "ครั้งที่", "ลำดับที่", "หน้า", "มาตรา", "รอบที่",
    "ตัวชี้วัดที่", "ตัวชี้วัดย่อยที่", "ประเด็นที่", "ระดับ", "ร้อยละ", "จำนวน", "ปี", "ส่วนที่", "รอบ",
)  # fmt: skip
# Terms the dictionary cuts or that must read as one: kept whole wherever they appear.
KEEP_WHOLE = ("ตัวชี้วัดย่อย", "ตัวชี้วัด", "ปีงบประมาณ", "ธรรมาภิบาล", "ประชาสัมพันธ์", "ดำเนินการ")
MAX_PART_EM = 6.8  # 100 px at 11 pt: narrower than the narrowest column of our tables (112 px)
MAX_ORGANISATION_EM = 20  # an agency's whole name, 7.8 cm: it is printed in running text, not in narrow cells
# The kinds of Thai public bodies that open their names; the proper name after is kept whole.
ORG_KINDS = (
    "องค์การบริหารส่วนตำบล", "องค์การบริหารส่วนจังหวัด", "เทศบาลตำบล", "เทศบาลเมือง", "เทศบาลนคร",
    "สำนักงาน", "วิทยาลัยเทคนิค", "วิทยาลัยอาชีวศึกษา", "วิทยาลัย", "โรงเรียน", "มหาวิทยาลัย", "กรม", "จังหวัด",
)  # fmt: skip
ZWSP = "\u200b"
_THAI_LETTER = re.compile("[\u0e01-\u0e5b]")
_DIGIT = "[0-9\u0e50-\u0e59]"
_NUMBER = f"{_DIGIT}+(?:[.,/]{_DIGIT}+)*"
_LATIN_HYPHENATED = r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+"
_TAG = re.compile(r"(<[^>]+>)")


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=1)
def _advances() -> tuple[dict[int, float], float]:
    """Sarabun's advance widths in em by code point (the PDF font, regular weight)."""
    from fontTools.ttLib import TTFont

    from ita_portal.fonts import pdf_font

    font = TTFont(str(pdf_font(400)), lazy=True)
    units, hmtx = font["head"].unitsPerEm, font["hmtx"]
    widths = {cp: hmtx[name][0] / units for cp, name in font.getBestCmap().items()}
    return widths, 0.6


def width_em(text: str) -> float:
    """How wide ``text`` is set in Sarabun, in em (marks have no advance)."""
    widths, default = _advances()
    return sum(widths.get(ord(c), default) for c in text)


def _fits(piece: str) -> bool:
    return len(piece) > 1 and width_em(piece) <= MAX_PART_EM


def _split_kind(piece: str) -> list[str]:
    for kind in ORG_KINDS:
        if piece.startswith(kind) and len(piece) > len(kind) + 1:
            return [kind, piece[len(kind) :]]
    return [piece]


def name_parts(
    people: Iterable[str] = (),
    bodies: Iterable[str] = (),
    positions: Iterable[str] = (),
    organisations: Iterable[str] = (),
) -> set[str]:
    """The parts of names that are never cut (module docstring). An organisation's whole
    name up to MAX_ORGANISATION_EM is one part; else its space-separated parts, and its
    proper name after its kind."""
    organisations = [o for o in organisations if o]
    pieces = {piece for name in (*people, *positions) for piece in (name or "").split()}
    pieces |= {
        part
        for name in (*bodies, *organisations)
        for piece in (name or "").split()
        for part in (piece, *_split_kind(piece))
    }
    whole = {o.strip() for o in organisations if width_em(o.strip()) <= MAX_ORGANISATION_EM}
    return {p for p in pieces if _fits(p)} | whole


@lru_cache(maxsize=32)
def _pattern(pieces: frozenset[str]) -> re.Pattern:
    parts = []
    if pieces:
        parts.append(f"(?P<name>{_alternation(escape(p) for p in pieces)})")
    parts.append(f"(?P<numbered>(?:{_alternation(NUMBERED)})\\s+{_NUMBER})")
    parts.append(f"(?P<latin>(?<![A-Za-z0-9-]){_LATIN_HYPHENATED}(?![A-Za-z0-9-]))")
    parts.append(f"(?P<whole>{_alternation(KEEP_WHOLE)})")
    return re.compile("|".join(parts))


def keep_together(
    html: str,
    *,
    people: Iterable[str] = (),
    bodies: Iterable[str] = (),
    positions: Iterable[str] = (),
    organisations: Iterable[str] = (),
) -> str:
    """``html`` with the parts of the names of ``people``, ``bodies`` (organisations, units)
    and ``positions``, every number with its word, every hyphenated Latin word and every
    KEEP_WHOLE term made unbreakable (module docstring)."""
    pattern = _pattern(frozenset(name_parts(people, bodies, positions, organisations)))
    out, skip_until, depth = [], None, 0
    for part in _TAG.split(html):
        if part.startswith("<"):
            lower = part.lower()
            if skip_until is None and (lower.startswith(("<style", "<title")) or 'class="code' in lower):
                skip_until = (
                    "</style" if lower.startswith("<style") else "</title" if lower.startswith("<title") else "</span"
                )
            elif skip_until is not None and lower.startswith(skip_until):
                skip_until = None
            elif skip_until is None and 'class="nobr' in lower:
                depth += 1
            elif depth and lower.startswith("</span"):
                depth -= 1
            out.append(part)
        elif skip_until or depth or not part.strip():
            out.append(part)
        else:
            out.append(pattern.sub(_span, part))
    return "".join(out)


def _span(match: re.Match) -> str:
    """The match made unbreakable, with a break kept where it touches Thai letters."""
    text, start, end = match.string, match.start(), match.end()
    before = ZWSP if start and _THAI_LETTER.match(text[start - 1]) else ""
    after = ZWSP if end < len(text) and _THAI_LETTER.match(text[end]) else ""
    return f'{before}<span class="nobr">{match.group(0)}</span>{after}'


def names_of(organisation_code: str) -> dict[str, list[str]]:
    """The names an organisation's documents print, as keep_together's keywords: its people
    and signers; the organisation, the bodies above it and its units; positions and chain steps."""
    from django.contrib.auth import get_user_model

    from assessments.models import Organisation
    from measures.models import ApprovalStep, Decision, OrgUnit, Person

    org = Organisation.objects.filter(code=organisation_code).first()
    if org is None:
        return {}
    people, bodies, positions, organisations = [], [], [], []
    node, seen = org, set()
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        organisations.append(node.name)
        node = node.parent
    bodies += OrgUnit.objects.filter(organisation=org).values_list("name", flat=True)
    for name, position in Person.objects.filter(organisation=org).values_list("name", "position"):
        people.append(name)
        positions.append(position)
    positions += ApprovalStep.objects.filter(organisation=org).values_list("title", flat=True)
    for name, position, step in Decision.objects.filter(plan__organisation=org).values_list(
        "signer_name", "signer_position", "position"
    ):
        people.append(name)
        positions += [position, step]
    users = get_user_model().objects.filter(memberships__organisation=org)
    for first, last, position in users.values_list("first_name", "last_name", "memberships__position"):
        people.append(f"{first} {last}".strip())
        positions.append(position)
    bodies += [org.province, org.district]
    return {"people": people, "bodies": bodies, "positions": positions, "organisations": organisations}
