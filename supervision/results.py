"""Results for many agencies in one sheet: a supervisor's (or an administrator's) import.

One row per agency: its ``code`` (an optional ``name`` column is ignored), then one column
per figure, headed as the year's framework names it (the per-agency score sheet's codes):
``total``, ``iit``/``eit``/``oit``, ``eit.public``/``eit.survey``, ``ind1`` … ``ind10``,
``ind9.1`` …, and ``ind6.public`` for an EIT indicator's part. An empty cell is "no figure
in the sheet" (a stored figure stays). Items are not taken here: that is the agency's own sheet.

All-or-nothing: every row is checked first (unknown organisation, an agency outside the
importer's reach, a bad number, an indicator the agency's edition does not have, a repeated
agency) and each bad row is named by its spreadsheet row number with a Thai reason.

A stored figure that differs from the sheet and that the agency entered itself (its last
writer is one of its members, or unknown: a command-line import) is a *conflict*: it is
listed and kept, unless the importer confirms that the sheet's figure replaces it. Figures
last written by anyone else (an earlier results import) are simply changed. Each agency's
changes go through ``record_scores`` (logged on that agency as ``scores.results``, its
summary refreshed, so peers and the dashboard include them); the importing body gets one
``supervision.results`` log row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from django.db import transaction
from django.db.models import QuerySet

from assessments import sheets
from assessments.frameworks import framework_for
from assessments.models import Assessment, ChangeLog, FiscalYear, Level, Membership, Organisation, Part, Role, Score
from assessments.services import record_scores, resolve_code
from assessments.sheets import BadCell, ImportRefused
from assessments.thai import ScoreError, clip, normalise_text, parse_score

from .cache import bump_steady

CODE_HEADERS = {"code", "รหัส", "รหัสหน่วยงาน", "organisation", "org"}
IGNORED_HEADERS = {"name", "ชื่อ", "ชื่อหน่วยงาน", "หน่วยงาน"}
LEVELS = {Level.TOTAL, Level.TOOL, Level.INDICATOR, Level.SUBINDICATOR}
PARTS = {"public", "survey"}
Slot = tuple[str, str, str]  # (level, key, part) as Score stores it


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    code: str  # the code without the part ("ind6"), as resolve_code reads it
    part: str


@dataclass
class AgencyRow:
    row: int
    organisation: Organisation
    values: dict[Slot, Decimal]
    labels: dict[Slot, str]


@dataclass(frozen=True)
class Conflict:
    row: int
    organisation: Organisation
    slot: Slot
    label: str
    theirs: Decimal
    sheet: Decimal
    by: str


@dataclass
class ResultsSheet:
    """A sheet every row of which is good, with what saving it would do."""

    rows: list[AgencyRow] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    new: int = 0
    changed: int = 0
    same: int = 0

    @property
    def figures(self) -> int:
        return sum(len(r.values) for r in self.rows)


def reach_of(root: Organisation | None) -> QuerySet:
    """The organisations an importer may give results for: every one below ``root``
    (a supervisor's body, whatever the depth), or every organisation (an administrator's
    command without ``--under``)."""
    return Organisation.objects.all() if root is None else Organisation.objects.below(root)


def _columns(header_row: list, fiscal_year: FiscalYear, frameworks: list) -> tuple[int, list[Column]]:
    """(index of the code column, the figure columns); ImportRefused naming each bad header."""
    errors, columns, code_index, seen = [], [], None, {}
    for index, raw in enumerate(header_row):
        header = normalise_text(raw if not isinstance(raw, BadCell) else "")
        name = header.lower().replace(" ", "")
        if not name or header.lower() in IGNORED_HEADERS:
            continue
        if header.lower() in CODE_HEADERS:
            code_index = index
            continue
        code, part = name, ""
        base, _, tail = name.rpartition(".")
        if tail in PARTS and base.startswith("ind"):
            code, part = base, tail
        resolved, reason = None, None
        for framework in frameworks:
            try:
                resolved = resolve_code(code, part, framework)
                break
            except ValueError as exc:
                reason = reason or str(exc)
        if resolved is None:
            errors.append((1, f"คอลัมน์ “{clip(header)}”: {reason or 'ไม่รู้จักรหัสนี้'} (ไม่รู้จักตัวชี้วัดหรือเครื่องมือนี้)"))
            continue
        if resolved[0] not in LEVELS:
            errors.append(
                (1, f"คอลัมน์ “{clip(header)}”: ไฟล์ผลหลายหน่วยงานรับเฉพาะคะแนนรวม เครื่องมือ ส่วนของ EIT และตัวชี้วัด ไม่รับรายข้อ")
            )
            continue
        slot = resolved[:3]
        if slot in seen:
            errors.append((1, f"คอลัมน์ “{clip(header)}” ซ้ำกับคอลัมน์ “{seen[slot]}”"))
            continue
        seen[slot] = clip(header)
        columns.append(Column(index, header, code, part))
    if code_index is None:
        errors.insert(0, (1, "แถวหัวตารางต้องมีคอลัมน์ code (รหัสหน่วยงาน)"))
    elif not columns and not errors:
        errors.append((1, f"แถวหัวตารางไม่มีคอลัมน์คะแนน (เช่น total, iit, eit, oit, ind1) ของปี {fiscal_year.year}"))
    if errors:
        raise ImportRefused(errors)
    return code_index, columns


def _cell(values: list, index: int):
    return values[index] if index < len(values) and values[index] is not None else ""


def _blank(values) -> bool:
    return values is None or all(v in (None, "") or str(v).strip() == "" for v in values)


def parse_results(table: sheets.Table, *, fiscal_year: FiscalYear, reach: QuerySet) -> list[AgencyRow]:
    """Check every row of a results sheet; the good rows, or ImportRefused naming each bad one."""
    if not table:
        raise ImportRefused([(None, "ไฟล์ว่าง ไม่มีข้อมูล")])
    editions = {e.scheme: e for e in fiscal_year.editions.all()}
    frameworks = {scheme: framework_for(e) for scheme, e in editions.items()}
    code_index, columns = _columns(table[0], fiscal_year, list(frameworks.values()))
    typed = {
        normalise_text(_cell(v, code_index))
        for v in table[1:]
        if v is not None and not isinstance(_cell(v, code_index), BadCell)
    } - {""}
    lookup = Organisation.objects.filter(code__in=typed | {c.lower() for c in typed})
    organisations = {o.code.lower(): o for o in lookup}
    in_reach = set(reach.filter(pk__in=[o.pk for o in organisations.values()]).values_list("pk", flat=True))
    scored = dict(
        Assessment.objects.filter(fiscal_year=fiscal_year, organisation__in=list(organisations.values())).values_list(
            "organisation_id", "edition__scheme"
        )
    )
    errors, rows, seen = [], [], {}
    for number, values in enumerate(table[1:], start=2):
        if _blank(values):
            continue
        raw_code = _cell(values, code_index)
        if isinstance(raw_code, BadCell):
            errors.append((number, raw_code.reason))
            continue
        code = normalise_text(raw_code)
        if not code:
            errors.append((number, "ไม่มีรหัสหน่วยงาน"))
            continue
        organisation = organisations.get(code.lower())
        if organisation is None:
            errors.append((number, f"ไม่พบหน่วยงานรหัส “{clip(code)}” ในระบบ"))
            continue
        if organisation.pk not in in_reach:
            errors.append((number, f"หน่วยงาน {organisation.code} ({organisation.name}) ไม่อยู่ในกำกับของผู้นำเข้า"))
            continue
        if organisation.pk in seen:
            errors.append((number, f"หน่วยงาน {organisation.code} ซ้ำกับแถวที่ {seen[organisation.pk]}"))
            continue
        seen[organisation.pk] = number
        scheme = scored.get(organisation.pk, organisation.scheme)
        framework = frameworks.get(scheme)
        if framework is None:
            errors.append(
                (number, f"ปี {fiscal_year.year} ไม่มีกรอบการประเมินของชุดการประเมินของหน่วยงาน {organisation.code}")
            )
            continue
        allowed = framework.indicator_codes()
        row_values, labels, bad = {}, {}, []
        for column in columns:
            raw = _cell(values, column.index)
            if isinstance(raw, BadCell):
                bad.append(f"{column.header}: {raw.reason}")
                continue
            if str(raw).strip() == "":
                continue
            try:
                level, key, part, label = resolve_code(column.code, column.part, framework, allowed)
            except ValueError:
                bad.append(f"ไม่มีตัวชี้วัด/เครื่องมือ “{column.header}” ในกรอบการประเมินของหน่วยงานนี้ ({framework.edition_name})")
                continue
            try:
                value = parse_score(raw)
            except ScoreError as exc:
                bad.append(f"{column.header}: {exc}")
                continue
            label = label + (f" {Part(part).label}" if part else "")
            row_values[(level, key, part)] = value
            labels[(level, key, part)] = label
        if bad:
            errors.append((number, f"{organisation.code}: " + "; ".join(bad)))
            continue
        if not row_values:
            errors.append((number, f"{organisation.code}: ไม่มีคะแนนในแถวนี้"))
            continue
        rows.append(AgencyRow(number, organisation, row_values, labels))
    if errors:
        raise ImportRefused(errors)
    if not rows:
        raise ImportRefused([(None, "ไม่มีแถวผลการประเมินในไฟล์")])
    return rows


def _stored(rows: list[AgencyRow], fiscal_year: FiscalYear) -> dict[tuple[int, Slot], tuple[Decimal, str, bool]]:
    """{(organisation id, slot): (value, writer's name, entered by the agency itself)}, two queries."""
    org_ids = [r.organisation.pk for r in rows]
    members = set(
        Membership.objects.filter(organisation_id__in=org_ids)
        .exclude(role=Role.SUPERVISOR)
        .values_list("organisation_id", "user_id")
    )
    out = {}
    scores = Score.objects.filter(
        assessment__fiscal_year=fiscal_year, assessment__organisation_id__in=org_ids, level__in=list(LEVELS)
    ).select_related("updated_by", "assessment")
    for s in scores:
        org_id = s.assessment.organisation_id
        user = s.updated_by
        own = user is None or (org_id, user.pk) in members
        name = (user.get_full_name() or user.username) if user else "หน่วยงาน (นำเข้าจากไฟล์)"
        out[(org_id, (s.level, s.key, s.part))] = (s.value, name, own)
    return out


def check(rows: list[AgencyRow], fiscal_year: FiscalYear) -> ResultsSheet:
    """What saving the rows would do: new, changed and unchanged figures, and the conflicts."""
    stored = _stored(rows, fiscal_year)
    sheet = ResultsSheet(rows=rows)
    for r in rows:
        for slot, value in r.values.items():
            current = stored.get((r.organisation.pk, slot))
            if current is None:
                sheet.new += 1
            elif current[0] == value:
                sheet.same += 1
            elif current[2]:
                sheet.conflicts.append(
                    Conflict(r.row, r.organisation, slot, r.labels[slot], current[0], value, current[1])
                )
            else:
                sheet.changed += 1
    return sheet


def read_results(
    fileobj: IO[bytes],
    filename: str | None,
    *,
    fiscal_year: FiscalYear,
    root: Organisation | None,
    sheet: str | None = None,
) -> ResultsSheet:
    """Read and check a results sheet within the bounded reader's limits; saves nothing."""
    table = sheets.read_table(fileobj, filename, sheet=sheet or None)
    return check(parse_results(table, fiscal_year=fiscal_year, reach=reach_of(root)), fiscal_year)


def save_results(
    rows: list[AgencyRow],
    *,
    fiscal_year: FiscalYear,
    root: Organisation | None,
    by,
    overwrite: bool,
    filename: str = "",
) -> dict:
    """Store the rows, all or nothing. Conflicts (checked again now) are kept unless
    ``overwrite``. Returns {"agencies", "added", "changed", "kept"}."""
    with transaction.atomic():
        reach = set(reach_of(root).filter(pk__in=[r.organisation.pk for r in rows]).values_list("pk", flat=True))
        outside = [
            (r.row, f"หน่วยงาน {r.organisation.code} ไม่อยู่ในกำกับของผู้นำเข้า")
            for r in rows
            if r.organisation.pk not in reach
        ]
        if outside:
            raise ImportRefused(outside)
        checked = check(rows, fiscal_year)
        kept = set() if overwrite else {(c.organisation.pk, c.slot) for c in checked.conflicts}
        totals = {"agencies": 0, "added": 0, "changed": 0, "kept": len(kept)}
        for r in rows:
            values = {slot: v for slot, v in r.values.items() if (r.organisation.pk, slot) not in kept}
            if not values:
                continue
            counts = record_scores(r.organisation, fiscal_year=fiscal_year, values=values, by=by, source="results")
            if counts["added"] or counts["changed"]:
                totals["agencies"] += 1
            totals["added"] += counts["added"]
            totals["changed"] += counts["changed"]
        if root is not None:
            ChangeLog.objects.create(
                user=by, organisation=root, action="supervision.results",
                summary=f"นำเข้าผลการประเมินปี {fiscal_year.year} ของหน่วยงานในกำกับ {totals['agencies']} หน่วยงาน"
                f" (เพิ่ม {totals['added']} แก้ไข {totals['changed']} คงค่าของหน่วยงาน {totals['kept']})",
                details={"year": fiscal_year.year, "file": filename[:200], "overwrite": overwrite, **totals},
            )  # fmt: skip
        transaction.on_commit(bump_steady)  # the country's means move with many agencies at once
    return totals


def import_results(
    fileobj: IO[bytes],
    filename: str | None,
    *,
    fiscal_year: FiscalYear,
    root: Organisation | None,
    by,
    overwrite: bool = False,
    dry_run: bool = False,
    sheet: str | None = None,
) -> tuple[ResultsSheet, dict | None]:
    """Check the sheet, then (unless ``dry_run``) save it; the command line's one call."""
    checked = read_results(fileobj, filename, fiscal_year=fiscal_year, root=root, sheet=sheet)
    if dry_run:
        return checked, None
    return checked, save_results(
        checked.rows, fiscal_year=fiscal_year, root=root, by=by, overwrite=overwrite, filename=filename or ""
    )


# The pending import between the preview and the confirmation, as the session keeps it.


def to_session(rows: list[AgencyRow]) -> list:
    return [[r.row, r.organisation.pk, [[*slot, str(v), r.labels[slot]] for slot, v in r.values.items()]] for r in rows]


def from_session(data: list) -> list[AgencyRow]:
    organisations = Organisation.objects.in_bulk([org_id for _row, org_id, _v in data])
    rows = []
    for number, org_id, values in data:
        if org_id not in organisations:
            raise ImportRefused([(number, "หน่วยงานนี้ถูกลบไปแล้ว กรุณาอัปโหลดไฟล์อีกครั้ง")])
        rows.append(
            AgencyRow(
                number,
                organisations[org_id],
                {(lv, k, p): Decimal(v) for lv, k, p, v, _l in values},
                {(lv, k, p): label for lv, k, p, _v, label in values},
            )
        )
    return rows


__all__ = ["ImportRefused", "import_results", "read_results", "save_results"]
