"""Organisations, people's roles, the ITA framework per fiscal year, and scores.

The framework (tools, indicators, sub-indicators, items, thresholds, weights, issue
areas) is data loaded per fiscal year; nothing about a year is hard-coded. Scores
are stored exactly as entered, at whatever level the agency has them.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.dispatch import Signal

# --------------------------------------------------------------------------- #
# Organisations and roles
# --------------------------------------------------------------------------- #


class Role(models.TextChoices):
    STAFF = "staff", "เจ้าหน้าที่"
    APPROVER = "approver", "ผู้พิจารณา"
    EXECUTIVE = "executive", "ผู้บริหาร"
    VIEWER = "viewer", "ผู้อ่าน"
    SUPERVISOR = "supervisor", "ผู้กำกับดูแล"


EDIT_ROLES = {Role.STAFF}


class Scheme(models.TextChoices):
    """Who sets an organisation's ITA item list: NACC's general list or a sector's own."""

    NACC = "nacc", "ITA ทั่วไป (สำนักงาน ป.ป.ช.)"
    OVEC = "ovec", "สถานศึกษาอาชีวศึกษา (สอศ.)"
    OBEC = "obec", "สถานศึกษาขั้นพื้นฐาน (สพฐ.)"
    MOIT = "moit", "หน่วยบริการสาธารณสุข (MOIT)"


def _supervised_sql() -> str:
    """SQL: the ids of every organisation whose materialised path lies under (or is) the
    path of one the user supervises. Params: user id, role."""
    org, member = Organisation._meta.db_table, Membership._meta.db_table
    return (
        f"SELECT o.id FROM {org} o JOIN {org} s ON o.path LIKE s.path || '%%' "
        f"JOIN {member} m ON m.organisation_id = s.id WHERE m.user_id = %s AND m.role = %s AND s.path <> ''"
    )


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Organisations the user may read: their own, and every one below any they supervise.

        Supervision reaches any depth (ministry -> department -> region -> province -> agency)
        in one query: each organisation stores its materialised path (``path``), so "below"
        is a prefix match, not a walk of the tree.
        """
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        own = Membership.objects.filter(user=user).values("organisation_id")
        return self.filter(Q(pk__in=own) | Q(pk__in=RawSQL(_supervised_sql(), [user.pk, Role.SUPERVISOR.value])))

    def supervisable_by(self, user, code):
        """The organisation ``code`` if the user supervises it or a body above it (or is an
        administrator): some organisation the user supervises has a path that prefixes its path."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.filter(code=code)
        org, member = Organisation._meta.db_table, Membership._meta.db_table
        sql = (
            f"SELECT 1 FROM {member} m JOIN {org} s ON s.id = m.organisation_id WHERE m.user_id = %s "
            f"AND m.role = %s AND s.path <> '' AND {org}.path LIKE s.path || '%%'"
        )
        return (
            self.filter(code=code)
            .annotate(supervised=RawSQL(f"EXISTS ({sql})", [user.pk, Role.SUPERVISOR.value]))
            .filter(supervised=True)
        )

    def below(self, organisation):
        """Every organisation under ``organisation``, at any depth (not itself): a prefix
        match on the stored path (indexed for LIKE 'prefix%' on PostgreSQL)."""
        path = organisation.path or Organisation.objects.filter(pk=organisation.pk).values("path")
        if not isinstance(path, str):
            return self.filter(path__startswith=models.Subquery(path)).exclude(pk=organisation.pk)
        return self.filter(path__startswith=path).exclude(pk=organisation.pk)

    def editable_by(self, user):
        """Organisations whose scores the user may change (staff of that organisation)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(memberships__user=user, memberships__role__in=EDIT_ROLES).distinct()


def emblem_path(instance, filename):
    """Stored under a random ASCII name (the upload's own name is never used)."""
    import secrets

    ext = ".png" if filename.lower().endswith(".png") else ".jpg"
    return f"emblems/{instance.code}/{secrets.token_hex(8)}{ext}"


class Organisation(models.Model):
    code = models.SlugField("รหัสหน่วยงาน", max_length=40, unique=True, allow_unicode=False)
    name = models.CharField("ชื่อหน่วยงาน", max_length=255)
    org_type = models.CharField("ประเภท", max_length=100, blank=True)
    province = models.CharField("จังหวัด", max_length=100, blank=True)
    district = models.CharField("อำเภอ", max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="หน่วยงานกำกับดูแล",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    use_thai_digits = models.BooleanField("ใช้เลขไทยในเอกสาร", default=True)
    scheme = models.CharField("ชุดการประเมิน", max_length=10, choices=Scheme.choices, default=Scheme.NACC)
    # The organisation's own names and cut-offs of the analysis's status tiers for its documents:
    # [{"code": "strong"|"good"|"weak", "label", "min"}, ...]; empty = the edition's.
    status_tiers = models.JSONField("ชื่อและเกณฑ์ระดับสถานะของหน่วยงาน", default=list, blank=True)
    # The memo's ที่ starts with the organisation's document-number prefix (นก ๕๒๐๐๑.๒), and its
    # head carries the organisation's emblem (uploaded, PNG/JPEG; reports/emblem.py validates it).
    doc_number_prefix = models.CharField("รหัสเลขที่หนังสือของส่วนราชการ", max_length=60, blank=True)
    emblem = models.FileField("ตราหน่วยงาน", upload_to=emblem_path, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The materialised path: the ids from the top of the tree down to this one, "/3/17/204/".
    # Kept by save() (and the whole subtree moves with it) and by rebuild_paths() after bulk
    # writes (the organisation import); "below X" is path LIKE X.path || '%'.
    path = models.CharField("เส้นทางในผังหน่วยงาน", max_length=500, blank=True, default="", editable=False)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "หน่วยงาน"
        verbose_name_plural = "หน่วยงาน"
        ordering = ["code"]
        indexes = [models.Index(fields=["path"], name="organisation_path", opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        from django.db import transaction

        with transaction.atomic():  # a refused parent (TreeCycle) leaves nothing saved
            super().save(*args, **kwargs)
            sync_path(self)

    def natural_key(self):
        return (self.code,)

    def role_of(self, user):
        """The set of roles the user holds in this organisation."""
        if not user.is_authenticated:
            return set()
        return {m.role for m in self.memberships.all() if m.user_id == user.pk}

    def can_edit(self, user):
        """For templates and services; the rule itself is ita_portal.access.may_edit."""
        from ita_portal.access import may_edit

        return may_edit(self, user)


# Sent after organisations' materialised paths changed without a save of each (a subtree moved
# with its parent, rebuild_paths): ``organisation_ids``, a queryset or list of their ids.
# Copies of the path elsewhere (supervision.CycleStatus) follow it.
paths_moved = Signal()


class TreeCycle(ValueError):
    """A parent below the organisation itself: the tree would loop."""


def sync_path(organisation: Organisation) -> None:
    """Store the organisation's path from its parent's, and move its whole subtree with it
    (one UPDATE). Raises TreeCycle, saving nothing more, when the parent lies below it."""
    row = Organisation.objects.filter(pk=organisation.pk).values_list("path", "parent_id").first()
    if row is None:
        return
    old, parent_id = row
    prefix = "/"
    if parent_id is not None:
        prefix = Organisation.objects.filter(pk=parent_id).values_list("path", flat=True).first() or ""
        if not prefix:  # the parent has no path yet (written in bulk): rebuild every path
            rebuild_paths()
            organisation.path = Organisation.objects.filter(pk=organisation.pk).values_list("path", flat=True).first()
            return
        if old and prefix.startswith(old):
            raise TreeCycle(f"หน่วยงานกำกับดูแลของ {organisation.code} อยู่ภายใต้หน่วยงานนี้ จะทำให้เกิดวงวน")
    new = f"{prefix}{organisation.pk}/"
    if new != old:
        if old:
            from django.db.models.functions import Concat, Substr

            Organisation.objects.filter(path__startswith=old).update(
                path=Concat(models.Value(new), Substr("path", len(old) + 1), output_field=models.CharField())
            )
            moved = Organisation.objects.filter(path__startswith=new).values("pk")
            paths_moved.send(Organisation, organisation_ids=moved)
        else:  # a new organisation: nothing copied its path yet
            Organisation.objects.filter(pk=organisation.pk).update(path=new)
    organisation.path = new


def rebuild_paths(model=None) -> int:
    """Recompute every organisation's path from the parent links (after bulk writes, and by
    the migration that added the column); two queries and the changed rows. An organisation
    in a cycle (refused by every writer, but never trusted) gets a path of its own. Returns
    the number of paths changed."""
    model = model or Organisation  # the migration passes its historical model
    rows = {pk: (parent_id, path) for pk, parent_id, path in model.objects.values_list("id", "parent_id", "path")}
    paths: dict[int, str] = {}

    def path_of(pk: int) -> str:
        chain, node = [], pk
        while node is not None and node not in paths and node not in chain:
            chain.append(node)
            node = rows[node][0] if node in rows else None
        prefix = paths.get(node, "/") if node is not None and node not in chain else "/"
        for n in reversed(chain):
            prefix = paths[n] = f"{prefix}{n}/"
        return paths[pk]

    changed = []
    for pk, (_parent, old) in rows.items():
        new = path_of(pk)
        if new != old:
            changed.append(model(pk=pk, path=new))
    model.objects.bulk_update(changed, ["path"], batch_size=1000)
    if changed and model is Organisation:  # not the migrations' historical model
        paths_moved.send(Organisation, organisation_ids=[o.pk for o in changed])
    return len(changed)


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, verbose_name="หน่วยงาน", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField("บทบาท", max_length=20, choices=Role.choices)
    position = models.CharField("ตำแหน่ง", max_length=255, blank=True)

    class Meta:
        verbose_name = "สมาชิกหน่วยงาน"
        verbose_name_plural = "สมาชิกหน่วยงาน"
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role"),
        ]

    def __str__(self):
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"


# --------------------------------------------------------------------------- #
# Framework per fiscal year
# --------------------------------------------------------------------------- #


class IssueArea(models.Model):
    """One of the seven issue areas (ประเด็น) that 2567-style analyses group under."""

    number = models.PositiveSmallIntegerField("ลำดับ", unique=True)
    name_th = models.CharField("ประเด็น", max_length=255)

    class Meta:
        verbose_name = "ประเด็นการวิเคราะห์"
        verbose_name_plural = "ประเด็นการวิเคราะห์"
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.name_th}"


class FiscalYearQuerySet(models.QuerySet):
    def with_framework(self):
        """Years with at least one edition that has indicators (score pages need one)."""
        return self.filter(editions__indicators__isnull=False).distinct()


class FiscalYear(models.Model):
    """A fiscal year (1 October N-1 to 30 September N); its frameworks are its editions.

    A year may exist without a framework (a plan for a year NACC has not published yet)."""

    year = models.PositiveSmallIntegerField("ปีงบประมาณ (พ.ศ.)", unique=True)
    start = models.DateField("วันเริ่มต้น")
    end = models.DateField("วันสิ้นสุด")

    objects = FiscalYearQuerySet.as_manager()

    class Meta:
        verbose_name = "ปีงบประมาณ"
        verbose_name_plural = "ปีงบประมาณ"
        ordering = ["year"]

    def __str__(self):
        return f"พ.ศ. {self.year}"

    def natural_key(self):
        return (self.year,)

    def edition(self, scheme: str = Scheme.NACC) -> "Edition | None":
        """The year's edition for a scheme (prefetch ``editions`` for lists), None when not loaded."""
        return next((e for e in self.editions.all() if e.scheme == scheme), None)


class Edition(models.Model):
    """One scheme's framework of one fiscal year: its rules, tools, indicators and items.

    NACC's general list is the edition ``nacc``; vocational colleges (``ovec``) and other
    schemes answer their own lists in the same year (PRODUCT.md §2)."""

    class ResultMode(models.TextChoices):
        GRADE = "grade", "ระดับผลการประเมิน (AA–F)"
        PASS_FAIL = "pass_fail", "ผ่าน / ไม่ผ่าน"

    class EitCombination(models.TextChoices):
        MEAN_OF_INDICATORS = "mean_of_indicators", "ค่าเฉลี่ยของตัวชี้วัด"
        MEAN_OF_PARTS = "mean_of_parts", "ค่าเฉลี่ยของ EIT Public และ EIT Survey"

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.CASCADE, related_name="editions")
    scheme = models.CharField("ชุดการประเมิน", max_length=10, choices=Scheme.choices, default=Scheme.NACC)
    name_th = models.CharField("ชื่อฉบับ", max_length=255, blank=True)
    pass_score = models.DecimalField("เกณฑ์ผ่าน", max_digits=5, decimal_places=2, default=Decimal("85"))
    excellent_score = models.DecimalField("เกณฑ์ดีเยี่ยม", max_digits=5, decimal_places=2, default=Decimal("95"))
    strength_threshold = models.DecimalField(
        "เกณฑ์แบ่งประเด็นที่ต้องพัฒนา/จุดอ่อน", max_digits=5, decimal_places=2, default=Decimal("85")
    )
    eit_gap_threshold = models.DecimalField(
        "ส่วนต่าง EIT Public/Survey ที่ถือว่ามาก", max_digits=5, decimal_places=2, default=Decimal("10")
    )
    result_mode = models.CharField("การรายงานผล", max_length=20, choices=ResultMode.choices)
    eit_combination = models.CharField("การรวมคะแนน EIT", max_length=30, choices=EitCombination.choices)
    # NACC's rating ladder (from 2567): [{"label", "min_total", "min_tool"}, ...] highest rung first;
    # empty where the year has none. Checked for overlaps and gaps by frameworks.validate.
    rating_ladder = models.JSONField("ระดับผลการประเมิน (บันไดคะแนน)", default=list, blank=True)
    # The analysis's status tiers: [{"code", "label", "min"}, ...] highest first; empty = the
    # default (strong ≥ excellent, good ≥ threshold, weak).
    status_tiers = models.JSONField("ระดับสถานะของตัวชี้วัด", default=list, blank=True)
    uncertain = models.BooleanField("ข้อมูลบางส่วนอนุมาน", default=False)
    eit_combination_uncertain = models.BooleanField("การรวม EIT ยังไม่ยืนยัน", default=False)
    weights_uncertain = models.BooleanField("น้ำหนักยังไม่ยืนยัน", default=False)
    source = models.TextField("แหล่งที่มา", blank=True)
    # The framework's cache key (frameworks.cache): a new value whenever this row is saved,
    # the admin saves or deletes a part of any framework, or ``frameworks.install`` completes.
    framework_token = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = "กรอบการประเมิน (ฉบับ)"
        verbose_name_plural = "กรอบการประเมิน (ฉบับ)"
        ordering = ["fiscal_year", "scheme"]
        constraints = [models.UniqueConstraint(fields=["fiscal_year", "scheme"], name="edition_unique_per_scheme")]

    def __str__(self):
        return f"พ.ศ. {self.fiscal_year.year} {self.label}"

    def save(self, *args, **kwargs):
        self.framework_token = uuid.uuid4()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "framework_token"}
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        """The edition as people name it: its own name, else its scheme's."""
        return self.name_th or self.get_scheme_display()

    def standing(self, total, bands: list | None = None):
        """How a total reads: ("pass"|"fail", "ผ่าน"|"ไม่ผ่าน") or ("grade", "B"); None without a total.

        Grade bands come from ``grade_bands`` (prefetch them for lists), or from ``bands`` (the
        edition's grade bands, highest first: a list of thousands reads them once).
        """
        if total is None:
            return None
        if self.result_mode == self.ResultMode.PASS_FAIL:
            return ("pass", "ผ่าน") if total >= self.pass_score else ("fail", "ไม่ผ่าน")
        if bands is None:
            bands = self.bands_highest_first()
        for band in bands:
            if total >= band.min_score:
                return ("grade", band.grade)
        return None

    def bands_highest_first(self) -> list:
        return sorted(self.grade_bands.all(), key=lambda b: -b.min_score)


class GradeBand(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="grade_bands")
    grade = models.CharField("ระดับ", max_length=4)
    min_score = models.DecimalField("คะแนนขั้นต่ำ", max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = "ระดับผลการประเมิน"
        verbose_name_plural = "ระดับผลการประเมิน"
        ordering = ["edition", "-min_score"]
        constraints = [models.UniqueConstraint(fields=["edition", "grade"], name="grade_unique_per_edition")]

    def __str__(self):
        return f"{self.grade} ≥ {self.min_score}"


class Tool(models.Model):
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.CASCADE, related_name="tools")
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="tools")
    code = models.CharField("รหัส", max_length=10)  # iit, eit, oit
    name_th = models.CharField("ชื่อเครื่องมือ", max_length=255)
    name_en = models.CharField("ชื่ออังกฤษ", max_length=255, blank=True)
    weight = models.DecimalField("น้ำหนัก", max_digits=4, decimal_places=2)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "เครื่องมือการประเมิน"
        verbose_name_plural = "เครื่องมือการประเมิน"
        ordering = ["fiscal_year", "order"]
        constraints = [models.UniqueConstraint(fields=["edition", "code"], name="tool_unique_per_edition")]

    def __str__(self):
        return f"{self.code.upper()} {self.fiscal_year.year}"


class ToolPart(models.Model):
    """A part of a tool scored separately (EIT Public / EIT Survey from 2566)."""

    tool = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="parts")
    code = models.CharField("รหัส", max_length=10)  # public, survey
    name_th = models.CharField("ชื่อส่วน", max_length=255)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "ส่วนของเครื่องมือ"
        verbose_name_plural = "ส่วนของเครื่องมือ"
        ordering = ["tool", "order"]
        constraints = [models.UniqueConstraint(fields=["tool", "code"], name="part_unique_per_tool")]

    def __str__(self):
        return f"{self.tool.code.upper()} {self.code}"


class Indicator(models.Model):
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.CASCADE, related_name="indicators")
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="indicators")
    tool = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="indicators")
    number = models.PositiveSmallIntegerField("ตัวชี้วัดที่")
    name_th = models.CharField("ชื่อตัวชี้วัด", max_length=255)
    name_en = models.CharField("ชื่ออังกฤษ", max_length=255, blank=True)
    description_th = models.TextField("คำอธิบาย", blank=True)
    issue_areas = models.ManyToManyField(IssueArea, blank=True, related_name="indicators")

    class Meta:
        verbose_name = "ตัวชี้วัด"
        verbose_name_plural = "ตัวชี้วัด"
        ordering = ["fiscal_year", "number"]
        constraints = [models.UniqueConstraint(fields=["edition", "number"], name="indicator_unique_per_edition")]

    def __str__(self):
        return f"ตัวชี้วัดที่ {self.number} {self.name_th}"


class SubIndicator(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="subindicators")
    code = models.CharField("รหัส", max_length=10)  # "9.1"
    name_th = models.CharField("ชื่อตัวชี้วัดย่อย", max_length=255)
    uncertain = models.BooleanField("อนุมาน", default=False)

    class Meta:
        verbose_name = "ตัวชี้วัดย่อย"
        verbose_name_plural = "ตัวชี้วัดย่อย"
        ordering = ["indicator", "code"]
        constraints = [models.UniqueConstraint(fields=["indicator", "code"], name="subindicator_unique")]

    def __str__(self):
        return f"{self.code} {self.name_th}"


class ItemRole(models.TextChoices):
    """What an item asks for beyond its wording; the portal finds items by role, never by code."""

    MEASURES = "measures", "มาตรการส่งเสริมคุณธรรมและความโปร่งใส"
    MEASURES_FOLLOWUP = "measures_followup", "รายงานผลการดำเนินการตามมาตรการ"
    PREVIOUS_YEAR_REPORT = "previous_year_report", "รายงานผลของปีงบประมาณก่อน"


class Item(models.Model):
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.CASCADE, related_name="items")
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="items")
    subindicator = models.ForeignKey(
        SubIndicator, null=True, blank=True, on_delete=models.CASCADE, related_name="items"
    )
    code = models.CharField("รหัสข้อ", max_length=10)  # canonical lower case: i1, e13, o34
    label = models.CharField("รหัสตามเอกสาร", max_length=10)  # as the year writes it: o34 / O34
    title_th = models.TextField("ข้อคำถาม/รายการ")
    order = models.PositiveSmallIntegerField(default=0)
    uncertain = models.BooleanField("อนุมาน", default=False)
    issue_areas = models.ManyToManyField(IssueArea, blank=True, related_name="items")
    # What the item is for, kept when NACC renumbers it (data: fixtures/item_meta/, item_meta.py).
    role = models.CharField("บทบาทของข้อ", max_length=30, choices=ItemRole.choices, blank=True, default="")
    topic = models.SlugField("หัวข้อ (คงที่ข้ามปี)", max_length=60, blank=True, default="")
    criteria = models.TextField("เกณฑ์: หลักฐานต้องมีอะไร", blank=True, default="")
    example = models.TextField("ตัวอย่างหลักฐานที่ดี", blank=True, default="")

    class Meta:
        verbose_name = "ข้อการประเมิน"
        verbose_name_plural = "ข้อการประเมิน"
        ordering = ["fiscal_year", "order"]
        constraints = [models.UniqueConstraint(fields=["edition", "code"], name="item_unique_per_edition")]

    def __str__(self):
        return f"{self.label} {self.title_th[:60]}"


# --------------------------------------------------------------------------- #
# Scores
# --------------------------------------------------------------------------- #


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(organisation__in=Organisation.objects.visible_to(user))

    def for_year(self, fiscal_year):
        return self.filter(fiscal_year=fiscal_year)

    def for_organisation(self, organisation):
        return self.filter(organisation=organisation)


class Assessment(models.Model):
    """One organisation's ITA result for one fiscal year (the container of its scores)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="assessments")
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="assessments")
    # The edition the scores answer (the organisation's scheme's edition when first recorded).
    edition = models.ForeignKey("Edition", on_delete=models.PROTECT, related_name="assessments")
    # Denormalised summary for lists and supervisors; refreshed by services on every change.
    total_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    mismatch_count = models.PositiveSmallIntegerField(default=0)
    # {"iit": 87.93, …} and {"ind1": 92.77, …}: each tool's and indicator's score (published, else
    # computed), so supervisors' lists and peer groups aggregate in SQL, not per agency.
    tool_scores = models.JSONField(default=dict, blank=True)
    indicator_scores = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = "ผลการประเมิน"
        verbose_name_plural = "ผลการประเมิน"
        ordering = ["organisation", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "fiscal_year"], name="assessment_unique_per_year")
        ]

    def __str__(self):
        return f"{self.organisation} {self.fiscal_year}"


class Level(models.TextChoices):
    ITEM = "item", "ข้อ"
    SUBINDICATOR = "subindicator", "ตัวชี้วัดย่อย"
    INDICATOR = "indicator", "ตัวชี้วัด"
    TOOL = "tool", "เครื่องมือ"
    TOTAL = "total", "คะแนนรวม"


class Part(models.TextChoices):
    NONE = "", "—"
    PUBLIC = "public", "EIT Public"
    SURVEY = "survey", "EIT Survey"


class Score(models.Model):
    """A published figure as entered: level + key (+ EIT part); never recomputed in place.

    key is the canonical code of the thing scored: an item code ("e1"), a
    sub-indicator ("9.1"), an indicator number ("9"), a tool ("eit") or "total".
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    level = models.CharField(max_length=20, choices=Level.choices)
    key = models.CharField(max_length=10)
    part = models.CharField(max_length=10, choices=Part.choices, blank=True, default="")
    value = models.DecimalField(
        "คะแนน",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = "คะแนน"
        verbose_name_plural = "คะแนน"
        constraints = [
            models.UniqueConstraint(fields=["assessment", "level", "key", "part"], name="score_unique"),
            models.CheckConstraint(condition=Q(value__gte=0) & Q(value__lte=100), name="score_between_0_and_100"),
        ]

    def __str__(self):
        return f"{self.level}:{self.key}{'/' + self.part if self.part else ''} = {self.value}"


class IndicatorNarrative(models.Model):
    """Staff's edited narrative for one indicator of one year's analysis."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="narratives")
    indicator_number = models.PositiveSmallIntegerField()
    text = models.TextField("คำอธิบายผลการวิเคราะห์")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = "คำอธิบายรายตัวชี้วัด"
        verbose_name_plural = "คำอธิบายรายตัวชี้วัด"
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator_number"], name="narrative_unique"),
        ]

    def __str__(self):
        return f"ตัวชี้วัดที่ {self.indicator_number}"


class ItemAnalysis(models.Model):
    """The agency's own analysis of one item of a year's result (seed 001: the facts the
    scores show, then the measure they lead to), printed under the item in the analysis."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="item_analyses")
    item_code = models.CharField("รหัสข้อ", max_length=10)  # the item's canonical code (i1, e13)
    text = models.TextField("คำวิเคราะห์รายข้อ")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = "คำวิเคราะห์รายข้อ"
        verbose_name_plural = "คำวิเคราะห์รายข้อ"
        constraints = [models.UniqueConstraint(fields=["assessment", "item_code"], name="item_analysis_unique")]

    def __str__(self):
        return f"ข้อ {self.item_code}"


class Recommendation(models.Model):
    """An assessor's recommendation copied from the official result, stored as entered."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="recommendations")
    tool = models.CharField("เครื่องมือ", max_length=10, blank=True)
    part = models.CharField("ส่วน", max_length=10, choices=Part.choices, blank=True, default="")
    item_codes = models.CharField("ข้อที่เกี่ยวข้อง", max_length=255, blank=True)
    text = models.TextField("ข้อเสนอแนะของผู้ตรวจประเมิน")
    order = models.PositiveSmallIntegerField(default=0)
    # The version a form was opened with (optimistic locking of edits, deletions and moves).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "ข้อเสนอแนะของผู้ตรวจประเมิน"
        verbose_name_plural = "ข้อเสนอแนะของผู้ตรวจประเมิน"
        ordering = ["assessment", "order", "pk"]

    def __str__(self):
        return self.text[:60]


class ChangeLog(models.Model):
    """Append-only record of every change to scores and framework data: who, when, what."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.CASCADE)
    action = models.CharField(max_length=50)
    summary = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "บันทึกการเปลี่ยนแปลง"
        verbose_name_plural = "บันทึกการเปลี่ยนแปลง"
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


# --------------------------------------------------------------------------- #
# The ITAS calendar
# --------------------------------------------------------------------------- #


class MilestoneQuerySet(models.QuerySet):
    def upcoming(self, day):
        """Milestones not yet over on ``day``, soonest first."""
        return self.filter(end__gte=day).order_by("start", "end", "pk")


class Milestone(models.Model):
    """One step of NACC's yearly ITAS calendar (registration, OIT answering, …), as announced.

    Keyed by the B.E. assessment year (an integer): the calendar of a year is announced
    before its framework is, so it needs no FiscalYear row. ``reminded_at`` is claimed by
    a conditional update, so the deadline reminder goes out once, whatever the workers.
    """

    class Kind(models.TextChoices):
        REGISTRATION = "registration", "ลงทะเบียนและนำเข้าข้อมูลผู้มีส่วนได้ส่วนเสีย"
        OIT = "oit", "ตอบแบบตรวจการเปิดเผยข้อมูลสาธารณะ (OIT)"
        CLARIFICATION = "clarification", "ขอชี้แจงเพิ่มเติม"
        CONFIRMATION = "confirmation", "ยืนยันผลการประเมิน"
        RESULTS = "results", "ประกาศผลการประเมิน"

    # Deadlines staff are reminded of before they pass.
    REMINDED_KINDS = (Kind.OIT, Kind.CLARIFICATION)

    fiscal_year = models.PositiveSmallIntegerField("ปีการประเมิน (พ.ศ.)")
    kind = models.CharField("ขั้นตอน", max_length=20, choices=Kind.choices)
    title = models.CharField("ชื่อที่แสดง", max_length=255, blank=True)
    start = models.DateField("วันเริ่ม")
    end = models.DateField("วันสิ้นสุด")
    uncertain = models.BooleanField("อนุมาน (ยังไม่ประกาศ)", default=False)
    note = models.TextField("หมายเหตุ/แหล่งที่มา", blank=True)
    reminded_at = models.DateTimeField("แจ้งเตือนเมื่อ", null=True, blank=True, editable=False)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = "ปฏิทินการประเมิน ITAS"
        verbose_name_plural = "ปฏิทินการประเมิน ITAS"
        ordering = ["fiscal_year", "start", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "kind"], name="milestone_unique_kind_per_year"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="milestone_end_after_start"),
        ]

    def __str__(self):
        return f"{self.fiscal_year} {self.label}"

    @property
    def label(self):
        return self.title or self.get_kind_display()
