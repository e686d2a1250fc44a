"""Charts are SVG rendered on the server, with nothing the Content-Security-Policy refuses."""

from __future__ import annotations

import re

from web.charts import _chart, bar_chart, grouped_bars, line_chart


def test_charts_carry_no_inline_script_or_style() -> None:
    for svg in (
        str(bar_chart("Bariéry", ["dluhy", "nájem"], [12, 7])),
        str(grouped_bars("Etapy", ["a", "b"], [("před", [1, 2]), ("po", [3, "<5"])])),
    ):
        assert svg.startswith("<svg") or "<svg" in svg
        assert not re.search(r"<script|<style|\sstyle=", svg)
        assert 'role="img"' in svg and 'aria-label="' in svg
        # pygal's hidden tooltip stays hidden, as an attribute.
        assert 'opacity="0"' in svg


def test_the_same_figures_are_drawn_once_and_different_ones_again() -> None:
    series = [("Households", [3, 5, 8])]
    first = line_chart("Trend drawn once", ["H1", "H2", "H3"], series)
    hits = _chart.cache_info().hits
    again = line_chart("Trend drawn once", ("H1", "H2", "H3"), [("Households", (3, 5, 8))])
    assert again == first
    assert _chart.cache_info().hits == hits + 1
    other = line_chart("Trend drawn once", ["H1", "H2", "H3"], [("Households", [3, 5, 9])])
    assert other != first
    assert _chart.cache_info().hits == hits + 1
