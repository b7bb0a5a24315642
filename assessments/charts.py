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
