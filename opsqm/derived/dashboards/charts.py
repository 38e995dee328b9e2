"""Server-side SVG charts: small, printable, no JavaScript, no CDN.

Plain Python (no Django): each function returns an SVG document as text, every
label escaped.  Colours are a fixed palette that also prints in greyscale.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = ("#1769aa", "#c53030", "#2f855a", "#b7791f", "#6b46c1", "#2c7a7b", "#975a16", "#4a5568")
FONT = 'font-family="PingFang SC, Noto Sans CJK SC, Microsoft YaHei, sans-serif"'


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    t = escape(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{t}" class="chart" {FONT} font-size="11">'
        f"<title>{t}</title>" + "".join(body) + "</svg>"
    )


def _nice_range(lo: float, hi: float) -> tuple[float, float]:
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.08
    return lo - pad, hi + pad


def _ticks(lo: float, hi: float, count: int = 4, min_step: float = 0.0) -> list[float]:
    """Round tick values covering lo..hi: steps of 1, 2, 5 × 10^k."""
    import math

    span = max(hi - lo, 1e-9)
    raw = span / count
    mag = 10 ** math.floor(math.log10(raw))
    step = max(next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw), min_step)
    first = math.ceil(lo / step) * step
    out = []
    v = first
    while v <= hi + 1e-9:
        out.append(round(v, 6))
        v += step
    return out or [lo]


def empty(title: str, text: str, width: int = 640, height: int = 80) -> str:
    return _svg(
        width,
        height,
        title,
        [f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#616e7c">'
         f"{escape(text)}</text>"],
    )  # fmt: skip


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    y_min: float | None = None,
    y_max: float | None = None,
    reference: tuple[float, str] | None = None,
    width: int = 640,
    height: int = 260,
) -> str:
    """One line per series over categorical x `labels`; None = no point."""
    values = [v for _n, vs in series for v in vs if v is not None]
    if not labels or not values:
        return empty(title, "—", width)
    lo, hi = _nice_range(min(values), max(values))
    if reference is not None:
        lo, hi = min(lo, reference[0] - 1), max(hi, reference[0] + 1)
    lo = y_min if y_min is not None else lo
    hi = y_max if y_max is not None else hi
    left, right, top, bottom = 44, 28, 12, 46 + 14 * ((len(series) + 2) // 3)
    pw, ph = width - left - right, height - top - bottom
    n = len(labels)

    def x(i: int) -> float:
        return left + (pw * i / (n - 1) if n > 1 else pw / 2)

    def y(v: float) -> float:
        return top + ph * (1 - (v - lo) / (hi - lo))

    body = [f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fff" stroke="#d9e2ec"/>']
    for v in _ticks(lo, hi):
        body.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#eef2f7"/>'
            f'<text x="{left - 4}" y="{y(v) + 4:.1f}" text-anchor="end">{_num(v)}</text>'
        )
    step = max(1, n // 8)
    for i, label in enumerate(labels):
        if i % step == 0 or i == n - 1:
            body.append(
                f'<text x="{x(i):.1f}" y="{top + ph + 14}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    if reference is not None:
        ry = y(reference[0])
        body.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{ry:.1f}" y2="{ry:.1f}" stroke="#b7791f" '
            f'stroke-dasharray="4 3"/><text x="{left + pw - 2}" y="{ry - 3:.1f}" '
            f'text-anchor="end" fill="#b7791f">{escape(reference[1])}</text>'
        )
    for s, (name, vs) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        pts = [(x(i), y(v)) for i, v in enumerate(vs) if v is not None]
        if len(pts) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        for (px, py), v in zip(pts, [v for v in vs if v is not None], strict=True):
            body.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{colour}">'
                f"<title>{escape(name)}: {_num(v)}</title></circle>"
            )
        lx = left + (s % 3) * (pw / 3)
        ly = top + ph + 30 + 14 * (s // 3)
        body.append(
            f'<rect x="{lx:.1f}" y="{ly - 8}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{lx + 14:.1f}" y="{ly + 1}">{escape(name)}</text>'
        )
    return _svg(width, height, title, body)


def bar_chart(
    title: str,
    bars: Sequence[tuple[str, float]],
    *,
    unit: str = "",
    colour: str = PALETTE[1],
    width: int = 640,
    max_value: float | None = None,
    notes: Sequence[str] | None = None,
) -> str:
    """Horizontal bars (label, value), values ≥ 0 drawn from the left; `notes`, one per
    bar, replace the value written after it (e.g. a fine beside 0 points)."""
    if not bars:
        return empty(title, "—", width)
    row, left, right, top = 22, 150, 60 if not notes else 150, 6
    height = top * 2 + row * len(bars)
    top_value = max_value if max_value is not None else max(v for _l, v in bars) or 1.0
    pw = width - left - right
    body = []
    for i, (label, value) in enumerate(bars):
        y = top + i * row
        w = pw * (value / top_value) if top_value else 0
        shown = notes[i] if notes else f"{_num(value)}{unit}"
        body.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{left}" y="{y + 4}" width="{max(w, 0):.1f}" height="{row - 8}" '
            f'fill="{colour}">'
            f"<title>{escape(label)}: {escape(shown)}</title></rect>"
            f'<text x="{left + max(w, 0) + 4:.1f}" y="{y + 15}">{escape(shown)}</text>'
        )
    return _svg(width, height, title, body)


def stacked_bars(
    title: str,
    categories: Sequence[str],
    stacks: Sequence[tuple[str, Sequence[float]]],
    *,
    width: int = 640,
    height: int = 240,
) -> str:
    """Vertical bars per category, each stacked from `stacks` (name, value per category)."""
    totals = [sum(vs[i] for _n, vs in stacks) for i in range(len(categories))]
    if not categories or not any(totals):
        return empty(title, "—", width)
    left, right, top, bottom = 36, 12, 12, 60
    pw, ph = width - left - right, height - top - bottom
    hi = float(max(totals) or 1)
    ticks = _ticks(0, hi, min_step=1)
    hi = max(hi, ticks[-1])
    slot = pw / len(categories)
    bw = min(48.0, slot * 0.6)
    body = [f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" stroke="#999"/>']
    for v in ticks:
        yy = top + ph * (1 - v / hi)
        body.append(
            f'<text x="{left - 4}" y="{yy + 4:.1f}" text-anchor="end">{_num(v)}</text>'
            f'<line x1="{left}" x2="{left + pw}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#eef2f7"/>'
        )
    for i, cat in enumerate(categories):
        x = left + slot * i + (slot - bw) / 2
        base = float(top + ph)
        for s, (name, vs) in enumerate(stacks):
            v = vs[i]
            if not v:
                continue
            h = ph * v / hi
            base -= h
            body.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bw:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(cat)} {escape(name)}: '
                f"{_num(v)}</title></rect>"
            )
        body.append(
            f'<text x="{x + bw / 2:.1f}" y="{top + ph + 14}" text-anchor="middle">'
            f"{escape(cat)}</text>"
        )
    for s, (name, _vs) in enumerate(stacks):
        lx = left + s * 120
        body.append(
            f'<rect x="{lx}" y="{height - 18}" width="10" height="10" '
            f'fill="{PALETTE[s % len(PALETTE)]}"/>'
            f'<text x="{lx + 14}" y="{height - 9}">{escape(name)}</text>'
        )
    return _svg(width, height, title, body)
