"""Filters for the agency's own words in the documents."""

from django import template

register = template.Library()


@register.filter
def paragraphs(text) -> list[str]:
    """A typed text as the paragraphs it holds: one per non-empty line."""
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]
