"""Query strings for the dashboard's sort and stage links (the other filters kept)."""

from django import template

register = template.Library()


@register.filter
def sort_query(filters, key):
    """Sort by ``key``; the same key again reverses the order."""
    return filters.query(sort=f"-{key}" if filters.sort == key else key)


@register.filter
def stage_query(filters, stage):
    return filters.query(stage=stage)


@register.filter
def rating_query(filters, rating):
    return filters.query(rating=rating)
