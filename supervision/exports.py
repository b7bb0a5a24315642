"""The dashboard as an Excel workbook (openpyxl, write-only: rows stream, memory stays flat)."""

from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from assessments.models import FiscalYear, Organisation

from . import dashboard

HEADER = [
    "รหัส",
    "หน่วยงาน",
    "ประเภท",
    "จังหวัด",
    "อำเภอ",
    "คะแนนรวม",
    "ผลการประเมิน",
    "ระดับผลการประเมิน",
    "IIT",
    "EIT",
    "OIT",
    "สถานะ",
    "รอบการติดตาม",
]


def _plain(ws, value):
    """A value as written: a cell object only where it must be one (text that a spreadsheet
    would read as a formula); openpyxl writes every other value as it is, far cheaper."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return _cell(ws, value)
    return value


def _cell(ws, value, *, bold=False):
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        cell.data_type = "s"  # agency names are text, never formulas
    if bold:
        cell.font = Font(bold=True)
    return cell


def dashboard_workbook(root: Organisation, fiscal_year: FiscalYear, filters: dashboard.Filters, *, today: date):
    """Every agency the dashboard lists with these filters, in its order, in one sheet.

    Two queries whatever the number of agencies (the rows, the rounds); pass a fiscal year
    with its grade bands prefetched."""
    plan_year = dashboard.plan_year_of(fiscal_year)
    ratings = dashboard.Ratings.of(fiscal_year)
    qs = dashboard.ordered(
        dashboard.filtered(dashboard.agencies(root, fiscal_year, plan_year, today=today, ratings=ratings), filters),
        filters.sort,
    )
    rounds = dashboard.rounds_of(qs.exclude(plan_id=None).values("plan_id"), today=today)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(f"ITA {fiscal_year.year}")
    ws.append([_cell(ws, f"{root.name}: หน่วยงานในกำกับ ผลการประเมินปี {fiscal_year.year}", bold=True)])
    ws.append([_cell(ws, h, bold=True) for h in HEADER])
    standing_of = dashboard.standing_of(fiscal_year)
    for r in qs.values(*dashboard.ROW_FIELDS).iterator(chunk_size=2000):
        standing = standing_of(r["total"], r["scheme"])
        tools = r["tool_scores"] or {}
        own = rounds.get(r["plan_id"], [])
        round_text = "; ".join(f"{x['title']}: {dashboard.ROUND_LABELS[x['state']]}" for x in own)
        values = [
            r["code"], r["name"], r["org_type"], r["province"], r["district"],
            float(r["total"]) if r["total"] is not None else None,
            standing[1] if standing else "",
            r["rating"] if r["rating"] != dashboard.NO_RATING else "",
            *[tools.get(code) for code in dashboard.TOOLS],
            dashboard.STAGE_LABELS[r["stage"]] + (" (มีรอบเลยกำหนด)" if dashboard.late_of(own) else ""),
            round_text,
        ]  # fmt: skip
        ws.append([_plain(ws, v) for v in values])
    return wb
