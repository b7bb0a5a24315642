"""The analysis sheets: ผลการวิเคราะห์ (summary, tools, indicators with their chart, strengths and
weaknesses, OIT and EIT items, the seven issue areas, recommendations) and คะแนนรายข้อ."""

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.marker import DataPoint

from assessments.analysis import PART_LABELS

from .words import words_head, words_tail

PART_NAMES = {
    "public": "ส่วนที่ 1 ผู้รับบริการหรือติดต่อราชการ (EIT Public)",
    "survey": "ส่วนที่ 2 ผู้ประเมินจัดเก็บข้อมูล (EIT Survey)",
}


def analysis_sheets(new, a, organisation):
    """ผลการวิเคราะห์ (summary, tables, narratives, recommendations) and คะแนนรายข้อ (items)."""
    s = new("ผลการวิเคราะห์", [6, 31, 14, 16, 10, 13])
    s.title("รายงานการวิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ",
            f"ของ{organisation['name']} ประจำปีงบประมาณ พ.ศ. {a['year']}")  # fmt: skip
    s.gap()
    texts = a.get("texts") or {}
    words_head(s, texts)
    s.gap()
    total = a["total"]
    if total["score"] is None:
        s.line(("คะแนนรวม", "text", 2), (None, "score"), ("ไม่มีข้อมูลคะแนนรวม", "text", 3), bold=True)
    else:
        s.line(("คะแนนรวม", "text", 2), (total["score"], "score"), ("คะแนน", "text", 3), bold=True)
    if total["result"]:
        s.line(("ผลการประเมิน", "text", 2), (total["result"], "text", 4), bold=True)
    if total["grade"]:
        label = "ระดับ (เทียบเกณฑ์การประเมินเดิม)" if total["result"] else "ระดับ"
        s.line((label, "text", 2), (total["grade"], "text", 4))
    if total["change"] is not None:
        s.line((f"เปลี่ยนแปลงจากปี {a['previous_year']}", "text", 2), (total["change"], "change"), ("คะแนน", "text", 3))

    s.heading("1. คะแนนจำแนกตามเครื่องมือการประเมิน")
    s.header(("เครื่องมือการประเมิน", 2), "น้ำหนัก", "คะแนน")
    for t in a["tools"]:
        s.line(
            (f"{t['code'].upper()} {t['name']}", "text", 2),
            (round(t["weight"] * 100, 2), "weight"),
            (t["score"], "score"),
        )
        for code, part in t["parts"].items():
            s.line(("    " + PART_NAMES.get(code, code), "text", 2), (None, "text"), (part["score"], "score"))

    s.heading(f"2. คะแนนรายตัวชี้วัดเทียบเกณฑ์ {a['threshold']:.0f} คะแนน")
    previous = a.get("previous_year")
    column = texts.get("indicator_analysis") == "column"
    if column:
        s.header("ที่", "ตัวชี้วัด", "คะแนน", "สถานะ", ("ผลการวิเคราะห์", 2))
    else:
        s.header("ที่", "ตัวชี้วัด", "คะแนน", "สถานะ", *((f"ปี {previous}", "เปลี่ยนแปลง") if previous else ()))
    detail = {d["number"]: d for d in a["indicators_detail"]}
    first = s.row
    for i in a["indicators"]:
        if column:
            extra = ((detail[i["number"]]["narrative"], "text", 2),)
        else:
            extra = ((i["previous"], "score"), (i["change"], "change")) if previous else ()
        s.line((i["number"], "int"), (i["name"], "text"), (i["score"], "score"),
               (detail[i["number"]]["status_label"] or "–", "text"), *extra)  # fmt: skip
    _chart(s, first, s.row - 1, [i["status"] for i in a["indicators"]])

    if a.get("has_items", True):
        s.heading("3. คะแนนรายข้อการประเมิน: ดูแผ่นงาน “คะแนนรายข้อ”")
    else:
        s.heading("3. คะแนนรายข้อการประเมิน: – ไม่มีข้อมูลคะแนนรายข้อ (หน่วยงานบันทึกเฉพาะคะแนนรายตัวชี้วัด)")
    threshold = f"{a['threshold']:.0f}"
    for number, (title, key) in enumerate(
        [(f"ประเด็นที่ต้องพัฒนาให้ดีขึ้น (ตัวชี้วัดที่ได้คะแนนตั้งแต่ {threshold} คะแนนขึ้นไป) จำนวน {len(a['strengths'])} "
          "ตัวชี้วัด เรียงตามลำดับคะแนนจากมากที่สุด", "strengths_detail"),
         (f"ประเด็นที่เป็นข้อบกพร่องหรือจุดอ่อนที่จะต้องแก้ไขโดยเร่งด่วน (ตัวชี้วัดที่ได้คะแนนน้อยกว่า {threshold} คะแนน) "
          f"จำนวน {len(a['weaknesses'])} ตัวชี้วัด เรียงตามลำดับคะแนนจากน้อยที่สุด", "weaknesses_detail")],
        start=4,
    ):  # fmt: skip
        s.heading(f"{number}. {title}")
        for ind in a[key]:
            if column:
                s.text(f"- ตัวชี้วัดที่ {ind['number']} {ind['name']} {ind['score']:.2f} คะแนน")
                continue
            for n, para in enumerate(p for p in ind["narrative"].split("\n") if p.strip()):
                s.text(("- " if n == 0 else "  ") + para)
        if not a[key]:
            s.text("ไม่มี")

    titles = {it["label"]: it["title"] for d in a["indicators_detail"] for it in d["items"]}
    if a["failed_oit_items"]:
        s.heading("6. ข้อการประเมินการเปิดเผยข้อมูลสาธารณะ (OIT) ที่ไม่ได้คะแนน")
        s.header("ข้อ", ("รายการ", 5))
        for it in a["failed_oit_items"]:
            s.line((it["label"], "code"), (it["title"], "text", 5))
    if a["eit_gaps"]:
        s.heading("ข้อ EIT ที่ผล EIT Public และ EIT Survey แตกต่างกันมาก")
        s.header("ข้อ", "ประเด็นการประเมิน", "EIT Public", "EIT Survey", ("ส่วนต่าง", 2))
        for g in a["eit_gaps"]:
            s.line((g["label"], "code"), (titles.get(g["label"], ""), "text"), (g["public"], "score"),
                   (g["survey"], "score"), (g["gap"], "change", 2))  # fmt: skip
    _issue_areas(s, a.get("issue_areas_detail") or [])
    if a.get("recommendation_groups"):
        s.heading("ข้อเสนอแนะของผู้ตรวจประเมิน")
        for g in a["recommendation_groups"]:
            s.text(f"{g['number']}. {g['heading']}", bold=True)
            for sub in g.get("parts") or [{"heading": "", "rows": g["rows"]}]:
                if sub["heading"]:
                    s.text(f"{sub['number']} {sub['heading']}", bold=True)
                for r in sub["rows"]:
                    s.text(f"{r['number']} {r['text']}" if r["number"] else r["text"])
    words_tail(s, texts, organisation)

    if not a.get("has_items", True):
        return  # only indicator figures: no empty item table
    found = {p for d in a["indicators_detail"] for it in d["items"] for p in it["parts"]}
    parts = [p for p in PART_LABELS if p in found]
    items = new("คะแนนรายข้อ", [7, 46, 11, 11, 11] if parts else [7, 68, 11])
    items.title("คะแนนรายข้อการประเมิน", f"{organisation['name']} ประจำปีงบประมาณ พ.ศ. {a['year']}")
    items.gap()
    items.header("ข้อ", "ประเด็นการประเมิน", "คะแนน", *(PART_LABELS[p] for p in parts), repeat=True)
    for d in a["indicators_detail"]:
        items.group(f"ตัวชี้วัดที่ {d['number']} {d['name']}", (d["score"], "score"),
                    *((d["parts"].get(p), "score") for p in parts))  # fmt: skip
        for it in d["items"]:
            items.line((it["label"], "code"), (it["title"], "text"), (it["score"], "score"),
                       *((it["parts"].get(p), "score") for p in parts))  # fmt: skip
            if it.get("analysis_here", it.get("analysis")):
                items.text("ผลการวิเคราะห์: " + it.get("analysis_here", it.get("analysis")).replace("\n", " "), first=2)
            elif it.get("analysis"):
                items.text("ผลการวิเคราะห์ของข้อนี้อยู่ในแผ่นงาน “ผลการวิเคราะห์” หัวข้อการวิเคราะห์ตาม 7 ประเด็น", first=2)


def _issue_areas(s, areas):
    """การวิเคราะห์ตาม ๗ ประเด็น: each area, its indicators, its items to improve and the
    agency's analysis of them (as the PDF prints it)."""
    if not areas:
        return
    s.heading("การวิเคราะห์ผลการประเมินตาม 7 ประเด็น")
    s.header("ประเด็น", ("ตัวชี้วัดที่เกี่ยวข้อง", 2), ("ข้อที่ต้องปรับปรุง / ผลการวิเคราะห์", 3))
    for area in areas:
        indicators = (
            "\n".join(
                f"ตัวชี้วัดที่ {i['number']} {i['name']} " + ("–" if i["score"] is None else f"{i['score']:.2f}")
                for i in area["indicators"]
            )
            or "–"
        )
        items = (
            "\n".join(
                f"{it['label']} {it['title']}"
                + ("" if it["score"] is None else f" ({it['score']:.2f})")
                + (f"\nผลการวิเคราะห์: {it['analysis']}" if it["analysis"] else "")
                for it in area["weak_items"]
            )
            or "ไม่มีข้อที่ต้องปรับปรุงในประเด็นนี้"
        )
        s.line((f"{area['number']}. {area['name']}", "text"), (indicators, "text", 2), (items, "text", 3))


def _chart(s, first, last, statuses):
    """The indicator bar chart of the PDF, drawn from the table's own cells (weak bars in red)."""
    chart = BarChart()
    chart.type, chart.legend, chart.width, chart.height = "col", None, 15.5, 8.5
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.add_data(Reference(s.ws, min_col=3, min_row=first, max_row=last))
    chart.set_categories(Reference(s.ws, min_col=1, min_row=first, max_row=last))
    series = chart.series[0]
    series.graphicalProperties.solidFill = "4F81BD"
    for idx, status in enumerate(statuses):
        if status == "weak":
            point = DataPoint(idx=idx)
            point.graphicalProperties.solidFill = "C0504D"
            series.dPt.append(point)
    s.gap()
    s.ws.add_chart(chart, f"A{s.row}")
    for _ in range(13):  # 13 x 20 pt keep the chart's 8.5 cm clear of the next section
        s.gap(20)
