"""The measures table's layout page: a preset in one click, or the organisation's own
columns, headers, grouping and numbering in a small form (no script); and how the
follow-up report groups its rows."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from ita_portal.access import access_plan, require_edit

from . import layouts, services
from .models import Plan
from .services import WorkflowError

SLOTS = layouts.MAX_COLUMNS


def _posted_spec(post) -> dict:
    """The custom form as a spec: slot n has a field (or none) and a header."""
    columns = []
    for n in range(1, SLOTS + 1):
        field = (post.get(f"field_{n}") or "").strip()
        if field:
            columns.append({"field": field, "header": post.get(f"header_{n}", "")})
    return {"columns": columns, **{key: post.get(key, "") for key in ("form", "group", "numbering", "style")}}


def _slots(spec: dict) -> list[dict]:
    cols = list(spec.get("columns") or [])
    return [{"n": n, **(cols[n - 1] if n <= len(cols) else {"field": "", "header": ""})} for n in range(1, SLOTS + 1)]


@login_required
def plan_layout(request, code, year):
    organisation, fiscal_year, plan = access_plan(request.user, code, year)
    if plan is None:
        raise Http404("ไม่มีแผนมาตรการปีนี้")
    can_edit = organisation.can_edit(request.user)
    typed = None  # the custom form as typed, shown again when refused
    if request.method == "POST":
        require_edit(organisation, request.user)
        action = request.POST.get("action")
        try:
            if action == "preset":
                name = request.POST.get("preset", "")
                if name not in layouts.PRESETS:
                    raise WorkflowError("ไม่รู้จักรูปแบบตารางนี้")
                services.set_table_layout(plan, by=request.user, spec=layouts.preset(name))
                messages.success(request, f"ใช้รูปแบบตาราง “{layouts.PRESET_LABELS[name]}” แล้ว")
            elif action == "custom":
                typed = _posted_spec(request.POST)
                services.set_table_layout(plan, by=request.user, spec=typed)
                typed = None
                messages.success(request, "บันทึกคอลัมน์ของตารางมาตรการแล้ว")
            elif action == "followup":
                services.set_followup_group(plan, by=request.user, group=request.POST.get("followup_group", ""))
                messages.success(request, "บันทึกการจัดกลุ่มรายงานผลการดำเนินการแล้ว")
            else:
                raise WorkflowError("ไม่รู้จักคำสั่งนี้")
        except WorkflowError as exc:
            messages.error(request, str(exc))
        if typed is None:
            return redirect("plan_layout", code=code, year=year)
        plan.refresh_from_db()
    current = layouts.resolve(plan.layout, plan.table)
    shown = typed or current
    context = {
        "organisation": organisation, "fiscal_year": fiscal_year, "plan": plan, "can_edit": can_edit,
        "editable": can_edit and plan.is_editable,
        "current": current, "current_preset": layouts.preset_of(current),
        "current_group": layouts.GROUPS[current["group"]], "current_numbering": layouts.NUMBERING[current["numbering"]],
        "presets": [{"key": k, "label": layouts.PRESET_LABELS[k], "headers": [c["header"] for c in p["columns"]]}
                    for k, p in layouts.PRESETS.items()],
        "slots": _slots(shown), "spec": shown,
        "fields": [(k, layouts.FIELD_LABELS[k]) for k in layouts.FIELDS],
        "forms": layouts.FORMS.items(), "groups": layouts.GROUPS.items(),
        "numberings": layouts.NUMBERING.items(), "styles": layouts.STYLES.items(),
        "followup_groups": Plan.Grouping.choices,
    }  # fmt: skip
    return render(request, "measures/plan_layout.html", context, status=400 if typed else 200)
