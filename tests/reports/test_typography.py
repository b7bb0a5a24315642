"""What no line of a document may break inside (reports/typography.py), walked in
WeasyPrint's layout of every report kind with the demo's long names."""

import itertools
import re

import pytest

from assessments.management.commands import ita_demo
from reports import builders, pdf
from reports.typography import keep_together, name_parts

from .test_reports import _sarabun_page, block_lines, laid_out
from .test_sara_am import KINDS  # the demo's document of each kind

pytestmark = pytest.mark.django_db

PEOPLE = [name for name, _, _ in ita_demo.PEOPLE] + [f"{first} {last}" for _, first, last, *_ in ita_demo.USERS]
ORGANISATIONS = [name for _, name, *_ in ita_demo.ORGANISATIONS]
BODIES = ita_demo.UNITS
POSITIONS = [position for _, position, _ in ita_demo.PEOPLE] + [u[5] for u in ita_demo.USERS]


def _squash(text):
    return re.sub(r"\s+", "", text)


def cuts(document, people=PEOPLE, bodies=BODIES, positions=POSITIONS, organisations=ORGANISATIONS):
    """(names found, the line ends that fall inside one): each space-separated part of a
    person's, organisation's or unit's name (and of a position, up to 20 characters);
    พ.ศ., ข้อ and ที่ apart from their number."""
    wholes = {_squash(p) for p in name_parts(people, bodies, positions, organisations) if len(p) > 2}
    found, cut = 0, []
    for lines in block_lines(document):
        parts = [_squash(line) for line in lines]
        ends = set(itertools.accumulate(len(p) for p in parts))
        joined = "".join(parts)
        for name in wholes:
            for m in re.finditer(re.escape(name), joined):
                found += 1
                inside = [e for e in ends if m.start() < e < m.end()]
                if inside:
                    cut.append(f"{joined[m.start() : inside[0]]}|{joined[inside[0] : m.end()]}")
        cut += [
            f"{before}|{after}"
            for before, after in itertools.pairwise(lines)
            if re.search(r"(พ\.ศ\.|ข้อ|ที่)\s*$", before) and re.match(r"\s*[0-9\u0e50-\u0e59]", after)
        ]
    return found, cut


def _layout(demo, kind):
    params = dict(KINDS[kind])
    return laid_out(pdf.render_html(builders.build(kind, demo, params.pop("year"), **params)))


@pytest.mark.parametrize("kind", KINDS)
def test_no_line_ends_inside_a_name_or_after_a_bare_be(demo, kind):
    found, cut = cuts(_layout(demo, kind))
    assert found > 3 and not cut, cut[:10]


def _boxes(text, names):
    """The text in boxes of widths 2.5–5 cm, with or without keep_together of ``names``."""
    body = "".join(f'<div style="width:{w / 10}cm">{text}</div>' for w in range(25, 51, 3))
    page = _sarabun_page(body).replace("</style>", ".nobr { white-space: nowrap; }</style>")
    return laid_out(keep_together(page, people=names) if names else page)


SURNAMES = "ผู้รับผิดชอบ นางมาลีรัตน์ เงินทองวิไลกุล และ นางสาวพรรณวดี ศรีหาบัว ร่วมกับ นายธนพล โคระธานุวัฒน์ "


def test_the_check_finds_surnames_cut_without_the_helper():
    names = ["นางมาลีรัตน์ เงินทองวิไลกุล", "นางสาวพรรณวดี ศรีหาบัว", "นายธนพล โคระธานุวัฒน์"]
    assert cuts(_boxes(SURNAMES * 3, None), people=names, bodies=[], positions=[])[1]


def test_the_helper_keeps_every_surname_whole_in_every_width():
    names = ["นางมาลีรัตน์ เงินทองวิไลกุล", "นางสาวพรรณวดี ศรีหาบัว", "นายธนพล โคระธานุวัฒน์"]
    found, cut = cuts(_boxes(SURNAMES * 3, names), people=names, bodies=[], positions=[])
    assert found > 20 and not cut, cut


def test_be_year_and_item_number_stay_with_their_word():
    html = keep_together("<p>ประจำปีงบประมาณ พ.ศ. ๒๕๖๙ ตาม ข้อ ๑ และ ข้อ 12</p>")
    assert '<span class="nobr">พ.ศ. ๒๕๖๙</span>' in html
    assert '<span class="nobr">ข้อ ๑</span>' in html and '<span class="nobr">ข้อ 12</span>' in html


def test_hyphenated_latin_words_and_tua_chi_wat_are_kept_whole():
    html = keep_together("<p>ระบบ E-Service และ COVID-19 ตามตัวชี้วัดที่ ๙</p>")
    assert '<span class="nobr">E-Service</span>' in html and '<span class="nobr">COVID-19</span>' in html
    assert '<span class="nobr">ตัวชี้วัดที่ ๙</span>' in html


def test_codes_and_styles_are_left_alone():
    html = keep_together('<style>p { x: E-1 }</style><p><span class="code">https://a-b.go.th/E-1</span></p>')
    assert "nobr" not in html


def test_an_agencys_proper_name_is_kept_whole_after_its_kind():
    html = keep_together("<p>ขององค์การบริหารส่วนตำบลบึงกอก</p>", bodies=["องค์การบริหารส่วนตำบลบึงกอก"])
    assert '<span class="nobr">บึงกอก</span></p>' in html


def test_an_agencys_whole_name_is_kept_on_one_line_when_it_fits_running_text():
    html = keep_together("<p>ขององค์การบริหารส่วนตำบลบึงกอก</p>", organisations=["องค์การบริหารส่วนตำบลบึงกอก"])
    assert '<span class="nobr">องค์การบริหารส่วนตำบลบึงกอก</span></p>' in html


def test_a_part_wider_than_the_narrowest_column_is_left_to_the_dictionary():
    """Kept whole it would overflow a 3 cm column; it breaks between its words instead."""
    position = "นักวิเคราะห์นโยบายและแผนชำนาญการ"
    assert keep_together(f"<p>{position}</p>", positions=[position]) == f"<p>{position}</p>"


def test_a_break_stays_possible_before_and_after_a_kept_name():
    html = keep_together("<p>โดยนางสาวพรรณวดี ศรีหาบัวและคณะ</p>", people=["นางสาวพรรณวดี ศรีหาบัว"])
    assert html == (
        '<p>โดย\u200b<span class="nobr">นางสาวพรรณวดี</span> <span class="nobr">ศรีหาบัว</span>\u200bและคณะ</p>'
    )


def _paragraph_indents(document):
    """The first-line indent (cm) of every body paragraph, walking the laid-out boxes."""

    def walk(box):
        if getattr(box, "element_tag", None) == "p" and type(box).__name__ == "BlockBox":
            lines = [c for c in box.children if type(c).__name__ == "LineBox"]
            if lines and lines[0].children:
                yield (lines[0].children[0].position_x - box.content_box_x()) * 2.54 / 96
        for child in getattr(box, "children", None) or []:
            yield from walk(child)

    for page in document.pages:
        yield from walk(page._page_box)


def test_body_paragraphs_are_indented_two_and_a_half_centimetres(demo):
    indents = list(_paragraph_indents(_layout(demo, "analysis")))
    assert indents and any(abs(i - 2.5) < 0.01 for i in indents)
    assert all(abs(i - 2.5) < 0.01 or abs(i) < 0.01 for i in indents), indents
