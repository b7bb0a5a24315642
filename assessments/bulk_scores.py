"""Whole-country score loads: many organisations' sheets for one year in one transaction.

One CSV with the columns ``org,code,score,part`` (``org`` the organisation's code; the
other columns as in a one-organisation score sheet). Every organisation's rows are checked
exactly as ``import_scores`` checks a sheet (``parse_score_sheet``, against the edition the
organisation answers); any bad row refuses the whole file, each named by its line. Then, in
one transaction, the file's organisations' scores of the year are replaced by the file's:
their assessments created in bulk where missing, their old scores deleted, the new ones
written with COPY on PostgreSQL (``bulk_create`` elsewhere), each summary (total, tools,
indicators) computed from the rows in memory and stored with one ``bulk_update``, and one
change-log line per organisation. Organisations not in the file are not touched.
"""

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from . import analysis
from .frameworks import NoEdition, edition_of, framework_for
from .models import Assessment, ChangeLog, FiscalYear, Organisation, Score
from .services import copy_score_rows, parse_score_sheet, summary_scores
from .sheets import ImportRefused
from .thai import normalise_text, round2

COLUMNS = ("org", "code", "score", "part")


@dataclass
class LoadResult:
    organisations: int
    rows: int
    created_assessments: int
    replaced_scores: int


def read_rows(fileobj) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, [(line number, cells)]) of a UTF-8 CSV (a BOM is allowed)."""
    text = io.TextIOWrapper(fileobj, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        header = [normalise_text(h).lower() for h in next(reader)]
    except StopIteration:
        raise ImportRefused([(None, "ไฟล์ว่าง ไม่มีข้อมูล")]) from None
    except UnicodeDecodeError:
        raise ImportRefused([(None, "อ่านไฟล์ไม่ได้: ต้องเป็น CSV แบบ UTF-8")]) from None
    try:
        rows = [(number, cells) for number, cells in enumerate(reader, start=2)]
    except UnicodeDecodeError:
        raise ImportRefused([(None, "อ่านไฟล์ไม่ได้: ต้องเป็น CSV แบบ UTF-8")]) from None
    return header, rows


def load_scores(fileobj, *, fiscal_year: FiscalYear, by=None, dry_run: bool = False) -> LoadResult:
    """Check then store a whole file of many organisations' scores for one year: all or nothing."""
    header, rows = read_rows(fileobj)
    if "org" not in header or "code" not in header or "score" not in header:
        raise ImportRefused([(1, "แถวหัวตารางต้องมีคอลัมน์ org, code และ score (และ part ถ้ามี)")])
    col = {name: header.index(name) for name in COLUMNS if name in header}
    by_org: dict[str, list[tuple[int, list[str]]]] = defaultdict(list)
    errors = []
    for number, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        code = normalise_text(cells[col["org"]]) if col["org"] < len(cells) else ""
        if not code:
            errors.append((number, "ไม่มีรหัสหน่วยงาน (คอลัมน์ org)"))
            continue
        by_org[code].append((number, [cells[col[n]] if n in col and col[n] < len(cells) else "" for n in COLUMNS[1:]]))
    organisations = {o.code: o for o in Organisation.objects.filter(code__in=list(by_org))}
    for code in by_org.keys() - organisations.keys():
        errors.append((by_org[code][0][0], f"ไม่พบหน่วยงานรหัส “{code}” ในระบบ"))
    existing = {
        a.organisation_id: a
        for a in Assessment.objects.filter(fiscal_year=fiscal_year, organisation__in=organisations.values())
    }
    editions, parsed = {}, {}
    for code, org_rows in by_org.items():
        org = organisations.get(code)
        if org is None:
            continue
        edition = existing[org.pk].edition if org.pk in existing else None
        if edition is None:
            if org.scheme not in editions:
                try:
                    editions[org.scheme] = edition_of(fiscal_year, org.scheme)
                except NoEdition as exc:
                    editions[org.scheme] = exc
            edition = editions[org.scheme]
            if isinstance(edition, NoEdition):
                errors.append((org_rows[0][0], f"{code}: {edition}"))
                continue
        framework = framework_for(edition)
        table = [["code", "score", "part"]] + [cells for _number, cells in org_rows]
        try:
            parsed[code] = (org, edition, framework, parse_score_sheet(table, framework))
        except ImportRefused as exc:  # the sheet's row n is the file's line org_rows[n - 2]
            errors += [(org_rows[n - 2][0] if n and n >= 2 else None, f"{code}: {why}") for n, why in exc.errors]
    if errors:
        raise ImportRefused(sorted(errors, key=lambda e: e[0] or 0))
    total_rows = sum(len(p[3].rows) for p in parsed.values())
    if dry_run:
        return LoadResult(len(parsed), total_rows, 0, 0)
    return _store(parsed, existing, fiscal_year=fiscal_year, by=by, total_rows=total_rows)


def _store(parsed, existing, *, fiscal_year, by, total_rows) -> LoadResult:
    from supervision.cache import bump, bump_steady

    now = timezone.now()
    with transaction.atomic():
        new = [
            Assessment(organisation=org, fiscal_year=fiscal_year, edition=edition)
            for org, edition, _f, _s in parsed.values()
            if org.pk not in existing
        ]
        Assessment.objects.bulk_create(new, batch_size=2000)
        if connection.vendor != "postgresql" or any(a.pk is None for a in new):
            new = list(
                Assessment.objects.filter(fiscal_year=fiscal_year, organisation__in=[a.organisation for a in new])
            )
        assessments = {**existing, **{a.organisation_id: a for a in new}}
        replaced, _ = Score.objects.filter(assessment__in=list(existing.values())).delete()
        user_id = by.pk if by else None
        score_rows = (
            (assessments[org.pk].pk, r.level, r.key, r.part, r.value, user_id)
            for org, _e, _f, sheet in parsed.values()
            for r in sheet.rows
        )
        if connection.vendor == "postgresql":
            copy_score_rows(score_rows, now)
        else:
            Score.objects.bulk_create(
                [
                    Score(assessment_id=a, level=lv, key=k, part=p, value=v, updated_by_id=u)
                    for a, lv, k, p, v, u in score_rows
                ],
                batch_size=2000,
            )
        changed, logs = [], []
        for org, _edition, framework, sheet in parsed.values():
            assessment = assessments[org.pk]
            result = analysis.summarise(framework, sheet.values())
            assessment.total_score = round2(result.total.score)
            assessment.mismatch_count = len(result.mismatches)
            assessment.tool_scores, assessment.indicator_scores = summary_scores(result)
            assessment.updated_at = now
            changed.append(assessment)
            logs.append(
                ChangeLog(
                    user=by,
                    organisation=org,
                    action="scores.bulk",
                    summary=f"นำเข้าคะแนนปี {fiscal_year.year} ทั้งชุด: {len(sheet.rows)} แถว (แทนที่คะแนนเดิม)",
                    details={"year": fiscal_year.year, "rows": len(sheet.rows)},
                )  # fmt: skip
            )
        _store_summaries(changed)
        # Bulk writes send no post_save: the dashboard's derived rows of these agencies too.
        from supervision import status

        status.refresh([a.organisation_id for a in changed], [fiscal_year])
        ChangeLog.objects.bulk_create(logs, batch_size=2000)
        # Bulk writes send no post_save: figures cached over these results (the analysis page's
        # peer groups, the supervisors' dashboard) are dropped once the load commits.
        transaction.on_commit(bump)
        transaction.on_commit(bump_steady)
    return LoadResult(len(parsed), total_rows, len(new), replaced)


SUMMARY_FIELDS = ["total_score", "mismatch_count", "tool_scores", "indicator_scores", "updated_at"]


def _store_summaries(assessments: list[Assessment]) -> None:
    """The summaries in one UPDATE … FROM (VALUES …) per thousand on PostgreSQL (Django's
    bulk_update builds a CASE per column and row); bulk_update elsewhere."""
    if connection.vendor != "postgresql":
        Assessment.objects.bulk_update(assessments, SUMMARY_FIELDS, batch_size=1000)
        return
    table = Assessment._meta.db_table
    for start in range(0, len(assessments), 1000):
        batch = assessments[start : start + 1000]
        values = ", ".join(["(%s, %s::numeric, %s, %s::jsonb, %s::jsonb, %s::timestamptz)"] * len(batch))
        params = []
        for a in batch:
            params += [a.pk, a.total_score, a.mismatch_count, json.dumps(a.tool_scores), json.dumps(a.indicator_scores),
                       a.updated_at]  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS a SET total_score = v.total, mismatch_count = v.mismatches, tool_scores = v.tools, "
                f"indicator_scores = v.indicators, updated_at = v.at "
                f"FROM (VALUES {values}) AS v(id, total, mismatches, tools, indicators, at) WHERE a.id = v.id",
                params,
            )
