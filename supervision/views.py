"""The supervisor's pages: the dashboard of every agency below, its Excel export, chasing.

Only a supervisor of the body (or of one above it) reaches them; anyone else gets a 404.
Every agency is one click away, on its own pages, read-only for the supervisor."""

import tempfile
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from assessments.charts import chart_compare
from assessments.forms import UploadForm
from assessments.frameworks import framework_for
from assessments.models import FiscalYear
from assessments.peers import indicator_means
from assessments.sheets import ImportRefused
from ita_portal.access import access_supervision

from . import cache, dashboard, exports, results, services
from .forms import ChaseForm, ConfirmResultsForm

COLUMNS = [
    ("code", "รหัส"),
    ("name", "หน่วยงาน"),
    ("type", "ประเภท"),
    ("province", "จังหวัด"),
    ("district", "อำเภอ"),
    ("total", "คะแนนรวม"),
    ("iit", "IIT"),
    ("eit", "EIT"),
    ("oit", "OIT"),
    ("rating", "ระดับผลการประเมิน"),
    ("stage", "สถานะ"),
]


def _fiscal_year(year):
    return get_object_or_404(FiscalYear.objects.with_framework().prefetch_related("editions__grade_bands"), year=year)


def _year_and_next(year, gens=None):
    """(the fiscal year with its editions and grade bands, the year after it), or None: both
    from supervision.cache (the frameworks and years change rarely; a change bumps it)."""

    def load():
        fiscal_year = (
            FiscalYear.objects.with_framework().prefetch_related("editions__grade_bands").filter(year=year).first()
        )
        return None if fiscal_year is None else (fiscal_year, dashboard.plan_year_of(fiscal_year))

    found = cache.cached({"year": (year,)}, {"year": load}, common=frozenset({"year"}), gens=gens)["year"]
    if found is None:
        raise Http404("ไม่มีกรอบการประเมินปีนี้")
    return found


@login_required
@require_safe
def dashboard_latest(request, code):
    root = access_supervision(request.user, code)
    latest = FiscalYear.objects.with_framework().filter(assessments__isnull=False).order_by("-year").first()
    latest = latest or FiscalYear.objects.with_framework().order_by("-year").first()
    if latest is None:
        raise Http404("ยังไม่มีกรอบการประเมิน")
    return redirect("supervision_dashboard", code=root.code, year=latest.year)


@login_required
@require_safe
def dashboard_page(request, code, year):
    """Every agency below, filtered and sorted, with counts per stage and the group's means."""
    root = access_supervision(request.user, code)
    context = _dashboard_context(request, root, year)
    return render(request, "supervision/dashboard.html", context)


def _dashboard_context(request, root, year, chase_form=None):
    """The page of rows is one query; what spans every agency below (counts per stage and
    rating, the group's and the country's means, the filter menus, the years) comes from
    supervision.cache, recomputed after any write it depends on."""
    today = timezone.localdate()
    gens = cache.generations(root.pk)  # the common generation and the one of the writes below root
    fiscal_year, plan_year = _year_and_next(year, gens)
    ratings = dashboard.Ratings.of(fiscal_year)
    filters = dashboard.Filters.from_query(request.GET, ratings)

    # Built only when a figure is computed (a cache miss): building the annotated queryset
    # costs more than the page's own query.
    def base():
        # The common generation (the ratings' CASE is read from the editions): not per write below.
        key = (gens[-1], root.pk, root.path, fiscal_year.pk, plan_year.pk if plan_year else None, today)
        return dashboard.kept_agencies(
            key, lambda: dashboard.agencies(root, fiscal_year, plan_year, today=today, ratings=ratings)
        )

    def selected():
        return dashboard.filtered(base(), filters)

    def figures():
        """(the counts, the group's means): one grouped query (the means apart only for a
        framework past the derived table's 20 indicator columns)."""
        if filters.org_type or filters.province or filters.district or filters.q:
            found, means = dashboard.counts_and_means(
                dashboard.filtered(base(), filters, with_stage=False), ratings, filters, numbers
            )
        else:  # no filter on the organisations' columns: their CycleStatus rows alone, no join
            key = ("groups", gens[-1], root.pk, root.path, fiscal_year.pk, today, tuple(numbers))
            groups = dashboard.kept_agencies(
                key,
                lambda: dashboard.status_groups(
                    dashboard.status_rows(root, fiscal_year, today=today, ratings=ratings), numbers
                ),
            )
            found, means = dashboard.counts_and_means(groups, ratings, filters, numbers, rows=root)
        if means is None:
            means = dashboard.group_means(selected(), fiscal_year, numbers, root=root, filters=filters)
        return found, means

    framework = framework_for(fiscal_year)
    numbers = [i.number for i in framework.indicators]
    selection = filters.query(sort="")
    summary = cache.cached(
        {
            "figures": (root.pk, fiscal_year.pk, today, selection),
            "country": (fiscal_year.pk,),
            "choices": (root.pk,),
            "years": (),
            "chases": (root.pk, plan_year.pk if plan_year else None),
        },
        {
            "figures": figures,
            "country": lambda: indicator_means(fiscal_year.assessments.all(), numbers),
            "choices": lambda: dashboard.choices(root),
            "years": lambda: list(FiscalYear.objects.with_framework().order_by("year").values_list("year", flat=True)),
            "chases": lambda: list(services.chases_of(root, plan_year)),
        },
        steady=frozenset({"country"}),
        common=frozenset({"choices", "years", "chases"}),
        gens=gens,
    )
    (counts, group), country = summary["figures"], summary["country"]
    # The fragments by what they show: a write below that moves no count, menu or mean (a plan
    # saved in the same state, a round's text) leaves them as rendered.
    filters_key = cache.content_key(
        root.pk, fiscal_year.pk, filters.query(), counts, summary["choices"], summary["years"], gens=gens
    )
    means_key = cache.content_key(fiscal_year.pk, numbers, group, country, gens=gens)
    # The selection's size is a figure already counted ("selected"): the paginator pages a range
    # of that length, not the selection's ids.
    page = Paginator(range(counts["selected"]), dashboard.PAGE_SIZE).get_page(request.GET.get("page"))

    def order():
        # Every selected agency's id in the page's order: the stage and rating filters and the
        # sorts by a result evaluate their CASE expressions over every agency below, so that is
        # done once per generation; each later page then reads its 100 rows by id.
        return list(dashboard.ordered(selected(), filters.sort).values_list("pk", flat=True))

    def page_rows():
        if page.number == 1:
            # The page a supervisor lands on (after a write below: the request computing the
            # figures again): its 100 rows by ORDER BY … LIMIT, PostgreSQL keeping the top rows
            # as it reads, without sending every selected id (one query fewer).
            rows = dashboard.page_of(selected(), filters.sort, 0, dashboard.PAGE_SIZE)
        else:
            ids = cache.cached(
                {"order": (root.pk, fiscal_year.pk, today, filters.query())}, {"order": order}, gens=gens
            )["order"]
            rows = dashboard.rows_by_id(base(), ids[page.object_list.start : page.object_list.stop])
        rounds = dashboard.rounds_of([r["plan_id"] for r in rows if r["plan_id"]], today=today)
        standing = dashboard.standing_of(fiscal_year)
        for r in rows:
            r["standing"] = standing(r["total"], r["scheme"])
            r["stage_label"] = dashboard.STAGE_LABELS[r["stage"]]
            r["rounds"] = rounds.get(r["plan_id"], [])
            r["late"] = dashboard.late_of(r["rounds"])
            r["tools"] = r["tool_scores"] or {}
            r["rating_badge"] = ratings.badges.get(r["rating"], "")
        return rows

    # The page's rows too: every value in them is read from what bumps the generation (the
    # tree, results, plans, revisions, rounds and entries), and "today" is in the key.
    rows = cache.cached(
        {"rows": (root.pk, fiscal_year.pk, today, filters.query(), page.number)}, {"rows": page_rows}, gens=gens
    )["rows"]
    return {
        "root": root,
        "fiscal_year": fiscal_year,
        "plan_year": plan_year,
        "years": summary["years"],
        "filters": filters,
        "choices": summary["choices"],
        "stage_filters": [(code, label, counts[code]) for code, label in dashboard.STAGE_FILTERS],
        "rating_filters": [(label, counts["ratings"][label]) for label in ratings.labels],
        "no_rating": (dashboard.NO_RATING, counts["ratings"][dashboard.NO_RATING]),
        "ratings": ratings,
        "counts": counts,
        "page": page,
        "rows": rows,
        "round_labels": dashboard.ROUND_LABELS,
        "columns": COLUMNS,
        "numeric": {"total", "iit", "eit", "oit"},
        "indicators": [
            {"number": i.number, "name": i.name, "group": group.get(i.number), "country": country.get(i.number)}
            for i in framework.indicators
        ],
        "chart": chart_compare(numbers, group, country, labels=("กลุ่มที่เลือก", "ทั้งประเทศ (ในระบบ)")),
        "chases": summary["chases"],
        "filters_key": filters_key,
        "means_key": means_key,
        "chase_form": chase_form or ChaseForm(),
    }


@login_required
@require_safe
def export(request, code, year):
    """The dashboard's rows, as filtered and sorted, as an Excel workbook (every page)."""
    root = access_supervision(request.user, code)
    fiscal_year = _fiscal_year(year)
    filters = dashboard.Filters.from_query(request.GET, dashboard.Ratings.of(fiscal_year))
    workbook = exports.dashboard_workbook(root, fiscal_year, filters, today=timezone.localdate())
    # Written to a temporary file (openpyxl's write-only rows go to one as they come) and
    # streamed from it in chunks: the workbook of 8,300 agencies is never held in memory.
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes (and so deletes) it
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"ita-{root.code}-{fiscal_year.year}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
@require_POST
def chase(request, code, year):
    """Set a date by which the agencies below must publish their plan or report a round."""
    root = access_supervision(request.user, code)
    fiscal_year = _fiscal_year(year)
    plan_year = dashboard.plan_year_of(fiscal_year)
    form = ChaseForm(request.POST)
    if plan_year is None:
        messages.error(request, f"ยังไม่มีปีงบประมาณ {fiscal_year.year + 1} ในระบบ จึงตั้งกำหนดส่งไม่ได้")
        return redirect("supervision_dashboard", code=code, year=year)
    if form.is_valid():
        services.set_chase(root, fiscal_year=plan_year, by=request.user, **form.cleaned_data)
        messages.success(request, "ตั้งกำหนดส่งแล้ว หน่วยงานที่ยังไม่ดำเนินการเมื่อพ้นกำหนดจะได้รับการแจ้งเตือนครั้งเดียว")
        return redirect("supervision_dashboard", code=code, year=year)
    messages.error(request, "กำหนดส่งไม่ถูกต้อง กรุณาแก้ไขช่องที่มีข้อความสีแดง")
    return render(
        request,
        "supervision/dashboard.html",
        _dashboard_context(request, root, year, chase_form=form),
        status=400,
    )


RESULTS_SESSION_KEY = "results_import"


@login_required
def results_import(request, code, year):
    """Results for many agencies below in one sheet: upload and check (nothing saved), then
    confirm, optionally replacing figures the agencies entered themselves."""
    root = access_supervision(request.user, code)
    fiscal_year = _fiscal_year(year)
    context = {"root": root, "fiscal_year": fiscal_year, "form": UploadForm(max_bytes=settings.ITA_MAX_IMPORT_BYTES)}
    if request.method == "POST" and "confirm" in request.POST:
        confirm = ConfirmResultsForm(request.POST)
        pending = request.session.get(RESULTS_SESSION_KEY) or {}
        if (
            not confirm.is_valid()
            or pending.get("token") != confirm.cleaned_data["token"]
            or (pending.get("org"), pending.get("year")) != (code, year)
        ):
            messages.error(request, "ไม่พบข้อมูลที่ตรวจสอบไว้ หรือหมดอายุแล้ว กรุณาอัปโหลดไฟล์อีกครั้ง")
            return redirect("supervision_results", code=code, year=year)
        try:
            totals = results.save_results(
                results.from_session(pending["rows"]), fiscal_year=fiscal_year, root=root, by=request.user,
                overwrite=confirm.cleaned_data["overwrite"], filename=pending["filename"],
            )  # fmt: skip
        except ImportRefused as exc:
            context.update(errors=exc.lines(), filename=pending["filename"])
            return render(request, "supervision/results_import.html", context, status=400)
        del request.session[RESULTS_SESSION_KEY]
        messages.success(
            request,
            f"นำเข้าไฟล์ {pending['filename']} แล้ว: {totals['agencies']} หน่วยงาน เพิ่ม {totals['added']} "
            f"แก้ไข {totals['changed']} คะแนน"
            + (f" คงค่าที่หน่วยงานบันทึกเอง {totals['kept']} รายการ" if totals["kept"] else ""),
        )
        return redirect("supervision_dashboard", code=code, year=year)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, max_bytes=settings.ITA_MAX_IMPORT_BYTES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                checked = results.read_results(
                    upload, upload.name, fiscal_year=fiscal_year, root=root, sheet=form.cleaned_data["sheet"]
                )
            except ImportRefused as exc:
                context.update(errors=exc.lines(), filename=upload.name)
                return render(request, "supervision/results_import.html", context, status=400)
            token = uuid.uuid4().hex
            request.session[RESULTS_SESSION_KEY] = {
                "token": token, "org": code, "year": year, "filename": upload.name[:200],
                "rows": results.to_session(checked.rows),
            }  # fmt: skip
            context.update(
                checked=checked, filename=upload.name, confirm_form=ConfirmResultsForm(initial={"token": token})
            )
        else:
            return render(request, "supervision/results_import.html", context, status=400)
    return render(request, "supervision/results_import.html", context)
