"""Charts of the report as inline SVG: drawn here, so the page needs nothing else.

Plain SVG text (no script, no font file, no external reference — not even
the ``xmlns`` URI, which inline SVG in HTML does not need) prints on
A4 and displays on an LGWAN terminal without network. Two shapes suffice:
a vertical bar chart for distributions and a horizontal bar chart for rates.

>>> svg = bar_chart(["0〜7日", "8〜14日"], [12, 3], unit="件")
>>> svg.startswith("<svg") and "12" in svg and "http" not in svg
True
"""

from __future__ import annotations

from html import escape

__all__ = ["bar_chart", "hbar_chart"]

_BAR = "#2f6db5"
_AXIS = "#666"


def _fmt(v: float) -> str:
    return f"{v:,.0f}"


def bar_chart(labels: list[str], values: list[float], *, unit: str = "", width: int = 640, height: int = 260) -> str:
    """Vertical bars with the value above each bar and the label below."""
    left, right, top, bottom = 48, 12, 22, 54
    inner_w, inner_h = width - left - right, height - top - bottom
    peak = max([v for v in values if v is not None] or [0]) or 1
    n = max(len(values), 1)
    slot = inner_w / n
    bar_w = slot * 0.7
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" class="chart">',
        f'<line x1="{left}" y1="{top + inner_h}" x2="{width - right}" y2="{top + inner_h}" stroke="{_AXIS}"/>',
    ]
    for i in range(5):
        y = top + inner_h - inner_h * i / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd" stroke-width="0.5"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10" fill="{_AXIS}">{_fmt(peak * i / 4)}</text>')
    for i, (label, value) in enumerate(zip(labels, values)):
        v = value or 0
        h = inner_h * v / peak
        x = left + slot * i + (slot - bar_w) / 2
        y = top + inner_h - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{_BAR}"><title>{escape(label)}: {_fmt(v)}{escape(unit)}</title></rect>')
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="11">{_fmt(v)}</text>')
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{top + inner_h + 16}" text-anchor="middle" font-size="10.5">{escape(label)}</text>'
        )
    if unit:
        parts.append(f'<text x="{left - 4}" y="{top - 8}" text-anchor="end" font-size="10" fill="{_AXIS}">({escape(unit)})</text>')
    parts.append("</svg>")
    return "".join(parts)


def hbar_chart(labels: list[str], rates: list[float | None], *, width: int = 640, row: int = 26) -> str:
    """Horizontal bars for rates in [0, 1], labelled in percent."""
    left, right, top = 110, 60, 8
    n = max(len(labels), 1)
    height = top * 2 + row * n
    inner_w = width - left - right
    peak = max([r for r in rates if r is not None] or [0]) or 1
    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" class="chart">']
    for i, (label, rate) in enumerate(zip(labels, rates)):
        r = rate or 0.0
        y = top + row * i
        w = inner_w * r / peak
        parts.append(f'<text x="{left - 6}" y="{y + row * 0.62:.1f}" text-anchor="end" font-size="12">{escape(label)}</text>')
        parts.append(f'<rect x="{left}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" fill="{_BAR}"><title>{escape(label)}: {r:.1%}</title></rect>')
        parts.append(f'<text x="{left + w + 4:.1f}" y="{y + row * 0.62:.1f}" font-size="11">{r:.1%}</text>')
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + row * n}" stroke="{_AXIS}"/>')
    parts.append("</svg>")
    return "".join(parts)
