"""The public verification page: anyone holding a copy of an approved document learns
which agency, revision, approvers and time it belongs to, and whether their file matches.

An uploaded file is hashed while it arrives (HashingUploadHandler) and never stored.
"""

import hashlib
import io
import re

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from assessments.thai import format_datetime
from measures.models import Decision, PlanRevision
from measures.services import snapshot_hash

from .builders import ReportError, approval_decisions, signer_line
from .models import ApprovedDocument

SHA256 = re.compile(r"[0-9a-f]{64}")
MAX_VERIFY_BYTES = 50 * 1024 * 1024


class HashingUploadHandler(FileUploadHandler):
    """Hash an upload chunk by chunk; keep nothing of it (no memory file, no temp file)."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.hasher, self.received, self.too_large = hashlib.sha256(), 0, False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > MAX_VERIFY_BYTES:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        self.hasher.update(raw_data)
        return None

    def file_complete(self, file_size):
        upload = UploadedFile(file=io.BytesIO(), name=self.file_name, size=file_size)
        upload.sha256 = self.hasher.hexdigest()
        return upload

    def upload_complete(self):
        if getattr(self, "too_large", False):
            self.request.verify_too_large = True


def normalise_hash(text: str) -> str | None:
    """A pasted SHA-256 (spaces, upper case allowed) or None when it is not one."""
    value = re.sub(r"\s+", "", text or "").lower()
    return value if SHA256.fullmatch(value) else None


def approvers(revision: PlanRevision) -> list[dict]:
    """The decisions of the approving submission, as the page prints them."""
    try:
        decisions = approval_decisions(revision)
    except ReportError:
        return []
    rows = []
    for d in decisions:
        signer = signer_line(d)
        rows.append({
            "position": d.position or ("ผู้เสนอ" if d.kind == Decision.Kind.SUBMIT else ""),
            "name": signer["name"], "signer_position": " ".join(filter(None, [signer["position"], signer["acting"]])),
            "decision": d.get_kind_display(), "at": format_datetime(d.at, thai_digits=False),
        })  # fmt: skip
    return rows


def lookup(sha256: str) -> dict | None:
    """What a hash belongs to: a stored approved document, or an approved revision's
    content hash (printed on the documents); None when nothing in the portal has it."""
    document = (
        ApprovedDocument.objects.filter(sha256=sha256)
        .select_related("revision__plan__organisation", "revision__plan__fiscal_year")
        .first()
    )
    revision = document.revision if document else None
    if revision is None:
        revision = (
            PlanRevision.objects.filter(sha256=sha256).select_related("plan__organisation", "plan__fiscal_year").first()
        )
    if revision is None:
        return None
    plan = revision.plan
    return {
        "document": document,
        "revision": revision,
        "organisation": plan.organisation,
        "year": plan.fiscal_year.year,
        "approved_at": format_datetime(revision.approved_at, thai_digits=False),
        "size": f"{document.size:,}" if document else "",
        "approvers": approvers(revision),
        "documents": list(revision.documents.order_by("kind")),
        # The stored snapshot still gives the hash it was approved with (old snapshots too).
        "content_intact": snapshot_hash(revision.snapshot) == revision.sha256,
    }
