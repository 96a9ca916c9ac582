"""The leads' pictures, drawn with matplotlib's Agg canvas (no display, no pyplot global state, so two threads
can draw at once). Colours are the Okabe-Ito palette, told apart with colour blindness, and every series also
differs by hatch or marker. 1000 x 500 px: Slack shows images at about 360 px high, where 12 pt text still reads.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.domain.momentum.state import Standing

WIDTH_PX, HEIGHT_PX, DPI = 1000, 500, 100

# Okabe & Ito (2008), "Color Universal Design".
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
YELLOW = "#F0E442"
VERMILLION = "#D55E00"
GREY = "#999999"
SKY = "#56B4E9"

_MIX_STYLE: tuple[tuple[Standing, str, str, str], ...] = (
    (Standing.ON_TRACK, "On track", GREEN, ""),
    (Standing.COOLING, "Cooling", YELLOW, "//"),
    (Standing.LAPSED, "Lapsed", VERMILLION, "xx"),
    (Standing.NOT_STARTED, "Not started", GREY, ".."),
)


@dataclass(frozen=True)
class Picture:
    """A drawn chart: PNG bytes, with the words a screen reader says instead (Slack's alt text)."""

    name: str
    title: str
    alt_text: str
    png: bytes


def _figure() -> Figure:
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    figure.tight_layout()
    buffer = io.BytesIO()
    # No timestamps or version in the file: the same numbers draw the same bytes.
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _labels(days: Sequence[date]) -> list[str]:
    return [f"{d:%-d %b}" for d in days]


def _style(axes: Axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.grid(axis="y", color="#DDDDDD", linewidth=0.8)
    axes.set_axisbelow(True)
    axes.tick_params(labelsize=11)


def sessions_chart(weeks: Sequence[date], held: Sequence[int], expected: Sequence[float]) -> Picture:
    """Sessions held per week against what the pairs' cadences call for; the current week is partial."""
    figure = _figure()
    axes = figure.add_subplot()
    positions = list(range(len(weeks)))
    bars = axes.bar(positions, held, color=BLUE, label="Sessions held", width=0.7)
    if bars:
        bars[-1].set_hatch("//")
        bars[-1].set_alpha(0.6)
    axes.plot(positions, expected, color=ORANGE, linewidth=2.5, marker="o", linestyle="--", label="Cadences call for")
    axes.set_xticks(positions, _labels(weeks), rotation=0)
    axes.set_xlabel("Week starting (the last one is this week so far)", fontsize=12)
    axes.set_ylabel("Sessions", fontsize=12)
    axes.set_title("Sessions per week, last 12 weeks", fontsize=14, loc="left")
    axes.set_ylim(bottom=0)
    axes.legend(fontsize=11, frameon=False, loc="upper left")
    _style(axes)
    total, wanted = sum(held), sum(expected)
    alt = (
        f"Bar chart of sessions held per week over the last {len(weeks)} weeks: {total} in all, against "
        f"{wanted:.0f} the pairs' cadences call for. Last week: {held[-2] if len(held) > 1 else 0} held, "
        f"{expected[-2] if len(expected) > 1 else 0:.0f} expected."
    )
    return Picture("sessions-per-week.png", "Sessions per week", alt, _png(figure))


def mix_chart(weeks: Sequence[date], mixes: Sequence[Counter[Standing]]) -> Picture:
    """The momentum mix at the end of each week, stacked."""
    figure = _figure()
    axes = figure.add_subplot()
    positions = list(range(len(weeks)))
    bottom = [0.0] * len(weeks)
    for standing, label, colour, hatch in _MIX_STYLE:
        values = [float(mix.get(standing, 0)) for mix in mixes]
        axes.bar(
            positions, values, bottom=bottom, color=colour, hatch=hatch, edgecolor="#333333", linewidth=0.4,
            label=label, width=0.7,
        )  # fmt: skip
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_xticks(positions, _labels(weeks))
    axes.set_xlabel("Week starting", fontsize=12)
    axes.set_ylabel("Pairs", fontsize=12)
    axes.set_title("Momentum of active pairs, at each week's end", fontsize=14, loc="left")
    axes.legend(fontsize=11, frameon=False, loc="upper left", ncols=4)
    axes.set_ylim(0, max([*bottom, 1.0]) * 1.2)
    _style(axes)
    latest = mixes[-1] if mixes else Counter()
    alt = "Stacked bar chart of pairs by momentum per week. This week: " + ", ".join(
        f"{latest.get(s, 0)} {label.lower()}" for s, label, _, _ in _MIX_STYLE
    )
    return Picture("momentum-mix.png", "Momentum over time", alt + ".", _png(figure))


def satisfaction_chart(months: Sequence[date], means: Sequence[float | None], answers: Sequence[int]) -> Picture:
    """Mean check-in value per month (1-5); months with too few answers to stay anonymous are left out."""
    figure = _figure()
    axes = figure.add_subplot()
    positions = list(range(len(months)))
    shown = [(p, m) for p, m in zip(positions, means, strict=True) if m is not None]
    axes.plot(
        [p for p, _ in shown], [m for _, m in shown], color=BLUE, marker="s", markersize=9, linewidth=2.5,
        label="Average value of a session (1-5)",
    )  # fmt: skip
    for position, mean in shown:
        axes.annotate(
            f"{mean:.1f}\n({answers[position]})", (position, mean), textcoords="offset points", xytext=(0, 10),
            ha="center", fontsize=10,
        )  # fmt: skip
    axes.set_xticks(positions, [f"{m:%b %Y}" for m in months])
    axes.set_xlim(-0.5, len(months) - 0.5)
    axes.set_ylim(1, 5.6)
    axes.set_yticks([1, 2, 3, 4, 5])
    axes.set_xlabel("Month (answers in brackets; months with fewer than 3 answers are not shown)", fontsize=12)
    axes.set_ylabel("Average value (1-5)", fontsize=12)
    axes.set_title("Satisfaction from check-ins", fontsize=14, loc="left")
    _style(axes)
    alt = "Line chart of the average check-in value per month: " + (
        ", ".join(f"{months[p]:%B}: {m:.1f}" for p, m in shown) if shown else "not enough answers yet"
    )
    return Picture("satisfaction.png", "Satisfaction over time", alt + ".", _png(figure))
