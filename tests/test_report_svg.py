"""The small SVG writer: charts that are correct, escaped, unclipped and stable."""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

from grader.report import svg

NS = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # well-formed XML, or this raises


def test_histogram_counts_each_value_once_and_includes_the_top_edge() -> None:
    root = _parse(svg.histogram([0, 0.5, 1, 1, 2.9, 3], "Scores", 0, 3, bins=3))
    counts = [int(r.get("data-count")) for r in root.iter(f"{NS}rect")]
    assert counts == [2, 2, 2]  # 3 (the maximum) lands in the last bin, not outside


def test_chart_text_is_escaped_and_title_is_inside_the_canvas() -> None:
    title = "<script>alert(1)</script> & a long title"
    markup = str(svg.histogram([1, 2], title, 0, 2, x_label="<b>x</b>"))
    assert "<script>" not in markup and "&lt;script&gt;" in markup and "<b>" not in markup
    root = _parse(markup)
    width, height = int(root.get("width")), int(root.get("height"))
    for text in root.iter(f"{NS}text"):
        x, y = float(text.get("x")), float(text.get("y"))
        assert 0 < x < width and 10 <= y < height, (text.text, x, y)  # nothing clipped at an edge


def test_line_chart_breaks_at_non_finite_values_and_keeps_the_rest() -> None:
    root = _parse(svg.line_chart({"your run": [3, 2, math.nan, 1, 0.5], "reference": [3, 1, 0.5, 0.2, 0.1]},
                                 "Loss"))
    lines = [p for p in root.iter(f"{NS}polyline")]
    assert [p.get("data-series") for p in lines] == ["your run", "your run", "reference"]
    assert len(lines[0].get("points").split()) == 2 and len(lines[1].get("points").split()) == 2
    legend = [t.text for t in root.iter(f"{NS}text")]
    assert "your run" in legend and "reference" in legend


def test_log_scale_drops_non_positive_values_and_labels_powers_of_ten() -> None:
    root = _parse(svg.line_chart({"a": [100, 10, 1, 0, 0.01]}, "Loss", log_y=True))
    labels = {t.text for t in root.iter(f"{NS}text")}
    assert {"100", "10", "1", "0.1", "0.01"} <= labels
    assert sum(len(p.get("points").split()) for p in root.iter(f"{NS}polyline")) == 3


def test_empty_data_says_so_instead_of_drawing_nonsense() -> None:
    assert "no data" in str(svg.line_chart({"a": []}, "Loss"))
    assert "no data" in str(svg.line_chart({"a": [math.inf, math.nan]}, "Loss"))


def test_prediction_grid_colours_cells_by_class_with_row_zero_at_the_bottom() -> None:
    root = _parse(svg.prediction_grid([[0, 1], [1, 1]], "Boundary", (0, 1), (0, 1), [[0.25, 0.25, 0], [5, 5, 1]]))
    cells = list(root.find(f"{NS}g[@class='cells']"))
    fills = {(float(c.get("x")), float(c.get("y"))): c.get("fill") for c in cells}
    bottom_left = min(fills, key=lambda xy: (xy[0], -xy[1]))
    assert fills[bottom_left] == svg.CLASS_FILL[0]
    widths = {(float(c.get("x")), float(c.get("y"))): float(c.get("width")) for c in cells}
    assert len(cells) == 3  # the top row is one run of class 1
    assert sum(widths[xy] for xy, f in fills.items() if f == svg.CLASS_FILL[1]) > 2.9 * widths[bottom_left]
    assert len(list(root.find(f"{NS}g[@class='points']"))) == 1  # the point outside the range is left out


def test_same_data_gives_the_same_bytes() -> None:
    a = svg.line_chart({"x": [1 / 3, 2 / 3, 1.0]}, "t")
    b = svg.line_chart({"x": [1 / 3, 2 / 3, 1.0]}, "t")
    assert a == b and not re.search(r"\d\.\d{3,}", str(a))  # short, fixed-precision coordinates


def test_nice_ticks_are_round_and_cover_the_range() -> None:
    assert svg.nice_ticks(0, 10, 5) == [0, 2, 4, 6, 8, 10]
    assert svg.nice_ticks(0.13, 0.87, 4) == [0.2, 0.4, 0.6, 0.8]
    assert svg.nice_ticks(5, 5) == [5]
