"""Writes that span rows: recording scores, importing sheets, narratives, organisations.

Each function owns its transaction, locks the row it changes, checks the input and
raises a domain error with a Thai message, and writes a ChangeLog row.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction

from . import analysis
from .frameworks import framework_for
from .models import (
    Assessment,
    ChangeLog,
    IndicatorNarrative,
    Level,
    Recommendation,
    Score,
)
from .thai import ScoreError, normalise_text, parse_score, round2, to_arabic_digits


class ImportRefused(ValueError):
    """A file refused whole; ``errors`` lists (row number, reason) in Thai."""

    def __init__(self, errors, message="ไฟล์มีข้อผิดพลาด จึงไม่ได้บันทึกข้อมูลใด ๆ"):
        self.errors = list(errors)
        super().__init__(message)

    def lines(self):
        return [f"แถวที่ {row}: {reason}" if row else reason for row, reason in self.errors]


# --------------------------------------------------------------------------- #
# Analysis of a stored assessment
# --------------------------------------------------------------------------- #


def scores_of(assessment_ids):
    """{assessment id: {(level, key, part): value}} in one query."""
    result = {pk: {} for pk in assessment_ids}
    for row in Score.objects.filter(assessment_id__in=assessment_ids).values_list(
        "assessment_id", "level", "key", "part", "value"
    ):
        result[row[0]][(row[1], row[2], row[3])] = row[4]
    return result


def previous_assessment(assessment):
    return (
        Assessment.objects.filter(
            organisation_id=assessment.organisation_id, fiscal_year__year__lt=assessment.fiscal_year.year
        )
        .select_related("fiscal_year")
        .order_by("-fiscal_year__year")
        .first()
    )


def has_scores(assessment):
    """Whether an assessment (or None) holds any score: what analysis and reports need."""
    return assessment is not None and assessment.scores.exists()


def scored_assessment(organisation, fiscal_year):
    """The organisation's assessment of the year when it holds scores, else None."""
    assessment = Assessment.objects.filter(organisation=organisation, fiscal_year=fiscal_year).first()
    return assessment if has_scores(assessment) else None


def analyse_assessment(assessment, *, with_previous=True):
    """The analysis of a stored assessment, compared with the organisation's previous one.

    Uses a fixed number of queries whatever the number of items and years.
    """
    previous = previous_assessment(assessment) if with_previous else None
    ids = [assessment.pk] + ([previous.pk] if previous else [])
    scores = scores_of(ids)
    previous_analysis = None
    thai_digits = assessment.organisation.use_thai_digits
    if previous is not None:
        previous_analysis = analysis.compute(
            framework_for(previous.fiscal_year), scores[previous.pk], thai_digits=thai_digits
        )
    narratives = dict(assessment.narratives.values_list("indicator_number", "text"))
    return analysis.compute(
        framework_for(assessment.fiscal_year),
        scores[assessment.pk],
        previous=previous_analysis,
        narratives=narratives,
        thai_digits=thai_digits,
    )


def refresh_summaries(year):
    """Recompute the derived summary of every assessment of a year; returns how many."""
    count = 0
    for assessment in Assessment.objects.filter(fiscal_year__year=year).select_related("fiscal_year"):
        with transaction.atomic():
            _refresh_summary(Assessment.objects.select_for_update().select_related("fiscal_year").get(pk=assessment.pk))
        count += 1
    return count


def _refresh_summary(assessment, framework=None):
    framework = framework or framework_for(assessment.fiscal_year)
    result = analysis.compute(framework, scores_of([assessment.pk])[assessment.pk])
    assessment.total_score = round2(result.total.score)
    assessment.mismatch_count = len(result.mismatches)
    assessment.tool_scores, assessment.indicator_scores = summary_scores(result)
    assessment.save(update_fields=["total_score", "mismatch_count", "tool_scores", "indicator_scores", "updated_at"])


def summary_scores(result):
    """({tool code: score}, {"ind<number>": score}) of an analysis, as stored on Assessment.

    Indicator keys are not bare numbers: a JSON path reads "1" as an array index."""
    tools = {t.code: float(round2(t.figure.score)) for t in result.tools if t.figure.score is not None}
    indicators = {f"ind{i.number}": float(round2(i.score)) for i in result.indicators if i.score is not None}
    return tools, indicators


# --------------------------------------------------------------------------- #
# Recording scores
# --------------------------------------------------------------------------- #


def get_or_create_assessment(organisation, fiscal_year):
    assessment, _ = Assessment.objects.get_or_create(organisation=organisation, fiscal_year=fiscal_year)
    return assessment


def record_scores(organisation, *, fiscal_year, values, by, source="form", framework=None):
    """Store published figures exactly as entered; a None value removes that figure.

    ``values`` maps (level, key, part) to a Decimal or None. Returns the number of
    figures added, changed and removed. Every change is logged with old and new value.
    """
    with transaction.atomic():
        assessment = get_or_create_assessment(organisation, fiscal_year)
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        existing = {(s.level, s.key, s.part): s for s in assessment.scores.all()}
        added, changed, removed = [], [], []
        to_create, to_update = [], []
        for key, value in values.items():
            current = existing.get(key)
            if value is None:
                if current is not None:
                    removed.append((key, current.value))
                    current.delete()
                continue
            if current is None:
                to_create.append(
                    Score(assessment=assessment, level=key[0], key=key[1], part=key[2], value=value, updated_by=by)
                )
                added.append((key, value))
            elif current.value != value:
                changed.append((key, current.value, value))
                current.value = value
                current.updated_by = by
                to_update.append(current)
        Score.objects.bulk_create(to_create)
        if to_update:
            Score.objects.bulk_update(to_update, ["value", "updated_by", "updated_at"])
        if added or changed or removed:
            ChangeLog.objects.create(
                user=by,
                organisation=organisation,
                action=f"scores.{source}",
                summary=(f"บันทึกคะแนนปี {fiscal_year.year}: เพิ่ม {len(added)} แก้ไข {len(changed)} ลบ {len(removed)}"),
                details={
                    "year": fiscal_year.year,
                    "added": [[*k, str(v)] for k, v in added],
                    "changed": [[*k, str(old), str(new)] for k, old, new in changed],
                    "removed": [[*k, str(v)] for k, v in removed],
                },
            )
        _refresh_summary(assessment, framework)
    return {"added": len(added), "changed": len(changed), "removed": len(removed)}


def save_narrative(assessment, *, indicator_number, text, by):
    """Keep staff's edited narrative for one indicator; an empty text returns to the draft."""
    text = (text or "").strip()
    with transaction.atomic():
        if not text:
            IndicatorNarrative.objects.filter(assessment=assessment, indicator_number=indicator_number).delete()
        else:
            IndicatorNarrative.objects.update_or_create(
                assessment=assessment,
                indicator_number=indicator_number,
                defaults={"text": text, "updated_by": by},
            )
        ChangeLog.objects.create(
            user=by,
            organisation=assessment.organisation,
            action="narrative.save" if text else "narrative.reset",
            summary=f"คำอธิบายตัวชี้วัดที่ {indicator_number} ปี {assessment.fiscal_year.year}",
            details={"year": assessment.fiscal_year.year, "indicator": indicator_number},
        )


def add_recommendation(assessment, *, text, tool="", part="", item_codes="", by):
    """Store one assessor's recommendation as entered (copied from the official result)."""
    text = (text or "").strip()
    if not text:
        raise ValueError("กรุณากรอกข้อเสนอแนะ")
    with transaction.atomic():
        order = assessment.recommendations.count() + 1
        rec = Recommendation.objects.create(
            assessment=assessment, text=text, tool=tool, part=part, item_codes=item_codes, order=order
        )
        ChangeLog.objects.create(
            user=by,
            organisation=assessment.organisation,
            action="recommendation.add",
            summary=f"เพิ่มข้อเสนอแนะของผู้ตรวจประเมินปี {assessment.fiscal_year.year}",
            details={"year": assessment.fiscal_year.year, "id": rec.pk},
        )
    return rec


# --------------------------------------------------------------------------- #
# Score sheets (CSV / XLSX)
# --------------------------------------------------------------------------- #

HEADER_ALIASES = {
    "code": "code",
    "รหัส": "code",
    "score": "score",
    "คะแนน": "score",
    "value": "score",
    "part": "part",
    "ส่วน": "part",
}
PART_ALIASES = {"": "", "public": "public", "survey": "survey", "eit public": "public", "eit survey": "survey"}


@dataclass
class ParsedRow:
    row: int
    code: str
    level: str
    key: str
    part: str
    value: object
    label: str


@dataclass
class ParsedSheet:
    rows: list = field(default_factory=list)

    def values(self):
        return {(r.level, r.key, r.part): r.value for r in self.rows}


def read_table(fileobj, filename):
    """Rows of a CSV or XLSX file as lists of cell values (first row = header)."""
    name = (filename or "").lower()
    data = fileobj.read()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:
            raise ImportRefused([(None, f"อ่านไฟล์ Excel ไม่ได้ ({exc.__class__.__name__})")]) from exc
        ws = wb.worksheets[0]
        return [list(r) for r in ws.iter_rows(values_only=True)]
    if name and not name.endswith((".csv", ".txt")):
        raise ImportRefused([(None, "รองรับเฉพาะไฟล์ .csv และ .xlsx")])
    for encoding in ("utf-8-sig", "cp874"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRefused([(None, "อ่านไฟล์ CSV ไม่ได้: ต้องเป็น UTF-8 หรือ TIS-620/Windows-874")])
    return list(csv.reader(io.StringIO(text)))


def resolve_code(raw_code, raw_part, framework, allowed=None):
    """Map a sheet code (+ part) to (level, key, part, label); raise ValueError with a Thai reason.

    ``allowed`` is ``framework.indicator_codes()``, passed in when resolving many rows.
    """
    code = to_arabic_digits(normalise_text(raw_code)).lower().replace(" ", "")
    part = PART_ALIASES.get(normalise_text(raw_part).lower())
    if part is None:
        raise ValueError(f"ส่วน “{raw_part}” ต้องเป็น public หรือ survey")
    if not code:
        raise ValueError("ไม่มีรหัส")
    if "." in code and code.split(".")[0] in {t.code for t in framework.tools}:
        tool_code, _, code_part = code.partition(".")
        if part and part != code_part:
            raise ValueError(f"รหัส {raw_code} ขัดกับคอลัมน์ส่วน “{raw_part}”")
        code, part = tool_code, code_part
    allowed = allowed if allowed is not None else framework.indicator_codes()
    if code == "total":
        level, key, label = Level.TOTAL, "total", "คะแนนรวม"
    elif code in {t.code for t in framework.tools}:
        level, key, label = Level.TOOL, code, code.upper()
    elif code.startswith("ind"):
        rest = code[3:]
        if "." in rest:
            level, key, label = Level.SUBINDICATOR, rest, f"ตัวชี้วัดย่อย {rest}"
        else:
            level, key, label = Level.INDICATOR, rest, f"ตัวชี้วัดที่ {rest}"
    else:
        level, key, label = Level.ITEM, code, f"ข้อ {raw_code}"
    if (level, key) not in allowed:
        raise ValueError(f"ไม่รู้จักรหัส “{raw_code}” ในกรอบการประเมินปี {framework.year}")
    if part and part not in allowed[(level, key)]:
        if any(t.parts for t in framework.tools):
            raise ValueError(f"{label} ไม่แยกคะแนนเป็นส่วน EIT Public/Survey (แยกเฉพาะ EIT)")
        raise ValueError(f"{label} ไม่มีการแยกส่วน EIT Public/Survey ในปี {framework.year}")
    return level, key, part, label


def parse_score_sheet(table, framework):
    """Check every row of a score sheet; all-or-nothing.

    Returns a ParsedSheet when every row is good; otherwise raises ImportRefused
    naming each bad row by its spreadsheet row number (the header is row 1).
    """
    if not table:
        raise ImportRefused([(None, "ไฟล์ว่าง ไม่มีข้อมูล")])
    header = [HEADER_ALIASES.get(normalise_text(h).lower(), normalise_text(h).lower()) for h in table[0]]
    if "code" not in header or "score" not in header:
        raise ImportRefused([(1, "แถวหัวตารางต้องมีคอลัมน์ code และ score (และ part ถ้ามี)")])
    col = {name: header.index(name) for name in ("code", "score", "part") if name in header}
    errors, rows, seen = [], [], {}
    allowed = framework.indicator_codes()

    def cell(values, name):
        i = col.get(name)
        if i is None or i >= len(values) or values[i] is None:
            return ""
        return values[i]

    for number, values in enumerate(table[1:], start=2):
        if values is None or all(v in (None, "") or str(v).strip() == "" for v in values):
            continue
        raw_code, raw_score, raw_part = cell(values, "code"), cell(values, "score"), cell(values, "part")
        try:
            level, key, part, label = resolve_code(str(raw_code), str(raw_part), framework, allowed)
        except ValueError as exc:
            errors.append((number, str(exc)))
            continue
        try:
            value = parse_score(raw_score)
        except ScoreError as exc:
            errors.append((number, f"{label}: {exc}"))
            continue
        if value is None:
            errors.append((number, f"{label}: ไม่มีคะแนน"))
            continue
        if (level, key, part) in seen:
            errors.append((number, f"{label}{' ' + part if part else ''} ซ้ำกับแถวที่ {seen[(level, key, part)]}"))
            continue
        seen[(level, key, part)] = number
        rows.append(ParsedRow(number, str(raw_code), level, key, part, value, label))
    if errors:
        raise ImportRefused(errors)
    if not rows:
        raise ImportRefused([(None, "ไม่มีแถวคะแนนในไฟล์")])
    return ParsedSheet(rows)


def import_scores(organisation, *, fiscal_year, fileobj, filename, by, dry_run=False):
    """Import a score sheet for one organisation and year: every row good, or nothing saved."""
    framework = framework_for(fiscal_year)
    sheet = parse_score_sheet(read_table(fileobj, filename), framework)
    if dry_run:
        return sheet, None
    counts = record_scores(
        organisation, fiscal_year=fiscal_year, values=sheet.values(), by=by, source="import", framework=framework
    )
    return sheet, counts


# --------------------------------------------------------------------------- #
# Organisations
# --------------------------------------------------------------------------- #


def import_organisations(table, *, by=None, dry_run=False):
    """Create or update organisations from rows code,name,type,province,district[,parent] (all or nothing).

    The one validator and writer shared with the admin's import is assessments/onboarding.py."""
    from .onboarding import import_organisations as run

    return run(table, by=by, dry_run=dry_run)
