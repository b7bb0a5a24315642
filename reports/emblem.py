"""The organisation's emblem at the head of its memo: uploaded by the agency (nothing is
bundled), checked with Pillow and kept through Django's default storage.

Only PNG and JPEG, at most MAX_BYTES and MAX_PIXELS a side, at least MIN_PIXELS: the memo
prints it about 1.5 cm high, as ระเบียบงานสารบรรณ lays out a บันทึกข้อความ.
"""

import base64
import io
import warnings

from django.core.files.base import ContentFile
from django.db import transaction

from assessments.models import ChangeLog, Organisation

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 4000  # a side
MIN_PIXELS = 32
FORMATS = {"PNG": ("image/png", ".png"), "JPEG": ("image/jpeg", ".jpg")}


class EmblemError(ValueError):
    """An upload that cannot be the emblem; the message is Thai and says why."""


def check_emblem(data: bytes) -> tuple[str, int, int]:
    """The image's format, width and height if it may be the emblem; EmblemError otherwise."""
    from PIL import Image

    if not data:
        raise EmblemError("ไฟล์ตราหน่วยงานว่างเปล่า")
    if len(data) > MAX_BYTES:
        raise EmblemError(
            f"ไฟล์ตราหน่วยงานใหญ่เกิน {MAX_BYTES // (1024 * 1024)} MB ({len(data) / (1024 * 1024):.1f} MB) "
            "กรุณาย่อภาพก่อนอัปโหลด"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                fmt, (width, height) = image.format, image.size
                if fmt not in FORMATS:
                    raise EmblemError(f"ตราหน่วยงานต้องเป็นภาพ PNG หรือ JPEG (ไฟล์นี้เป็น {fmt})")
                if width > MAX_PIXELS or height > MAX_PIXELS:
                    raise EmblemError(
                        f"ภาพตราหน่วยงานใหญ่เกินไป ({width:,}×{height:,} พิกเซล) ด้านยาวต้องไม่เกิน {MAX_PIXELS:,} พิกเซล"
                    )
                if width < MIN_PIXELS or height < MIN_PIXELS:
                    raise EmblemError(
                        f"ภาพตราหน่วยงานเล็กเกินไป ({width}×{height} พิกเซล) ต้องมีอย่างน้อย {MIN_PIXELS} พิกเซลทุกด้าน"
                    )
                image.verify()
    except EmblemError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise EmblemError(f"ภาพตราหน่วยงานใหญ่เกินไป ด้านยาวต้องไม่เกิน {MAX_PIXELS:,} พิกเซล") from None
    except Exception:  # Pillow raises many kinds for a file that is not a readable image
        raise EmblemError("ไฟล์นี้ไม่ใช่ภาพ PNG หรือ JPEG ที่อ่านได้ กรุณาเลือกไฟล์ภาพตราหน่วยงาน") from None
    return fmt, width, height


def set_emblem(organisation: Organisation, *, by, upload=None, remove=False) -> Organisation:
    """Store the uploaded emblem (checked first) or remove it; logged."""
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        old = organisation.emblem.name or ""
        if remove:
            if not old:
                return organisation
            organisation.emblem = ""
            organisation.save(update_fields=["emblem"])
            summary, new = "นำตราหน่วยงานออกจากบันทึกข้อความ", ""
        else:
            data = upload.read(MAX_BYTES + 1) if upload is not None else b""
            fmt, width, height = check_emblem(data)
            organisation.emblem.save(f"emblem{FORMATS[fmt][1]}", ContentFile(data), save=False)
            organisation.save(update_fields=["emblem"])
            summary, new = f"ตั้งตราหน่วยงาน ({fmt} {width}×{height} พิกเซล)", organisation.emblem.name
        ChangeLog.objects.create(
            user=by, organisation=organisation, action="organisation.emblem", summary=summary,
            details={"changes": {"emblem": [old or "–", new or "–"]}},
        )  # fmt: skip
    if old:
        transaction.on_commit(lambda: organisation.emblem.storage.delete(old))
    return organisation


def emblem_data_uri(organisation: Organisation) -> str:
    """The emblem as a data: URI for the PDF (read through the storage), or "" when there is
    none or its file is gone."""
    if not organisation.emblem:
        return ""
    try:
        with organisation.emblem.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
        fmt = check_emblem(data)[0]
    except (OSError, EmblemError):
        return ""
    return f"data:{FORMATS[fmt][0]};base64,{base64.b64encode(data).decode('ascii')}"
