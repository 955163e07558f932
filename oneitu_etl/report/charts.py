"""The report's charts: matplotlib figures built from plain data, saved as inline SVG.

This is the one module that imports matplotlib; it selects the non-interactive ``Agg``
backend once, here. Builders are pure: they take the numbers and the words to show (already
translated and formatted for the language) and return a :class:`~matplotlib.figure.Figure`.
:func:`svg_markup` is the one place a figure is serialised for the HTML: deterministic SVG
(fixed hash salt, no date), text kept as text, ids made unique per chart so that several
charts can sit in one HTML page, and an accessible name (``role="img"``, ``<title>``,
``<desc>``). The PDF takes each chart as an image: the same SVG
(:func:`svg_image_markup`) or, right to left, a print-resolution picture
(:func:`png_markup`); see there why.

Colours keep a 3:1 contrast with white for bars; series also differ by lightness and
hatching, and values are written on the chart, so nothing depends on colour alone.
"""

from __future__ import annotations

import base64
import io
import re
import textwrap
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
from markupsafe import escape
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

matplotlib.use("Agg")

ITU_BLUE = "#009CD6"
DARK_BLUE = "#00507A"
LIGHT_BLUE = "#A8DDF3"
GREY = "#5F6B73"
LIGHT_GREY = "#D5DADD"
STATUS_COLOURS = {
    "achieved": "#1E7B34",
    "on_track": DARK_BLUE,
    "at_risk": "#B45F06",
    "off_track": "#B3261E",
    "no_data": GREY,
}
# The lighter 62% of matplotlib's "Blues": dark text on every cell keeps a 5.5:1 contrast.
HEAT = ListedColormap(matplotlib.colormaps["Blues"](np.linspace(0, 0.62, 256)), name="oneitu-heat")
WIDTH_IN = 6.7  # the text width of an A4 page with 2 cm margins

STYLE = {
    "svg.hashsalt": "oneitu-report",
    "svg.fonttype": "none",
    "svg.image_inline": True,
    "font.family": ["Liberation Sans", "DejaVu Sans", "Noto Sans Arabic", "Noto Sans CJK SC"],
    "font.size": 8.5,
    "axes.titlesize": 9.5,
    "axes.edgecolor": GREY,
    "axes.labelcolor": "#222222",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": "#222222",
    "ytick.color": "#222222",
    "legend.frameon": False,
    "hatch.linewidth": 0.6,
    "path.simplify": False,
}

NumberFormat = Callable[[float], str]


@contextmanager
def chart_style() -> Iterator[None]:
    """The report's matplotlib settings, for building and saving a chart."""
    with matplotlib.rc_context(STYLE):
        yield


def _plain(text: str) -> str:
    """Text shown as is: a ``$`` would otherwise start matplotlib mathtext."""
    return str(text).replace("$", r"\$")


def _wrap(text: str, width: int = 34) -> str:
    """``text`` on lines of about ``width`` Latin letters; a Chinese character is as wide as
    two, and a line of them, which has no space to break at, is cut between characters."""
    text = _plain(text)
    if any(unicodedata.east_asian_width(ch) in "WF" for ch in text):
        width = max(4, width // 2)
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False)) or " "


def _figure(rows: int, per_row: float = 0.3, extra: float = 0.9) -> Figure:
    return Figure(figsize=(WIDTH_IN, max(1.8, extra + per_row * rows)), layout="constrained")


def _legend_below(fig: Figure, ax: Any, handles: Sequence[Any] | None = None) -> None:
    """The legend under the plot, outside it, so that it never hides a bar."""
    handles = list(handles) if handles is not None else ax.get_legend_handles_labels()[0]
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 3), fontsize=7.5)


def _value_axis(fig: Figure, ax: Any, axis_label: str, ticks: NumberFormat) -> None:
    """The value axis of a horizontal bar chart: its ticks and label, a grid behind the bars."""
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: ticks(v)))
    ax.set_xlabel(_plain(axis_label))
    ax.grid(axis="x", color="#E3E6E8", linewidth=0.6)
    ax.set_axisbelow(True)
    _legend_below(fig, ax)


PAIR_HEIGHT = 0.38  # of each bar of a pair; the pair fills 0.76 of a row


def _paired_bars(
    labels: Sequence[str],
    first: Sequence[float],
    second: Sequence[float],
    series: tuple[str, str],
    first_style: dict[str, Any],
) -> tuple[Figure, Any, list[int]]:
    """Two bars per label, the first series above in ``first_style``, the second in dark blue.

    The labels go on the y axis, top to bottom.

    Returns:
        The figure, its axes and the y position of each label, top to bottom.
    """
    fig = _figure(len(labels), per_row=0.42)
    ax = fig.add_subplot()
    ys = list(range(len(labels)))[::-1]
    ax.barh(
        [y + PAIR_HEIGHT / 2 for y in ys],
        first,
        height=PAIR_HEIGHT,
        label=_plain(series[0]),
        **first_style,
    )
    ax.barh(
        [y - PAIR_HEIGHT / 2 for y in ys],
        second,
        height=PAIR_HEIGHT,
        color=DARK_BLUE,
        label=_plain(series[1]),
    )
    ax.set_yticks(ys, [_wrap(label, 36) for label in labels], fontsize=7.5)
    return fig, ax, ys


@dataclass(frozen=True)
class Bar:
    """One bar of a bar chart: label, value, and the series or group it belongs to."""

    label: str
    value: float
    group: str


def expenses_by_element(
    bars: Sequence[Bar],
    groups: dict[str, str],
    axis_label: str,
    ticks: NumberFormat,
    value_label: NumberFormat,
) -> Figure:
    """Horizontal bars of expenses by strategic element, shaded by goal.

    Args:
        bars: One bar per element, top to bottom; ``group`` is the goal key.
        groups: Goal key to its legend label, in legend order.
        axis_label: Label of the value axis (``CHF millions``).
        ticks: Formats an axis tick (a value in CHF).
        value_label: Formats the value written at the end of a bar.

    Returns:
        The figure.
    """
    with chart_style():
        fig = _figure(len(bars))
        ax = fig.add_subplot()
        palette = [DARK_BLUE, ITU_BLUE, LIGHT_GREY, GREY]
        hatches = ["", "", "///", "..."]
        style = {key: (palette[i % 4], hatches[i % 4]) for i, key in enumerate(groups)}
        ys = list(range(len(bars)))[::-1]
        for key, label in groups.items():
            members = [(y, b) for y, b in zip(ys, bars, strict=True) if b.group == key]
            if not members:
                continue
            colour, hatch = style[key]
            ax.barh(
                [y for y, _ in members],
                [b.value for _, b in members],
                color=colour,
                hatch=hatch,
                edgecolor=DARK_BLUE if hatch else colour,
                linewidth=0.6,
                label=_plain(label),
                height=0.7,
            )
        top = max((b.value for b in bars), default=0) or 1
        for y, b in zip(ys, bars, strict=True):
            ax.text(b.value + top * 0.01, y, value_label(b.value), va="center", fontsize=7.5)
        ax.set_yticks(ys, [_wrap(b.label, 42) for b in bars], fontsize=7.5)
        ax.set_xlim(0, top * 1.16)
        _value_axis(fig, ax, axis_label, ticks)
        return fig


def budget_vs_actual(
    labels: Sequence[str],
    budget: Sequence[float],
    actual: Sequence[float],
    rates: Sequence[str],
    series: tuple[str, str],
    axis_label: str,
    ticks: NumberFormat,
) -> Figure:
    """Final budget and actual expenses of each unit, side by side, with the rate written.

    Args:
        labels: Unit names, top to bottom.
        budget: Final budget of each unit.
        actual: Actual expenses of each unit.
        rates: The execution rate of each unit, formatted.
        series: Legend labels of the budget and actual series.
        axis_label: Label of the value axis.
        ticks: Formats an axis tick.

    Returns:
        The figure.
    """
    with chart_style():
        fig, ax, ys = _paired_bars(
            labels,
            budget,
            actual,
            series,
            {"color": LIGHT_BLUE, "edgecolor": DARK_BLUE, "linewidth": 0.6},
        )
        top = max([*budget, *actual, 1])
        for y, value, rate in zip(ys, budget, rates, strict=True):
            ax.text(value + top * 0.01, y, rate, va="center", fontsize=7.5)
        ax.set_xlim(0, top * 1.14)
        _value_axis(fig, ax, axis_label, ticks)
        return fig


@dataclass(frozen=True)
class Trajectory:
    """Where an indicator stands on the way from its baseline (0) to its target (100)."""

    label: str
    actual: float | None
    expected: float | None
    status: str
    status_label: str


def indicator_progress(
    items: Sequence[Trajectory],
    axis_label: str,
    legend: tuple[str, str],
    ticks: NumberFormat,
) -> Figure:
    """Each indicator's position between baseline and target, against where it should be.

    Args:
        items: One per indicator, top to bottom; positions in percent of the way
            (values beyond -50 and 150 are drawn at the edge).
        axis_label: Label of the position axis.
        legend: Labels of the actual bar and the expected marker.
        ticks: Formats an axis tick (a position in percent).

    Returns:
        The figure.
    """
    with chart_style():
        fig = _figure(len(items), per_row=0.36, extra=1.1)
        ax = fig.add_subplot()
        ys = list(range(len(items)))[::-1]
        drawn = [v for i in items for v in (i.actual, i.expected) if v is not None]
        # the axis starts where something is: at 0, or below it down to -50 at most
        floor = min([0.0, *drawn])
        low = max(-50.0, floor - 10.0) if floor < 0 else 0.0
        high = 150.0
        ax.axvspan(0, 100, color="#F1F8FC", zorder=0)
        for y, item in zip(ys, items, strict=True):
            if item.actual is not None:
                value = min(max(item.actual, low), high)
                ax.barh(
                    y, value, height=0.55, color=STATUS_COLOURS.get(item.status, GREY), zorder=2
                )
            if item.expected is not None:
                ax.plot(
                    [min(max(item.expected, low), high)] * 2,
                    [y - 0.38, y + 0.38],
                    color="#111111",
                    linewidth=2,
                    zorder=3,
                )
            ax.text(high + 4, y, _plain(item.status_label), va="center", fontsize=7.5)
        handles = [
            Patch(color=DARK_BLUE, label=_plain(legend[0])),
            Line2D([], [], color="#111111", linewidth=2, label=_plain(legend[1])),
        ]
        ax.axvline(0, color=GREY, linewidth=0.8)
        ax.axvline(100, color=GREY, linewidth=0.8, linestyle="--")
        ax.set_xlim(low, high + 40)
        ax.set_xticks([t for t in (-50, -25, 0, 25, 50, 75, 100, 150) if t >= low])
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: ticks(v)))
        ax.set_yticks(ys, [_wrap(item.label, 34) for item in items], fontsize=7.5)
        ax.set_ylim(-0.8, len(items) - 0.2)
        ax.set_xlabel(_plain(axis_label))
        _legend_below(fig, ax, handles)
        return fig


def heat_map(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float]],
    cell_label: NumberFormat,
    colour_label: str,
) -> Figure:
    """Expenses of each thematic priority (rows) by sector (columns), as shaded cells.

    Args:
        rows: Row labels, top to bottom.
        columns: Column labels.
        values: ``values[r][c]``, in CHF.
        cell_label: Formats the figure written in each cell (empty cells show a dash).
        colour_label: Label of the colour scale.

    Returns:
        The figure.
    """
    with chart_style():
        fig = Figure(figsize=(WIDTH_IN, max(2.2, 0.9 + 0.38 * len(rows))), layout="constrained")
        ax = fig.add_subplot()
        top = max((v for row in values for v in row), default=0) or 1
        image = ax.imshow(values, cmap=HEAT, vmin=0, vmax=top, aspect="auto")
        for r, row in enumerate(values):
            for c, value in enumerate(row):
                ax.text(
                    c,
                    r,
                    cell_label(value) if value else "\u2013",
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="#111111",
                )
        # a sector's name on two or three lines: four long names side by side collide
        width = max(10, int(60 / max(1, len(columns))))
        ax.set_xticks(range(len(columns)), [_wrap(c, width) for c in columns], fontsize=7.5)
        ax.set_yticks(range(len(rows)), [_wrap(r, 40) for r in rows], fontsize=7.5)
        ax.xaxis.tick_top()
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        bar = fig.colorbar(image, ax=ax, shrink=0.8)
        bar.set_label(_plain(colour_label))
        bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: cell_label(v)))
        return fig


def year_on_year(
    labels: Sequence[str],
    before: Sequence[float | None],
    now: Sequence[float | None],
    changes: Sequence[str],
    series: tuple[str, str],
    axis_label: str,
    ticks: NumberFormat,
) -> Figure:
    """The previous and the current year side by side, with the change written.

    Args:
        labels: Item labels, top to bottom.
        before: Previous year's values.
        now: This year's values.
        changes: The relative change of each item, formatted.
        series: Legend labels of the previous and current year.
        axis_label: Label of the value axis.
        ticks: Formats an axis tick.

    Returns:
        The figure.
    """
    with chart_style():
        old = [v or 0 for v in before]
        new = [v or 0 for v in now]
        fig, ax, ys = _paired_bars(
            labels,
            old,
            new,
            series,
            {"color": LIGHT_GREY, "edgecolor": GREY, "hatch": "///", "linewidth": 0.6},
        )
        top = max([*old, *new, 1])
        for y, value, change in zip(ys, new, changes, strict=True):
            ax.text(
                max(value, 0) + top * 0.01, y - PAIR_HEIGHT / 2, change, va="center", fontsize=7.5
            )
        ax.set_xlim(min(0, *old, *new), top * 1.14)
        _value_axis(fig, ax, axis_label, ticks)
        return fig


_MIRRORED_ALIGNMENT = {"left": "right", "right": "left"}


def mirrored(figure: Figure) -> Figure:
    """The figure laid out right to left, for a report in Arabic.

    Values grow from right to left, the category labels and the value axis's spine move
    to the right, and the labels written beside the bars are aligned the other way, so
    that the chart reads in the direction of its page. A colour bar is left as it is.
    """
    for ax in figure.axes:
        if getattr(ax, "_colorbar", None) is not None:
            continue
        if not ax.xaxis_inverted():
            ax.invert_xaxis()
        ax.yaxis.tick_right()
        ax.yaxis.set_label_position("right")
        left, right = ax.spines["left"].get_visible(), ax.spines["right"].get_visible()
        ax.spines["left"].set_visible(right)
        ax.spines["right"].set_visible(left)
        for text in ax.texts:
            align = text.get_horizontalalignment()
            text.set_horizontalalignment(_MIRRORED_ALIGNMENT.get(align, align))
    return figure


_HEAD = re.compile(r"\A.*?(<svg\b)", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_STYLE = re.compile(r'\sstyle="([^"]*)"')
_DEFAULT_STYLE = re.compile(r'\s*<style type="text/css">\*\{([^}]*)\}</style>')
PRESENTATION = frozenset(
    {
        "fill", "fill-opacity", "stroke", "stroke-width", "stroke-opacity", "stroke-linecap",
        "stroke-linejoin", "stroke-dasharray", "stroke-dashoffset", "stroke-miterlimit",
        "font-size", "font-family", "font-weight", "font-style", "text-anchor", "opacity",
    }
)  # fmt: skip


def _attributes(declarations: str) -> str | None:
    """CSS declarations as SVG presentation attributes, or ``None`` if one is not one."""
    pairs = [d.split(":", 1) for d in declarations.split(";") if d.strip()]
    if any(len(p) != 2 or p[0].strip() not in PRESENTATION for p in pairs):
        return None
    return "".join(f' {name.strip()}="{value.strip()}"' for name, value in pairs)


def _presentation(svg: str) -> str:
    """Move matplotlib's ``style`` attributes and default ``<style>`` to SVG attributes.

    Inline in HTML, a ``style`` attribute is read by the page's CSS parser, which does not
    know SVG properties (WeasyPrint warns about each one), and a ``<style>`` element would
    apply to the whole page. Presentation attributes mean the same and stay in the chart.
    """
    defaults = _DEFAULT_STYLE.search(svg)
    svg = _DEFAULT_STYLE.sub("", svg)
    if defaults:
        svg = svg.replace("<svg", "<svg" + (_attributes(defaults.group(1)) or ""), 1)
    return _STYLE.sub(lambda m: _attributes(m.group(1)) or m.group(0), svg)


_REFERENCE = re.compile(r'(\bid="|url\(#|href="#)([^")]+)')
_SIZE = re.compile(r'(<svg\b[^>]*?)\s(?:width|height)="[^"]*"')


def svg_markup(
    figure: Figure, chart_id: str, title: str, description: str, *, text_as_paths: bool = False
) -> str:
    """Serialise a figure as SVG to put inline in the HTML.

    The output is byte-identical for the same figure. Every ``id`` inside is prefixed with
    ``chart_id`` so that charts do not clash in one page; the ``<svg>`` gets
    ``role="img"``, a ``<title>`` and a ``<desc>`` (its accessible name and description)
    and no fixed size, so it scales to the width of its container.

    Args:
        figure: The chart.
        chart_id: A prefix unique in the page (letters, digits, ``-``).
        title: The chart's title (its accessible name).
        description: Its alternative text: what it shows and where its numbers are.
        text_as_paths: Draw the text as outlines (matplotlib shapes Arabic; a browser and
            WeasyPrint then show the very same glyphs), not as ``<text>`` for the reader
            to shape.

    Returns:
        The ``<svg>`` element as text.
    """
    with chart_style(), matplotlib.rc_context({"svg.fonttype": "path"} if text_as_paths else {}):
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = _presentation(_METADATA.sub("", _HEAD.sub(r"\1", buffer.getvalue())))
    ids = set(_ID.findall(svg))
    svg = _REFERENCE.sub(
        lambda m: m.group(1) + (f"{chart_id}-{m.group(2)}" if m.group(2) in ids else m.group(2)),
        svg,
    )
    while _SIZE.search(svg):
        svg = _SIZE.sub(r"\1", svg, count=1)
    head = (
        f'<svg role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart-svg"'
        f' preserveAspectRatio="xMidYMid meet"'
    )
    svg = svg.replace("<svg", head, 1)
    accessible = (
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )
    svg = re.sub(r"(<svg\b[^>]*>)", lambda m: m.group(1) + accessible, svg, count=1)
    return svg.strip()


def svg_image_markup(svg: str, title: str, description: str) -> str:
    """A chart's SVG (from :func:`svg_markup`) as an ``<img>``, for the PDF.

    Used for the charts of a left-to-right report's PDF. WeasyPrint draws an SVG image
    exactly as it draws the same SVG inline (the pages are pixel for pixel the same), but
    an inline SVG's thousand elements also went through the page's CSS cascade and box
    tree first: 5% of the English PDF's Python calls. Like :func:`png_markup`, the image
    carries the chart's name and description as its ``alt`` text, which the tagged PDF
    keeps.

    Args:
        svg: The chart's ``<svg>`` element.
        title: The chart's title.
        description: Its alternative text: what it shows and where its numbers are.

    Returns:
        The ``<img>`` element as text.
    """
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        f'<img class="chart-image" src="data:image/svg+xml;base64,{data}"'
        f' alt="{escape(title)}. {escape(description)}">'
    )


#: Resolution of a chart drawn as an image for print: 1,340 pixels across the text width.
PRINT_DPI = 200


def png_markup(figure: Figure, title: str, description: str) -> str:
    """A figure as an ``<img>`` of print resolution (PNG inline), for the PDF.

    Used for the charts of a right-to-left report's PDF. Their SVG carries every glyph as
    an outline (:func:`svg_markup` with ``text_as_paths``), thousands of paths that
    WeasyPrint draws one by one: about a quarter of the Arabic PDF's rendering time. The
    image shows the same pixels matplotlib shapes, costs WeasyPrint nothing to draw, and
    carries the chart's accessible name and description as its ``alt`` text, which the
    tagged PDF keeps. Deterministic: no date or software version in the file.

    Args:
        figure: The chart.
        title: The chart's title.
        description: Its alternative text: what it shows and where its numbers are.

    Returns:
        The ``<img>`` element as text.
    """
    with chart_style():
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=PRINT_DPI, metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<img class="chart-image" src="data:image/png;base64,{data}"'
        f' alt="{escape(title)}. {escape(description)}">'
    )
