"""Report builders, the Thai PDF, requesting and downloading, the public address."""

import io
import itertools
import unicodedata

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pypdf import PdfReader

from measures.models import Plan
from reports import builders, pdf, services
from reports.models import Report

pytestmark = pytest.mark.django_db


def text_of(data):
    reader = PdfReader(io.BytesIO(data))
    return unicodedata.normalize("NFKC", "\n".join(page.extract_text() for page in reader.pages)), reader


def nfkc(text):
    return unicodedata.normalize("NFKC", text)


def fonts_of(reader):
    names = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_analysis_builder_gives_plain_data_with_ordered_lists(demo):
    ctx = builders.build("analysis", demo, 2565)
    assert ctx["analysis"]["strengths"] == [10, 1, 3, 5, 2] and ctx["analysis"]["weaknesses"] == [8, 9, 7, 6, 4]
    assert builders.source_hash(ctx) == builders.source_hash(builders.build("analysis", demo, 2565))


def test_analysis_pdf_has_thai_digits_names_lists_and_embedded_sarabun(demo):
    text, reader = text_of(pdf.render_pdf(builders.build("analysis", demo, 2565)))
    assert "๗๖.๒๙" in text and "๙๓.๗๕" in text  # indicators 9 and 10 in Thai digits
    assert "การเปิดเผยข้อมูล" in text and "การป้องกันการทุจริต" in text
    assert nfkc("ประเด็นที่เป็นข้อบกพร่องหรือจุดอ่อนที่จะต้องแก้ไขโดยเร่งด่วน") in text
    assert nfkc("ดำเนินการ") in text or nfkc("ดำเนิน") in text  # ำ reads back
    assert all("Sarabun" in name for name in fonts_of(reader))
    assert 2 <= len(reader.pages) <= 20


def test_the_2569_analysis_pdf_names_the_rating_and_what_holds_it_back(demo):
    text, _ = text_of(pdf.render_pdf(builders.build("analysis", demo, 2569)))
    flat = "".join(text.split())
    assert nfkc("ระดับผลการประเมิน“ผ่าน”") in flat
    assert nfkc("จะได้ระดับผ่านดีเมื่อOITเพิ่มขึ้นอีก") in flat


def test_item_codes_keep_arabic_digits_in_the_pdf(demo):
    text, _ = text_of(pdf.render_pdf(builders.build("analysis", demo, 2565)))
    assert "o11" in text and "o๑๑" not in text


def test_arabic_digit_switch_per_organisation(demo):
    demo.use_thai_digits = False
    demo.save()
    text, _ = text_of(pdf.render_pdf(builders.build("analysis", demo, 2565)))
    assert "76.29" in text and "๗๖.๒๙" not in text


def test_thai_digits_never_touch_css_or_attributes():
    html = '<style>p{font-size:11pt}</style><p class="x1">ปี 2567</p><span class="code">o11</span>'
    assert (
        pdf.thai_digits_in_text(html)
        == '<style>p{font-size:11pt}</style><p class="x1">ปี ๒๕๖๗</p><span class="code">o11</span>'
    )


def _sarabun_page(body, style=""):
    faces = "".join(
        f'@font-face {{ font-family: Sarabun; src: url("{url}"); font-weight: {w}; }}'
        for w, url in ((400, pdf.fonts()["regular"]), (700, pdf.fonts()["bold"]))
    )
    return f"<html><head><style>{faces} body {{ font-family: Sarabun; font-size: 11pt; }} {style}</style></head><body>{body}</body></html>"


SARA_AM_WORDS = "ดำเนินการ น้ำ ค่ำ ซ้ำ ต๊ำ ค๋ำ ทำ กำหนด ประจำปี นา น้ำใจ สำนักงาน ตำแหน่ง"


@pytest.mark.parametrize("weight", [400, 700])
def test_words_with_sara_am_copy_back_as_the_source(weight):
    """ำ comes first in the page (the case that made every า read as ำ) and last (ำ read as า)."""
    body = f'<p style="font-weight:{weight}">{SARA_AM_WORDS} นา</p><p style="font-weight:{weight}">{SARA_AM_WORDS}</p>'
    text, _ = text_of(pdf.html_to_pdf(_sarabun_page(body)))
    assert " ".join(text.split()) == nfkc(f"{SARA_AM_WORDS} นา {SARA_AM_WORDS}")


def test_year_without_data_is_a_clear_message(demo):
    with pytest.raises(builders.ReportError, match="ยังไม่มีผลการประเมินปี 2567"):
        builders.build("analysis", demo, 2567)


def test_missing_round_is_named(demo):
    with pytest.raises(builders.ReportError, match=r"ไม่มีรอบการติดตามที่ 9 ของแผนปี 2566 \(มี: 1, 2\)"):
        builders.build("followup", demo, 2566, round_number=9)


def test_requested_report_is_built_and_then_served_from_storage(
    demo, django_capture_on_commit_callbacks, inline_celery
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.request_report(demo, kind="analysis", year=2565, fmt="pdf", by=None)
    report.refresh_from_db()
    assert report.state == Report.State.DONE and report.file.read(4) == b"%PDF"
    assert services.request_report(demo, kind="analysis", year=2565, fmt="pdf", by=None).pk == report.pk


def test_report_is_rebuilt_when_its_data_changed(demo, django_capture_on_commit_callbacks, inline_celery):
    from assessments.models import IndicatorNarrative

    with django_capture_on_commit_callbacks(execute=True):
        first = services.request_report(demo, kind="analysis", year=2565, fmt="pdf", by=None)
    IndicatorNarrative.objects.create(
        assessment=demo.assessments.get(fiscal_year__year=2565), indicator_number=8, text="แก้ไขแล้ว"
    )
    assert services.request_report(demo, kind="analysis", year=2565, fmt="pdf", by=None).pk != first.pk


def test_outsider_gets_404_on_reports_and_downloads(demo, django_capture_on_commit_callbacks, inline_celery):
    from tests.factories import make_organisation, make_user

    with django_capture_on_commit_callbacks(execute=True):
        report = services.request_report(demo, kind="analysis", year=2565, fmt="pdf", by=None)
    outsider = make_user(organisation=make_organisation(code="far"))
    client = Client()
    client.force_login(outsider)
    assert client.get("/o/demo/reports/2565/").status_code == 404
    assert client.get(f"/o/demo/reports/file/{report.pk}/download/").status_code == 404
    assert client.get(f"/o/far/reports/file/{report.pk}/download/").status_code == 404


def test_staff_request_shows_progress_then_download(demo):
    client = Client()
    client.force_login(User.objects.get(username="staff"))
    response = client.post("/o/demo/reports/2565/request/", {"kind": "analysis", "fmt": "pdf"})
    assert response.status_code == 302
    status = client.get(response.url)
    assert status.status_code == 200


def test_request_without_data_shows_the_reason(demo):
    client = Client()
    client.force_login(User.objects.get(username="staff"))
    response = client.post("/o/demo/reports/2567/request/", {"kind": "analysis", "fmt": "pdf"}, follow=True)
    assert "ยังไม่มีผลการประเมินปี 2567" in response.content.decode()
    assert not Report.objects.exists()


def test_public_address_needs_no_login_once_publishing_is_granted(demo_public):
    response = Client().get("/p/demo/2566/")
    assert response.status_code == 200 and "มาตรการส่งเสริมคุณธรรมและความโปร่งใส" in response.content.decode()
    pdf_response = Client().get("/p/demo/2566/measures.pdf")
    assert pdf_response.status_code == 200 and b"".join(pdf_response.streaming_content)[:4] == b"%PDF"


def test_unpublished_plan_is_not_reachable_publicly(demo):
    Plan.objects.filter(organisation=demo).update(publish_permitted=False)
    assert Client().get("/p/demo/2566/").status_code == 404
    assert Client().get("/p/demo/2566/measures.pdf").status_code == 404


def test_cli_writes_the_same_pdf(demo, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "a.pdf"
    call_command(
        "ita_report",
        "analysis",
        "--org",
        "demo",
        "--year",
        "2565",
        "--format",
        "pdf",
        "--output",
        str(out),
        stdout=io.StringIO(),
    )
    text, _ = text_of(out.read_bytes())
    assert "๗๖.๒๙" in text


def test_cli_refuses_a_round_that_does_not_exist(demo, tmp_path):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="ไม่มีรอบการติดตามที่ 5"):
        call_command(
            "ita_report",
            "followup",
            "--org",
            "demo",
            "--year",
            "2566",
            "--round",
            "5",
            "--output",
            str(tmp_path / "x.pdf"),
        )


def laid_out(html):
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    return HTML(string=html).render(font_config=FontConfiguration())


def block_lines(document):
    """The text of each laid-out line, a list per block that holds lines, in page order."""

    def text(line):
        return "".join(t.text for t in line.descendants() if type(t).__name__ == "TextBox")

    def walk(box):
        children = getattr(box, "children", None) or []
        lines = [text(c) for c in children if type(c).__name__ == "LineBox"]
        if lines:
            yield lines
        for child in children:
            if type(child).__name__ != "LineBox":
                yield from walk(child)

    for page in document.pages:
        yield from walk(page._page_box)


def test_words_with_sara_am_are_never_cut_at_line_ends():
    """The text keeps its real ำ, so Pango's Thai breaker knows ดำเนินการ (written as ํ + า it
    was cut ดํา|เนินการ)."""
    text = "ให้ดำเนินการตามกำหนดการประจำปีและรายงานผลการดำเนินงานประจำเดือน " * 6
    document = laid_out(_sarabun_page(f'<div style="width:2.6cm">{text}</div>'))
    ends = [line.rstrip() for lines in block_lines(document) for line in lines]
    assert len(ends) > 10
    words = ("ให้", "ดำเนินการ", "ตาม", "กำหนดการ", "ประจำปี", "และ", "รายงาน", "ผลการ", "ดำเนินงาน", "ประจำเดือน")
    assert all(e.endswith(words) for e in ends), ends


def test_memo_pdf_carries_every_approvers_name_opinion_and_the_decision(demo):
    text, reader = text_of(pdf.render_pdf(builders.build("memo", demo, 2566)))
    assert "บันทึกข้อความ" in text and "ส่วนราชการ" in text and "เรื่องเดิม" in text and "ข้อพิจารณา" in text
    for name in ("ธนพล โคระธานุวัฒน์", "วิชัย เจริญศรีสุขสกุล", "ปกรณ์ ศักดิ์สิทธิ์ไพบูลย์", "ประเสริฐ วงศ์สวัสดิ์ธนากร"):
        assert name in text
    assert nfkc("เห็นควรเสนอรองปลัดเพื่อโปรดพิจารณา") in text and nfkc("อนุมัติ และอนุญาตให้เผยแพร่") in text
    assert len(reader.pages) <= 3


def test_followup_pdf_shows_round_status_and_percent_in_thai_digits(demo):
    text, _ = text_of(pdf.render_pdf(builders.build("followup", demo, 2566, round_number=1)))
    assert "รอบ ๖ เดือน" in text and "ร้อยละ ๖๐" in text and nfkc("ดำเนินการแล้วเสร็จ") in text
    assert "ปัญหาและอุปสรรค" in text


def test_annual_pdf_has_cover_contents_every_part_and_sign_off(demo):
    text, reader = text_of(pdf.render_pdf(builders.build("annual", demo, 2566)))
    assert "สารบัญ" in text
    assert nfkc("ประเด็นที่เป็นข้อบกพร่องหรือจุดอ่อนที่จะต้องแก้ไขโดยเร่งด่วน") in text  # analysis of 2565
    assert "มาตรการส่งเสริมคุณธรรมและความโปร่งใส" in text and "รอบ ๖ เดือน" in text and "รอบ ๑๒ เดือน" in text
    assert "ประเสริฐ วงศ์สวัสดิ์ธนากร" in text
    assert 20 <= len(reader.pages) <= 80


def test_memo_carries_the_number_the_agency_gave_it(demo):
    from django.contrib.auth import get_user_model

    from measures import services as plans

    staff = get_user_model().objects.get(username="staff")
    plan = plans.start_revision(Plan.objects.get(organisation=demo, fiscal_year__year=2566), by=staff)
    plans.set_plan_documents(plan, by=staff, layout=plan.layout, memo_number="บก 71601/123")
    plans.submit_plan(plan, by=staff)
    text, _ = text_of(pdf.render_pdf(builders.build("memo", demo, 2566)))
    assert "ที่ บก ๗๑๖๐๑/๑๒๓" in text


def line_ends_inside_thai_clusters(document):
    """(line ends checked, the ones that cut a Thai character cluster — pythainlp's TCC, the
    smallest unit a Thai line may never be cut inside: a consonant with its vowels and marks)."""
    import re

    from pythainlp.tokenize import subword_tokenize

    checked, cut = 0, []
    for lines in block_lines(document):
        for before, after in itertools.pairwise(lines):
            tail, head = re.search("[\u0e00-\u0e7f]+$", before), re.match("[\u0e00-\u0e7f]+", after)
            if tail and head:
                checked += 1
                bounds, at = {0}, 0
                for cluster in subword_tokenize(tail[0] + head[0], engine="tcc"):
                    at += len(cluster)
                    bounds.add(at)
                if len(tail[0]) not in bounds:
                    cut.append(f"{tail[0]}|{head[0]}")
    return checked, cut


def test_no_line_of_the_annual_report_ends_inside_a_thai_character_cluster(demo):
    checked, cut = line_ends_inside_thai_clusters(laid_out(pdf.render_html(builders.build("annual", demo, 2566))))
    assert checked > 300 and not cut, cut[:10]
    # The check itself finds a cut: a box narrower than a word, with breaking anywhere allowed.
    squeezed = _sarabun_page('<div style="width:1.2cm; overflow-wrap:anywhere">ประชาสัมพันธ์ยุทธศาสตร์</div>')
    assert line_ends_inside_thai_clusters(laid_out(squeezed))[1]


def test_only_thai_glyphs_are_given_their_text_back():
    """A Latin letter with two marks is one cluster whose text goes to its last glyph; the
    other glyphs stay empty, or copying would read the letter twice."""
    text, _ = text_of(pdf.html_to_pdf(_sarabun_page("<p>a\u0300\u0323 ดำ</p>")))
    assert nfkc("a\u0300\u0323") in text and "aa" not in text and "ạạ" not in text and nfkc("ดำ") in text
