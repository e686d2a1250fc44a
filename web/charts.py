"""Server-rendered SVG charts (pygal, no JavaScript) for the summaries.

Suppressed cells ("<5") are drawn as nothing: a chart never suggests a value the table
hides. Every chart is shown next to its data table, the text alternative.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import pygal
from markupsafe import Markup
from pygal.style import Style

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1b1b1b",
    foreground_strong="#1b1b1b",
    foreground_subtle="#555555",
    colors=("#1d5fa8", "#c2571a", "#2f7d32", "#7b3fa0", "#8a6d00"),
    font_family="system-ui, sans-serif",
)


# Inline scripts and styles are refused by the Content-Security-Policy: pygal's script goes,
# its style sheet is served as web/static/charts.css, and its inline opacities become
# presentation attributes.
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_STYLE = re.compile(r"<style\b.*?</style>", re.S)
_OPACITY = re.compile(r'\sstyle="opacity:\s*([0-9.]+)"')


def _svg(chart: pygal.graph.graph.Graph, title: str) -> Markup:
    """The chart's SVG without inline script or style, labelled for readers."""
    svg = _STYLE.sub("", _SCRIPT.sub("", chart.render(is_unicode=True)))
    svg = _OPACITY.sub(r' opacity="\1"', svg)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{_attr(title)}" ', 1)
    return Markup(svg)


def _attr(text: str) -> str:
    return str(Markup.escape(text))


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _config(title: str) -> dict[str, object]:
    return {
        "title": title,
        "style": STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "show_legend": False,
        "width": 640,
        "height": 320,
        "explicit_size": False,
        "print_values": True,
        "print_values_position": "top",
    }


def bar_chart(title: str, labels: Sequence[str], values: Sequence[object]) -> Markup:
    """A horizontal bar chart; hidden values are left out (None)."""
    return _chart("bar", title, tuple(labels), ((title, _numbers(values)),))


def grouped_bars(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[object]]]
) -> Markup:
    """Bars of several series per label (e.g. this period against the previous one)."""
    return _chart("bars", title, tuple(labels), _series(series))


def line_chart(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[object]]]
) -> Markup:
    """Key figures across periods."""
    return _chart("line", title, tuple(labels), _series(series))


Series = tuple[tuple[str, tuple[float | None, ...]], ...]


def _numbers(values: Sequence[object]) -> tuple[float | None, ...]:
    return tuple(_number(v) for v in values)


def _series(series: Sequence[tuple[str, Sequence[object]]]) -> Series:
    return tuple((str(name), _numbers(values)) for name, values in series)


@lru_cache(maxsize=256)
def _chart(kind: str, title: str, labels: tuple[str, ...], series: Series) -> Markup:
    """The SVG of a chart, drawn once per title, labels and values: pygal takes ~10 ms per
    chart, and the same published figures are shown to every reader."""
    legend = {"show_legend": True, "legend_at_bottom": True} if kind != "bar" else {}
    kinds = {"bar": pygal.HorizontalBar, "bars": pygal.Bar, "line": pygal.Line}
    chart = kinds[kind](**(_config(title) | legend))
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return _svg(chart, title)
