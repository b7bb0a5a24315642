"""The pages' fonts: WOFF2 converted from the package at install or first start, never in git."""

import subprocess
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from fontTools.ttLib import TTFont

from ita_portal import fonts

CSS = Path(settings.BASE_DIR, "static/css/app.css")


def test_stylesheet_loads_woff2_first_and_the_ttf_as_fallback():
    css = CSS.read_text()
    for weight in fonts.WEB_WEIGHTS:
        woff2, ttf = f'url("../fonts/Sarabun-{weight}.woff2") format("woff2")', f"Sarabun-{weight}.ttf"
        assert woff2 in css and css.index(woff2) < css.index(ttf)


def test_every_woff2_the_stylesheet_names_is_found_by_the_static_finders():
    for weight in fonts.WEB_WEIGHTS:
        found = finders.find(f"fonts/Sarabun-{weight}.woff2")
        assert found and TTFont(found).flavor == "woff2"


def test_woff2_is_much_smaller_than_the_packaged_ttf():
    for weight, value in fonts.WEB_WEIGHTS.items():
        assert (fonts.web_font_dir() / f"Sarabun-{weight}.woff2").stat().st_size < 0.5 * fonts.source_font(
            value
        ).stat().st_size


def test_no_font_file_is_committed():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    ).stdout
    assert not [f for f in tracked.splitlines() if f.endswith((".ttf", ".otf", ".woff", ".woff2"))]


def test_an_unbuildable_woff2_leaves_the_ttf_fallback(monkeypatch, tmp_path):
    monkeypatch.setenv("ITA_FONT_DIR", str(tmp_path))

    def no_brotli(*args, **kwargs):
        raise ImportError("brotli")

    monkeypatch.setattr(fonts, "build_web_fonts", no_brotli)
    assert fonts.ensure_web_fonts() is None


def test_served_woff2_is_a_font(client):
    response = client.get(settings.STATIC_URL + "fonts/Sarabun-Regular.woff2")
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content])[:4] == b"wOF2"
