"""Charts are SVG rendered on the server, with nothing the Content-Security-Policy refuses."""

from __future__ import annotations

import re

from web.charts import bar_chart, grouped_bars


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
