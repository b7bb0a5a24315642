"""The memo (บันทึกข้อความ with every step's opinion and signature), the annual report's cover and
its sign-off sheet, and the sign-off block under a document."""

from io import BytesIO

from .cells import PORTRAIT

DOTS = "." * 40


def _signature(s, name, position, when=None, *, first=5, span=4):
    """(ลงชื่อ) ..., (name), position and, for an opinion block, the date."""
    s.gap()
    for line in ("(ลงชื่อ) " + DOTS, f"({name or DOTS})", position):
        if line:
            s.text(line, first=first, span=span, align="center")
    if when is not None:
        s.put(first, when or "........../........................../..........", "longdate" if when else "text",
              span=span, border=False, align="center")  # fmt: skip
        s.end_row(1)


def _emblem(s, data_uri):
    """The agency's emblem at the top left, about 1.5 cm high (57 px), as on the PDF memo."""
    if not data_uri.startswith("data:image/"):
        return
    import base64

    from openpyxl.drawing.image import Image as SheetImage

    image = SheetImage(BytesIO(base64.b64decode(data_uri.split(",", 1)[1])))
    image.width, image.height = round(image.width * 57 / image.height), 57
    s.ws.add_image(image, "A1")


def memo_sheet(new, memo):
    """บันทึกข้อความ with the opinion and signature block of every step of the chain."""
    s = new("บันทึกข้อความ", [14, 10, 10, 10, 10, 10, 11, 11])
    s.ws.sheet_view.showGridLines = False
    _emblem(s, memo.get("emblem") or "")
    s.text("บันทึกข้อความ", bold=True, align="center", size=29)
    s.gap()
    for label, value in (("ส่วนราชการ", memo["department"]), ("ที่", None), ("เรื่อง", memo["subject"]),
                         ("เรียน", memo["to"])):  # fmt: skip
        s.put(1, label, bold=label != "เรียน", border=False)
        if value is None:  # ที่ ... วันที่ ...
            s.put(2, memo["number"] or "........................", span=3, border=False)
            s.put(5, "วันที่", bold=True, border=False, align="right")
            s.put(6, memo["date"] or "........................", "longdate", span=3, border=False, align="left")
            s.end_row(1)
        else:
            s.end_row(s.put(2, value, span=7, border=False))
    law = "\n".join(f"{n}. {text}" for n, text in enumerate(memo["law"], start=1))
    for heading, body in (("เรื่องเดิม", memo["background"]), ("ข้อเท็จจริง", memo["facts"]), ("ข้อกฎหมาย", law),
                          ("ข้อพิจารณา", memo["consideration"])):  # fmt: skip
        if body:
            s.heading(heading)
            s.paragraphs(body, first=2, span=7)
    s.gap()
    s.text(memo["closing"], first=2, span=7)
    _signature(s, memo["submitter"]["name"], memo["submitter"]["position"])
    for block in memo["blocks"]:
        s.heading(f"ความเห็น{block['title']}")
        for line in [block["opinion"]] if block["opinion"] else [DOTS * 2, DOTS * 2]:
            s.text(line, first=2, span=7)
        if block["final"]:
            s.text(f"{'☑' if block['decision'] == 'approve' else '☐'} อนุมัติ      "
                   f"{'☑' if block['decision'] == 'reject' else '☐'} ไม่อนุมัติ", first=2, span=7)  # fmt: skip
            if memo.get("publish_permitted"):
                s.text("☑ อนุญาตให้เผยแพร่บนเว็บไซต์ของหน่วยงาน", first=2, span=7)
        position = "\n".join(filter(None, [block["signer_position"], block.get("signer_acting", "")]))
        _signature(s, block["signer_name"], position, block["date"])


def cover_sheet(new, context):
    """รายงานประจำปี: the cover and the contents of the annual workbook."""
    org, year = context["organisation"], context["year"]
    s = new("รายงานประจำปี", [PORTRAIT], page_numbers=False)
    s.ws.sheet_view.showGridLines = False
    s.gap(180)
    s.title("รายงานผลการดำเนินการด้านคุณธรรมและความโปร่งใส", f"ประจำปีงบประมาณ พ.ศ. {year}")
    s.gap(40)
    s.title(org["name"])
    place = " ".join(t for t in (org.get("district") and f"อำเภอ{org['district']}",
                                 org.get("province") and f"จังหวัด{org['province']}") if t)  # fmt: skip
    if place:
        s.text(place, align="center")
    s.gap(60)
    s.text("สารบัญ", bold=True)
    chapters = [
        f"การวิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใส ประจำปีงบประมาณ พ.ศ. {context['analysis_year']} "
        + ("(แผ่นงาน “ผลการวิเคราะห์” และ “คะแนนรายข้อ”)" if context.get("analysis") else "(ยังไม่มีผลการประเมินในระบบ)"),
        f"มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. {year} (แผ่นงาน “มาตรการ”)",
        *(f"รายงานผลการดำเนินการตามมาตรการ {r['round']['title']}" for r in context["rounds"]),
        "การพิจารณาอนุมัติและการรับรองรายงาน (แผ่นงาน “บันทึกข้อความ” และ “การรับรองรายงาน”)",
    ]
    for n, chapter in enumerate(chapters, start=1):
        s.text(f"บทที่ {n} {chapter}")


def signoff_sheet(new, context):
    """การรับรองรายงาน: ผู้รายงาน, ผู้รับรอง and ผู้เห็นชอบ sign the annual report."""
    memo, year = context.get("memo") or {}, context["year"]
    s = new("การรับรองรายงาน", [29, 28, 29])
    s.ws.sheet_view.showGridLines = False
    s.title("การรับรองรายงาน")
    s.gap()
    if not memo:
        s.text(f"แผนมาตรการประจำปีงบประมาณ พ.ศ. {year} ยังไม่ได้เสนอพิจารณา จึงยังไม่มีความเห็นตามลำดับการพิจารณา")
    s.text(f"ขอรับรองว่ารายงานผลการดำเนินการด้านคุณธรรมและความโปร่งใส ประจำปีงบประมาณ พ.ศ. {year} "
           "ฉบับนี้ ถูกต้องตามความเป็นจริง")  # fmt: skip
    s.gap(30)
    signoff_rows(s, context.get("signoff") or {})


def signoff_rows(s, signoff):
    """The document's sign-off block (reports/signoff.py), three signers a row across the
    sheet: (ลงชื่อ), (name), position, date and the role; blank lines where nobody is chosen."""
    signers = signoff.get("signers") or []
    if not signers:
        return
    s.gap(20)
    per = 3
    width = max(1, s.ncols // per)
    for start in range(0, len(signers), per):
        row = signers[start : start + per]
        lines = [
            ["(ลงชื่อ) " + "." * 24 for _ in row],
            [f"({p.get('name') or '.' * 30})" for p in row],
            ["\n".join(filter(None, [p.get("position") or "ตำแหน่ง " + "." * 30, p.get("acting", "")])) for p in row],
            [p.get("date") or "วันที่ " + "." * 24 for p in row],
            [p.get("role") if p.get("role") != p.get("position") else "" for p in row],
        ]
        for n, values in enumerate(lines):
            height = 1
            for i, value in enumerate(values):
                col = 1 + i * width
                height = max(height, s.put(col, value, border=False, align="center", bold=n == 4, span=width))
            s.end_row(height)
        s.gap()
