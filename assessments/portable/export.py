"""Write one organisation's history to a zip (see archive.py for the layout)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from . import archive
from .registry import GLOBAL_KEYS, REGISTRY, label_of

USER_FIELDS = ("username", "first_name", "last_name", "email", "is_active")


class ExportError(Exception):
    """The organisation cannot be written (a stored file is missing, a field of an unknown kind)."""


def plain(value: Any) -> Any:
    """A field's value as JSON (full precision: datetimes keep their microseconds)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        raise ExportError("binary fields are not exported")
    return value


def global_key(obj: models.Model, label: str) -> list[Any]:
    key = []
    for path in GLOBAL_KEYS[label]:
        value: Any = obj
        for part in path.split("__"):
            value = getattr(value, part)
        key.append(plain(value))
    return key


def auto_m2m_fields(model: type[models.Model]) -> list[models.ManyToManyField]:
    """Many-to-many fields with Django's own table (a model of its own is registered itself)."""
    return [f for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]


class Collector:
    def __init__(self, organisation):
        self.organisation = organisation
        self.rows: dict[str, list[models.Model]] = {}
        self.refs: dict[str, set[int]] = {}
        self.usernames: dict[int, str] = {}
        self.fiscal_years: dict[int, dict[str, Any]] = {}
        self.files: list[tuple[str, models.FileField]] = []
        self._globals: dict[tuple[str, int], list[Any]] = {}

    def collect(self) -> None:
        for entry in REGISTRY:
            model = entry.model
            qs = (
                model.objects.filter(pk=self.organisation.pk)
                if not entry.path
                else model.objects.filter(**{entry.path: self.organisation})
            )
            objs = list(qs.order_by("pk").distinct())
            self.rows[entry.label] = objs
            self.refs[entry.label] = {o.pk for o in objs}
        user_ids = set()
        for label, objs in self.rows.items():
            model = REGISTRY[[e.label for e in REGISTRY].index(label)].model
            for field in model._meta.concrete_fields:
                if field.is_relation and field.related_model is get_user_model():
                    user_ids.update(getattr(o, field.attname) for o in objs)
            for field in auto_m2m_fields(model):
                if field.related_model is get_user_model():
                    through = field.remote_field.through
                    source = through._meta.get_field(field.m2m_field_name()).attname
                    target = through._meta.get_field(field.m2m_reverse_field_name()).attname
                    user_ids.update(
                        through.objects.filter(**{f"{source}__in": [o.pk for o in objs]}).values_list(target, flat=True)
                    )
        user_ids.discard(None)
        self.users = list(get_user_model().objects.filter(pk__in=user_ids).order_by("username"))
        self.usernames = {u.pk: u.username for u in self.users}

    def relation(self, field, raw_id) -> dict[str, Any] | None:
        if raw_id is None:
            return None
        target = field.related_model
        label = label_of(target)
        if raw_id in self.refs.get(label, ()):
            return {"ref": raw_id}
        if target is get_user_model():
            return {"user": self.usernames[raw_id]}
        if label in GLOBAL_KEYS:
            if (label, raw_id) not in self._globals:
                obj = target._base_manager.get(pk=raw_id)
                self._globals[(label, raw_id)] = global_key(obj, label)
                self._note_fiscal_year(obj)
            return {"key": self._globals[(label, raw_id)]}
        if field.null:
            return None  # a row of another organisation (outside this history)
        raise ExportError(f"{field.model._meta.label}.{field.name} points to {label}, which is not exported")

    def _note_fiscal_year(self, obj) -> None:
        fiscal_year = obj if label_of(type(obj)) == "assessments.FiscalYear" else getattr(obj, "fiscal_year", None)
        if fiscal_year is not None and label_of(type(fiscal_year)) == "assessments.FiscalYear":
            self.fiscal_years[fiscal_year.year] = {
                "year": fiscal_year.year, "start": fiscal_year.start.isoformat(), "end": fiscal_year.end.isoformat(),
            }  # fmt: skip

    def encode(self, obj: models.Model) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        for field in obj._meta.concrete_fields:
            if field.primary_key:
                continue
            if field.is_relation:
                fields[field.name] = self.relation(field, getattr(obj, field.attname))
            elif isinstance(field, models.FileField):
                name = getattr(obj, field.attname).name or ""
                fields[field.name] = name
                if name:
                    self.files.append((name, field))
            else:
                fields[field.name] = plain(field.value_from_object(obj))
        m2m = {}
        for field in auto_m2m_fields(type(obj)):
            related = getattr(obj, field.name).order_by("pk").values_list("pk", flat=True)
            m2m[field.name] = [self.relation(field, pk) for pk in related]
        row: dict[str, Any] = {"ref": obj.pk, "fields": fields}
        if m2m:
            row["m2m"] = {k: [v for v in vs if v is not None] for k, vs in m2m.items()}
        return row


def export_organisation(organisation, fileobj: IO[bytes]) -> dict[str, Any]:
    """Write the organisation's history as a zip into ``fileobj``; returns the manifest."""
    collector = Collector(organisation)
    collector.collect()
    models_data = {label: [collector.encode(o) for o in objs] for label, objs in collector.rows.items()}
    data = {
        "format_version": archive.FORMAT_VERSION,
        "organisation": organisation.code,
        "users": [{f: getattr(u, f) for f in USER_FIELDS} for u in collector.users],
        "fiscal_years": [collector.fiscal_years[y] for y in sorted(collector.fiscal_years)],
        "models": models_data,
    }
    writer = archive.Writer(fileobj)
    try:
        writer.add(archive.DATA, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        seen = set()
        for name, field in collector.files:
            if name in seen:
                continue
            seen.add(name)
            if not archive.safe_member_name(archive.FILES + name):
                raise ExportError(f"ชื่อไฟล์ที่เก็บไว้ไม่ปลอดภัย: {name}")
            try:
                source = field.storage.open(name, "rb")
            except (FileNotFoundError, OSError):
                raise ExportError(
                    f"ไม่พบไฟล์ “{name}” ในที่เก็บไฟล์ ({field.model._meta.verbose_name}) จึงส่งออกประวัติไม่ครบ"
                ) from None
            with source:
                writer.add_stream(archive.FILES + name, source)
    except BaseException:
        writer.zip.close()  # the caller deletes what was written; nothing is left open
        raise
    counts = {label: len(rows) for label, rows in models_data.items()}
    counts["users"] = len(data["users"])
    counts["files"] = len(seen)
    manifest = archive.new_manifest(
        organisation=organisation.code, created_at=timezone.now().isoformat(), counts=counts
    )
    writer.close(manifest)
    return {**manifest, "members": writer.members}
