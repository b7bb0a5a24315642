"""The first Thai draft of an indicator's narrative, for staff to edit (style of seed 000)."""

from __future__ import annotations

from ..thai import format_score, to_thai_digits
from .model import Framework, IndicatorResult


def draft_narrative(ind: IndicatorResult, framework: Framework, *, thai_digits: bool = True) -> str:
    """A first Thai draft for one indicator, in the style of seed 000, for staff to edit.

    What it measures (the framework's description), the score and its standing
    against the threshold, the change since last year, and the items that pulled
    it down.
    """
    if ind.score is None:
        return ""

    def num(value):
        return format_score(value, thai_digits=thai_digits)

    def digits(text):
        return to_thai_digits(text) if thai_digits else str(text)

    threshold = framework.strength_threshold
    head = f"ตัวชี้วัดที่ {digits(ind.number)} {ind.name}"
    if ind.item_range:
        head += f" (ข้อ {ind.item_range})"
    head += f" มีผลการประเมิน {num(ind.score)} คะแนน"
    if ind.score >= threshold:
        head += f" ผ่านเกณฑ์ {num(threshold)} คะแนน"
    else:
        head += f" ต่ำกว่าเกณฑ์ {num(threshold)} คะแนน เป็นจุดอ่อนที่ต้องแก้ไขโดยเร่งด่วน"
    if ind.change is not None:
        if ind.change > 0:
            head += f" เพิ่มขึ้นจากปีก่อน {num(ind.change)} คะแนน"
        elif ind.change < 0:
            head += f" ลดลงจากปีก่อน {num(-ind.change)} คะแนน"
        else:
            head += " เท่ากับปีก่อน"
    paragraphs = [head]
    if ind.description:
        paragraphs.append(ind.description)

    weak = ind.weak_items(threshold)
    if weak:
        if ind.tool == "oit":
            listed = " ".join(f"ข้อ {i.label} {i.title}" for i in weak)
            paragraphs.append(f"ข้อที่ยังไม่ได้คะแนนและต้องเผยแพร่ข้อมูลให้ครบถ้วน ได้แก่ {listed}")
        else:
            listed = " ".join(f"ข้อ {i.label} {i.title} ({num(i.score)} คะแนน)" for i in weak)
            paragraphs.append(f"ข้อที่มีคะแนนต่ำกว่าเกณฑ์และควรปรับปรุง ได้แก่ {listed}")
    gaps = [i for i in ind.items if i.gap is not None and abs(i.gap) >= framework.eit_gap_threshold]
    if gaps:
        listed = " ".join(
            f"ข้อ {i.label} (EIT Public {num(i.parts['public'])} / EIT Survey {num(i.parts['survey'])})" for i in gaps
        )
        paragraphs.append(f"ข้อที่ผลการประเมินสองส่วนแตกต่างกันมาก ได้แก่ {listed}")
    return "\n\n".join(paragraphs)
