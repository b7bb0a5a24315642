"""Restore one organisation's history from a checked zip, all or nothing.

Everything is written in one transaction: rows through bulk inserts (no signals, no
change-log entries of their own), timestamps as exported, files through each field's storage
(Django's storage API). When anything fails the transaction is rolled back and the files
already written are deleted again; when ``replace`` is asked, the organisation's present data
is deleted in the same transaction and its files only once that transaction committed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.color import no_style
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone

from . import archive
from .archive import Refused
from .export import auto_m2m_fields
from .registry import EXCLUDED, GLOBAL_KEYS, REGISTRY, label_of

GLOBAL_NAMES = {
    "assessments.FiscalYear": "ปีงบประมาณ",
    "assessments.Edition": "กรอบการประเมิน",
    "assessments.IssueArea": "ประเด็นการวิเคราะห์",
}


@dataclass
class Result:
    organisation: Any = None
    counts: dict[str, int] = field(default_factory=dict)
    users_created: list[str] = field(default_factory=list)
    files: int = 0
    replaced: bool = False
    notes: list[str] = field(default_factory=list)


class Restorer:
    def __init__(self, reader: archive.Reader, data: dict[str, Any], *, replace: bool, by=None):
        self.reader, self.data, self.replace, self.by = reader, data, replace, by
        self.pks: dict[str, dict[int, int]] = {}
        self.done: set[str] = set()
        self.users: dict[str, Any] = {}
        self.deferred: list[tuple[models.Model, models.Field, str, int]] = []
        self.saved_files: list[tuple[Any, str]] = []  # (storage, name) written so far
        self.old_files: list[tuple[Any, str]] = []  # the replaced organisation's, deleted after commit
        self._globals: dict[tuple[str, tuple], int | None] = {}
        self.result = Result()

    # ------------------------------------------------------------------ #
    def run(self) -> Result:
        code = self.data.get("organisation")
        if code != self.reader.manifest["organisation"]:
            raise Refused("damaged", "data.json ระบุรหัสหน่วยงานไม่ตรงกับ manifest.json")
        unknown = sorted(set(self.data["models"]) - {e.label for e in REGISTRY})
        if unknown:
            raise Refused("data", f"ไฟล์มีข้อมูลชนิดที่ระบบนี้ไม่รู้จัก: {', '.join(unknown)} (อาจสร้างจากระบบรุ่นอื่น)")
        Organisation = REGISTRY[0].model
        try:
            with transaction.atomic():
                existing = Organisation.objects.filter(code=code).first()
                children: list[int] = []
                if existing is not None:
                    if not self.replace:
                        raise Refused(
                            "exists",
                            f"มีหน่วยงานรหัส “{code}” ({existing.name}) ในระบบอยู่แล้ว จึงไม่ได้นำเข้า "
                            "หากต้องการลบข้อมูลเดิมของหน่วยงานนี้แล้วแทนที่ด้วยไฟล์นี้ ให้เลือก “แทนที่” (--replace)",
                        )
                    children = list(existing.children.values_list("pk", flat=True))
                    self.old_files = self._files_of(existing)
                    existing.delete()
                    self.result.replaced = True
                self._fiscal_years()
                self._users()
                for entry in REGISTRY:
                    self._restore(entry, self.data["models"].get(entry.label, []))
                self._apply_deferred()
                self._m2m()
                organisation = Organisation.objects.get(pk=self.pks[REGISTRY[0].label][self._org_ref()])
                if children:
                    Organisation.objects.filter(pk__in=children).update(parent=organisation)
                # Rows were inserted raw and parents set by update(): the stored paths (ancestry by
                # primary key) are recomputed here, in the same transaction.
                from assessments.models import rebuild_paths

                rebuild_paths()
                # Rows were inserted raw (no post_save): the dashboard's derived rows of the
                # restored agency are computed here, in the same transaction.
                from supervision import status

                status.refresh([organisation.pk])
                self._log(organisation)
                old = list(self.old_files)
                transaction.on_commit(lambda: _delete_files(old))
        except Refused:
            self._remove_saved_files()
            raise
        except (IntegrityError, ValidationError, DatabaseError, ValueError, TypeError, KeyError) as exc:
            self._remove_saved_files()
            raise Refused("data", f"ข้อมูลในไฟล์ขัดกับข้อมูลในระบบหรือไม่ครบ จึงไม่ได้นำเข้า ({exc})") from None
        except BaseException:
            self._remove_saved_files()
            raise
        self.result.organisation = organisation
        return self.result

    def _org_ref(self) -> int:
        rows = self.data["models"].get(REGISTRY[0].label) or []
        if len(rows) != 1:
            raise Refused("damaged", "data.json ต้องมีหน่วยงานหนึ่งหน่วยงาน")
        return rows[0]["ref"]

    # ------------------------------------------------------------------ #
    def _fiscal_years(self) -> None:
        FiscalYear = GLOBAL_MODEL("assessments.FiscalYear")
        for row in self.data.get("fiscal_years", []):
            FiscalYear.objects.get_or_create(
                year=row["year"], defaults={"start": dt.date.fromisoformat(row["start"]), "end": dt.date.fromisoformat(row["end"])}
            )  # fmt: skip

    def _users(self) -> None:
        User = get_user_model()
        for row in self.data.get("users", []):
            username = row["username"]
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(
                    username=username, first_name=row.get("first_name", ""), last_name=row.get("last_name", ""),
                    email=row.get("email", ""), is_active=row.get("is_active", True),
                )  # fmt: skip
                user.set_unusable_password()  # they set one through password reset
                user.save()
                self.result.users_created.append(username)
            self.users[username] = user

    def _global(self, label: str, key: list[Any]) -> int | None:
        cache_key = (label, tuple(key))
        if cache_key not in self._globals:
            lookups = dict(zip(GLOBAL_KEYS[label], key, strict=True))
            self._globals[cache_key] = (
                GLOBAL_MODEL(label)._base_manager.filter(**lookups).values_list("pk", flat=True).first()
            )
        return self._globals[cache_key]

    def _relation(self, obj, fld, value, *, own_label: str) -> Any:
        """The target's primary key in this database for an exported reference."""
        if value is None:
            return None
        target = label_of(fld.related_model)
        if "ref" in value:
            if target in self.done and target != own_label:
                try:
                    return self.pks[target][value["ref"]]
                except KeyError:
                    raise Refused("damaged", f"data.json อ้างถึง {target} #{value['ref']} ที่ไม่มีในไฟล์") from None
            if not fld.null:
                raise Refused("data", f"{own_label}.{fld.name} อ้างถึงข้อมูลที่ยังไม่ได้นำเข้า")
            if obj is not None:
                self.deferred.append((obj, fld, target, value["ref"]))
            return None
        if "user" in value:
            return self.users[value["user"]].pk
        if "key" in value:
            pk = self._global(target, value["key"])
            if pk is None:
                if target == "assessments.Organisation" and fld.null:
                    self.result.notes.append(f"ไม่พบหน่วยงานกำกับดูแลรหัส {value['key'][0]} ในระบบนี้ จึงไม่ได้ตั้งไว้")
                    return None
                what = GLOBAL_NAMES.get(target, target)
                raise Refused(
                    "data",
                    f"ระบบนี้ไม่มี{what} {' '.join(str(k) for k in value['key'])} ที่ข้อมูลของหน่วยงานใช้ "
                    "ให้ติดตั้งกรอบการประเมินของปีนั้นก่อนนำเข้า",
                )
            return pk
        raise Refused("damaged", f"data.json มีการอ้างอิงที่ไม่รู้จักใน {own_label}.{fld.name}")

    def _restore(self, entry, rows: list[dict[str, Any]]) -> None:
        model = entry.model
        label = entry.label
        objs = []
        free_pks: set[int] = set()
        if entry.keep_pk and rows:
            refs = {r["ref"] for r in rows}
            taken = set(model._base_manager.filter(pk__in=refs).values_list("pk", flat=True))
            free_pks = refs - taken
        now = timezone.now()
        for row in rows:
            obj = model()
            values = row.get("fields", {})
            for fld in model._meta.concrete_fields:
                if fld.primary_key:
                    continue
                if fld.name not in values:
                    # A field added since the export keeps its default; a timestamp set by Django
                    # on insert (skipped below) gets "now", as an insert would give it.
                    if getattr(fld, "auto_now", False) or getattr(fld, "auto_now_add", False):
                        setattr(obj, fld.attname, now)
                    continue
                value = values[fld.name]
                if fld.is_relation:
                    setattr(obj, fld.attname, self._relation(obj, fld, value, own_label=label))
                elif isinstance(fld, models.FileField):
                    setattr(obj, fld.attname, self._store_file(fld, value))
                else:
                    setattr(obj, fld.attname, fld.to_python(value))
            if row["ref"] in free_pks:
                obj.pk = row["ref"]
            objs.append(obj)
        insert_as_exported(model, objs)
        mapping = {}
        for row, obj in zip(rows, objs, strict=True):
            if obj.pk is None:
                raise Refused("data", f"บันทึก {label} ไม่สำเร็จ (ฐานข้อมูลไม่คืนรหัสแถว)")
            mapping[row["ref"]] = obj.pk
        self.pks[label] = mapping
        self.done.add(label)
        self.result.counts[label] = len(objs)
        if entry.keep_pk and free_pks and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
                    cursor.execute(sql)

    def _apply_deferred(self) -> None:
        by_model: dict[type, tuple[set[str], list]] = {}
        for obj, fld, target, ref in self.deferred:
            if ref not in self.pks.get(target, {}):
                raise Refused("damaged", f"data.json อ้างถึง {target} #{ref} ที่ไม่มีในไฟล์")
            setattr(obj, fld.attname, self.pks[target][ref])
            names, objs = by_model.setdefault(type(obj), (set(), []))
            names.add(fld.attname)
            if obj not in objs:
                objs.append(obj)
        for model, (names, objs) in by_model.items():
            model.objects.bulk_update(objs, sorted(names), batch_size=500)

    def _m2m(self) -> None:
        for entry in REGISTRY:
            model = entry.model
            rows = self.data["models"].get(entry.label, [])
            for fld in auto_m2m_fields(model):
                through = fld.remote_field.through
                source = through._meta.get_field(fld.m2m_field_name()).attname
                target = through._meta.get_field(fld.m2m_reverse_field_name()).attname
                links = []
                for row in rows:
                    for value in row.get("m2m", {}).get(fld.name, []):
                        pk = self._relation(None, fld, value, own_label=entry.label)
                        if pk is not None:
                            links.append(through(**{source: self.pks[entry.label][row["ref"]], target: pk}))
                through.objects.bulk_create(links, batch_size=500)

    # ------------------------------------------------------------------ #
    def _store_file(self, fld, name: str) -> str:
        if not name:
            return ""
        member = archive.FILES + name
        if not archive.safe_member_name(member):
            raise Refused("path", f"ชื่อไฟล์ในข้อมูลออกนอกโฟลเดอร์ files/: “{name}”")
        if not self.reader.has_file(member):
            raise Refused("damaged", f"ไฟล์ไม่ครบ: ไม่มี {member} ที่ข้อมูลอ้างถึง")
        with self.reader.zip.open(self.reader.infos[member]) as source:
            stored = fld.storage.save(name, File(source, name=name.rsplit("/", 1)[-1]))
        self.saved_files.append((fld.storage, stored))
        self.result.files += 1
        return stored

    def _remove_saved_files(self) -> None:
        _delete_files(self.saved_files)
        self.saved_files = []

    def _files_of(self, organisation) -> list[tuple[Any, str]]:
        """Stored files of every model of the organisation, registered or excluded."""
        from .registry import models_reaching_organisation

        found = []
        for label, path in models_reaching_organisation().items():
            if label not in {e.label for e in REGISTRY} and label not in EXCLUDED:
                continue
            model = GLOBAL_MODEL(label)
            file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
            if not file_fields:
                continue
            lookup = "__".join(path) if path else "pk"
            value = organisation if path else organisation.pk
            for obj in model._base_manager.filter(**{lookup: value}):
                for fld in file_fields:
                    if name := getattr(obj, fld.attname).name:
                        found.append((fld.storage, name))
        return found

    def _log(self, organisation) -> None:
        from assessments.models import ChangeLog
        from assessments.thai import format_datetime

        created = self.reader.manifest.get("created_at")
        try:
            when = format_datetime(dt.datetime.fromisoformat(created), thai_digits=False)
        except (TypeError, ValueError):
            when = "(ไม่ระบุเวลา)"
        ChangeLog.objects.create(
            user=self.by if getattr(self.by, "pk", None) else None,
            organisation=organisation,
            action="organisation.restore",
            summary=("แทนที่" if self.result.replaced else "นำเข้า") + f"ประวัติหน่วยงานจากไฟล์ที่สร้างเมื่อ {when}",
            details={
                "created_at": created, "portal_version": self.reader.manifest.get("portal_version"),
                "counts": self.result.counts, "files": self.result.files, "users_created": self.result.users_created,
            },
        )  # fmt: skip


def insert_as_exported(model: type[models.Model], objs: list[models.Model], batch_size: int = 500) -> None:
    """Insert like bulk_create, but as loaddata's raw save does: without ``pre_save``, so the
    exported auto_now / auto_now_add times are written as they are (no second UPDATE), and
    without signals. Primary keys come back through RETURNING (PostgreSQL, SQLite 3.35+), or
    one row at a time where the database cannot return them for a batch."""
    opts = model._meta
    queryset = model._base_manager.all()
    returning = opts.db_returning_fields
    fields = [f for f in opts.concrete_fields if not getattr(f, "generated", False)]
    with_pk = [o for o in objs if o.pk is not None]
    without_pk = [o for o in objs if o.pk is None]
    for start in range(0, len(with_pk), batch_size):
        queryset._insert(with_pk[start : start + batch_size], fields=fields, raw=True)
    insert_fields = [f for f in fields if f is not opts.pk]
    step = batch_size if connection.features.can_return_rows_from_bulk_insert else 1
    for start in range(0, len(without_pk), step):
        batch = without_pk[start : start + step]
        rows = queryset._insert(batch, fields=insert_fields, returning_fields=returning, raw=True)
        for obj, row in zip(batch, rows, strict=True):
            for fld, value in zip(returning, row, strict=True):
                setattr(obj, fld.attname, value)
    for obj in objs:
        obj._state.adding, obj._state.db = False, queryset.db


def GLOBAL_MODEL(label: str):  # noqa: N802 - reads like the model it returns
    from django.apps import apps

    return apps.get_model(label)


def _delete_files(files) -> None:
    for storage, name in files:
        with contextlib.suppress(OSError):
            storage.delete(name)


def import_organisation(fileobj: IO[bytes], *, replace: bool = False, by=None, limits=None) -> Result:
    """Check the file whole, then restore it in one transaction (``Refused`` says why not)."""
    reader = archive.Reader(fileobj, limits)
    data = reader.data()
    if data.get("format_version", archive.FORMAT_VERSION) > archive.FORMAT_VERSION:
        raise Refused("newer", "data.json สร้างจากรูปแบบรุ่นที่ใหม่กว่าที่ระบบนี้อ่านได้")
    return Restorer(reader, data, replace=replace, by=by).run()
