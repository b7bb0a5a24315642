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


def bundled_editions() -> list[tuple[int, str]]:
    """(year, scheme) of every shipped edition: ``<year>.json`` is NACC's general, ``<year>-<scheme>.json`` another."""
    found = []
    for path in (FIXTURES / "frameworks").glob("*.json"):
        year, _, scheme = path.stem.partition("-")
        found.append((int(year), scheme or "nacc"))
    return sorted(found)


def bundled_years() -> list[int]:
    return sorted({year for year, _ in bundled_editions()})


def bundled_payload(year: int, scheme: str = "nacc") -> dict[str, Any]:
    name = f"{year}.json" if scheme == "nacc" else f"{year}-{scheme}.json"
    return json.loads((FIXTURES / "frameworks" / name).read_text(encoding="utf-8"))


def install_bundled(*, models: dict[str, Any] | None = None) -> list[tuple[int, str]]:
    """Install every shipped edition not present yet; returns the (year, scheme) installed."""
    from .install import MODEL_NAMES, install

    if models is None:
        from django.apps import apps

        models = {name: apps.get_model("assessments", name) for name in MODEL_NAMES}
    installed = []
    for year, scheme in bundled_editions():
        if not models["Edition"].objects.filter(fiscal_year__year=year, scheme=scheme).exists():
            payload = bundled_payload(year, scheme)
            payload.setdefault("scheme", scheme)
            install(payload, models=models)
            installed.append((year, scheme))
    return installed
