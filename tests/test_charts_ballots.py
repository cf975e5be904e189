"""Figures of the introduction-ballot report, on hand-made tables shaped like `analysis.ballots`'.

Input tables: tests/chart_tables.py; the contract all charts share: test_charts_contract.py.
"""

from __future__ import annotations

import pandas as pd
import pytest
from chart_tables import accounting_table, flows_table, invalid_table, passed_composition_table, steps_frame, tally_table

from analysis.charts import ballots as C
from analysis.charts.contrast import contrast_ratio
from analysis.errors import ParameterError


def vlines(fig, value):
    return [s for s in fig.layout.shapes if s.x0 == value and s.x1 == value]


def test_title_bars_sorted_coloured_with_pass_line_and_tied_cutoff():
    fig = C.title_bars(tally_table())
    assert list(fig.layout.yaxis.categoryarray) == ["Phạm P", "Quách Q", "Lò R", "Sùng S", "Vi U"]
    by_name = {t.name: t for t in fig.data}
    tied = by_name["Bằng phiếu tại vị trí cuối — chờ quyết định"]
    assert list(tied.y) == ["Quách Q", "Lò R", "Sùng S"] and list(tied.x) == [58.33, 58.33, 58.33]
    assert tied.marker.color == C.OUTCOME_COLOURS["tie_at_cutoff"]
    assert list(by_name["Trong số lượng quy hoạch"].x) == [75.0]
    assert list(by_name["Trong số lượng quy hoạch"].text) == ["9 phiếu · 75 %"]
    assert len(vlines(fig, 50.0)) == 1  # the pass line
    # the cut-off lies under the 4 rows ranked within the 3 places (the tied group stays above)
    cut = [s for s in fig.layout.shapes if s.y0 == s.y1]
    assert [s.y0 for s in cut] == [3.5]
    assert any("bằng phiếu" in a.text for a in fig.layout.annotations)
    assert fig.layout.title.text == "Bí thư — k3: tỷ lệ phiếu giới thiệu"


def test_no_cutoff_line_when_everyone_over_the_line_fits_and_english():
    # 5 places: P, Q, R, S all within; U is under the pass line, which already separates it
    fits = tally_table(places=5).assign(tie_at_cutoff=False,
                                        outcome=["in_places"] * 4 + ["below_threshold"])
    fig = C.title_bars(fits, language="en")
    assert not [s for s in fig.layout.shapes if s.y0 == s.y1]
    assert fig.layout.title.text == "Bí thư — k3: share of introduction votes"
    assert "base: Convened = 12" in fig.layout.xaxis.title.text


def test_cutoff_line_under_the_last_place_when_someone_is_left_out():
    # 2 places: P 9, Q 8 within; R, S 7/12 = 58.33 % are over the line but left out; U 3 under it
    left_out = tally_table(places=2).assign(
        votes=[9, 8, 7, 7, 3], pct=[75.00, 66.67, 58.33, 58.33, 25.00], rank=[1, 2, 3, 3, 5], tie_at_cutoff=False,
        outcome=["in_places", "in_places", "beyond_places", "beyond_places", "below_threshold"])
    fig = C.title_bars(left_out)
    assert [s.y0 for s in fig.layout.shapes if s.y0 == s.y1] == [1.5]
    assert any(a.text == "Vị trí cuối: 2 người" for a in fig.layout.annotations)


def test_a_candidate_of_no_votes_has_the_value_written_after_the_empty_bar():
    # plotly's "auto" writes nothing for an empty bar: "0 phiếu · 0 %" must still be read
    none = tally_table().assign(votes=[9, 7, 7, 7, 0], pct=[75.0, 58.33, 58.33, 58.33, 0.0])
    fig = C.title_bars(none)
    under = {t.name: t for t in fig.data}["Không quá 50 %"]
    assert list(under.text) == ["0 phiếu · 0 %"] and list(under.textposition) == ["outside"]
    tied = {t.name: t for t in fig.data}["Bằng phiếu tại vị trí cuối — chờ quyết định"]
    assert list(tied.textposition) == ["auto"] * 3 and tied.insidetextanchor == "start"


def test_an_unknown_outcome_is_refused_rather_than_left_out_of_the_chart():
    odd = tally_table().assign(outcome=["in_places", "tie_at_cutoff", "tie_at_cutoff", "tie_at_cutoff", "elected"])
    with pytest.raises(ParameterError, match="unknown outcome elected"):
        C.title_bars(odd)


def test_title_bars_needs_one_title():
    two = pd.concat([tally_table(), tally_table().assign(title_id="V")], ignore_index=True)
    with pytest.raises(ParameterError, match="choose one conference and one title"):
        C.title_bars(two)
    assert len(C.title_bars_all(two)) == 2
    later = tally_table().assign(conference_id="c4", step=4)
    both_steps = pd.concat([two.assign(step=3), later], ignore_index=True)
    assert [f.layout.title.text for f in C.title_bars_all(both_steps, step=4)] == ["Bí thư — c4: tỷ lệ phiếu giới thiệu"]
    assert C.title_bars(two, "k3", "V").data


def test_empty_title_bars_keeps_its_heading_from_the_arguments():
    empty = tally_table().iloc[:0]
    # no row gives the title's name: its id stands for it, with the conference passed in
    fig = C.title_bars(empty, "k3", "T")
    assert [a.text for a in fig.layout.annotations] == ["Không có dữ liệu"]
    assert fig.layout.title.text == "T — k3: tỷ lệ phiếu giới thiệu"
    # a conference the table does not hold: the selection is empty, the heading names it
    assert C.title_bars(tally_table(), "k9", "T").layout.title.text == "T — k9: tỷ lệ phiếu giới thiệu"
    assert C.title_bars(empty, title_id="T").layout.title.text == "T: tỷ lệ phiếu giới thiệu"
    assert C.title_bars(empty, "k3", language="en").layout.title.text == "k3: share of introduction votes"
    assert C.title_bars(empty).layout.title.text == "Tỷ lệ phiếu giới thiệu theo chức danh"


def test_empty_composition_bars_names_its_column():
    fig = C.composition_bars(passed_composition_table().iloc[:0], column="gender")
    assert fig.layout.title.text == "Người trên 50 % và không quá 50 % theo giới tính"


def counted(bars) -> dict:
    return {round(x, 2): y for x, y in zip(bars.x, bars.y) if y}


def test_share_histogram_counts_and_line():
    fig = C.share_histogram(tally_table())
    passed, not_passed = fig.data
    # 58.33 % × 3 and 75 % over the line, 25 % not: bins of 5 points
    assert counted(passed) == {55: 3, 75: 1} and counted(not_passed) == {25: 1}
    assert fig.layout.barmode == "stack" and len(vlines(fig, 50.0)) == 1


def test_share_histogram_draws_each_result_on_its_side_of_the_line():
    # exactly 50 % is not more than half; 50.004 % is, printed 50.0: the two are drawn apart
    df = tally_table().assign(pct=[50.0, 50.0, 100.0, 52.0, 25.0], passed=[False, True, True, True, False])
    passed, not_passed = C.share_histogram(df).data
    assert counted(not_passed) == {45: 1, 25: 1} and counted(passed) == {50: 2, 95: 1}
    assert passed.hovertext[list(passed.x).index(95)] == "<b>Trên 50 %</b><br>từ 95 % đến 100 %: 1"
    assert not_passed.hovertext[list(passed.x).index(45)] == "<b>Không quá 50 %</b><br>từ 45 % đến 50 %: 1"
    # a 2/3 line: 2/3 exactly (not passed) and 66.668 % (passed) are both printed 66.67
    df = tally_table().assign(pct=[66.67, 66.67, 60.0, 70.0, 25.0], passed=[False, True, False, True, False])
    fig = C.share_histogram(df, threshold=200 / 3)
    passed, not_passed = fig.data
    assert counted(not_passed) == {65: 1, 60: 1, 25: 1} and counted(passed) == {66.67: 1, 70: 1}
    for bar in fig.data:  # no bar across the line
        for x, o, w, y in zip(bar.x, bar.offset, bar.width, bar.y):
            assert y == 0 or not x + o < 200 / 3 < x + o + w


def test_accounting_bars_one_panel_per_conference():
    fig = C.accounting_bars(accounting_table())
    stages = [t for t in fig.data if t.marker.color == C.theme.PALETTE[0]]
    assert [list(t.x) for t in stages] == [[250, 230, 230, 228], [33, 31, 31, 31]]
    assert list(stages[0].y) == ["Triệu tập", "Có mặt", "Phiếu phát ra", "Phiếu thu về"]
    valid = [t for t in fig.data if t.name == "Phiếu hợp lệ"]
    invalid = [t for t in fig.data if t.name == "Phiếu không hợp lệ"]
    assert [t.x[0] for t in valid] == [220, 30] and [t.x[0] for t in invalid] == [8, 1]
    assert sorted(s.x0 for s in fig.layout.shapes if s.x0 == s.x1) == [22, 167]
    assert fig.layout.barmode == "stack"
    assert (fig.layout.xaxis.title.text, fig.layout.xaxis2.title.text) == ("<b>k3</b>", "<b>c4</b>")


def test_invalid_bars_by_reason():
    fig = C.invalid_bars(invalid_table(), language="en")
    got = {t.name: (list(t.y), list(t.x)) for t in fig.data}
    assert got == {"More names than places": (["Bí thư — k3"], [4]), "Same person named twice": (["Bí thư — k3"], [2]),
                   "Title not in the list": (["X — k3"], [1])}


def test_steps_heatmap_cells_and_marks():
    fig = C.steps_heatmap(steps_frame())
    heat = fig.data[0]
    assert list(heat.y) == ["An — Bí thư", "Bình — Bí thư"]  # Dũng never passed: left out
    assert list(heat.x) == ["Bước 3", "Bước 4"]
    assert [list(r) for r in heat.z] == [[66.67, 90.0], [58.33, None]]
    assert [list(r) for r in heat.text] == [["66,67 % ✓", "90 % ✓"], ["58,33 % ✓", "— ✗"]]
    # hover: the row and the step from the axes, the cell's share and status from customdata
    hovers = [[heat.hovertemplate.replace("%{y}", y).replace("%{x}", x).replace("%{customdata}", cell)
               for x, cell in zip(heat.x, row)] for y, row in zip(heat.y, heat.customdata)]
    assert hovers[1] == ["<b>Bình — Bí thư</b><br>Bước 3: 58,33 %<br>Đạt<extra></extra>",
                         "<b>Bình — Bí thư</b><br>Bước 4: —<br>Bị loại<extra></extra>"]
    everyone = C.steps_heatmap(steps_frame(), pool_only=False).data[0]
    assert list(everyone.y)[-1] == "Dũng — Bí thư"


def _scale_colour(scale, fraction: float) -> str:
    """The colour of a two-or-more-stop colorscale at ``fraction``, mixed in RGB as plotly.js does."""
    for (lo, low), (hi, high) in zip(scale, scale[1:]):
        if lo <= fraction <= hi:
            u = (fraction - lo) / (hi - lo)
            mixed = [round(int(low[i:i + 2], 16) + (int(high[i:i + 2], 16) - int(low[i:i + 2], 16)) * u)
                     for i in (1, 3, 5)]
            return "#" + "".join(f"{c:02x}" for c in mixed)
    raise AssertionError(fraction)


def test_steps_heatmap_values_are_legible_on_every_cell_colour():
    heat = C.steps_heatmap(steps_frame()).data[0]
    colour = heat.textfont.color
    assert colour is not None  # else plotly picks white or grey per cell: 2.8:1 at worst on this scale
    # WCAG AA (4.5:1) from 0 % to 100 %
    assert min(contrast_ratio(colour, _scale_colour(heat.colorscale, z / 100)) for z in range(101)) >= 4.5


def test_steps_heatmaps_cut_the_people_into_figures_of_a_printed_page():
    """Seven people at most three a figure: 2, 2 and 3 rows in the heatmap's order (by title, then
    by the first step's share), each figure with the steps on top; one figure when they fit."""
    people = [f"P{i}" for i in range(7)]
    frame = pd.DataFrame({"person_id": people, "full_name": people, "title_id": "T", "title": "Bí thư",
                          "step": 3, "pct": [90.0 - 10 * i for i in range(7)], "status": "passed"})
    frame = pd.concat([frame, frame.assign(step=4, status="kept")], ignore_index=True)
    parts = C.steps_heatmaps(frame, per_figure=3)
    assert [list(f.data[0].y) for f in parts] == [["P0 — Bí thư", "P1 — Bí thư"], ["P2 — Bí thư", "P3 — Bí thư"],
                                                  ["P4 — Bí thư", "P5 — Bí thư", "P6 — Bí thư"]]
    assert [list(r) for r in parts[2].data[0].z] == [[50.0, 50.0], [40.0, 40.0], [30.0, 30.0]]
    assert [f.layout.title.text for f in parts] == [f"Tỷ lệ phiếu của từng người qua các bước ({k}/3)" for k in (1, 2, 3)]
    assert {f.layout.xaxis.side for f in parts} == {"top"}
    assert [f.layout.height for f in parts] == [560, 560, 560]  # the house's least height
    whole = C.steps_heatmaps(frame)
    assert len(whole) == 1 and whole[0].layout.title.text == "Tỷ lệ phiếu của từng người qua các bước"
    assert whole[0].to_plotly_json() == C.steps_heatmap(frame).to_plotly_json()  # printed: test_pdf.py


def test_steps_heatmaps_cut_between_titles_where_the_parts_stay_within_the_limit():
    # 10 people: 5 for title A, 2 for B, 3 for C; at most 4 a figure, so 3 figures. A is longer
    # than a figure: cut evenly (after 3); then between B and C (after 7) rather than after 6
    titles = ["A"] * 5 + ["B"] * 2 + ["C"] * 3
    people = [f"P{i}" for i in range(10)]
    frame = pd.DataFrame({"person_id": people, "full_name": people, "title_id": titles, "title": titles,
                          "step": 3, "pct": [90.0 - i for i in range(10)], "status": "passed"})
    frame = pd.concat([frame, frame.assign(step=4, status="kept")], ignore_index=True)
    parts = [[y.split(" — ")[1] for y in f.data[0].y] for f in C.steps_heatmaps(frame, per_figure=4)]
    assert parts == [["A", "A", "A"], ["A", "A", "B", "B"], ["C", "C", "C"]]
    one_title = C.steps_heatmaps(frame.assign(title_id="T", title="T"), per_figure=4)
    assert [len(f.data[0].y) for f in one_title] == [3, 4, 3]  # no title to cut between: even
    assert [[y.split(" — ")[1] for y in f.data[0].y] for f in C.steps_heatmaps(frame, per_figure=5)] == [
        ["A"] * 5, ["B", "B", "C", "C", "C"]]  # two figures: the cut between A and B is the even one


def test_pool_sankey_links():
    sankey = C.pool_sankey(flows_table()).data[0]
    labels = list(sankey.node.label)
    # each node says how many: 5 + 2 passed step 3; 5 kept at step 4 (4 of them go on), 2 dropped
    assert labels == ["Bước 3: Đạt (7)", "Bước 4: Được giữ lại (5)", "Bước 4: Bị loại (2)",
                      "Bước 5: Được giữ lại (4)"]
    links = {(labels[s], labels[t]): v for s, t, v in zip(sankey.link.source, sankey.link.target, sankey.link.value)}
    assert links == {("Bước 3: Đạt (7)", "Bước 4: Được giữ lại (5)"): 5, ("Bước 3: Đạt (7)", "Bước 4: Bị loại (2)"): 2,
                     ("Bước 4: Được giữ lại (5)", "Bước 5: Được giữ lại (4)"): 4}
    # one column per step: both step-4 nodes in the middle
    assert [round(x, 2) for x in sankey.node.x] == [0.01, 0.5, 0.5, 0.99]


def test_composition_bars_by_gender():
    fig = C.composition_bars(passed_composition_table(), column="gender")
    passed, not_passed = fig.data
    assert list(passed.x) == ["Nam", "Nữ"] and list(passed.y) == [66.67, 33.33]
    assert list(not_passed.y) == [0.0, 100.0]
    assert list(passed.text) == ["2 (66,67 %)", "1 (33,33 %)"]
    assert fig.layout.title.text == "Người trên 50 % và không quá 50 % theo giới tính"


def test_labelled_tables_for_people():
    df = tally_table().assign(passed=pd.array([True, True, True, True, False], dtype="boolean"),
                              passed_count=pd.array([4] * 5, dtype="Int64"), step=pd.array([3] * 5, dtype="Int64"))
    shown = C.labelled(df[["full_name", "step", "base", "passed", "passed_count", "outcome"]], "vi")
    assert list(shown.columns) == ["Họ và tên", "Bước", "Cơ sở tính", "Trên 50 %", "Số người trên 50 %", "Kết quả"]
    first = shown.iloc[1].tolist()
    assert first == ["Quách Q", "Bước 3", "Số được triệu tập", "Có", 4, "Bằng phiếu tại vị trí cuối — chờ quyết định"]
    assert C.tie_items(tally_table(), "vi") == "Bí thư (k3): Quách Q, Lò R, Sùng S — 7 phiếu · 58,33 %"
    assert C.tie_items(tally_table().assign(tie_at_cutoff=False)) == ""
