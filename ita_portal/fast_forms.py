"""A form renderer that writes the common widgets and labels in Python.

Django renders every widget and label through a template (``input.html`` including
``attrs.html``, ``select.html`` including one ``select_option.html`` per option): about
0.07 ms each, which made a follow-up round of 20 measures (218 fields, 1,300 options and
labels) cost 19× a bare view. ``FastRenderer`` produces the same bytes for the widgets it
knows (text, hidden, url, number, email, file inputs, textarea, select, label) straight from
the widget's context, which Django still builds (attributes, ``aria-invalid``,
``aria-describedby``, ``required``, the value bound from the posted data), and hands every
other template to Django. A form opts in with ``default_renderer = FAST_RENDERER``;
validation is untouched. tests/test_fast_forms.py checks the output is byte-identical.
"""

import html as stdlib_html

from django.forms.renderers import DjangoTemplates
from django.utils.safestring import SafeData, SafeString, mark_safe

_INPUTS = {
    f"django/forms/widgets/{kind}.html"
    for kind in ("input", "text", "hidden", "url", "number", "email", "password", "file", "search", "tel")
}
_OPTION = "django/forms/widgets/select_option.html"


def conditional_escape(value) -> str:
    """django.utils.html.conditional_escape without its lazy-argument wrapper (thousands of
    calls a page): the value's own __html__ when it has one, else html.escape, as Django."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return stdlib_html.escape(str(value))


def _string(value) -> str:
    """``{{ value|stringformat:'s' }}`` under autoescape."""
    text = str(value)
    return text if isinstance(value, SafeData) else conditional_escape(text)


def _attrs(attrs) -> str:
    """``attrs.html``: `` name="value"``, a bare name for True, nothing for False."""
    if not attrs:
        return ""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(
            f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_string(value)}"'
        )
    return "".join(out)


def _input(widget) -> str:
    value = "" if widget["value"] is None else f' value="{_string(widget["value"])}"'
    return f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _textarea(widget) -> str | None:
    if widget["value"] and not isinstance(widget["value"], str):
        return None  # a number or date: Django localizes it
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _select(widget) -> str | None:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _OPTION or not isinstance(option["label"], str):
                return None  # a custom option template: let Django render the whole select
            parts.append(
                f'\n  <option value="{_string(option["value"])}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"  # the included file's own newline
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _label(context) -> str | None:
    if not isinstance(context["label"], str):
        return None
    label = conditional_escape(context["label"])
    if not context["use_tag"]:
        return label
    tag = conditional_escape(context["tag"])
    return f"<{tag}{_attrs(context['attrs'])}>{label}</{tag}>"


class FastRenderer(DjangoTemplates):
    """Django's template renderer, with the common widgets written directly (same output)."""

    def render(self, template_name, context, request=None) -> SafeString:
        html = None
        if template_name in _INPUTS:
            html = _input(context["widget"])
        elif template_name == "django/forms/widgets/clearable_file_input.html" and not context["widget"]["is_initial"]:
            widget = context["widget"]  # no file kept yet: the bare file input, as the template writes it
            html = f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>'
        elif template_name == "django/forms/widgets/textarea.html":
            html = _textarea(context["widget"])
        elif template_name == "django/forms/widgets/select.html":
            html = _select(context["widget"])
        elif template_name == "django/forms/label.html":
            html = _label(context)
        if html is None:
            return super().render(template_name, context, request=request)
        return mark_safe(html)


FAST_RENDERER = FastRenderer()


class SharedFields(dict):
    """A form's ``base_fields`` that every instance shares instead of deep-copying.

    Django deep-copies every field (and its widget, choices, validators) for each form
    instance so that an instance may change its own fields. A form that never does (no
    per-instance querysets, labels, widgets or choices) can share them: each instance still
    gets its own dict, the fields in it are the class's. 20 follow-up entries a page made
    1,300 deep copies."""

    def __deepcopy__(self, memo):
        return dict(self)


def share_fields(form_class):
    """Class decorator: the form's instances share its fields (see SharedFields)."""
    form_class.base_fields = SharedFields(form_class.base_fields)
    return form_class
