"""The dashboard as an Excel workbook (supervision.xlsx: rows stream, memory stays flat)."""

from datetime import date
from typing import IO

from assessments.models import FiscalYear, Organisation

from . import dashboard
from .xlsx import SheetWriter

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


def write_dashboard(
    fileobj: IO[bytes], root: Organisation, fiscal_year: FiscalYear, filters: dashboard.Filters, *, today: date
) -> None:
    """Every agency the dashboard lists with these filters, in its order, in one sheet,
    written into ``fileobj`` as the rows come (supervision.xlsx).

    Two queries whatever the number of agencies (the rows, the rounds); pass a fiscal year
    with its grade bands prefetched."""
    plan_year = dashboard.plan_year_of(fiscal_year)
    ratings = dashboard.Ratings.of(fiscal_year)
    qs = dashboard.ordered(
        dashboard.filtered(dashboard.agencies(root, fiscal_year, plan_year, today=today, ratings=ratings), filters),
        filters.sort,
    )
    rounds = dashboard.rounds_of(qs.exclude(plan_id=None).values("plan_id"), today=today)
    standing_of = dashboard.standing_of(fiscal_year)
    with SheetWriter(fileobj, f"ITA {fiscal_year.year}") as ws:
        ws.append([f"{root.name}: หน่วยงานในกำกับ ผลการประเมินปี {fiscal_year.year}"], bold=True)
        ws.append(HEADER, bold=True)
        for r in qs.values(*dashboard.ROW_FIELDS).iterator(chunk_size=2000):
            standing = standing_of(r["total"], r["scheme"])
            tools = r["tool_scores"] or {}
            own = rounds.get(r["plan_id"], [])
            round_text = "; ".join(f"{x['title']}: {dashboard.ROUND_LABELS[x['state']]}" for x in own)
            ws.append([
                r["code"], r["name"], r["org_type"], r["province"], r["district"],
                float(r["total"]) if r["total"] is not None else None,
                standing[1] if standing else "",
                r["rating"] if r["rating"] != dashboard.NO_RATING else "",
                *[tools.get(code) for code in dashboard.TOOLS],
                dashboard.STAGE_LABELS[r["stage"]] + (" (มีรอบเลยกำหนด)" if dashboard.late_of(own) else ""),
                round_text,
            ])  # fmt: skip
