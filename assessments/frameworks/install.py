"""Install a validated payload as a year's framework, all or nothing."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from .errors import FrameworkError
from .validate import validate_payload

RULE_FIELDS = (
    "name_th",
    "pass_score",
    "excellent_score",
    "strength_threshold",
    "eit_gap_threshold",
    "result_mode",
    "eit_combination",
    "rating_ladder",
    "status_tiers",
    "uncertain",
    "eit_combination_uncertain",
    "weights_uncertain",
    "source",
)


def install(payload: dict[str, Any], *, models: dict[str, Any] | None = None, replace: bool = False):
    """Install a payload as one scheme's edition of the year; returns the Edition.

    ``models`` maps model names to classes (historical models in a migration);
    by default the current ones. The year's row is created when missing (its dates from
    the payload). An existing edition of the same scheme is refused unless ``replace``,
    and an edition that already has scores is never replaced (its scores would lose
    their meaning).
    """
    if models is None:
        from django.apps import apps

        models = {name: apps.get_model("assessments", name) for name in MODEL_NAMES}
    p = validate_payload(payload)
    FiscalYear, Edition = models["FiscalYear"], models["Edition"]
    with transaction.atomic():
        fy = FiscalYear.objects.filter(year=p["fiscal_year"]).first()
        if fy is None:
            fy = FiscalYear.objects.create(year=p["fiscal_year"], start=p["start"], end=p["end"])
        existing = Edition.objects.filter(fiscal_year=fy, scheme=p["scheme"]).first()
        if existing is not None:
            name = _edition_words(p)
            if not replace:
                raise FrameworkError([f"มีกรอบการประเมินปี {p['fiscal_year']}{name} อยู่แล้ว"])
            if models["Assessment"].objects.filter(edition=existing).exists():
                raise FrameworkError([f"ปี {p['fiscal_year']}{name} มีคะแนนของหน่วยงานบันทึกไว้แล้ว จึงแทนที่กรอบการประเมินไม่ได้"])
            existing.delete()
        edition = Edition.objects.create(fiscal_year=fy, scheme=p["scheme"], **{f: p[f] for f in RULE_FIELDS})
        for band in p["grade_bands"]:
            models["GradeBand"].objects.create(edition=edition, grade=band["grade"], min_score=band["min"])
        tools = {}
        for t in p["tools"]:
            tool = models["Tool"].objects.create(
                fiscal_year=fy,
                edition=edition,
                code=t["code"],
                name_th=t["name_th"],
                name_en=t["name_en"],
                weight=t["weight"],
                order=t["order"],
            )
            for order, part in enumerate(t["parts"], start=1):
                models["ToolPart"].objects.create(tool=tool, code=part["code"], name_th=part["name_th"], order=order)
            tools[t["code"]] = tool
        areas = {a.number: a for a in models["IssueArea"].objects.all()}
        indicators = {}
        for i in p["indicators"]:
            ind = models["Indicator"].objects.create(
                fiscal_year=fy,
                edition=edition,
                tool=tools[i["tool"]],
                number=i["number"],
                name_th=i["name_th"],
                name_en=i["name_en"],
                description_th=i["description_th"],
            )
            ind.issue_areas.set([areas[n] for n in i["issue_areas"] if n in areas])
            indicators[i["number"]] = ind
        subs = {}
        for s in p["subindicators"]:
            subs[s["code"]] = models["SubIndicator"].objects.create(
                indicator=indicators[s["indicator"]], code=s["code"], name_th=s["name_th"], uncertain=s["uncertain"]
            )
        Item = models["Item"]
        created = Item.objects.bulk_create(
            [
                Item(
                    fiscal_year=fy,
                    edition=edition,
                    indicator=indicators[i["indicator"]],
                    subindicator=subs.get(i["subindicator"]) if i["subindicator"] else None,
                    code=i["code"],
                    label=i["label"],
                    title_th=i["title_th"],
                    order=i["order"],
                    uncertain=i["uncertain"],
                )
                for i in p["items"]
            ]
        )
        if not all(obj.pk for obj in created):  # backends without RETURNING ids
            created = list(Item.objects.filter(edition=edition).order_by("order"))
        links = [
            Item.issue_areas.through(item_id=obj.pk, issuearea_id=areas[n].pk)
            for obj, spec in zip(created, p["items"], strict=True)
            for n in spec["issue_areas"]
            if n in areas
        ]
        Item.issue_areas.through.objects.bulk_create(links)
        # Roles, topics and evidence guidance: as the workbook gives them, else as shipped for this
        # edition (fixtures/item_meta/), if any.
        from assessments.item_meta import apply_item_meta

        from .validate import META_FIELDS

        given = {
            i["code"]: {f: i.get(f, "") for f in META_FIELDS} for i in p["items"] if any(f in i for f in META_FIELDS)
        }
        apply_item_meta(fy, scheme=edition.scheme, items=Item.objects.filter(edition=edition), meta=given or None)
        if p["calendar"] and "Milestone" in models:
            _install_calendar(models["Milestone"], p["fiscal_year"], p["calendar"])
        # The edition is complete only now: renew its cache key (frameworks.cache).
        edition.framework_token = uuid.uuid4()
        Edition.objects.filter(pk=edition.pk).update(framework_token=edition.framework_token)
    return edition


def _edition_words(p: dict[str, Any]) -> str:
    """ " ฉบับ …" for an edition other than NACC's general one (for messages)."""
    if p["scheme"] == "nacc" and not p["name_th"]:
        return ""
    return f" ฉบับ{p['name_th'] or p['scheme']}"


MODEL_NAMES = (
    "FiscalYear",
    "Edition",
    "GradeBand",
    "Tool",
    "ToolPart",
    "Indicator",
    "SubIndicator",
    "Item",
    "IssueArea",
    "Assessment",
    "Milestone",
)


def _install_calendar(Milestone, year: int, rows: list[dict]) -> None:
    """The year's ITAS milestones as the workbook gives them (one row per kind, replaced in place;
    a milestone already reminded keeps that it was)."""
    for row in rows:
        Milestone.objects.update_or_create(
            fiscal_year=year, kind=row["kind"],
            defaults={"title": row["title"], "start": row["start"], "end": row["end"], "uncertain": row["uncertain"]},
        )  # fmt: skip
