"""What every builder shares: the error a user reads, the context's hash, its header, and the
year and plan a document is of."""

import hashlib
import json

from assessments.models import FiscalYear
from measures.models import Plan


class ReportError(ValueError):
    """A report that cannot be built; the message is Thai, for the user."""


def source_hash(context):
    text = json.dumps(context, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _header(organisation, year):
    return {
        "organisation": {"code": organisation.code, "name": organisation.name, "type": organisation.org_type,
                         "province": organisation.province, "district": organisation.district},
        "year": year,
        "thai_digits": organisation.use_thai_digits,
    }  # fmt: skip


def _fiscal_year(year):
    fy = FiscalYear.objects.filter(year=year).first()
    if fy is None:
        raise ReportError(f"ไม่มีปีงบประมาณ {year} ในระบบ")
    return fy


def _plan(organisation, year):
    plan = (
        Plan.objects.filter(organisation=organisation, fiscal_year__year=year)
        .select_related("fiscal_year", "analysis_year", "approved_revision")
        .first()
    )
    if plan is None:
        raise ReportError(f"{organisation.name} ยังไม่มีแผนมาตรการปี {year}")
    return plan
