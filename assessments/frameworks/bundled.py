"""The frameworks and issue areas shipped in fixtures/ (installed by migrations)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent.parent / "fixtures"


def install_issue_areas(*, models: dict[str, Any] | None = None) -> None:
    """Create or update the seven issue areas from fixtures/issue_areas.json."""
    if models is None:
        from django.apps import apps

        IssueArea = apps.get_model("assessments", "IssueArea")
    else:
        IssueArea = models["IssueArea"]
    for area in json.loads((FIXTURES / "issue_areas.json").read_text(encoding="utf-8")):
        IssueArea.objects.update_or_create(number=area["number"], defaults={"name_th": area["name_th"]})


def bundled_years() -> list[int]:
    return sorted(int(p.stem) for p in (FIXTURES / "frameworks").glob("*.json"))


def bundled_payload(year: int) -> dict[str, Any]:
    return json.loads((FIXTURES / "frameworks" / f"{year}.json").read_text(encoding="utf-8"))
