# Fixtures shared with the other apps' tests: the demo agency, a plan and its chain.
from tests.measures.conftest import chain, plan  # noqa: F401
from tests.reports.conftest import demo  # noqa: F401
