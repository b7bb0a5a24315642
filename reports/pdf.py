"""Render a report context to PDF with WeasyPrint, in the official Thai layout.

Sarabun comes from the fontpkg-sarabun package and is embedded (no system font).
Thai digits are applied to the document's text (never to CSS, attributes or item
codes marked ``class="code"``). The text keeps its real ำ, so Pango's Thai breaker
knows every word; a finisher fixes the fonts' ToUnicode maps so that copying and
searching the PDF gives the source text back (THAI-PDF.md).
"""

import gc
import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import fontpkg
from django.template.loader import render_to_string

from assessments.thai import to_thai_digits

_TAG = re.compile(r"(<[^>]+>)")
# A Latin word with digits (o11, I19, E1, O34) is an identifier: its digits stay Arabic.
_DIGITS = re.compile(r"[A-Za-z]+\d+|\d+")


def _thai_digits_outside_codes(text):
    return _DIGITS.sub(lambda m: m.group(0) if m.group(0)[0].isalpha() else to_thai_digits(m.group(0)), text)


@lru_cache(maxsize=1)
def font_paths():
    return {"regular": Path(fontpkg.path("sarabun", 400)), "bold": Path(fontpkg.path("sarabun", 700))}


def fonts():
    """The font files as URLs for @font-face."""
    return {weight: path.as_uri() for weight, path in font_paths().items()}


def _text_nodes(html, change, *, skip_code=False):
    """Apply ``change`` to the text between tags, never inside <style> (nor, with
    ``skip_code``, inside class="code" spans)."""
    out, skip_until = [], None
    for part in _TAG.split(html):
        if part.startswith("<"):
            lower = part.lower()
            if skip_until is None and (lower.startswith("<style") or (skip_code and 'class="code' in lower)):
                skip_until = "</style" if lower.startswith("<style") else "</span"
            elif skip_until is not None and lower.startswith(skip_until):
                skip_until = None
            out.append(part)
        else:
            out.append(part if skip_until else change(part))
    return "".join(out)


def thai_digits_in_text(html):
    """Arabic -> Thai digits in text nodes only: not in <style>, class="code" spans or codes like o11."""
    return _text_nodes(html, _thai_digits_outside_codes, skip_code=True)


@lru_cache(maxsize=4)
def _glyph_texts(font_path):
    """What each glyph of a font stands for: its character from the cmap, the source's
    character for a single substitution, the components' characters for a ligature
    (Sarabun draws ้ + ํ as one glyph)."""
    from fontTools.ttLib import TTFont

    font = TTFont(font_path, lazy=True)
    gid = {name: i for i, name in enumerate(font.getGlyphOrder())}
    texts = {}
    for codepoint, name in sorted(font.getBestCmap().items()):
        texts.setdefault(gid[name], chr(codepoint))
    subtables = []
    if "GSUB" in font:
        for lookup in font["GSUB"].table.LookupList.Lookup:
            for sub in lookup.SubTable:
                subtables.append(sub.ExtSubTable if sub.LookupType == 7 else sub)
    grew = True
    while grew:  # substitutions of substitutions
        grew = False
        for sub in subtables:
            if sub.LookupType == 1:
                pairs = [([src], dst) for src, dst in sub.mapping.items()]
            elif sub.LookupType == 4:
                pairs = [
                    ([first, *lig.Component], lig.LigGlyph) for first, ligs in sub.ligatures.items() for lig in ligs
                ]
            else:
                continue
            for sources, target in pairs:
                if gid[target] not in texts and all(gid[g] in texts for g in sources):
                    texts[gid[target]] = "".join(texts[gid[g]] for g in sources)
                    grew = True
    return texts


_UCS_ENTRY = re.compile(rb"<([0-9a-f]{4})> <([0-9a-f]*)>")
# Thai marks drawn over or under a consonant: ั ิ ี ึ ื ุ ู ฺ ็ ่ ้ ๊ ๋ ์ ํ ๎
_THAI_MARKS = frozenset("\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a" + "".join(map(chr, range(0x0E47, 0x0E4F))))


def restore_sara_am(document, pdf):
    """WeasyPrint finisher: give ำ its meaning back in the fonts' ToUnicode maps.

    HarfBuzz draws ำ as two glyphs, ํ and า (with a tone mark, ้ํ as one glyph and า), and
    WeasyPrint gives a glyph the text of the first cluster it appears in: า then reads as
    "ำ" everywhere, or ำ reads as "า" (THAI-PDF.md). A glyph whose text holds ำ, or is empty
    where the font says the glyph is a Thai mark (ํ, a tone mark, or the two as one glyph), gets
    the text the font itself gives it (other empty glyphs are parts of a cluster whose text
    went to its last glyph, and stay empty), so ดำเนินการ copies as ด ํ า เนินการ — the
    NFKC form of the source. The text is laid out with the real ำ, so Pango's Thai
    breaker knows every word and never cuts ดำ|เนินการ."""
    paths = font_paths()
    for obj in pdf.objects:
        if not (isinstance(obj, dict) and obj.get("Type") == "/Font" and "ToUnicode" in obj):
            continue
        name = obj.get("BaseFont", b"")
        if b"Sarabun" not in name:
            continue
        texts = _glyph_texts(paths["bold" if b"Bold" in name else "regular"])
        cmap = pdf.objects[int(obj["ToUnicode"].split()[0])]
        for i, line in enumerate(cmap.stream):
            entry = _UCS_ENTRY.fullmatch(line)
            if not entry:
                continue
            glyph, text = int(entry[1], 16), bytes.fromhex(entry[2].decode()).decode("utf-16-be")
            fixed = texts.get(glyph)
            if fixed and ("\u0e33" in text or (not text and all(c in _THAI_MARKS for c in fixed))):
                cmap.stream[i] = b"<%s> <%s>" % (entry[1], fixed.encode("utf-16-be").hex().encode())


def render_html(context):
    html = render_to_string(f"reports/pdf/{context['kind']}.html", {**context, "fonts": fonts()})
    if context.get("thai_digits", True):
        html = thai_digits_in_text(html)
    return html


@contextmanager
def no_cycle_collection():
    """WeasyPrint builds hundreds of thousands of short-lived objects; Python's cyclic
    collector walking them again and again cost 0.3–0.6 s on the annual report (and made
    its time swing by a second). Pause it, then collect the youngest generation once: every
    object made while paused is there, and the rest of the heap is not walked (a full
    collection doubled the memo's time). Process-wide, so a thread rendering at the same
    time only has its collection postponed too."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect(0)


def html_to_pdf(html):
    """PDF bytes of a document rendered by render_html."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    with no_cycle_collection():
        return HTML(string=html).write_pdf(font_config=FontConfiguration(), finisher=restore_sara_am)


def render_pdf(context):
    """The PDF bytes of a report context (builders.build)."""
    return html_to_pdf(render_html(context))
