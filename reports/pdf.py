"""Render a report context to PDF with WeasyPrint, in the official Thai layout.

Sarabun comes from the fontpkg-sarabun package and is embedded (no system font).
Thai digits are applied to the document's text (never to CSS, attributes or item
codes marked ``class="code"``). The text keeps its real ำ, so Pango's Thai breaker
knows every word; the font (a variant derived from the package, ita_portal/fonts.py) and
a finisher fixing its ToUnicode maps make copying and searching the PDF give the source
text back, ำ as U+0E33 (THAI-PDF.md).
"""

import gc
import re
from contextlib import contextmanager
from functools import lru_cache

from django.template.loader import render_to_string

from assessments.thai import to_thai_digits
from ita_portal.fonts import NIKHAHIT, PDF_WEIGHTS, SARA_AA_OF_AM, glyph_texts, pdf_font
from reports.typography import keep_together, names_of

_TAG = re.compile(r"(<[^>]+>)")
# A Latin word with digits (o11, I19, E1, O34) is an identifier: its digits stay Arabic.
_DIGITS = re.compile(r"[A-Za-z]+\d+|\d+")


def _thai_digits_outside_codes(text):
    return _DIGITS.sub(lambda m: m.group(0) if m.group(0)[0].isalpha() else to_thai_digits(m.group(0)), text)


@lru_cache(maxsize=1)
def font_paths():
    """The PDF variants of Sarabun (ita_portal/fonts.py), built on first use."""
    return {weight: pdf_font(value) for weight, value in PDF_WEIGHTS.items()}


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
    """What each glyph id of a PDF font stands for in extracted text: the font's own text
    (fonts.glyph_texts), except that the SARA AA drawn for a ำ is ำ and a nikhahit glyph
    (alone or with a tone mark) stands for the tone mark only, its ำ being read from the
    SARA AA that follows it."""
    from fontTools.ttLib import TTFont

    font = TTFont(font_path, lazy=True)
    texts = {}
    for name, text in glyph_texts(font).items():
        if name == SARA_AA_OF_AM:
            text = "\u0e33"
        elif NIKHAHIT in text:
            text = text.replace(NIKHAHIT, "")
        texts[font.getGlyphID(name)] = text
    return texts


_UCS_ENTRY = re.compile(rb"<([0-9a-f]{4})> <([0-9a-f]*)>")
# Thai marks drawn over or under a consonant: ั ิ ี ึ ื ุ ู ฺ ็ ่ ้ ๊ ๋ ์ ํ ๎
_THAI_MARKS = frozenset("\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a" + "".join(map(chr, range(0x0E47, 0x0E4F))))


def _needs_fix(text, fixed):
    """WeasyPrint's text for a glyph is wrong when it holds ำ (only the SARA AA copy stands
    for it), when it is the whole of a cluster ending in a nikhahit glyph, or empty for a
    glyph that is a Thai mark (a cluster's text went to its last glyph)."""
    if text == fixed:
        return False
    return "\u0e33" in text or "\u0e33" in fixed or not fixed or (not text and all(c in _THAI_MARKS for c in fixed))


def restore_sara_am(document, pdf):
    """WeasyPrint finisher: give ำ its meaning back in the fonts' ToUnicode maps.

    HarfBuzz draws ำ as two glyphs, ํ and า (with a tone mark, ้ํ as one glyph and า), and
    WeasyPrint gives a glyph the text of the first cluster it appears in, so with the
    package's font า read as "ำ" everywhere, or ำ as "า" (THAI-PDF.md). Our PDF font draws
    the า of a ำ with its own glyph (ita_portal/fonts.py): that glyph gets ำ, a nikhahit glyph
    gets nothing (or the tone mark it carries), and a Thai mark left empty by WeasyPrint (its
    cluster's text went to the cluster's last glyph) gets the text the font gives it. So
    ดำเนินการ and น้ำ copy exactly as typed, with the real U+0E33 and no doubled marks. The
    text is laid out with the real ำ, so Pango's Thai breaker knows every word. A nikhahit
    typed on its own (U+0E4D, Pali spellings) is drawn but not extracted."""
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
            if fixed is not None and _needs_fix(text, fixed):
                cmap.stream[i] = b"<%s> <%s>" % (entry[1], fixed.encode("utf-16-be").hex().encode())


def render_html(context):
    """The document's HTML: its template, Thai digits, then what no line may break inside
    (reports/typography.py) — every kind goes through here."""
    html = render_to_string(f"reports/pdf/{context['kind']}.html", {**context, "fonts": fonts()})
    if context.get("thai_digits", True):
        html = thai_digits_in_text(html)
    return keep_together(html, **names_of((context.get("organisation") or {}).get("code", "")))


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
