"""Geometry of the indicator chart (SVG), shared by the analysis page and the PDF report."""

CHART = {"width": 720, "height": 300, "left": 44, "bottom": 40, "top": 16}


def chart_bars(indicators, threshold):
    """One bar per indicator, the threshold line and last year's marks.

    ``indicators`` is a list of (number, score, status, previous) with scores 0-100 or None.
    """
    width, height, left, bottom, top = (CHART[k] for k in ("width", "height", "left", "bottom", "top"))
    plot_h = height - bottom - top
    slot = (width - left - 10) / max(len(indicators), 1)

    def y(value):
        return top + plot_h * (1 - float(value) / 100)

    bars = []
    for n, (number, score, status, previous) in enumerate(indicators):
        x = left + n * slot + slot * 0.18
        bars.append(
            {
                "number": number,
                "x": round(x, 1),
                "w": round(slot * 0.64, 1),
                "y": round(y(score), 1) if score is not None else None,
                "h": round(top + plot_h - y(score), 1) if score is not None else None,
                "label_x": round(x + slot * 0.32, 1),
                "score": score,
                "status": status,
                "prev_y": round(y(previous), 1) if previous is not None else None,
            }
        )
    grid = [{"value": v, "y": round(y(v), 1)} for v in (0, 25, 50, 75, 100)]
    return {
        **CHART,
        "bars": bars,
        "grid": grid,
        "threshold_y": round(y(threshold), 1),
        "threshold": threshold,
        "base_y": top + plot_h,
        "right": width - 10,
    }


def chart_compare(numbers, first, second, *, labels=("กลุ่ม", "ทั้งประเทศ")):
    """Two bars per indicator (e.g. a group's mean beside the country's), for the SVG template.

    ``first`` and ``second`` map indicator numbers to scores 0-100 (missing: no bar)."""
    width, height, left, bottom, top = (CHART[k] for k in ("width", "height", "left", "bottom", "top"))
    plot_h = height - bottom - top
    slot = (width - left - 10) / max(len(numbers), 1)
    bar_w = slot * 0.36

    def y(value):
        return top + plot_h * (1 - float(value) / 100)

    groups = []
    for n, number in enumerate(numbers):
        x = left + n * slot + slot * 0.12
        bars = []
        for k, (series, values) in enumerate((("first", first), ("second", second))):
            value = values.get(number)
            bx = x + k * bar_w
            bars.append(
                {
                    "series": series,
                    "label": labels[k],
                    "x": round(bx, 1),
                    "w": round(bar_w, 1),
                    "value": value,
                    "y": round(y(value), 1) if value is not None else None,
                    "h": round(top + plot_h - y(value), 1) if value is not None else None,
                    "text_x": round(bx + bar_w / 2, 1),
                }
            )
        groups.append({"number": number, "bars": bars, "label_x": round(x + bar_w, 1)})
    grid = [{"value": v, "y": round(y(v), 1)} for v in (0, 25, 50, 75, 100)]
    return {**CHART, "groups": groups, "grid": grid, "base_y": top + plot_h, "right": width - 10, "labels": labels}
