"""The memo page (staff write the memo's parts while the plan is editable) and the
organisation's document settings (document-number prefix, emblem, sign-off blocks)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from ita_portal.access import (
    access_organisation,
    access_plan,
    may_configure_documents,
    require_configure_documents,
    require_edit,
)

from . import memo as memo_texts
from .emblem import MAX_BYTES, MAX_PIXELS, EmblemError, set_emblem
from .forms import DocumentIdentityForm, MemoForm, SignOffForm
from .models import Report
from .signoff import ROLES, config_of, save_signoff


def _initial(plan) -> dict:
    from .models import PlanMemo

    saved = PlanMemo.objects.filter(plan=plan).first()
    defaults = memo_texts.draft_prefilled(plan)
    texts = saved.texts if saved else {}
    values = {part: texts.get(part, defaults[part]) for part in memo_texts.PARTS}
    values["date"] = saved.date if saved else None
    values["version"] = saved.version if saved else 0
    return values


@login_required
def memo_page(request, code, year):
    """Every part of the memo, prefilled from the data; saved, or reset to the prefilled text."""
    organisation, fiscal_year, plan = access_plan(request.user, code, year)
    if plan is None:
        raise Http404("ไม่มีแผนมาตรการปีนี้")
    require_edit(organisation, request.user)
    status = 200
    if request.method == "POST":
        form = MemoForm(request.POST)
        action = request.POST.get("action", "save")
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "reset":
                    memo_texts.reset_memo(plan, by=request.user, version=data["version"])
                    messages.success(request, "กลับไปใช้ข้อความตั้งต้นจากข้อมูลของแผนแล้ว")
                else:
                    reset = [p for p in memo_texts.PARTS if request.POST.get(f"reset_{p}")]
                    values = {p: data[p] for p in memo_texts.PARTS if p in request.POST}  # a part not sent stays
                    memo_texts.save_memo(
                        plan, by=request.user, values=values, date_=data["date"], version=data["version"], reset=reset
                    )
                    messages.success(request, "บันทึกบันทึกข้อความแล้ว")
                return redirect("memo_edit", code=code, year=year)
            except memo_texts.MemoConflict as exc:
                form.add_error(None, str(exc))
                form.data = form.data.copy()
                form.data["version"] = exc.current_version  # saving again replaces the other edit
                status = 409
            except memo_texts.MemoError as exc:
                form.add_error(None, str(exc))
                status = 400
        else:
            status = 400
    else:
        form = MemoForm(initial=_initial(plan))
    defaults = memo_texts.draft_prefilled(plan)
    from .models import PlanMemo

    saved = PlanMemo.objects.filter(plan=plan).first()
    edited = set(saved.texts) if saved else set()
    parts = [
        {"field": form[part], "part": part, "edited": part in edited, "default": defaults[part]}
        for part in memo_texts.PARTS
    ]
    # A plan under consideration or approved shows the memo as submitted or approved, read only.
    shown = None
    if not plan.is_editable:
        from .builders import ReportError, build_memo

        try:
            built = build_memo(organisation, year)["memo"]
        except ReportError:
            built = None
        if built:
            shown = [(memo_texts.LABELS[p], "\n".join(built[p]) if p == "law" else built[p]) for p in memo_texts.PARTS]
            shown.insert(2, (memo_texts.LABELS["date"], built["date"]))
    return render(
        request,
        "reports/memo_edit.html",
        {
            "organisation": organisation, "fiscal_year": fiscal_year, "plan": plan, "form": form, "parts": parts,
            "editable": plan.is_editable, "date_field": form["date"], "shown": shown,
        },
        status=status,
    )  # fmt: skip


@login_required
def document_settings(request, code):
    """The organisation's executive sets the memo's document-number prefix, the emblem and
    who signs each kind of document."""
    organisation = access_organisation(request.user, code)
    require_configure_documents(organisation, request.user)
    status = 200
    identity = DocumentIdentityForm(initial={"doc_number_prefix": organisation.doc_number_prefix})
    forms_by_kind = {}
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "identity":
            identity = DocumentIdentityForm(request.POST, request.FILES)
            if identity.is_valid():
                try:
                    _save_identity(organisation, request.user, identity.cleaned_data)
                    messages.success(request, "บันทึกเลขที่หนังสือและตราหน่วยงานแล้ว")
                    return redirect("document_settings", code=code)
                except EmblemError as exc:
                    identity.add_error("emblem", str(exc))
            status = 400
        elif action == "signoff" and request.POST.get("kind") in Report.Kind.values:
            kind = request.POST["kind"]
            form = SignOffForm(request.POST, organisation=organisation, kind=kind, prefix=kind)
            if form.is_valid():
                data = form.cleaned_data
                save_signoff(organisation, by=request.user, kind=kind, mode=data["mode"],
                             people={f: data[f] for f, _ in ROLES})  # fmt: skip
                messages.success(request, f"บันทึกช่องลงนามของ{Report.Kind(kind).label}แล้ว")
                return redirect("document_settings", code=code)
            forms_by_kind[kind] = form
            status = 400
        else:
            messages.error(request, "ไม่รู้จักคำสั่งนี้")
            status = 400
    kinds = []
    for kind, label in Report.Kind.choices:
        config = config_of(organisation, kind)
        form = forms_by_kind.get(kind) or SignOffForm(
            organisation=organisation, kind=kind, prefix=kind,
            initial={"mode": config.mode, **{f: getattr(config, f"{f}_id") for f, _ in ROLES}},
        )  # fmt: skip
        kinds.append({"kind": kind, "label": label, "form": form})
    return render(
        request,
        "reports/document_settings.html",
        {
            "organisation": organisation, "identity": identity, "kinds": kinds,
            "can_configure": may_configure_documents(organisation, request.user),
            "max_mb": MAX_BYTES // (1024 * 1024), "max_pixels": MAX_PIXELS,
        },
        status=status,
    )  # fmt: skip


def _save_identity(organisation, user, data):
    from django.db import transaction

    from assessments.models import ChangeLog, Organisation

    with transaction.atomic():
        prefix = data["doc_number_prefix"]
        if prefix != organisation.doc_number_prefix:
            old = organisation.doc_number_prefix
            Organisation.objects.filter(pk=organisation.pk).update(doc_number_prefix=prefix)
            organisation.doc_number_prefix = prefix
            ChangeLog.objects.create(
                user=user, organisation=organisation, action="organisation.documents",
                summary=f"รหัสเลขที่หนังสือ: {prefix or '–'}",
                details={"changes": {"doc_number_prefix": [old or "–", prefix or "–"]}},
            )  # fmt: skip
        if data.get("emblem"):
            set_emblem(organisation, by=user, upload=data["emblem"])
        elif data.get("remove_emblem"):
            set_emblem(organisation, by=user, remove=True)
