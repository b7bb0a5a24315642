"""The measure-template library (fixtures/measure_templates.json): validate and install."""

import json
from pathlib import Path

FILE = Path(__file__).resolve().parent.parent / "fixtures" / "measure_templates.json"
FIELDS = ("indicator", "topics", "items", "years", "kind", "title", "method", "steps", "responsible_unit",
          "monitoring", "start_month", "end_month", "target")  # fmt: skip


def load_templates(*, MeasureTemplate, IssueArea, path=FILE):
    """Create or update every template by its key; returns how many."""
    areas = {a.number: a for a in IssueArea.objects.all()}
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    # An older migration runs this with a historical model that lacks the later fields.
    present = {f.name for f in MeasureTemplate._meta.get_fields()}
    for row in rows:
        values = {
            name: row.get(name, "" if name not in ("topics", "items", "years", "steps") else [])
            for name in FIELDS
            if name in present
        }
        values["items"] = [c.lower() for c in values["items"]]
        values["target"] = values["target"] or ""
        values["issue_area"] = areas[row["issue_area"]]
        MeasureTemplate.objects.update_or_create(key=row["key"], defaults=values)
    return len(rows)
