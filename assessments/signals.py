"""Any change to a year's framework gives the year a new ``framework_token``, so the
frameworks every process keeps (frameworks.framework_for) are never used once stale.

Saves and deletes of the framework's parts, and changes to their issue-area links, go
through here (the admin, the spreadsheet import). Bulk writes skip signals: the only one,
``frameworks.install``, creates a new FiscalYear row, which has a new token of its own.
"""

import uuid

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import FiscalYear, GradeBand, Indicator, IssueArea, Item, SubIndicator, Tool, ToolPart


def renew_token(fiscal_year_id=None):
    """A new token for one year, or for every year."""
    years = FiscalYear.objects.all() if fiscal_year_id is None else FiscalYear.objects.filter(pk=fiscal_year_id)
    years.update(framework_token=uuid.uuid4())


# The framework's rows. A change renews every year: a part may move from one year to
# another (the admin lets an item change its indicator or year), issue areas are shared by
# all years, and there are only a handful of years.
FRAMEWORK_MODELS = (GradeBand, Tool, ToolPart, Indicator, SubIndicator, Item, IssueArea)


def _row_changed(sender, instance, raw=False, **kwargs):
    if not raw:  # loaddata: the rows are not all there yet; the FiscalYear row brings its own token
        renew_token()


for _model in FRAMEWORK_MODELS:
    post_save.connect(_row_changed, sender=_model, dispatch_uid=f"framework-token-save-{_model.__name__}")
    post_delete.connect(_row_changed, sender=_model, dispatch_uid=f"framework-token-delete-{_model.__name__}")


@receiver(m2m_changed, sender=Indicator.issue_areas.through)
@receiver(m2m_changed, sender=Item.issue_areas.through)
def _links_changed(sender, instance, action, reverse, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        renew_token(None if reverse else instance.fiscal_year_id)
