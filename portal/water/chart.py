"""A trend chart as plain geometry for a server-rendered SVG (no Flask, no styles)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40
# The phone chart is drawn at about its displayed size (a 360 px screen), so that its
# labels stay at least 12 CSS px instead of shrinking with a wide drawing.
NARROW_WIDTH, NARROW_HEIGHT, NARROW_LEFT = 320, 220, 46


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # quarter or date under the point
    value: str
    exceeds: bool
    show_label: bool = True


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: tuple[Point, ...]
    limit_y: float | None  # the held-to limit line
    ticks: tuple[tuple[float, str], ...]  # (y, label)
    baseline: float
    left: int
    right: int
    font: int = 11  # tick and axis labels, in drawing units
    id: str = "chart"

    @property
    def path(self) -> str:
        return " ".join(
            f"{'M' if i == 0 else 'L'}{p.x:.1f},{p.y:.1f}" for i, p in enumerate(self.points)
        )


def _nice_top(value: Decimal) -> Decimal:
    if value <= 0:
        return Decimal(1)
    exp = value.adjusted()
    for step in (1, 2, 2.5, 5, 10):
        top = Decimal(str(step)).scaleb(exp)
        if top >= value:
            return top
    return Decimal(10).scaleb(exp)


def trend(
    series: list[tuple[str, Decimal, bool]], limit: Decimal | None, *, narrow: bool = False
) -> Chart | None:
    """``series``: (label, value, exceeds) oldest first.  None when there is nothing to draw.
    ``narrow``: the phone drawing (fewer x labels, larger type)."""
    if not series:
        return None
    width, height = (NARROW_WIDTH, NARROW_HEIGHT) if narrow else (WIDTH, HEIGHT)
    left = NARROW_LEFT if narrow else LEFT
    top = _nice_top(max([v for _, v, _ in series] + ([limit] if limit is not None else [])))
    plot_h = height - TOP - BOTTOM
    plot_w = width - left - RIGHT
    every = 2 if narrow and len(series) > 4 else 1

    def y(v: Decimal) -> float:
        return TOP + plot_h * (1 - float(v / top))

    n = len(series)
    points = tuple(
        Point(
            left + (plot_w * (i + 0.5) / n),
            y(v),
            label,
            str(v),
            exceeds,
            (n - 1 - i) % every == 0,  # the newest point is always labelled
        )
        for i, (label, v, exceeds) in enumerate(series)
    )
    ticks = tuple((y(top * k / 4), f"{(top * k / 4).normalize():f}") for k in range(5))
    return Chart(
        width,
        height,
        points,
        y(limit) if limit is not None else None,
        ticks,
        TOP + plot_h,
        left,
        width - RIGHT,
        13 if narrow else 11,
        "phone-chart" if narrow else "chart",
    )
