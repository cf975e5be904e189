"""The notebook runtime: parameters, title block, tables, CSV/JSON outputs, offline plotly."""

from __future__ import annotations

import datetime as dt
import json
import re
from types import SimpleNamespace

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from analysis import report as report_module
from analysis.errors import ParameterError
from analysis.render import external_resources
from analysis.report import (
    OfflineNotebookRenderer,
    ReportContext,
    format_date,
    report_title,
    start_report,
    use_offline_plotly,
)


@pytest.fixture
def shown(monkeypatch):
    """What the context displays, instead of IPython."""
    items: list = []
    monkeypatch.setattr(report_module, "_display", items.append)
    return items


def _ctx(tmp_path, language="vi", output=True):
    meta = SimpleNamespace(id="x", name="Huyện <ủy> mẫu", as_of=dt.date(2022, 5, 25), regime="qd50",
                           level="district", terms=[], description="Dữ liệu tổng hợp")
    dataset = SimpleNamespace(meta=meta, tables={"people": pd.DataFrame()}, warnings=["cảnh báo 1"])
    rules = SimpleNamespace(name={"vi": "Quy định 50", "en": "Regulation 50"})
    return ReportContext(report="composition", dataset=dataset, dataset_path=tmp_path,
                         as_of=dt.date(2022, 5, 25), language=language, rules=rules,
                         output_dir=tmp_path / "out" if output else None)


def test_title_block(tmp_path):
    page = _ctx(tmp_path).title_html()
    assert "Huyện &lt;ủy&gt; mẫu" in page  # escaped
    assert "25/05/2022" in page
    assert "Quy định 50" in page
    assert report_title("composition") in page
    assert 'class="qh-confidential"' in page
    assert "cảnh báo 1" in page and "1 cảnh báo" in page
    english = _ctx(tmp_path, "en").title_html()
    assert "Regulation 50" in english and "2022-05-25" in english


def test_a_warning_names_its_file_from_the_dataset_folder(tmp_path):
    from analysis.validate import WARNING, Problem

    ctx = _ctx(tmp_path)
    ctx.dataset.root = tmp_path / "huyen-mau"
    ctx.dataset.warnings = [
        Problem(str(tmp_path / "huyen-mau" / "ballots.csv"), None, 9070, "title_id", "pct-ubdn", "unknown_title",
                "Không có mã chức danh này", "no title with this id", WARNING),
        Problem(str(tmp_path / "elsewhere" / "people.csv"), "Sheet1", 4, None, None, "x", "khác", "other", WARNING),
    ]
    page = ctx.title_html()
    assert ("huyen-mau/ballots.csv dòng/row 9070, cột/column title_id, giá trị/value &#x27;pct-ubdn&#x27;: "
            "Không có mã chức danh này / no title with this id") in page
    assert "people.csv[Sheet1] dòng/row 4: khác / other" in page  # outside the folder: its name alone
    assert str(tmp_path) not in page


def test_format_date_and_titles():
    assert format_date(dt.date(2022, 5, 25), "vi") == "25/05/2022"
    assert format_date(dt.date(2022, 5, 25), "en") == "2022-05-25"
    assert format_date(None) == ""
    assert report_title("no-such-report") == "no-such-report"


def test_show_writes_the_table(tmp_path, shown):
    ctx = _ctx(tmp_path)
    fig = go.Figure(go.Bar(x=[1], y=[2]))
    df = pd.DataFrame({"age_band": ["under_40"], "count": [3]})
    ctx.show(fig, df, "age_bands")
    assert shown == [fig]
    path = tmp_path / "out" / "age_bands.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(path, encoding="utf-8-sig").to_dict("list") == {"age_band": ["under_40"], "count": [3]}
    with pytest.raises(ParameterError):
        ctx.show(fig, df)  # a table needs a name
    with pytest.raises(ParameterError):
        ctx.save_csv(df, "../escape")


def test_without_output_dir_nothing_is_written(tmp_path, shown):
    ctx = _ctx(tmp_path, output=False)
    ctx.show(go.Figure(), pd.DataFrame({"a": [1]}), "t")
    ctx.save_csv(pd.DataFrame({"a": [1]}), "t")
    ctx.save_summary({"a": 1})
    assert not (tmp_path / "out").exists()


def test_table_html_labels_codes_and_numbers(tmp_path, shown):
    ctx = _ctx(tmp_path)
    df = pd.DataFrame({
        "gender": ["female", None], "count": [1234, 5], "pct": [25.5, None],
        "ok": [True, None], "custom": ["<b>", "x"],
    })
    ctx.table(df, name="t", labels={"custom": "Riêng"})
    page = shown[-1].data
    assert "Nữ" in page and "(không rõ)" in page  # codes through labels
    assert "Số người" in page and "Tỷ lệ (%)" in page and "Riêng" in page  # headers
    assert "1.234" in page and "25,50" in page  # Vietnamese number format
    assert "Đạt" in page and "Chỉ hiển thị" in page
    assert "&lt;b&gt;" in page
    back = pd.read_csv(tmp_path / "out" / "t.csv", encoding="utf-8-sig")
    assert back.columns.tolist() == ["gender", "count", "pct", "ok", "custom"]  # canonical for machines
    english = _ctx(tmp_path, "en").table_html(df)
    assert "Women" in english and "1,234" in english and "25.50" in english


def test_table_html_has_no_indentation_between_its_tags(tmp_path):
    html = _ctx(tmp_path).table_html(pd.DataFrame({"name": ["Lò Văn A", "B"], "count": [1, 2]}))
    assert re.search(r">\s+<", html) is None and "\n" not in html
    assert "<tr><td>Lò Văn A</td><td>1</td></tr>" in html  # the spaces inside a cell are kept


def test_heading_note_param(tmp_path, shown):
    ctx = _ctx(tmp_path)
    ctx.heading("Tổng quan")
    ctx.heading("Phụ", level=3)
    ctx.note("dòng 1\ndòng 2")
    assert [m.data for m in shown] == ["## Tổng quan", "### Phụ", "> dòng 1\n> dòng 2"]
    assert ctx.param("base", "present", choices=["present", "convened"]) == "present"
    assert ctx.param("n", "3", int) == 3
    with pytest.raises(ParameterError):
        ctx.param("n", "three", int)


def test_save_summary(tmp_path):
    ctx = _ctx(tmp_path)
    assert ctx.save_summary({"as_of": dt.date(2022, 5, 25), "mean_age": float("nan")}) is None
    path = tmp_path / "out" / "summary.json"
    assert json.loads(path.read_text(encoding="utf-8")) == {"as_of": "2022-05-25", "mean_age": None}


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"language": "fr"}, "language"),
    ({"as_of": "25/05/2022"}, "as_of"),
    ({"dataset_path": "/no/such/dataset"}, "dataset_path"),
    ({"dataset_path": ""}, "dataset_path"),
    ({"report": "bad name"}, "report"),
])
def test_start_report_rejects_bad_parameters(tmp_path, kwargs, name):
    args = {"report": "composition", "dataset_path": str(tmp_path), "as_of": "", "language": "vi",
            "output_dir": ""}
    args.update(kwargs)
    with pytest.raises(ParameterError) as excinfo:
        start_report(**args)
    assert f"Tham số '{name}'" in str(excinfo.value) and f"parameter '{name}'" in str(excinfo.value)


def test_offline_plotly_renderer():
    saved_default, saved = pio.renderers.default, pio.renderers["notebook"]
    try:
        use_offline_plotly()
        assert pio.renderers.default == "notebook"
        renderer = pio.renderers["notebook"]
        assert isinstance(renderer, OfflineNotebookRenderer)
        use_offline_plotly()  # idempotent: no second plotly.js
        assert pio.renderers["notebook"] is renderer
        bundle = renderer.to_mimebundle(go.Figure(go.Bar(x=[1], y=[2])).to_dict())
        markup = bundle["text/html"]
        assert "plotly-graph-div" in markup
        assert "mathjax" not in markup.lower()
        assert external_resources(markup) == []
    finally:
        pio.renderers["notebook"] = saved
        pio.renderers.default = saved_default


def test_numbers(tmp_path, shown):
    ctx = _ctx(tmp_path)
    ctx.numbers({"people": 150, "women_pct": 30.0, "other": None}, "report.composition.measures", name="overview")
    page = shown[-1].data
    assert "Số người trong quy hoạch" in page and "30,00" in page and "other" in page and "—" in page
    back = pd.read_csv(tmp_path / "out" / "overview.csv", encoding="utf-8-sig", keep_default_na=False)
    assert back.to_dict("list") == {"measure": ["people", "women_pct", "other"], "value": ["150", "30.0", ""]}


class _Problem:
    severity = "error"

    def __init__(self, i):
        self.i = i

    def __str__(self):
        return f"problem {self.i}"


def test_dataset_error_lists_problems_up_to_a_limit(tmp_path):
    from analysis.errors import DatasetError

    few = report_module._dataset_error(DatasetError("bad", [_Problem(1), _Problem(2)]), tmp_path)
    assert "problem 1" in str(few) and "problem 2" in str(few) and "validate" not in str(few)
    many = report_module._dataset_error(DatasetError("bad", [_Problem(i) for i in range(200)]), tmp_path)
    message = str(many)
    assert "problem 49" in message and "problem 50" not in message and "150 more" in message
    assert f"python -m analysis validate {tmp_path}" in message
    assert len(many.problems) == 200


@pytest.mark.parametrize("placed, emitted", [("1", 0), (None, 1)])
def test_the_renderer_leaves_plotlyjs_to_a_build_kernel(monkeypatch, placed, emitted):
    # a build kernel (QUYHOACH_PLOTLYJS_PLACED=1) sends no 4.6 MB bundle: the build places one
    import plotly.io._base_renderers as base

    shown = []
    monkeypatch.setattr(base, "ipython_display", SimpleNamespace(display_html=lambda *a, **k: shown.append(a)))
    if placed is None:
        monkeypatch.delenv(report_module.PLOTLYJS_PLACED_BY_BUILD, raising=False)
    else:
        monkeypatch.setenv(report_module.PLOTLYJS_PLACED_BY_BUILD, placed)
    report_module.OfflineNotebookRenderer().activate()
    assert len(shown) == emitted
    assert all("plotly.js v" in str(args) for args in shown)
