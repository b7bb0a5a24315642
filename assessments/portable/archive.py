"""The zip of one organisation's history: writing it, and reading it within bounds.

Layout: ``manifest.json`` (format, versions, organisation, time, counts, the SHA-256 and
size of every other member), ``data.json`` (the rows) and ``files/<storage name>`` (evidence,
approved documents and any other stored file, byte for byte). A file is refused before
anything is written when it is not a zip or is damaged (bad CRC, truncated, a member whose
hash differs), is not ours, is of a newer format, exceeds a bound, or names a path outside
``files/``.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import tomllib
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

FORMAT = "ita-portal-organisation-history"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data.json"
FILES = "files/"
MiB = 1024 * 1024


def portal_version() -> str:
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    try:
        return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


class Refused(Exception):
    """A history file that is not restored, with the Thai reason (nothing was written)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind  # damaged | foreign | newer | exists | bounds | path | data
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Limits:
    """Bounds on a history file (the idea of assessments.sheets: the central directory is
    checked before any member is read, and every read stops at its bound)."""

    archive_bytes: int = 2048 * MiB  # the zip itself
    members: int = 50_000
    manifest_bytes: int = 8 * MiB
    member_bytes: int = 200 * MiB  # one member, uncompressed (data.json or one file)
    total_bytes: int = 4096 * MiB  # all members, uncompressed
    ratio: int = 200  # uncompressed / compressed, for members over 1 MiB


# --------------------------------------------------------------------------- #
# Writing
# --------------------------------------------------------------------------- #


class Writer:
    """Members are hashed as they are written; the manifest, written last, lists them."""

    def __init__(self, fileobj: IO[bytes]):
        self.zip = zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        self.members: dict[str, dict[str, Any]] = {}

    def add(self, name: str, data: bytes) -> None:
        self.zip.writestr(name, data)
        self.members[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}

    def add_stream(self, name: str, source: IO[bytes]) -> None:
        hasher, size = hashlib.sha256(), 0
        with self.zip.open(name, "w", force_zip64=True) as out:
            while chunk := source.read(MiB):
                hasher.update(chunk)
                size += len(chunk)
                out.write(chunk)
        self.members[name] = {"sha256": hasher.hexdigest(), "size": size}

    def close(self, manifest: dict[str, Any]) -> None:
        manifest = {**manifest, "members": dict(sorted(self.members.items()))}
        self.zip.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
        self.zip.close()


def new_manifest(*, organisation: str, created_at: str, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "portal_version": portal_version(),
        "organisation": organisation,
        "created_at": created_at,
        "counts": counts,
    }


# --------------------------------------------------------------------------- #
# Reading
# --------------------------------------------------------------------------- #


def safe_member_name(name: str) -> bool:
    """A name that stays inside the archive's own layout: no absolute path, no `..`, no
    backslash or drive, nothing but the manifest, the data and files under files/."""
    if name in (MANIFEST, DATA):
        return True
    if not name.startswith(FILES) or "\\" in name or "\x00" in name or ":" in name:
        return False
    rest = name[len(FILES) :]
    parts = rest.split("/")
    return bool(rest) and posixpath.normpath(rest) == rest and all(p not in ("", ".", "..") for p in parts)


class Reader:
    """An opened, checked history file: the manifest read, every member's size, ratio and
    SHA-256 verified. Construct it before writing anything; it refuses with ``Refused``."""

    def __init__(self, fileobj: IO[bytes], limits: Limits | None = None):
        self.limits = limits or Limits()
        self.fileobj = fileobj
        self._check_archive_size()
        if self.fileobj.read(4)[:2] != b"PK":
            raise Refused("foreign", "ไม่ใช่ไฟล์ประวัติหน่วยงานของระบบนี้: ไม่ใช่ไฟล์ zip")
        self.fileobj.seek(0)
        try:
            self.zip = zipfile.ZipFile(fileobj)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise Refused("damaged", f"ไฟล์เสียหายหรือไม่ครบ: อ่านเป็นไฟล์ zip ไม่ได้ ({exc.__class__.__name__})") from None
        self.infos = {i.filename: i for i in infos}
        if len(self.infos) != len(infos):
            raise Refused("damaged", "ไฟล์เสียหาย: มีชื่อสมาชิกซ้ำกันในไฟล์ zip")
        self.manifest = self._read_manifest()
        self._check_members()
        self._verify_hashes()

    def _check_archive_size(self) -> None:
        try:
            self.fileobj.seek(0, 2)
            size = self.fileobj.tell()
            self.fileobj.seek(0)
        except (OSError, AttributeError):
            return
        if size > self.limits.archive_bytes:
            raise Refused("bounds", f"ไฟล์ใหญ่เกินกำหนด ({size:,} ไบต์ เกิน {self.limits.archive_bytes:,} ไบต์)")

    def _read_manifest(self) -> dict[str, Any]:
        info = self.infos.get(MANIFEST)
        if info is None:
            raise Refused("foreign", "ไม่ใช่ไฟล์ประวัติหน่วยงานของระบบนี้: ไม่มี manifest.json")
        if info.file_size > self.limits.manifest_bytes:
            raise Refused("bounds", f"manifest.json ใหญ่เกินกำหนด ({info.file_size:,} ไบต์)")
        raw = self.read(MANIFEST, self.limits.manifest_bytes)
        try:
            manifest = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise Refused("foreign", "ไม่ใช่ไฟล์ประวัติหน่วยงานของระบบนี้: manifest.json ไม่ใช่ JSON") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise Refused("foreign", f"ไม่ใช่ไฟล์ประวัติหน่วยงานของระบบนี้: manifest.json ไม่ได้ระบุรูปแบบ “{FORMAT}”")
        version = manifest.get("format_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise Refused("foreign", f"manifest.json ระบุรุ่นของรูปแบบไม่ถูกต้อง ({version!r})")
        if version > FORMAT_VERSION:
            raise Refused(
                "newer",
                f"ไฟล์นี้สร้างจากระบบรุ่นที่ใหม่กว่า (รูปแบบรุ่น {version}, ระบบ {manifest.get('portal_version', '?')}) "
                f"ระบบนี้อ่านได้ถึงรูปแบบรุ่น {FORMAT_VERSION} ให้ปรับรุ่นระบบก่อนนำเข้า",
            )
        members = manifest.get("members")
        if not isinstance(members, dict) or not all(
            isinstance(v, dict) and isinstance(v.get("sha256"), str) and isinstance(v.get("size"), int)
            for v in members.values()
        ):
            raise Refused("foreign", "manifest.json ไม่มีรายการสมาชิกพร้อมค่า SHA-256 ตามรูปแบบ")
        if not isinstance(manifest.get("organisation"), str):
            raise Refused("foreign", "manifest.json ไม่ได้ระบุรหัสหน่วยงาน")
        return manifest

    def _check_members(self) -> None:
        limits = self.limits
        if len(self.infos) > limits.members:
            raise Refused("bounds", f"ไฟล์มีสมาชิก {len(self.infos):,} รายการ เกินกำหนด {limits.members:,} รายการ")
        for name in self.infos:
            if not safe_member_name(name):
                raise Refused("path", f"ชื่อไฟล์ในชุดข้อมูลออกนอกโฟลเดอร์ files/ หรือไม่ถูกต้อง: “{name}”")
        for name in self.manifest["members"]:
            if not safe_member_name(name) or name == MANIFEST:
                raise Refused("path", f"manifest.json อ้างถึงชื่อไฟล์ที่ออกนอกโฟลเดอร์ files/: “{name}”")
        listed, present = set(self.manifest["members"]), set(self.infos) - {MANIFEST}
        if missing := sorted(listed - present):
            raise Refused("damaged", f"ไฟล์ไม่ครบ: ไม่มี {missing[0]} ที่ manifest.json ระบุไว้ (ขาด {len(missing)} รายการ)")
        if extra := sorted(present - listed):
            raise Refused("damaged", f"ไฟล์ถูกแก้ไข: มี {extra[0]} ที่ไม่อยู่ใน manifest.json")
        if DATA not in present:
            raise Refused("damaged", "ไฟล์ไม่ครบ: ไม่มี data.json")
        total = 0
        for name, info in self.infos.items():
            if info.file_size > limits.member_bytes:
                raise Refused("bounds", f"“{name}” ใหญ่เกินกำหนด ({info.file_size:,} ไบต์ เกิน {limits.member_bytes:,})")
            if info.file_size > MiB and info.file_size > limits.ratio * max(info.compress_size, 1):
                raise Refused("bounds", f"“{name}” ถูกบีบอัดผิดปกติ (อัตราส่วนเกิน {limits.ratio} เท่า) อาจเป็น zip bomb")
            if name in self.manifest["members"] and info.file_size != self.manifest["members"][name]["size"]:
                raise Refused("damaged", f"ไฟล์เสียหาย: ขนาดของ “{name}” ไม่ตรงกับ manifest.json")
            total += info.file_size
        if total > limits.total_bytes:
            raise Refused("bounds", f"ข้อมูลทั้งหมดเมื่อขยายแล้วใหญ่เกินกำหนด ({total:,} ไบต์ เกิน {limits.total_bytes:,})")

    def _verify_hashes(self) -> None:
        for name, expected in self.manifest["members"].items():
            hasher = hashlib.sha256()
            for chunk in self.chunks(name):
                hasher.update(chunk)
            if hasher.hexdigest() != expected["sha256"]:
                raise Refused("damaged", f"ไฟล์เสียหาย: ค่า SHA-256 ของ “{name}” ไม่ตรงกับ manifest.json")

    def chunks(self, name: str):
        """The member's bytes in pieces, never past its bound (whatever its header says)."""
        bound = self.limits.manifest_bytes if name == MANIFEST else self.limits.member_bytes
        read = 0
        try:
            with self.zip.open(self.infos[name]) as fh:
                while chunk := fh.read(MiB):
                    read += len(chunk)
                    if read > bound:
                        raise Refused("bounds", f"“{name}” ใหญ่เกินกำหนดเมื่อขยาย (เกิน {bound:,} ไบต์)")
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise Refused("damaged", f"ไฟล์เสียหาย: อ่าน “{name}” ไม่ได้ ({exc})") from None

    def read(self, name: str, bound: int | None = None) -> bytes:
        return b"".join(self.chunks(name))

    def data(self) -> dict[str, Any]:
        try:
            data = json.loads(self.read(DATA).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise Refused("damaged", "ไฟล์เสียหาย: data.json ไม่ใช่ JSON") from None
        if not isinstance(data, dict) or not isinstance(data.get("models"), dict):
            raise Refused("damaged", "data.json ไม่ตรงตามรูปแบบ (ไม่มีรายการข้อมูลแต่ละชนิด)")
        return data

    def has_file(self, name: str) -> bool:
        return name in self.manifest["members"] and name.startswith(FILES)
