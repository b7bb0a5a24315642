"""The measures and follow-up tables in Excel, laid out by the plan's table spec as the PDF
is (measures/layouts.py): the same columns, headers, groups, numbering and nested steps."""

from measures.layouts import steps_text

# Excel column widths (characters) per field, as the PDF's relative widths
WIDTHS = {"title": 26, "items": 10, "indicators": 20, "issue_area": 20, "method": 30, "method_steps": 44,
          "steps": 34, "responsible": 22, "period": 13, "monitoring": 20, "budget": 14, "target": 22}  # fmt: skip


def _numbered(lines):
    return "\n".join(f"{n}. {line}" for n, line in enumerate(lines or [], start=1))


def measure_cell(m, field, *, codes):
    """(value, kind) of one measure's cell: the PDF's cell as text."""
    if field == "title":
        text = (f"{m['number']} " if m.get("number") else "") + m["title"]
        if codes and m.get("items"):
            text += f"\n(ข้อ {', '.join(m['items'])})"
        return text, "text"
    if field == "items":
        return ", ".join(m.get("items") or []) or "–", "code"
    if field == "indicators":
        return "\n".join(m.get("indicator_labels") or []) or "–", "text"
    if field == "issue_area":
        return f"{m['issue_area']}. {m.get('issue_area_name', '')}", "text"
    if field == "method":
        return m.get("method") or "–", "text"
    if field == "method_steps":
        steps = steps_text(m.get("steps") or [])
        if not m.get("method"):  # only steps: no heading above them (seed 000's "- …" lines)
            return steps or "–", "text"
        return m["method"] + (f"\nขั้นตอนการดำเนินการ\n{steps}" if steps else ""), "text"
    if field == "steps":
        return steps_text(m.get("steps") or []) or "–", "text"
    if field == "responsible":
        who = m.get("who") or []
        return (_numbered(who) if len(who) > 1 else "".join(who)) or "–", "text"
    if field == "period":
        return m["period"], "text"
    if field == "budget":
        return (float(m["budget"]) if m.get("budget") not in (None, "") else None), "budget"
    return m.get(field) or "–", "text"


def measures_sheet(new, plan, organisation, year):
    """มาตรการ: the plan's columns in order under its group rows (a labelled list prints as a
    table of the same columns: a spreadsheet is a table)."""
    columns = plan["columns"]
    s = new("มาตรการ", [WIDTHS[c["field"]] for c in columns], landscape=True)
    s.title("มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน", f"{organisation['name']} ประจำปีงบประมาณ พ.ศ. {year}")
    if plan["status"] == "draft":
        s.title("ร่าง – ยังไม่ได้รับอนุมัติ")
    grouping = f"{plan['grouping']} " if plan.get("grouping") else ""
    s.text(f"ผลการวิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ (ITA) ประจำปีงบประมาณ "
           f"พ.ศ. {plan['analysis_year']} นำไปสู่การกำหนดมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงานของ"
           f"{organisation['name']} ประจำปีงบประมาณ พ.ศ. {year} จำนวน {plan['count']} มาตรการ {grouping}"
           f"ระยะเวลาดำเนินการ {plan['period']} ดังต่อไปนี้")  # fmt: skip
    s.gap()
    s.header(*(c["header"] for c in columns), repeat=True)
    for g in plan["groups"]:
        if g["label"]:
            s.group(g["label"])
        for m in g["measures"]:
            s.line(*(measure_cell(m, c["field"], codes=plan["codes_in_title"]) for c in columns))
    if plan["status"] == "approved":
        s.gap()
        s.text(f"มาตรการฉบับที่ {plan['revision']} ได้รับอนุมัติแล้ว · รหัสตรวจสอบเอกสาร (SHA-256) {plan['sha256'][:16]}")


def followup_sheet(new, round_, rows, organisation, year, analysis_year, groups=None):
    """ติดตามผล รอบ n: per measure what was done, status and percent, under the plan's
    follow-up grouping (issue area, indicator or none)."""
    s = new(f"ติดตามผล รอบ {round_['number']}", [10, 39, 18, 19, 25, 13, 9], landscape=True)
    s.title("รายงานผลการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใส " + round_["title"],
            f"{organisation['name']} ประจำปีงบประมาณ พ.ศ. {year}")  # fmt: skip
    s.text(f"ตามที่ {organisation['name']} ได้วิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ "
           f"(ITA) ประจำปีงบประมาณ พ.ศ. {analysis_year} และได้กำหนดมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน "
           f"ประจำปีงบประมาณ พ.ศ. {year} แล้วนั้น บัดนี้ได้ติดตามผลการดำเนินการตามมาตรการ{round_['title']} "
           f"(กำหนดรายงาน {round_['due']}) มีรายละเอียดดังนี้")  # fmt: skip
    s.gap()
    summary = round_["summary"]
    s.line(("กำหนดรายงาน", "text", 2), (round_["due"], "date", 1), bold=True)
    s.line(("มาตรการทั้งหมด", "text", 2), (summary["measures"], "int"))
    s.line(("ดำเนินการแล้วเสร็จ", "text", 2), (summary["done"], "int"))
    s.line(("ความก้าวหน้าเฉลี่ย (ร้อยละ)", "text", 2), (summary["mean_percent"], "score"))
    counts = {}
    for r in sorted(rows, key=lambda r: r["status"]):
        counts[r["status_label"]] = counts.get(r["status_label"], 0) + 1
    s.text(" · ".join(f"{label} {n} มาตรการ" for label, n in counts.items()))
    s.gap()
    s.header("ข้อ", "มาตรการและวิธีการดำเนินการ", "ผู้รับผิดชอบ", "การติดตามผล", "การดำเนินการ", "สถานะ", "ร้อยละ",
             repeat=True)  # fmt: skip
    if groups is None:  # contexts built before the grouping could be chosen
        groups = [{"label": f"{a}. {next(r['issue_area_name'] for r in rows if r['issue_area'] == a)}",
                   "rows": [r for r in rows if r["issue_area"] == a]} for a in sorted({r["issue_area"] for r in rows})]  # fmt: skip
    for g in groups:
        if g["label"]:
            s.group(g["label"])
        for r in g["rows"]:
            done = [r["done"] or "–"]
            if r["evidence"]:
                done.append("หลักฐาน\n" + "\n".join(f"- {e}" for e in r["evidence"]))
            if r["problems"]:
                done.append(f"ปัญหาอุปสรรค {r['problems']}")
            s.line((", ".join(r["items"]) or "–", "code"), (f"{r['title']}\n{r['method']}".strip(), "text"),
                   ("\n".join(r["responsible"]) or "–", "text"), (r["monitoring"] or "–", "text"),
                   ("\n".join(done), "text"), (r["status_label"], "text"), (r["percent"], "int"))  # fmt: skip
    for heading, body in (("ปัญหาและอุปสรรค", round_["problems"]), ("ข้อเสนอแนะ", round_["suggestions"])):
        s.heading(heading)
        s.paragraphs(body or "ไม่มี")
