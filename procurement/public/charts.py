"""Small accessible charts drawn on the server as inline SVG (no script needed).

Each chart is an <svg role="img"> with a <title> and a <desc> (aria-labelledby both); every bar
carries its value as text, and a second series differs by pattern as well as colour. The page
puts a data table with the same numbers next to each chart.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
LABEL_WIDTH = 200
VALUE_SPACE = 110
BAR_HEIGHT = 18
GAP = 10
TOP = 8
_ids = itertools.count(1)


@dataclass(frozen=True)
class Bar:
    """One bar: a value, and the text shown on it (e.g. "12.5 %")."""

    value: float
    text: str


@dataclass(frozen=True)
class Row:
    """One category of the chart, with one bar per series."""

    label: str
    bars: tuple[Bar, ...]


SERIES_FILLS = ("#005ea2", "url(#{pattern})")


def _shorten(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(
    title: str, description: str, rows: Sequence[Row], series: Sequence[str] = ()
) -> Markup:
    """A horizontal bar chart; several series per row are drawn one under the other.

    Negative values are drawn as empty bars: their text still says the value.
    """
    number = next(_ids)
    chart_id = f"chart-{number}"
    pattern = f"{chart_id}-hatch"
    per_row = max((len(row.bars) for row in rows), default=1)
    row_height = per_row * BAR_HEIGHT + GAP
    legend_height = 24 if len(series) > 1 else 0
    height = TOP + len(rows) * row_height + legend_height + 4
    peak = max((bar.value for row in rows for bar in row.bars), default=0.0)
    scale = (WIDTH - LABEL_WIDTH - VALUE_SPACE) / peak if peak > 0 else 0.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        "<defs>"
        f'<pattern id="{pattern}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#fff"/>'
        '<rect width="3" height="6" fill="#1a4480"/></pattern></defs>',
    ]
    for index, row in enumerate(rows):
        y = TOP + index * row_height
        label_y = y + per_row * BAR_HEIGHT / 2 + 4
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{label_y:.1f}" text-anchor="end" '
            f'font-size="13" fill="#1b1b1b">{escape(_shorten(row.label))}</text>'
        )
        for position, bar in enumerate(row.bars):
            bar_y = y + position * BAR_HEIGHT
            length = max(bar.value, 0.0) * scale
            fill = SERIES_FILLS[position % 2].format(pattern=pattern)
            name = f"{series[position]}: " if len(series) > 1 else ""
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{bar_y + 2}" width="{length:.1f}" '
                f'height="{BAR_HEIGHT - 4}" fill="{fill}" stroke="#1a4480"/>'
            )
            parts.append(
                f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{bar_y + BAR_HEIGHT - 5}" '
                f'font-size="12" fill="#1b1b1b">{escape(name)}{escape(bar.text)}</text>'
            )
    parts.append(
        f'<line x1="{LABEL_WIDTH}" y1="{TOP - 4}" x2="{LABEL_WIDTH}" '
        f'y2="{TOP + len(rows) * row_height - GAP + 4}" stroke="#565c65"/>'
    )
    if len(series) > 1:
        legend_y = TOP + len(rows) * row_height + 4
        x = LABEL_WIDTH
        for position, name in enumerate(series):
            fill = SERIES_FILLS[position % 2].format(pattern=pattern)
            parts.append(
                f'<rect x="{x}" y="{legend_y}" width="14" height="14" fill="{fill}" '
                'stroke="#1a4480"/>'
            )
            parts.append(
                f'<text x="{x + 20}" y="{legend_y + 12}" font-size="12" fill="#1b1b1b">'
                f"{escape(name)}</text>"
            )
            x += 30 + 8 * len(name)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped
