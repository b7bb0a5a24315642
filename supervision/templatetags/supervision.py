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
    """The dashboard's table body, one <tr> per agency, built in Python (format_html escapes
    every value): a page of 100 rows through template nodes costs more than all its queries.
    The same cells as the header (views.COLUMNS), in the same order."""
    from django.urls import reverse
    from django.utils.html import format_html, format_html_join
    from django.utils.safestring import mark_safe

    from assessments.thai import format_date, format_score

    org_url = reverse("organisation", args=["__code__"])
    analysis_url = reverse("analysis", args=["__code__", fiscal_year.year])
    dash = mark_safe('<span class="muted">–</span>')
    late = mark_safe(' <span class="badge fail">เลยกำหนด</span>')
    round_class = {"reported": "pass", "overdue": "fail", "pending": "warn"}
    out = []
    for r in rows:
        tools = r["tools"]
        total = (
            format_html(
                '<a href="{}">{}</a>',
                analysis_url.replace("__code__", r["code"]),
                format_score(r["total"], thai_digits=False),
            )
            if r["total"] is not None
            else dash
        )
        rating = (
            format_html('<span class="badge {}" data-testid="rating">{}</span>', r["rating_badge"], r["rating"])
            if r["rating_badge"]
            else dash
        )
        rounds = (
            format_html_join(
                " ",
                '<span class="badge {}" title="{}">{}: {}</span>',
                (
                    (
                        round_class[x["state"]],
                        format_date(x["due"], thai_digits=False),
                        x["title"],
                        round_labels[x["state"]],
                    )
                    for x in r["rounds"]
                ),
            )
            or dash
        )
        standing = ""
        if ratings.ladder:  # the result beside the rung (as assessments/_standing.html shows it)
            kind, text = r["standing"] or ("", "")
            badge = kind if kind != "grade" else ("pass" if text in ("AA", "A") else "warn")
            standing = format_html('<td><span class="badge {}">{}</span></td>', badge, text) if text else "<td></td>"
        out.append(
            format_html(
                '<tr><td>{}</td><td><a href="{}">{}</a></td><td class="hide-sm">{}</td><td class="hide-sm">{}</td>'
                '<td class="hide-sm">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td>'
                '<td class="num">{}</td><td>{}</td><td><span class="badge stage-{}">{}</span>{}</td>{}<td>{}</td></tr>',
                r["code"],
                org_url.replace("__code__", r["code"]),
                r["name"],
                r["org_type"],
                r["province"],
                r["district"],
                total,
                *(format_score(tools.get(t), thai_digits=False) for t in ("iit", "eit", "oit")),
                rating,
                r["stage"],
                r["stage_label"],
                late if r["late"] else "",
                standing,
                rounds,
            )  # fmt: skip
        )
    return mark_safe("\n".join(out))
