"""The ITA framework as data: read it for analysis, load it from fixtures or a spreadsheet.

A year's framework travels as one "payload" dict (the format of
``fixtures/frameworks/<year>.json``). The admin's spreadsheet import and the data
migrations both turn their input into a payload, validate it, then ``install`` it.

One job per module: ``cache`` (build and keep the framework), ``validate`` (check a
payload), ``install`` (write it), ``bundled`` (what ships in fixtures/), ``workbook``
(the admin's spreadsheet form). Import from here: ``from assessments.frameworks import framework_for``.
"""

from .bundled import FIXTURES, bundled_editions, bundled_payload, bundled_years, install_bundled, install_issue_areas
from .cache import (
    NoEdition,
    build_framework,
    cache_key,
    edition_of,
    forget_built_frameworks,
    forget_kept_edition,
    framework_for,
    kept_edition,
    renew_framework,
    status_tiers,
)
from .errors import FrameworkError
from .install import MODEL_NAMES, install
from .validate import canonical_item_code, validate_payload
from .workbook import SHEETS, YEAR_KEYS, payload_from_workbook, workbook_from_edition, workbook_from_fiscal_year

__all__ = [
    "FIXTURES",
    "MODEL_NAMES",
    "SHEETS",
    "YEAR_KEYS",
    "FrameworkError",
    "NoEdition",
    "build_framework",
    "bundled_editions",
    "bundled_payload",
    "bundled_years",
    "cache_key",
    "edition_of",
    "canonical_item_code",
    "forget_built_frameworks",
    "forget_kept_edition",
    "framework_for",
    "kept_edition",
    "install",
    "install_bundled",
    "install_issue_areas",
    "payload_from_workbook",
    "renew_framework",
    "status_tiers",
    "validate_payload",
    "workbook_from_edition",
    "workbook_from_fiscal_year",
]
