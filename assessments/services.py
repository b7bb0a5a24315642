"""Writes that span rows: recording scores, importing sheets, narratives, organisations.

Each function owns its transaction, locks the row it changes, checks the input and
raises a domain error with a Thai message, and writes a ChangeLog row.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from . import analysis, sheets
from .codes import PREFIXES, normalise_item_code
from .frameworks import edition_of, framework_for, status_tiers
from .models import (
    Assessment,
    ChangeLog,
    FiscalYear,
    IndicatorNarrative,
    Level,
    Part,
    Recommendation,
    Score,
)
from .sheets import BadCell, ImportRefused
from .thai import ScoreError, clip, normalise_text, parse_score, round2, to_arabic_digits

__all__ = ["ImportRefused"]  # re-exported: callers catch services.ImportRefused


# --------------------------------------------------------------------------- #
# Analysis of a stored assessment
# --------------------------------------------------------------------------- #


def fiscal_year_dates(year: int) -> tuple[date, date]:
    """1 October of N-1 to 30 September of N (B.E. year N)."""
    return date(year - 544, 10, 1), date(year - 543, 9, 30)


def plan_fiscal_year(year: int):
    """The fiscal year a plan for ``year`` belongs to, or None when no plan can be made for it.

    A plan needs only an analysed year before it: the year may have no framework yet (a
    year NACC has not published), and its row is created with its dates when missing, as
    long as the year before it has a framework."""
    fiscal_year = FiscalYear.objects.filter(year=year).first()
    if fiscal_year is not None:
        return fiscal_year
    if not FiscalYear.objects.with_framework().filter(year=year - 1).exists():
        return None
    start, end = fiscal_year_dates(year)
    fiscal_year, _ = FiscalYear.objects.get_or_create(year=year, defaults={"start": start, "end": end})
    return fiscal_year


def edition_for(organisation, fiscal_year):
    """The organisation's edition of the year: the one its scores answer, else its scheme's.

    Raises frameworks.NoEdition when the year has no edition for the organisation's scheme."""
    assessment = (
        Assessment.objects.filter(organisation=organisation, fiscal_year=fiscal_year).select_related("edition").first()
    )
    if assessment is not None:
        return assessment.edition
    return edition_of(fiscal_year, organisation.scheme)


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
        .select_related("fiscal_year", "edition__fiscal_year")
        .order_by("-fiscal_year__year")
        .first()
    )


def has_scores(assessment):
    """Whether an assessment (or None) holds any score: what analysis and reports need."""
    if assessment is None:
        return False
    known = getattr(assessment, "holds_scores", None)  # annotated by ita_portal.access.access_assessment
    return known if known is not None else assessment.scores.exists()


def scored_assessment(organisation, fiscal_year):
    """The organisation's assessment of the year when it holds scores, else None."""
    assessment = Assessment.objects.filter(organisation=organisation, fiscal_year=fiscal_year).first()
    return assessment if has_scores(assessment) else None


def analyse_assessment(assessment, *, with_previous=True, loaded=None):
    """The analysis of a stored assessment, compared with the organisation's previous one.

    Uses a fixed number of queries whatever the number of items and years. ``loaded``, a
    dict, receives the previous assessment and the scores read ({"previous": …, "scores":
    {assessment id: …}}) for a caller that needs them again (the analysis page's item changes).
    """
    previous = previous_assessment(assessment) if with_previous else None
    ids = [assessment.pk] + ([previous.pk] if previous else [])
    scores = scores_of(ids)
    if loaded is not None:
        loaded.update(previous=previous, scores=scores)
    previous_analysis = None
    thai_digits = assessment.organisation.use_thai_digits
    if previous is not None:
        previous_analysis = analysis.compute(
            framework_for(previous.edition), scores[previous.pk], thai_digits=thai_digits
        )
    narratives = dict(assessment.narratives.values_list("indicator_number", "text"))
    return analysis.compute(
        framework_for(assessment.edition),
        scores[assessment.pk],
        previous=previous_analysis,
        narratives=narratives,
        thai_digits=thai_digits,
        status_tiers=status_tiers(assessment.organisation.status_tiers) or None,
    )


def refresh_summaries(year):
    """Recompute the derived summary of every assessment of a year; returns how many."""
    count = 0
    for assessment in Assessment.objects.filter(fiscal_year__year=year).select_related("fiscal_year"):
        with transaction.atomic():
            _refresh_summary(
                Assessment.objects.select_for_update().select_related("fiscal_year", "edition").get(pk=assessment.pk)
            )
        count += 1
    return count


def _refresh_summary(assessment, framework=None, scores=None, *, save=True):
    """Store the assessment's totals; ``scores`` (what was just written) saves reading them back.
    ``save=False`` only sets them (an assessment about to be created with them)."""
    framework = framework or framework_for(assessment.edition)
    if scores is None:
        scores = scores_of([assessment.pk])[assessment.pk]
    result = analysis.compute(framework, scores, with_narratives=False)
    assessment.total_score = round2(result.total.score)
    assessment.mismatch_count = len(result.mismatches)
    assessment.tool_scores, assessment.indicator_scores = summary_scores(result)
    if save:
        assessment.save(
            update_fields=["total_score", "mismatch_count", "tool_scores", "indicator_scores", "updated_at"]
        )


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
    """The organisation's assessment of the year; a new one answers its scheme's edition."""
    assessment = Assessment.objects.filter(organisation=organisation, fiscal_year=fiscal_year).first()
    if assessment is None:
        assessment, _ = Assessment.objects.get_or_create(
            organisation=organisation,
            fiscal_year=fiscal_year,
            defaults={"edition": edition_of(fiscal_year, organisation.scheme)},
        )
    return assessment


class EditConflict(ValueError):
    """Someone else saved after the form was opened; the Thai message says what is there now.
    Nothing was saved; the form keeps what was typed. ``current``: for scores, the figures
    now stored in the refused slots."""

    def __init__(self, message, *, current=None):
        super().__init__(message)
        self.current = current or {}


def _by_name(user):
    return (user.get_full_name() or user.username) if user else "ผู้อื่น"


def record_scores(
    organisation, *, fiscal_year, values, by, source="form", framework=None, expected=None, edition=None, new=False
):
    """Store published figures exactly as entered; a None value removes that figure.

    ``values`` maps (level, key, part) to a Decimal or None. Returns the number of
    figures added, changed and removed. Every change is logged with old and new value.
    ``expected`` maps slots to the figure the form was opened with: when any of them is no
    longer stored, someone else changed it since and nothing is saved (EditConflict).
    ``edition``: the one a new assessment answers, when the caller has it already; ``new``:
    the caller has just seen no assessment of the year (the import's edition lookup), so it
    is created with its summary at once (if a parallel save made one since, it is read).
    """
    with transaction.atomic():
        assessment, created = _locked_assessment(
            organisation, fiscal_year, edition, values=values if new and not expected else None, framework=framework
        )
        existing = (
            {} if created else {(s.level, s.key, s.part): s for s in assessment.scores.select_related("updated_by")}
        )
        stale = [
            (key, existing.get(key))
            for key, loaded in (expected or {}).items()
            if (existing[key].value if key in existing else None) != loaded
        ]
        if stale:
            shown = "; ".join(
                f"{Level(key[0]).label}{'' if key[0] == Level.TOTAL else ' ' + key[1]}"
                f"{' ' + Part(key[2]).label if key[2] else ''}: ตอนนี้ "
                f"{'ว่าง' if score is None else f'{score.value:.2f} (โดย {_by_name(score.updated_by)})'}"
                for key, score in stale
            )
            raise EditConflict(
                f"คะแนนบางช่องถูกแก้ไขโดยผู้อื่นหลังจากที่ท่านเปิดหน้านี้ จึงยังไม่ได้บันทึก (ข้อมูลที่กรอกยังอยู่ครบ): {shown} "
                "ตรวจสอบแล้วหากต้องการบันทึกค่าของท่านแทน กดบันทึกอีกครั้ง",
                current={key: score.value if score else None for key, score in stale},
            )
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
                to_create.append((key, value))
                added.append((key, value))
            elif current.value != value:
                changed.append((key, current.value, value))
                current.value = value
                current.updated_by = by
                to_update.append(current)
        write_new_scores(assessment, to_create, by)
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
        # The summary from what is stored now, known here without reading it back.
        stored = {key: score.value for key, score in existing.items()}
        stored.update((key, value) for key, value in values.items() if value is not None)
        for key, value in values.items():
            if value is None:
                stored.pop(key, None)
        if not (created and getattr(assessment, "summary_stored", False)):
            _refresh_summary(assessment, framework, scores=stored)
    return {"added": len(added), "changed": len(changed), "removed": len(removed)}


def write_new_scores(assessment, rows: list[tuple[tuple, Decimal]], by) -> None:
    """INSERT the assessment's new scores, ``[((level, key, part), value)]``: COPY on
    PostgreSQL (a sheet's 100 rows as one INSERT cost more to compile than to store; no
    model instance built per row), bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        Score.objects.bulk_create(
            Score(assessment=assessment, level=k[0], key=k[1], part=k[2], value=v, updated_by=by) for k, v in rows
        )
        return
    user_id = by.pk if by else None
    copy_score_rows((assessment.pk, k[0], k[1], k[2], v, user_id) for k, v in rows)


def copy_score_rows(rows, now=None) -> None:
    """COPY (assessment id, level, key, part, value, updated_by id) rows into the score table (PostgreSQL)."""
    now = now or timezone.now()
    columns = "assessment_id, level, key, part, value, updated_at, updated_by_id"
    with connection.cursor() as cursor, cursor.copy(f"COPY {Score._meta.db_table} ({columns}) FROM STDIN") as copy:
        for assessment_id, level, key, part, value, user_id in rows:
            copy.write_row((assessment_id, level, key, part, value, now, user_id))


def _locked_assessment(organisation, fiscal_year, edition=None, *, values=None, framework=None):
    """(the organisation's assessment of the year, locked for this transaction; created now?).

    ``values``: the caller has just seen none, so it is inserted straight away (no locking
    read first) with the summary of these values (no UPDATE after); ``summary_stored`` is
    then set on it."""
    locked = Assessment.objects.select_for_update(of=("self",)).select_related("edition")
    if values is None:
        assessment = locked.filter(organisation=organisation, fiscal_year=fiscal_year).first()
        if assessment is not None:
            return assessment, False
    try:
        with transaction.atomic():  # a savepoint: a parallel first save may win the unique constraint
            edition = edition or edition_of(fiscal_year, organisation.scheme)
            assessment = Assessment(organisation=organisation, fiscal_year=fiscal_year, edition=edition)
            if values is not None:
                stored = {key: value for key, value in values.items() if value is not None}
                _refresh_summary(assessment, framework or framework_for(edition), scores=stored, save=False)
                assessment.summary_stored = True
            assessment.save(force_insert=True)
            return assessment, True
    except IntegrityError:
        return locked.get(organisation=organisation, fiscal_year=fiscal_year), False


def narrative_token(narrative):
    """The version of a saved narrative a form is based on ("" for the system's draft)."""
    return narrative.updated_at.isoformat() if narrative is not None else ""


def save_narrative(assessment, *, indicator_number, text, by, based_on=None):
    """Keep staff's edited narrative for one indicator; an empty text returns to the draft.
    ``based_on`` is the narrative_token the form was opened with: a narrative saved by
    someone else since is not overwritten (EditConflict, with the text now saved).
    Logged old → new, and only when the text really changed."""
    text = (text or "").strip()
    with transaction.atomic():
        Assessment.objects.select_for_update().get(pk=assessment.pk)  # one writer at a time
        current = (
            IndicatorNarrative.objects.filter(assessment=assessment, indicator_number=indicator_number)
            .select_related("updated_by")
            .first()
        )
        if based_on is not None and narrative_token(current) != based_on:
            now = f"“{current.text}” (โดย {_by_name(current.updated_by)})" if current else "ร่างที่ระบบสร้าง"
            raise EditConflict(
                f"คำอธิบายตัวชี้วัดที่ {indicator_number} ถูกแก้ไขโดยผู้อื่นหลังจากที่ท่านเปิดหน้านี้ จึงยังไม่ได้บันทึก "
                f"(ข้อความที่ท่านพิมพ์ยังอยู่ครบ) ตอนนี้เป็น: {now} ตรวจสอบแล้วหากต้องการบันทึกข้อความของท่านแทน กดบันทึกอีกครั้ง"
            )
        old = current.text if current else ""
        if old == text:
            return
        if not text:
            current.delete()
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
            details={"year": assessment.fiscal_year.year, "indicator": indicator_number, "old": old, "new": text},
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


def read_table(fileobj, filename, *, limits=sheets.DEFAULT_LIMITS):
    """Rows of a CSV or XLSX file as lists of cell values (first row = header), read within
    ``limits`` by :mod:`assessments.sheets`; a hostile file raises ImportRefused."""
    return sheets.read_table(fileobj, filename, limits=limits)


def resolve_code(raw_code, raw_part, framework, allowed=None, shape=None):
    """Map a sheet code (+ part) to (level, key, part, label); raise ValueError with a Thai reason.

    ``allowed`` is ``framework.indicator_codes()`` and ``shape`` is ``code_shape(framework,
    allowed)``, passed in when resolving many rows (a sheet's hundred rows rebuilt both sets
    on every row).
    """
    code = to_arabic_digits(normalise_text(raw_code)).lower().replace(" ", "")
    part = PART_ALIASES.get(normalise_text(raw_part).lower())
    raw_code, raw_part = clip(raw_code), clip(raw_part)
    if part is None:
        raise ValueError(f"ส่วน “{raw_part}” ต้องเป็น public หรือ survey")
    if not code:
        raise ValueError("ไม่มีรหัส")
    allowed = allowed if allowed is not None else framework.indicator_codes()
    tools, prefixes = shape or code_shape(framework, allowed)
    if "." in code and code.split(".")[0] in tools:
        tool_code, _, code_part = code.partition(".")
        if part and part != code_part:
            raise ValueError(f"รหัส {raw_code} ขัดกับคอลัมน์ส่วน “{raw_part}”")
        code, part = tool_code, code_part
    if code == "total":
        level, key, label = Level.TOTAL, "total", "คะแนนรวม"
    elif code in tools:
        level, key, label = Level.TOOL, code, code.upper()
    elif code.startswith("ind"):
        rest = code[3:]
        if "." in rest:
            level, key, label = Level.SUBINDICATOR, rest, f"ตัวชี้วัดย่อย {rest}"
        else:
            level, key, label = Level.INDICATOR, rest, f"ตัวชี้วัดที่ {rest}"
    else:
        code = normalise_item_code(raw_code, prefixes) or code
        level, key, label = Level.ITEM, code, f"ข้อ {raw_code}"
    if (level, key) not in allowed:
        raise ValueError(f"ไม่รู้จักรหัส “{raw_code}” ในกรอบการประเมินปี {framework.year} ฉบับ {framework.edition_name}")
    if part and part not in allowed[(level, key)]:
        if any(t.parts for t in framework.tools):
            raise ValueError(f"{label} ไม่แยกคะแนนเป็นส่วน EIT Public/Survey (แยกเฉพาะ EIT)")
        raise ValueError(f"{label} ไม่มีการแยกส่วน EIT Public/Survey ในปี {framework.year}")
    return level, key, part, label


def code_shape(framework, allowed) -> tuple[frozenset, frozenset]:
    """(the framework's tool codes, the letters its item codes start with) for resolve_code."""
    tools = frozenset(t.code for t in framework.tools)
    return tools, frozenset(k[:1] for lvl, k in allowed if lvl == Level.ITEM) or PREFIXES


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
    shape = code_shape(framework, allowed)

    def cell(values, name):
        i = col.get(name)
        if i is None or i >= len(values) or values[i] is None:
            return ""
        return values[i]

    for number, values in enumerate(table[1:], start=2):
        if values is None or all(v in (None, "") or str(v).strip() == "" for v in values):
            continue
        raw_code, raw_score, raw_part = cell(values, "code"), cell(values, "score"), cell(values, "part")
        bad = next((v for v in (raw_code, raw_score, raw_part) if isinstance(v, BadCell)), None)
        if bad is not None:
            errors.append((number, bad.reason))
            continue
        try:
            level, key, part, label = resolve_code(str(raw_code), str(raw_part), framework, allowed, shape)
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


def read_score_sheet(fileobj, filename, framework, *, sheet=None):
    """Read and check an uploaded score sheet (the active visible sheet, or ``sheet``) within
    the score sheet's bounds; the web preview and the command line both come through here."""
    table = sheets.read_table(fileobj, filename, sheet=sheet or None, limits=sheets.SCORE_LIMITS)
    return parse_score_sheet(table, framework)


def import_scores(organisation, *, fiscal_year, fileobj, filename, by, dry_run=False, sheet=None):
    """Import a score sheet for one organisation and year: every row good, or nothing saved."""
    existing = (
        Assessment.objects.filter(organisation=organisation, fiscal_year=fiscal_year).select_related("edition").first()
    )
    edition = existing.edition if existing is not None else edition_of(fiscal_year, organisation.scheme)  # edition_for
    framework = framework_for(edition)
    sheet = read_score_sheet(fileobj, filename, framework, sheet=sheet)
    if dry_run:
        return sheet, None
    counts = record_scores(
        organisation, fiscal_year=fiscal_year, values=sheet.values(), by=by, source="import", framework=framework,
        edition=edition, new=existing is None,
    )  # fmt: skip
    return sheet, counts


# --------------------------------------------------------------------------- #
# Organisations
# --------------------------------------------------------------------------- #


def import_organisations(table, *, by=None, dry_run=False):
    """Create or update organisations from rows code,name,type,province,district[,parent] (all or nothing).

    The one validator and writer shared with the admin's import is assessments/onboarding.py."""
    from .onboarding import import_organisations as run

    return run(table, by=by, dry_run=dry_run)
