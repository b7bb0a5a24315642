"""PAdES signatures on the approved memo (pyHanko), when the organisation has a certificate.

Configuration (README "Signed memos"): ``ITA_SIGNING_DIR`` holds one PKCS#12 file per
organisation, ``<code>.p12``; its passphrase comes from the environment variable
``ITA_SIGNING_PASSPHRASE_<CODE>`` (code upper-cased, ``-`` as ``_``) or, for all
organisations, ``ITA_SIGNING_PASSPHRASE``. No file: the memo is stored unsigned.
"""

import io
import os
from pathlib import Path

from django.conf import settings

from .builders import ReportError


def certificate_path(organisation) -> Path | None:
    directory = getattr(settings, "ITA_SIGNING_DIR", "")
    if not directory:
        return None
    path = Path(directory) / f"{organisation.code}.p12"
    return path if path.is_file() else None


def _passphrase(organisation) -> bytes | None:
    name = "ITA_SIGNING_PASSPHRASE_" + organisation.code.upper().replace("-", "_")
    value = os.environ.get(name, os.environ.get("ITA_SIGNING_PASSPHRASE", ""))
    return value.encode() if value else None


def sign_pdf(organisation, data: bytes) -> tuple[bytes, bool]:
    """The PDF signed with the organisation's certificate (PAdES B-B, covering the whole
    file) and True, or the PDF as it was and False when no certificate is configured."""
    path = certificate_path(organisation)
    if path is None:
        return data, False
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    try:
        signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=_passphrase(organisation))
    except Exception as exc:  # wrong passphrase, damaged file: say so, never store an unsigned memo
        raise ReportError(f"เปิดใบรับรองสำหรับลงลายมือชื่อดิจิทัลของ{organisation.name}ไม่ได้ ({exc.__class__.__name__})") from exc
    if signer is None:
        raise ReportError(f"เปิดใบรับรองสำหรับลงลายมือชื่อดิจิทัลของ{organisation.name}ไม่ได้ (รหัสผ่านไม่ถูกต้อง)")
    meta = signers.PdfSignatureMetadata(
        field_name="ITAApproval", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        reason="อนุมัติมาตรการส่งเสริมคุณธรรมและความโปร่งใส", location=organisation.name,
    )  # fmt: skip
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data)), meta, signer=signer)
    return out.getvalue(), True
