"""ำ (SARA AM) copies and searches as typed, U+0E33, in every report kind (ita_portal/fonts.py)."""

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from ita_portal import fonts
from reports import builders, pdf

pytestmark = pytest.mark.django_db

KINDS = {
    "analysis": {"year": 2565},
    "measures": {"year": 2566},
    "memo": {"year": 2566},
    "followup": {"year": 2566, "round_number": 1},
    "annual": {"year": 2566},
}


def _pdf_of(demo, kind):
    params = dict(KINDS[kind])
    return pdf.render_pdf(builders.build(kind, demo, params.pop("year"), **params))


def _page(body):
    faces = "".join(
        f'@font-face {{ font-family: Sarabun; src: url("{url}"); font-weight: {w}; }}'
        for w, url in ((400, pdf.fonts()["regular"]), (700, pdf.fonts()["bold"]))
    )
    return f"<html><head><style>{faces} body {{ font-family: Sarabun; font-size: 11pt; }}</style></head><body>{body}</body></html>"


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_extracts_sara_am_as_typed_with_pypdf(demo, kind):
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(_pdf_of(demo, kind))).pages)
    assert "ประจำปี" in text and "ดำเนินการ" in text
    assert "\u0e4d" not in text  # no nikhahit left over, so no ํ + า beside the real ำ


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_extracts_sara_am_as_typed_with_pdftotext(demo, kind, tmp_path):
    path = tmp_path / f"{kind}.pdf"
    path.write_bytes(_pdf_of(demo, kind))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "ประจำปี" in text and "ดำเนินการ" in text and "\u0e4d" not in text


WORDS = "น้ำ ค่ำ ซ้ำ ต๊ำ ค๋ำ ทำ กำหนด ประจำปี นา น้ำใจ ทาง"


@pytest.mark.parametrize("tag", ["span", "b"])
def test_sara_am_with_tone_marks_extracts_exactly_as_typed(tag):
    """Both orders: ำ first on the page (it once made every า read ำ) and า first."""
    data = pdf.html_to_pdf(_page(f"<p><{tag}>{WORDS} นา {WORDS}</{tag}></p><p><{tag}>นา {WORDS}</{tag}></p>"))
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert " ".join(text.split()) == f"{WORDS} นา {WORDS} นา {WORDS}"


def test_the_pdf_font_is_derived_once_into_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ITA_FONT_DIR", str(tmp_path))
    fonts.pdf_font.cache_clear()
    try:
        first = fonts.pdf_font(400)
        made = first.stat().st_mtime_ns
        fonts.pdf_font.cache_clear()
        assert fonts.pdf_font(400) == first and first.stat().st_mtime_ns == made
        assert first.is_relative_to(tmp_path) and first.suffix == ".ttf"
    finally:
        fonts.pdf_font.cache_clear()


def test_the_sara_aa_of_sara_am_is_drawn_exactly_like_sara_aa():
    from fontTools.ttLib import TTFont

    font = TTFont(str(fonts.pdf_font(400)))
    assert font["hmtx"][fonts.SARA_AA_OF_AM] == font["hmtx"][fonts.SARA_AA]
    glyphs = font.getGlyphSet()
    from fontTools.pens.recordingPen import RecordingPen

    pens = [RecordingPen(), RecordingPen()]
    glyphs[fonts.SARA_AA_OF_AM].draw(pens[0])
    glyphs[fonts.SARA_AA].draw(pens[1])
    assert pens[0].value == pens[1].value


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_pages_look_the_same_as_with_the_packaged_font(tmp_path):
    """The variant changes which glyph id draws the า of ำ, never what is drawn."""
    body = f"<p>{WORDS} ดำเนินการประจำปี</p><p><b>{WORDS}</b></p>"
    source = _page(body)
    packaged = source
    for weight, key in ((400, "regular"), (700, "bold")):
        packaged = packaged.replace(pdf.fonts()[key], fonts.source_font(weight).as_uri())
    assert packaged != source
    for name, html in (("ours", source), ("packaged", packaged)):
        (tmp_path / f"{name}.pdf").write_bytes(pdf.html_to_pdf(html))
        subprocess.run(
            ["pdftoppm", "-r", "150", "-gray", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)], check=True
        )
    assert (tmp_path / "ours-1.pgm").read_bytes() == (tmp_path / "packaged-1.pgm").read_bytes()
