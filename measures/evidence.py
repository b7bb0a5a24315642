"""What an evidence upload really is, read from its bytes, and the name it is kept under.

The file name alone says nothing (a renamed .exe is still a program), so the first bytes
must match the type its extension claims: PDF, PNG, JPEG, an Office Open XML package
(a zip holding [Content_Types].xml and the part folder of Word, Excel or PowerPoint) or
a legacy Office file (OLE2 compound document). These few signatures are all the portal
accepts, so they are checked here directly rather than through a general detector.
"""

import re
import unicodedata
import zipfile

PDF, PNG, JPEG = "PDF", "PNG", "JPEG"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OOXML_PART = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
LABELS = {
    ".pdf": "PDF", ".png": "รูปภาพ PNG", ".jpg": "รูปภาพ JPEG", ".jpeg": "รูปภาพ JPEG",
    ".doc": "เอกสาร Word", ".docx": "เอกสาร Word", ".xls": "แฟ้ม Excel", ".xlsx": "แฟ้ม Excel",
    ".ppt": "งานนำเสนอ PowerPoint", ".pptx": "งานนำเสนอ PowerPoint",
}  # fmt: skip
# Well-known signatures of what people rename: named in the message.
OTHER = [(b"MZ", "โปรแกรม Windows (.exe/.dll)"), (b"\x7fELF", "โปรแกรม"), (b"#!", "สคริปต์"),
         (b"Rar!", "ไฟล์บีบอัด RAR"), (b"7z\xbc\xaf", "ไฟล์บีบอัด 7-Zip"), (b"<", "หน้าเว็บหรือ XML")]  # fmt: skip


def _head(upload, n=1024):
    upload.seek(0)
    head = upload.read(n)
    upload.seek(0)
    return head


def _ooxml_part(upload):
    """The part folder names of an Office Open XML package, or None if it is not one."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as package:  # reads the central directory only
            names = package.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    return {name.split("/", 1)[0] + "/" for name in names if "/" in name}


def content_matches(upload, ext: str) -> bool:
    """Whether the upload's bytes are of the type its extension ``ext`` (".pdf", …) claims."""
    head = _head(upload)
    if ext == ".pdf":
        return b"%PDF-" in head  # readers accept the header anywhere in the first 1024 bytes
    if ext == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext in (".doc", ".xls", ".ppt"):
        return head.startswith(OLE2)
    if ext in OOXML_PART:
        if not head.startswith(b"PK\x03\x04"):
            return False
        folders = _ooxml_part(upload)
        return folders is not None and OOXML_PART[ext] in folders
    return False


def content_problem(upload, ext: str) -> str | None:
    """Why the upload's content does not match its extension (Thai), or None."""
    if content_matches(upload, ext):
        return None
    head = _head(upload, 16)
    actual = next((label for magic, label in OTHER if head.startswith(magic)), None)
    found = f" (เนื้อหาเป็น{actual})" if actual else ""
    return (
        f"เนื้อหาของไฟล์ “{display_name(upload.name)}” ไม่ใช่{LABELS.get(ext, ext)}ตามที่นามสกุล {ext} บอก{found} "
        "จึงไม่รับไฟล์นี้ กรุณาแนบไฟล์ต้นฉบับที่เปิดได้"
    )


_UNSAFE_IN_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


def display_name(name: str) -> str:
    """The name people gave the file, as it is shown and downloaded: the last path part,
    NFC (Thai vowels and tone marks kept), without control characters or slashes."""
    base = re.split(r"[/\\]", name or "")[-1]
    return _UNSAFE_IN_NAME.sub("", unicodedata.normalize("NFC", base)).strip()[:255] or "file"
