"""Template filters of measures: steps as staff nested them, units and people in their order."""

from django import template

from measures.layouts import step_tree as _step_tree

register = template.Library()


@register.filter
def step_tree(steps):
    """[{"label", "text", "children"}] of a measure's steps (measures.layouts.step_tree)."""
    return _step_tree(list(steps or []))


@register.filter
def responsible(measure):
    """A measure's units and people in the order staff gave them: [(kind, row)]."""
    return measure.responsible_of()


@register.simple_tag
def measure_cells(measure, plan, responsible=None):
    """A measure's row cells on the plan page (measures.cells: the bytes _measure_cells.html gives);
    ``responsible``: {measure id: its units and people in order}, when the view read them."""
    from measures.cells import measure_cells as cells

    return cells(measure, plan, responsible[measure.pk] if responsible is not None else None)
