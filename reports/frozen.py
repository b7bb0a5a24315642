"""Approved documents: the memo and the measures PDF of a revision, rendered once at
approval from the decision records and the revision snapshot, stored with their SHA-256
and never rendered again (whatever later happens to the chain, the people or the templates).
The memo is also signed (PAdES) when the organisation has a certificate (signing.py).
"""

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse

from assessments.models import ChangeLog
from ita_portal.links import site_url
from measures.models import Plan, PlanRevision

from . import builders
from .models import ApprovedDocument

KINDS = (ApprovedDocument.Kind.MEMO, ApprovedDocument.Kind.MEASURES)


def verification_url(sha256: str) -> str:
    return site_url(reverse("verify_hash", kwargs={"sha256": sha256}))


def _context(revision: PlanRevision, kind: str) -> dict:
    if kind == ApprovedDocument.Kind.MEMO:
        return builders.approved_memo(revision)
    plan = revision.plan
    context = {
        **builders._header(plan.organisation, plan.fiscal_year.year),
        "kind": "measures",
        "plan": builders.revision_measures_context(plan, revision),
    }
    return builders.with_signoff(context, plan.organisation, "measures", plan.fiscal_year.year)


def freeze_approved_documents(revision_id: int) -> dict[str, ApprovedDocument]:
    """Render and store the memo and measures PDFs of an approved revision, once: a kind
    already stored is left alone, so running it twice (or from two workers) changes nothing."""
    from .pdf import render_pdf
    from .signing import sign_pdf

    with transaction.atomic():
        revision = (
            PlanRevision.objects.select_for_update()
            .select_related("plan__organisation", "plan__fiscal_year", "plan__analysis_year")
            .get(pk=revision_id)
        )
        documents = {d.kind: d for d in ApprovedDocument.objects.filter(revision=revision)}
        made = []
        for kind in KINDS:
            if kind in documents:
                continue
            data, signed = render_pdf(_context(revision, kind)), False
            if kind == ApprovedDocument.Kind.MEMO:
                data, signed = sign_pdf(revision.plan.organisation, data)
            digest = hashlib.sha256(data).hexdigest()
            document = ApprovedDocument(revision=revision, kind=kind, sha256=digest, size=len(data), signed=signed)
            document.file.save(f"{kind}-r{revision.number}-{digest[:16]}.pdf", ContentFile(data), save=False)
            document.save()
            documents[kind] = document
            made.append(f"{document.get_kind_display()} {digest[:12]}")
        if made:
            plan = revision.plan
            ChangeLog.objects.create(
                user=None, organisation=plan.organisation, action="plan.freeze",
                summary=f"จัดเก็บเอกสารที่อนุมัติ ฉบับที่ {revision.number}: " + ", ".join(made),
                details={"year": plan.fiscal_year.year, "plan": plan.pk, "revision": revision.number,
                         "documents": {k: d.sha256 for k, d in documents.items()}},
            )  # fmt: skip
    return documents


def approved_document(revision: PlanRevision, kind: str) -> ApprovedDocument:
    """The stored document of an approved revision; stored now if the approval's task has
    not run yet (or the revision was approved before documents were frozen)."""
    document = ApprovedDocument.objects.filter(revision=revision, kind=kind).first()
    return document or freeze_approved_documents(revision.pk)[kind]


def frozen_document_for(organisation, year: int, kind: str) -> ApprovedDocument | None:
    """The frozen file that answers a request for a plan's memo or measures PDF, if any:
    the measures of the approved revision; the memo when the current revision is approved."""
    if kind not in KINDS:
        return None
    plan = (
        Plan.objects.filter(organisation=organisation, fiscal_year__year=year)
        .select_related("approved_revision")
        .first()
    )
    revision = plan.approved_revision if plan else None
    if revision is None or (kind == ApprovedDocument.Kind.MEMO and revision.number != plan.revision):
        return None
    return approved_document(revision, kind)
