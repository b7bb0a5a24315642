"""An organisation's history, portable: one zip out (``ita_export_org``, the admin's action)
and back in (``ita_import_org``, the admin's import page), all or nothing.

registry.py says which models are the history; archive.py the zip and its checks;
export.py and restore.py the two directions.
"""

from .archive import FORMAT_VERSION, Limits, Refused
from .export import ExportError, export_organisation
from .restore import Result, import_organisation

__all__ = ["FORMAT_VERSION", "ExportError", "Limits", "Refused", "Result", "export_organisation", "import_organisation"]
