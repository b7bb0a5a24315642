"""The font pipeline: fonts derived from the fontpkg-sarabun package, never committed.

Two products, both built once into a cache folder outside git (``var/fonts`` or
``$ITA_FONT_DIR``) by ``scripts/bootstrap`` (``manage.py ita_fonts``) or lazily at first use:

- **PDF fonts** (``pdf_font``): Sarabun with one extra glyph, ``uni0E32.am``, a copy of SARA AA
  (same outline, same advance, no GPOS or GDEF entry, so the page is pixel-identical).
  HarfBuzz's Thai shaper draws ำ (SARA AM) as NIKHAHIT + SARA AA and WeasyPrint gives each
  glyph one text, so a shared า glyph made ำ unsearchable (THAI-PDF.md). A chained GSUB
  lookup appended to ``ccmp`` swaps the า that follows a nikhahit glyph for the copy; the
  PDF finisher (reports/pdf.py) then maps the copy to ำ and the nikhahit glyphs to nothing
  (or to the tone mark they carry), so ``น้ำ`` extracts as typed.
- **Web fonts** (``web_font_dir``): the package's TTFs converted to WOFF2 (fontTools + brotli).

Files are named after the source font's SHA-256 and ``BUILD_VERSION``, written to a temporary
file and renamed, so concurrent first uses are safe and a new package version rebuilds.
"""

import hashlib
import logging
import os
import threading
from functools import lru_cache
from pathlib import Path

import fontpkg

logger = logging.getLogger(__name__)

BUILD_VERSION = "1"
SARA_AA = "uni0E32"
SARA_AA_OF_AM = "uni0E32.am"
NIKHAHIT = "\u0e4d"
WEB_WEIGHTS = {"Regular": 400, "SemiBold": 600, "Bold": 700}
PDF_WEIGHTS = {"regular": 400, "bold": 700}


def cache_dir() -> Path:
    return Path(os.environ.get("ITA_FONT_DIR") or Path(__file__).resolve().parent.parent / "var" / "fonts")


def source_font(weight: int) -> Path:
    return Path(fontpkg.path("sarabun", weight))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes() + BUILD_VERSION.encode()).hexdigest()[:16]


def _write_atomically(font, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    font.save(str(tmp))
    os.replace(tmp, target)


def glyph_texts(font) -> dict[str, str]:
    """What each glyph stands for: its character from the cmap, the source's character for a
    single substitution, the components' characters for a ligature (Sarabun draws ้ + ํ as
    one glyph). Keyed by glyph name."""
    texts: dict[str, str] = {}
    for codepoint, name in sorted(font.getBestCmap().items()):
        texts.setdefault(name, chr(codepoint))
    subtables = []
    if "GSUB" in font:
        for lookup in font["GSUB"].table.LookupList.Lookup:
            for sub in lookup.SubTable:
                subtables.append(sub.ExtSubTable if lookup.LookupType == 7 else sub)
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
                if target not in texts and all(g in texts for g in sources):
                    texts[target] = "".join(texts[g] for g in sources)
                    grew = True
    return texts


def _coverage(glyphs: list[str]):
    from fontTools.ttLib.tables import otTables

    cov = otTables.Coverage()
    cov.glyphs = glyphs
    return cov


def derive_pdf_font(src: Path, target: Path) -> None:
    """Write Sarabun plus the SARA AA copy drawn where it belongs to a ำ (module docstring)."""
    import copy

    from fontTools.ttLib import TTFont
    from fontTools.ttLib.tables import otTables

    font = TTFont(str(src))
    nikhahits = sorted(name for name, text in glyph_texts(font).items() if NIKHAHIT in text)
    order = font.getGlyphOrder()
    if SARA_AA_OF_AM not in order:
        glyf = font["glyf"]
        glyph = copy.deepcopy(glyf[SARA_AA])
        font["hmtx"][SARA_AA_OF_AM] = font["hmtx"][SARA_AA]
        new_order = [*order, SARA_AA_OF_AM]
        font.setGlyphOrder(new_order)
        glyf.glyphOrder = new_order
        glyf.glyphs[SARA_AA_OF_AM] = glyph

    gsub = font["GSUB"].table
    single = otTables.Lookup()
    single.LookupType, single.LookupFlag = 1, 0
    sub = otTables.SingleSubst()
    sub.mapping = {SARA_AA: SARA_AA_OF_AM}
    single.SubTable = [sub]
    single.SubTableCount = 1
    gsub.LookupList.Lookup.append(single)
    single_index = len(gsub.LookupList.Lookup) - 1

    chain = otTables.Lookup()
    chain.LookupType, chain.LookupFlag = 6, 0
    rule = otTables.ChainContextSubst()
    rule.Format = 3
    rule.BacktrackCoverage = [_coverage(sorted(nikhahits, key=font.getGlyphID))]
    rule.InputCoverage = [_coverage([SARA_AA])]
    rule.LookAheadCoverage = []
    record = otTables.SubstLookupRecord()
    record.SequenceIndex, record.LookupListIndex = 0, single_index
    rule.SubstLookupRecord = [record]
    rule.BacktrackGlyphCount, rule.InputGlyphCount, rule.LookAheadGlyphCount, rule.SubstCount = 1, 1, 0, 1
    chain.SubTable = [rule]
    chain.SubTableCount = 1
    gsub.LookupList.Lookup.append(chain)
    gsub.LookupList.LookupCount = len(gsub.LookupList.Lookup)
    chain_index = len(gsub.LookupList.Lookup) - 1
    # Last in the lookup list, so it sees the nikhahit + tone ligatures already made.
    for feature in gsub.FeatureList.FeatureRecord:
        if feature.FeatureTag == "ccmp" and chain_index not in feature.Feature.LookupListIndex:
            feature.Feature.LookupListIndex.append(chain_index)
            feature.Feature.LookupCount = len(feature.Feature.LookupListIndex)
    _write_atomically(font, target)


@lru_cache(maxsize=8)
def pdf_font(weight: int) -> Path:
    """The PDF variant of Sarabun at ``weight``, built on first use and cached."""
    src = source_font(weight)
    target = cache_dir() / "pdf" / f"{src.stem}-{_digest(src)}.ttf"
    if not target.exists():
        derive_pdf_font(src, target)
    return target


def web_font_dir() -> Path:
    return cache_dir() / "web"


def build_web_fonts() -> list[Path]:
    """Convert the weights the site uses to WOFF2 (static/css/app.css). Returns the files."""
    from fontTools.ttLib import TTFont

    made = []
    for name, weight in WEB_WEIGHTS.items():
        src = source_font(weight)
        target = web_font_dir() / f"Sarabun-{name}.woff2"
        stamp = target.with_suffix(".sha")
        if not (target.exists() and stamp.exists() and stamp.read_text() == _digest(src)):
            font = TTFont(str(src))
            font.flavor = "woff2"
            _write_atomically(font, target)
            stamp.write_text(_digest(src))
        made.append(target)
    return made


def ensure_web_fonts() -> Path | None:
    """The WOFF2 folder for STATICFILES_DIRS, or None when they cannot be made (no brotli):
    the stylesheet then falls back to the package's TTFs."""
    try:
        build_web_fonts()
    except Exception:  # an unbuildable font must not stop the site: the CSS falls back to TTF
        logger.warning("WOFF2 fonts could not be built; the pages use the TTF files", exc_info=True)
        return None
    return web_font_dir()


def build_all() -> list[Path]:
    """Everything, for scripts/bootstrap."""
    return [pdf_font(w) for w in PDF_WEIGHTS.values()] + build_web_fonts()
