"""django-import-export resources: natural codes, never database ids."""

import io

import tablib
from django.core.exceptions import ValidationError
from import_export import fields, resources
from import_export.formats import base_formats
from import_export.widgets import ForeignKeyWidget

from . import onboarding
from .models import Organisation
from .services import ImportRefused


class OrganisationResource(resources.ModelResource):
    """Organisations as code,name,type,province,district,parent (the import sheet's columns).

    The file is checked by the same validator as ``ita_import_orgs``
    (onboarding.check_organisations) and written by the same writer, which logs each real
    change; django-import-export keeps its preview (a dry run of the checked rows,
    supervising bodies first) and its confirm step.
    """

    type = fields.Field(attribute="org_type", column_name="type")
    parent = fields.Field(attribute="parent", column_name="parent", widget=ForeignKeyWidget(Organisation, "code"))

    class Meta:
        model = Organisation
        import_id_fields = ["code"]
        fields = ["code", "name", "type", "province", "district", "parent"]
        export_order = ["code", "name", "type", "province", "district", "parent"]
        skip_unchanged = True
        report_skipped = False
        use_transactions = True

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        table = [list(dataset.headers or [])] + [list(r) for r in dataset]
        try:
            rows = onboarding.check_organisations(table)
        except ImportRefused as exc:
            return self._refused(dataset, exc)
        preview = super().import_data(
            _checked_dataset(rows), dry_run=True, raise_errors=raise_errors, use_transactions=True, **kwargs
        )
        if not dry_run and not preview.has_errors() and not preview.has_validation_errors():
            onboarding.save_organisations(rows, by=kwargs.get("user"))
        return preview

    def _refused(self, dataset, exc):
        result = self.get_result_class()()
        result.diff_headers = self.get_diff_headers()
        result.total_rows = len(dataset)
        headers = list(dataset.headers or [])
        for number, reason in exc.errors:
            line = f"แถวที่ {number}: {reason}" if number else reason
            values = dataset[number - 2] if number and 2 <= number < len(dataset) + 2 else ()
            result.append_invalid_row(
                (number or 1) - 1, dict(zip(headers, values, strict=False)), ValidationError(line)
            )
        return result


def _checked_dataset(rows):
    """The checked rows (normalised codes), each supervising body before the rows under it."""
    has_parent = any(r.parent is not None for r in rows)
    headers = ["code", "name", "type", "province", "district"] + (["parent"] if has_parent else [])
    data = tablib.Dataset(headers=headers)
    pending = {r.code: r for r in rows}
    while pending:
        ready = [r for r in pending.values() if not r.parent or r.parent not in pending]
        for r in ready:
            v = r.values
            data.append(
                [r.code, v["name"], v["org_type"], v["province"], v["district"]] + ([r.parent] if has_parent else [])
            )
            del pending[r.code]
    return data


class _Bounded:
    """An import format whose file is read by assessments.sheets, within the same bounds as
    every other upload (zip members, decompressed size, XML without entities, rows, cells),
    instead of tablib's unbounded readers. A refusal raises ImportRefused (Thai reasons)."""

    filename = "upload"

    def create_dataset(self, in_stream):
        from . import sheets

        data = in_stream.encode("utf-8") if isinstance(in_stream, str) else in_stream
        rows = sheets.read_table(io.BytesIO(data), self.filename)
        dataset = tablib.Dataset()
        if rows:
            width = max(len(r) for r in rows)
            dataset.headers = [("" if v is None else str(v)) for v in rows[0]] + [""] * (width - len(rows[0]))
            for row in rows[1:]:
                dataset.append(list(row) + [None] * (width - len(row)))
        return dataset


class BoundedCSV(_Bounded, base_formats.CSV):
    filename = "upload.csv"

    def get_read_mode(self):
        return "rb"

    def is_binary(self):
        return True


class BoundedXLSX(_Bounded, base_formats.XLSX):
    filename = "upload.xlsx"
