"""A plan page's measure cells written in Python: the same bytes as
templates/measures/_measure_cells.html (and _steps.html inside it), which stay the
reference tests/measures/test_cells.py renders both against.

Through the template engine a plan of 30 measures cost about a quarter of the page (an
include per measure, some 25 variables and four filters each). Every value goes through
the engine's own ``render_value_in_context`` (localisation, then escaping) and the same
filters, so what the template would print is printed.
"""

from __future__ import annotations

from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import floatformat, join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from assessments.templatetags.ita import item_codes, measure_period
from measures.layouts import step_tree

_CONTEXT = Context(autoescape=True)


def _v(value) -> str:
    return render_value_in_context(value, _CONTEXT)


def _steps(nodes) -> str:
    out = ['<ul class="steps nested">']
    for s in nodes:
        out.append("<li>")
        if s.get("label"):
            out.append(f'<span class="step-n">{_v(s["label"])}</span> ')
        out.append(_v(s.get("text", "")))
        if s.get("children"):
            out.append(_steps(s["children"]))
        out.append("</li>")
    out.append("</ul>\n")
    return "".join(out)


def measure_cells(m, plan, responsible=None) -> SafeString:
    """The five cells of one measure's row on the plan page; ``responsible``: the measure's
    ``responsible_of()`` when the caller read it already."""
    out = [f'<td class="item-title"><strong>{_v(m.title)}</strong>']
    if m.items:
        out.append(f'<div class="muted">{_v(gettext("ข้อ"))} {_v(item_codes(m.items, plan))}</div>')
    if m.indicators:
        out.append(f'<div class="muted">{_v(gettext("ตัวชี้วัดที่"))} {_v(join(m.indicators, ", "))}</div>')
    if m.target:
        out.append(f'<div class="muted">{_v(gettext("เป้าหมาย"))}: {_v(m.target)}</div>')
    if m.budget is not None:
        out.append(
            f'<div class="muted">{_v(gettext("งบประมาณ"))} {_v(floatformat(m.budget, "2g"))} {_v(gettext("บาท"))}</div>'
        )
    out.append(f'</td>\n<td class="hide-sm">{_v(m.method)}')
    if m.steps:
        out.append(_steps(step_tree(list(m.steps or []))))
    out.append("</td>\n<td>")
    for _kind, r in m.responsible_of() if responsible is None else responsible:
        out.append(f"<div>{_v(r.name)}")
        position = getattr(r, "position", None)  # a unit has none: the template printed nothing
        if position:
            out.append(f' <span class="muted">{_v(position)}</span>')
        out.append("</div>")
    out.append(f'</td>\n<td class="nowrap">{_v(measure_period(m))}</td>\n<td class="hide-sm">{_v(m.monitoring)}</td>\n')
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped by render_value_in_context
