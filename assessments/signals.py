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
    """A new token for one year, or for every year (issue areas are shared by all)."""
    years = FiscalYear.objects.all() if fiscal_year_id is None else FiscalYear.objects.filter(pk=fiscal_year_id)
    years.update(framework_token=uuid.uuid4())


@receiver(post_save, sender=GradeBand)
@receiver(post_save, sender=Tool)
@receiver(post_save, sender=ToolPart)
@receiver(post_save, sender=Indicator)
@receiver(post_save, sender=SubIndicator)
@receiver(post_save, sender=Item)
@receiver(post_delete, sender=GradeBand)
@receiver(post_delete, sender=Tool)
@receiver(post_delete, sender=ToolPart)
@receiver(post_delete, sender=Indicator)
@receiver(post_delete, sender=SubIndicator)
@receiver(post_delete, sender=Item)
def _part_changed(sender, instance, raw=False, **kwargs):
    """Every year: a part may have moved from one year to another (the admin lets an item
    change its indicator or year), and there are only a handful of years."""
    if not raw:  # loaddata: the rows are not all there yet; the FiscalYear row brings its own token
        renew_token()


@receiver(post_save, sender=IssueArea)
@receiver(post_delete, sender=IssueArea)
def _area_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        renew_token()


@receiver(m2m_changed, sender=Indicator.issue_areas.through)
@receiver(m2m_changed, sender=Item.issue_areas.through)
def _links_changed(sender, instance, action, reverse, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        renew_token(None if reverse else instance.fiscal_year_id)
