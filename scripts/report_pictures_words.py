"""The agency's own words in the demo, for the pictures in docs/REPORTS.md (not for tests).

    .venv/bin/python manage.py shell < scripts/report_pictures_words.py
    PRESET=labelled ONLY_PRESET=1 .venv/bin/python manage.py shell < scripts/report_pictures_words.py

Through the service functions the web pages call, as the demo's staff account: the 2570 draft
plan's column-set preset (PRESET, default "indicator"); unless ONLY_PRESET, also the 2566
analysis's introduction and limitations with the indicator analysis as the table's third
column, item E1's analysis, the 2570 measures' limitations, the memo's parts and date, the
document-number prefix, a drawn test emblem (nothing bundled), one measure's nested steps and
whole-year period, one day-precision period, and the 2566 follow-up report grouped by indicator.
"""

import io
import os
from datetime import date

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from assessments import agency_words
from assessments.models import Assessment, Organisation
from measures import layouts, services
from measures.models import Plan
from reports import emblem, texts
from reports import memo as memos

org = Organisation.objects.get(code="demo")
staff = get_user_model().objects.get(username="staff")
draft = Plan.objects.get(organisation=org, fiscal_year__year=2570)
services.set_table_layout(draft, by=staff, spec=layouts.preset(os.environ.get("PRESET", "indicator")))

if not os.environ.get("ONLY_PRESET"):
    texts.save_texts(org, 2566, "analysis", by=staff, values={
        "intro": "ตามที่คณะกรรมการ ป.ป.ช. ในการประชุมครั้งที่ ๘๒/๒๕๖๖ เมื่อวันที่ ๒๖ กรกฎาคม ๒๕๖๖ ได้มีมติเห็นชอบ"
        "ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ ประจำปีงบประมาณ พ.ศ. ๒๕๖๖\n\n"
        "คณะทำงานตามคำสั่งที่ ๓๔๔/๒๕๖๖ ได้วิเคราะห์ผลการประเมิน มีรายละเอียด ดังนี้",
        "limitations": "๑. หลักเกณฑ์ตัวชี้วัดการเปิดเผยข้อมูลสาธารณะ (OIT) มีการเปลี่ยนแปลงทุกปี\n"
        "๒. บุคลากรมีภาระงานมาก ไม่มีผู้รับผิดชอบโดยตรง\n๓. งบประมาณไม่เพียงพอต่อการพัฒนาระบบ E-Service",
        "summary": "", "closing": "", "indicator_analysis": "column",
    })  # fmt: skip
    agency_words.save_item_analysis(
        Assessment.objects.get(organisation=org, fiscal_year__year=2566), item_code="e1", label="E1", by=staff,
        text="ข้อเท็จจริงพบว่า EIT Public ได้ ๘๕.๒๓ คะแนน EIT Survey ได้ ๗๗.๐๗ คะแนน มีทั้งส่วนที่ได้คะแนนมากและน้อยกว่าเกณฑ์ ๘๕ คะแนน\n\n"
        "จึงกำหนดมาตรการและวิธีการปฏิบัติให้ทุกส่วนราชการจัดทำแผนผังขั้นตอนการให้บริการ โดยให้ดำเนินการในปีงบประมาณ พ.ศ. ๒๕๖๗",
    )  # fmt: skip
    texts.save_texts(org, 2570, "measures", by=staff, values={
        "intro": "", "summary": "", "closing": "",
        "limitations": "๑) งบประมาณไม่เพียงพอต่อการดำเนินการ\n๒) บุคลากรมีจำนวนจำกัด\n๓) ระบบเครือข่ายอินเทอร์เน็ตไม่เสถียร",
    })  # fmt: skip
    org.doc_number_prefix = "นก ๕๒๐๐๑.๒"
    org.save(update_fields=["doc_number_prefix"])
    image = Image.new("RGB", (200, 200), "white")
    pen = ImageDraw.Draw(image)
    pen.ellipse((10, 10, 190, 190), outline="black", width=8)
    pen.ellipse((60, 60, 140, 140), fill="black")
    png = io.BytesIO()
    image.save(png, "PNG")
    emblem.set_emblem(org, by=staff, upload=SimpleUploadedFile("emblem.png", png.getvalue()))
    memos.save_memo(draft, by=staff, date_=date(2027, 1, 16), version=None, values={
        "department": "งานนิติการ สำนักปลัดองค์การบริหารส่วนตำบลบึงกอก (สาธิต)",
        "facts": "องค์การบริหารส่วนตำบลบึงกอก (สาธิต) ได้รับทราบผลการประเมินแล้ว\n\nในการนี้ ได้ดำเนินการจัดทำมาตรการ"
        "ส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน รายละเอียดตามเอกสารแนบ",
        "closing": "จึงเรียนมาเพื่อโปรดทราบ",
    })  # fmt: skip
    first, second = list(draft.measures.order_by("order", "pk"))[:2]
    services.save_measure(draft, by=staff, measure=first, period_kind="year", steps=[
        "๑. สำนักปลัด", "- ประชาสัมพันธ์ช่องทางการร้องเรียนผ่าน Line, Facebook และ E-Service",
        "๒. กองคลัง", "๑) จัดให้มีแบนเนอร์บนเว็บไซต์", "๒) รายงานผลให้ผู้บริหารทราบ",
    ])  # fmt: skip
    services.save_measure(
        draft, by=staff, measure=second, period_kind="days", start=date(2026, 10, 2), end=date(2027, 1, 31)
    )
    services.set_followup_group(Plan.objects.get(organisation=org, fiscal_year__year=2566), by=staff, group="indicator")
print("ok")
