"""A trend chart as plain geometry for a server-rendered SVG (no Flask, no styles)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # quarter or date under the point
    value: str
    exceeds: bool


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


def trend(series: list[tuple[str, Decimal, bool]], limit: Decimal | None) -> Chart | None:
    """``series``: (label, value, exceeds) oldest first.  None when there is nothing to draw."""
    if not series:
        return None
    top = _nice_top(max([v for _, v, _ in series] + ([limit] if limit is not None else [])))
    plot_h = HEIGHT - TOP - BOTTOM
    plot_w = WIDTH - LEFT - RIGHT

    def y(v: Decimal) -> float:
        return TOP + plot_h * (1 - float(v / top))

    n = len(series)
    points = tuple(
        Point(
            LEFT + (plot_w * (i + 0.5) / n),
            y(v),
            label,
            str(v),
            exceeds,
        )
        for i, (label, v, exceeds) in enumerate(series)
    )
    ticks = tuple((y(top * k / 4), f"{(top * k / 4).normalize():f}") for k in range(5))
    return Chart(
        WIDTH,
        HEIGHT,
        points,
        y(limit) if limit is not None else None,
        ticks,
        TOP + plot_h,
        LEFT,
        WIDTH - RIGHT,
    )
