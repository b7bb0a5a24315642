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


@register.simple_tag
def agency_rows(rows, fiscal_year, ratings, round_labels):
    """The dashboard's table body, one <tr> per agency, built as a string in Python with every
    value escaped (html.escape): a page of 100 rows through template nodes, or format_html,
    costs more than all the page's queries. The same cells as the header (views.COLUMNS)."""
    from html import escape

    from django.urls import reverse
    from django.utils.safestring import mark_safe

    from assessments.thai import format_date, format_score

    org_url = escape(reverse("organisation", args=["__code__"]))
    analysis_url = escape(reverse("analysis", args=["__code__", fiscal_year.year]))
    dash = '<span class="muted">–</span>'
    round_class = {"reported": "pass", "overdue": "fail", "pending": "warn"}
    labels = {k: escape(v) for k, v in round_labels.items()}
    out = []
    for r in rows:
        code = escape(r["code"])
        tools = r["tools"]
        cells = [
            code,
            f'<a href="{org_url.replace("__code__", code)}">{escape(r["name"])}</a>',
        ]
        out.append("<tr><td>" + "</td><td>".join(cells) + "</td>")
        out.append(
            "".join(f'<td class="hide-sm">{escape(r[k] or "")}</td>' for k in ("org_type", "province", "district"))
        )
        if r["total"] is not None:
            total = format_score(r["total"], thai_digits=False)
            out.append(f'<td class="num"><a href="{analysis_url.replace("__code__", code)}">{total}</a></td>')
        else:
            out.append(f'<td class="num">{dash}</td>')
        out.append(
            "".join(
                f'<td class="num">{format_score(tools.get(t), thai_digits=False)}</td>' for t in ("iit", "eit", "oit")
            )
        )
        badge = r["rating_badge"]
        out.append(
            f'<td><span class="badge {badge}" data-testid="rating">{escape(r["rating"])}</span></td>'
            if badge
            else f"<td>{dash}</td>"
        )
        late = ' <span class="badge fail">เลยกำหนด</span>' if r["late"] else ""
        out.append(f'<td><span class="badge stage-{escape(r["stage"])}">{escape(r["stage_label"])}</span>{late}</td>')
        if ratings.ladder:  # the result beside the rung (as assessments/_standing.html shows it)
            kind, text = r["standing"] or ("", "")
            kind = kind if kind != "grade" else ("pass" if text in ("AA", "A") else "warn")
            out.append(f'<td><span class="badge {escape(kind)}">{escape(text)}</span></td>' if text else "<td></td>")
        rounds = " ".join(
            f'<span class="badge {round_class[x["state"]]}" title="{escape(format_date(x["due"], thai_digits=False))}">'
            f"{escape(x['title'])}: {labels[x['state']]}</span>"
            for x in r["rounds"]
        )
        out.append(f"<td>{rounds or dash}</td></tr>\n")
    return mark_safe("".join(out))  # every value above went through escape()
