"""Render a report context to PDF with WeasyPrint, in the official Thai layout.

Sarabun comes from the fontpkg-sarabun package and is embedded (no system font).
Thai digits are applied to the document's text (never to CSS, attributes or item
codes marked ``class="code"``), and ำ is written as ํ + า so that copying and
searching the PDF gives the source text back (THAI-PDF.md).
"""

import re
from functools import lru_cache
from pathlib import Path

import fontpkg
from django.template.loader import render_to_string

from assessments.thai import to_thai_digits

_TAG = re.compile(r"(<[^>]+>)")
_SARA_AM = re.compile("([\u0e48-\u0e4b]?)\u0e33")
# A Latin word with digits (o11, I19, E1, O34) is an identifier: its digits stay Arabic.
_DIGITS = re.compile(r"[A-Za-z]+\d+|\d+")


def _thai_digits_outside_codes(text):
    return _DIGITS.sub(lambda m: m.group(0) if m.group(0)[0].isalpha() else to_thai_digits(m.group(0)), text)


@lru_cache(maxsize=1)
def fonts():
    return {
        "regular": Path(fontpkg.path("sarabun", 400)).as_uri(),
        "bold": Path(fontpkg.path("sarabun", 700)).as_uri(),
    }


_THAI_RUN_WITH_AM = re.compile("[\u0e00-\u0e7f]*\u0e33[\u0e00-\u0e7f]*")
ZWSP = "\u200b"


def keep_am_words_whole(text):
    """Words with ำ stay whole on a line: once ำ is written as ํ + า (below), Pango's Thai
    breaker no longer knows them and would cut ดํา|เนินการ. The run is segmented with
    pythainlp on the original spelling; each word with ำ becomes unbreakable, and a
    zero-width space on each side keeps the line breakable between words."""
    from pythainlp.tokenize import word_tokenize

    def run(match):
        out = []
        for word in word_tokenize(match.group(0), engine="newmm"):
            if "\u0e33" in word:
                out.append(f'{ZWSP}<span style="white-space:nowrap">{word}</span>{ZWSP}')
            else:
                out.append(word)
        return "".join(out)

    return _THAI_RUN_WITH_AM.sub(run, text)


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


def fix_sara_am(html):
    """ำ -> ํ (+ tone mark) + า: pixel-identical, and the PDF's text reads back correctly."""
    return _SARA_AM.sub("\u0e4d\\1\u0e32", html)


def render_html(context):
    html = render_to_string(f"reports/pdf/{context['kind']}.html", {**context, "fonts": fonts()})
    if context.get("thai_digits", True):
        html = thai_digits_in_text(html)
    html = _text_nodes(html, keep_am_words_whole)
    return fix_sara_am(html)


def render_pdf(context):
    """The PDF bytes of a report context (builders.build)."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    return HTML(string=render_html(context)).write_pdf(font_config=font_config)
