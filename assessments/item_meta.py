"""What an item is for, beyond its code: role, topic, evidence criteria and an example.

NACC renumbers the OIT items every year (the measures item was o42, O42, O34, then O25),
so the portal never finds an item by its code. Each item may carry a **role** (the
measures item, its follow-up, a report on the previous fiscal year) and a **topic**, a
stable slug such as ``integrity-measures`` or ``procurement-summary`` that stays the same
when the code changes. Topics give the mapping between two years' items (which item of
year A is which of year B, which are new, which were dropped) and let the measure
templates answer any year. The data lives in ``fixtures/item_meta/<year>[-<scheme>].json``
as ``{code: {role, topic, criteria, example}}`` and is applied to the items that exist.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.utils.text import slugify

META_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "item_meta"
ROLES = ("measures", "measures_followup", "previous_year_report")
FIELDS = ("role", "topic", "criteria", "example")


class ItemMetaError(ValueError):
    """An item-metadata file that cannot be applied; ``errors`` lists every reason in Thai."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


# --------------------------------------------------------------------------- #
# Reading and applying the fixture files
# --------------------------------------------------------------------------- #


def meta_path(year: int, scheme: str = "") -> Path | None:
    """The metadata file of a year (and scheme): ``2569-nacc.json``, else ``2569.json``; None if neither.

    NACC's general list is the default scheme, so a year with only ``<year>-nacc.json``
    still answers for ``scheme=""``."""
    names = [f"{year}-{scheme}.json"] if scheme else []
    if scheme in ("", "nacc"):  # another scheme's items never take NACC's general metadata
        names += [f"{year}.json", f"{year}-nacc.json"]
    return next((META_DIR / n for n in names if (META_DIR / n).exists()), None)


def validate_item_meta(meta: dict) -> dict:
    """Check a ``{code: {role, topic, criteria, example}}`` mapping; returns it keyed by lower-case code.

    Refused whole, with every reason: an unknown role, a topic that is not a slug, a role
    given to two items, or a field we do not know."""
    errors, clean, holders = [], {}, {}
    for raw_code, row in meta.items():
        code = str(raw_code).strip().lower()
        if not isinstance(row, dict):
            errors.append(f"ข้อ {raw_code}: ต้องเป็นชุดข้อมูล role/topic/criteria/example")
            continue
        unknown = set(row) - set(FIELDS)
        if unknown:
            errors.append(f"ข้อ {raw_code}: ไม่รู้จักช่อง {', '.join(sorted(unknown))}")
        role = (row.get("role") or "").strip()
        if role and role not in ROLES:
            errors.append(f"ข้อ {raw_code}: ไม่รู้จักบทบาท “{role}” (ใช้ได้: {', '.join(ROLES)})")
        if role and role != "previous_year_report":
            if role in holders:
                errors.append(f"บทบาท “{role}” ซ้ำกันที่ข้อ {holders[role]} และ {raw_code}")
            holders[role] = raw_code
        topic = (row.get("topic") or "").strip()
        if topic and slugify(topic) != topic:
            errors.append(f"ข้อ {raw_code}: หัวข้อ “{topic}” ต้องเป็นอักษรอังกฤษตัวเล็ก ตัวเลข และขีด (-) เท่านั้น")
        clean[code] = {
            "role": role,
            "topic": topic,
            "criteria": (row.get("criteria") or "").strip(),
            "example": (row.get("example") or "").strip(),
        }
    if errors:
        raise ItemMetaError(errors)
    return clean


def load_item_meta(year: int, scheme: str = "") -> dict:
    """The validated metadata of a year (and scheme) from its fixture file; {} without one."""
    path = meta_path(year, scheme)
    if path is None:
        return {}
    return validate_item_meta(json.loads(path.read_text(encoding="utf-8")))


def apply_item_meta(fiscal_year, *, scheme: str = "", items=None, meta: dict | None = None) -> int:
    """Set role, topic, criteria and example on the year's items from its metadata file.

    ``items`` narrows the rows (one edition's items; historical models in a migration);
    by default every item of ``fiscal_year``. Codes that the year does not have are
    ignored, fields the file leaves out are left as they are. Renews the year's framework
    token so no process keeps a framework built before. Returns how many items changed."""
    if meta is None:
        meta = load_item_meta(fiscal_year.year, scheme)
    else:
        meta = validate_item_meta(meta)
    if not meta:
        return 0
    rows = list(items if items is not None else fiscal_year.items.all())
    changed = []
    for item in rows:
        row = meta.get(item.code.lower())
        if row is None:
            continue
        before = tuple(getattr(item, name) for name in FIELDS)
        for name in FIELDS:
            setattr(item, name, row[name])
        if tuple(getattr(item, name) for name in FIELDS) != before:
            changed.append(item)
    if changed:
        type(changed[0]).objects.bulk_update(changed, list(FIELDS))
        fiscal_year.editions.update(framework_token=uuid.uuid4())  # no process keeps a framework built before
    return len(changed)


def apply_all_item_meta(*, FiscalYear=None) -> int:
    """Apply every metadata file to the years that exist (the data migration and ``ita_demo``)."""
    if FiscalYear is None:
        from .models import FiscalYear
    return sum(
        apply_item_meta(fy, scheme=edition.scheme, items=edition.items.all())
        for fy in FiscalYear.objects.prefetch_related("editions")
        for edition in fy.editions.all()
    )


# --------------------------------------------------------------------------- #
# Finding items by role and topic
# --------------------------------------------------------------------------- #


def item_topics(fiscal_year, *, items=None) -> dict[str, str]:
    """{item code: topic} of the year's items that carry a topic."""
    rows = items if items is not None else fiscal_year.items.all()
    return {code: topic for code, topic in rows.exclude(topic="").values_list("code", "topic")}


def role_item(fiscal_year, role: str, *, items=None):
    """The item of the year that plays ``role`` (e.g. ``"measures"``), or None."""
    rows = items if items is not None else fiscal_year.items.all()
    return rows.filter(role=role).select_related("fiscal_year").order_by("order").first()


def evidence_item(year: int, role: str = "measures", *, items=None):
    """The OIT item that a plan of fiscal year ``year`` is evidence for, found by role.

    The plan of year N is published during N and scored by the measures item of the
    assessment of year N. When that year's framework is not loaded yet, or does not say
    which item it is, the latest earlier year that does is returned, and ``exact`` is False.
    ``items`` narrows the search to one scheme's editions. Returns (item, exact) or (None, False)."""
    from .models import Item

    rows = items if items is not None else Item.objects.all()
    item = (
        rows.filter(role=role, fiscal_year__year__lte=year)
        .select_related("fiscal_year")
        .order_by("-fiscal_year__year", "order")
        .first()
    )
    if item is None:
        return None, False
    return item, item.fiscal_year.year == year


# --------------------------------------------------------------------------- #
# Mapping between years
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class ItemLink:
    """One row of a mapping: an item of year A and what became of it in year B."""

    status: str  # "same" (same code), "renumbered", "dropped" (no item of B), "new" (only in B)
    topic: str
    a: tuple = ()  # ((code, label), ...) of year A
    b: tuple = ()  # ((code, label), ...) of year B

    @property
    def a_labels(self):
        return ", ".join(label for _, label in self.a)

    @property
    def b_labels(self):
        return ", ".join(label for _, label in self.b)


@dataclass
class ItemMapping:
    year_a: int
    year_b: int
    links: list = field(default_factory=list)

    def previous_of(self, code_b: str) -> tuple:
        """The codes of year A that became ``code_b`` of year B."""
        return tuple(code for link in self.links for code, _ in link.a if link.b and code_b in {c for c, _ in link.b})


def _topic_rows(rows):
    grouped = {}
    for code, label, topic in rows.exclude(topic="").order_by("order").values_list("code", "label", "topic"):
        grouped.setdefault(topic, []).append((code, label))
    return grouped


def _fiscal_year(year):
    from .models import FiscalYear

    return year if isinstance(year, FiscalYear) else FiscalYear.objects.get(year=year)


def _links(topics_a, topics_b):
    links = []
    for topic, a in topics_a.items():
        b = topics_b.get(topic, [])
        if not b:
            status = "dropped"
        elif {c for c, _ in a} == {c for c, _ in b}:
            status = "same"
        else:
            status = "renumbered"
        links.append(ItemLink(status=status, topic=topic, a=tuple(a), b=tuple(b)))
    for topic, b in topics_b.items():
        if topic not in topics_a:
            links.append(ItemLink(status="new", topic=topic, b=tuple(b)))
    return links


def item_mapping(year_a, year_b, *, items_a=None, items_b=None) -> ItemMapping:
    """Which item of year A is which item of year B, derived from the items' topics.

    Items of A whose topic no item of B has are "dropped"; items of B whose topic A did
    not have are "new"; items without a topic are left out (nothing is known of them).
    Several items of one year may share a topic (2565 had o1 โครงสร้าง and o3 อำนาจหน้าที่,
    2569 has one O1). ``year_a``/``year_b`` are FiscalYears or B.E. years; ``items_a`` and
    ``items_b`` narrow each side to one edition."""
    fy_a, fy_b = _fiscal_year(year_a), _fiscal_year(year_b)
    topics_a = _topic_rows(items_a if items_a is not None else fy_a.items.all())
    topics_b = _topic_rows(items_b if items_b is not None else fy_b.items.all())
    links = _links(topics_a, topics_b)
    return ItemMapping(year_a=fy_a.year, year_b=fy_b.year, links=links)


# --------------------------------------------------------------------------- #
# Per-item change since the previous year (for the analysis page)
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class ItemChange:
    label: str
    title: str
    score: Decimal | None
    previous_label: str
    previous: Decimal | None

    @property
    def change(self):
        if self.score is None or self.previous is None:
            return None
        return self.score - self.previous


def item_changes(current, previous, mapping: ItemMapping) -> list[ItemChange]:
    """Each scored item of ``current`` (an analysis) beside the item it was in ``previous``.

    Only items with exactly one predecessor that has a score are listed: a change across
    a merged or split item would compare different things."""
    from .thai import round2

    before = {}
    for ind in previous.indicators:
        for item in ind.items:
            before[item.code] = item
    rows = []
    for ind in current.indicators:
        for item in ind.items:
            codes = mapping.previous_of(item.code)
            if len(codes) != 1 or item.score is None:
                continue
            old = before.get(codes[0])
            if old is None or old.score is None:
                continue
            rows.append(
                ItemChange(
                    label=item.label,
                    title=item.title,
                    score=round2(item.score),
                    previous_label=old.label,
                    previous=round2(old.score),
                )
            )
    return rows


def item_changes_for(assessment, *, current=None, loaded=None) -> list[ItemChange]:
    """Per-item change of an assessment since the organisation's previous scored year, where the
    two years' items are mapped by topic; [] without a previous year. ``current`` is the
    assessment's analysis (with its previous year) when the caller has it already, ``loaded``
    what ``services.analyse_assessment(..., loaded=)`` read for it (the previous assessment and
    its scores: not read again).

    One query on the analysis page (both years' topics), three without ``loaded`` (the previous
    assessment with its year, its scores); the frameworks come from the process's kept ones."""
    from . import analysis, services
    from .frameworks import framework_for
    from .models import Assessment, Item

    current = current or services.analyse_assessment(assessment)
    if current.previous_year is None:
        return []
    previous = (loaded or {}).get("previous")
    if previous is None or previous.fiscal_year.year != current.previous_year:
        loaded = None
        previous = (
            Assessment.objects.filter(
                organisation_id=assessment.organisation_id, fiscal_year__year=current.previous_year
            )
            .select_related("fiscal_year")
            .first()
        )
    if previous is None:
        return []
    scores = loaded["scores"][previous.pk] if loaded else services.scores_of([previous.pk])[previous.pk]
    previous_result = analysis.compute(framework_for(previous.fiscal_year), scores, thai_digits=False)
    topics = {previous.fiscal_year_id: {}, assessment.fiscal_year_id: {}}
    rows = Item.objects.filter(fiscal_year_id__in=list(topics)).exclude(topic="").order_by("order")
    for year_id, code, label, topic in rows.values_list("fiscal_year_id", "code", "label", "topic"):
        topics[year_id].setdefault(topic, []).append((code, label))
    mapping = ItemMapping(
        year_a=previous.fiscal_year.year,
        year_b=assessment.fiscal_year.year,
        links=_links(topics[previous.fiscal_year_id], topics[assessment.fiscal_year_id]),
    )
    return item_changes(current, previous_result, mapping)


# --------------------------------------------------------------------------- #
# Guidance beside the forms
# --------------------------------------------------------------------------- #


def guidance_for(fiscal_year, codes, *, items=None) -> dict:
    """{code: Item} of the year's items among ``codes`` that carry criteria or an example (one query)."""
    rows = items if items is not None else fiscal_year.items.all()
    wanted = [c.lower() for c in codes]
    found = (
        rows.filter(code__in=wanted).exclude(criteria="", example="").select_related("fiscal_year").order_by("order")
    )
    return {item.code: item for item in found}


def measure_guidance(plan, codes) -> list:
    """The guidance a measure's author needs: the items it answers (codes of the plan's analysis
    year) and, where the plan's own year has items of the same topics, those items too, since
    the measure is evidence in that year's assessment. Items of the plan year come first."""
    answered = guidance_for(plan.analysis_year, codes)
    if plan.fiscal_year_id == plan.analysis_year_id:
        return list(answered.values())
    topics = set(
        plan.analysis_year.items.filter(code__in=[c.lower() for c in codes])
        .exclude(topic="")
        .values_list("topic", flat=True)
    )
    ahead = (
        plan.fiscal_year.items.filter(topic__in=topics)
        .exclude(criteria="", example="")
        .select_related("fiscal_year")
        .order_by("order")
    )
    return list(ahead) + list(answered.values())
