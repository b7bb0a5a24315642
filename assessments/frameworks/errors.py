"""The one error a framework file can raise."""

from __future__ import annotations

from collections.abc import Iterable


class FrameworkError(ValueError):
    """A framework file that cannot be installed; ``errors`` lists every reason in Thai."""

    def __init__(self, errors: Iterable[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))
