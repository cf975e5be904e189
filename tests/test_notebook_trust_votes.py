"""notebooks/trust_votes.ipynb: commit-ready, thin, and (slow) built end to end into HTML + trust.csv."""

from __future__ import annotations

import ast
import importlib
import json
import re

import nbformat
import pandas as pd
import pytest
import yaml
from papermill.inspection import inspect_notebook

from analysis import config, labels, trust
from analysis.report import ReportContext, report_title

NOTEBOOK = config.NOTEBOOKS_DIR / "trust_votes.ipynb"
SAMPLE = config.SAMPLE_DIR / "thuong-tin-2022"
PARAMETERS = {"dataset_path", "as_of", "language", "output_dir", "base"}


@pytest.fixture(scope="module")
def nb():
    return nbformat.read(str(NOTEBOOK), as_version=4)


def _code(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


def test_no_outputs_committed(nb):
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.id
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_parameters_cell_is_tagged_and_documented(nb):
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and nb.cells.index(tagged[0]) <= 1
    inferred = inspect_notebook(str(NOTEBOOK))  # what `papermill --help-notebook` prints
    assert set(inferred) == PARAMETERS
    for name, spec in inferred.items():
        assert spec["inferred_type_name"] == "str"
        assert spec["help"].startswith("help:") and len(spec["help"]) > 10, name
    assert inferred["base"]["default"] == '""'


def test_starts_the_report_by_its_own_name(nb):
    assert 'start_report("trust_votes", dataset_path=dataset_path, as_of=as_of,' in _code(nb)
    assert report_title("trust_votes", "vi") == "Kết quả lấy phiếu tín nhiệm"
    assert report_title("trust_votes", "en") == "Trust votes"


def _attributes(code: str, owner: str) -> set[str]:
    return {n.attr for n in ast.walk(ast.parse(code))
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == owner}


def test_calls_only_existing_functions(nb):
    code = _code(nb)
    charts = importlib.import_module("analysis.charts.trust")
    for module in ("trust", "trust_checks", "trust_rounds", "trust_rules"):
        analysis_module = importlib.import_module(f"analysis.{module}")
        for name in _attributes(code, module):
            assert hasattr(analysis_module, name), f"analysis.{module}.{name}"
    for name in _attributes(code, "charts"):
        assert hasattr(charts, name), f"analysis.charts.trust.{name}"
    for name in _attributes(code, "ctx"):
        assert hasattr(ReportContext, name) or name in ReportContext.__dataclass_fields__, f"ctx.{name}"
    assert 'ctx.save_csv(trust.trust_csv(table), "trust")' in code
    assert "ctx.save_summary(summary)" in code


def test_is_thin(nb):
    code = _code(nb)
    tree = ast.parse(code)
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.While, ast.FunctionDef, ast.ClassDef))]
    loops = [n for n in ast.walk(tree) if isinstance(n, ast.For)]
    assert len(loops) == 1 and "ctx.show" in ast.unparse(loops[0])  # one chart per vote, nothing computed
    assert "import pandas" not in code and "pd." not in code


@pytest.mark.parametrize("language", ["vi", "en"])
def test_label_keys_exist(nb, language):
    keys = set(re.findall(r'L\("([a-z_.]+)"', _code(nb)))
    assert len(keys) > 10
    for key in keys:
        assert key in labels._texts(language), f"{key} missing in {language}"


# End to end ----------------------------------------------------------------------------------

def _build(tmp_path, dataset, parameters=None, language=None):
    from analysis.build import build

    entry = {"path": str(dataset), "reports": ["trust_votes"]}
    if parameters:
        entry["parameters"] = {"trust_votes": parameters}
    cfg = tmp_path / "reports.yml"
    cfg.write_text(yaml.safe_dump({"datasets": [entry], "reports": ["trust_votes"]}), encoding="utf-8")
    result = build(cfg, out=tmp_path / "out", jobs=1, language=language)
    (outcome,) = result.outcomes
    assert outcome.status == "ok", outcome
    return outcome


def _outputs(tmp_path, dataset_id):
    folder = tmp_path / "out" / dataset_id
    html = (folder / "trust_votes.html").read_text(encoding="utf-8")
    raw = (folder / "trust_votes" / "trust.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM for Excel
    table = pd.read_csv(folder / "trust_votes" / "trust.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    summary = json.loads((folder / "trust_votes" / "summary.json").read_text(encoding="utf-8"))
    return html, table, summary


def _check_html(html: str, charts_at_least: int) -> None:
    assert html.count('class="plotly-graph-div"') >= charts_at_least
    from analysis.render import external_resources

    assert 'src="https://cdn.plot.ly' not in html and external_resources(html) == []  # offline
    assert html.count("Plotly.newPlot") >= charts_at_least
    for code in ("start_report(", "ctx.show", "trust.analyse", "from analysis"):  # no code in the report
        assert code not in html


@pytest.mark.slow
def test_build_with_a_base_parameter_in_english(tmp_path, make_dataset):
    """A hand-made dataset: two rounds, a typing error in a printed %, a total far from the others."""
    header = "conference_id,person_id,full_name,position,high,trust,low,high_pct,trust_pct,low_pct\n"
    rows = []
    for conf in ("tn-2023", "tn-2024"):
        for n in range(6):
            high, trust_, low = (20, 8, 2) if n else (8, 4, 18)  # person 000: 18/30 low
            if conf == "tn-2024" and n == 0:
                high, trust_, low = 6, 3, 21  # 21/30 = 70 % low: two thirds or more
            rows.append([conf, f"{n:03d}", f"Người {n}", "Trưởng phòng Nội vụ", high, trust_, low])
    rows[8][4] = 2  # tn-2024, person 002: high typed 2 for 20 -> total 12, far from 30
    body = ""
    for conf, pid, name, pos, h, t, lo in rows:
        pct = [f"{c * 100 / 30:.2f}".replace(".", ",") for c in (h, t, lo)]
        if (conf, pid) == ("tn-2024", "003"):
            pct[2] = "76,67"  # typed 76,67 for 6,67
        body += f'{conf},{pid},{name},{pos},{h},{t},{lo},"{pct[0]}","{pct[1]}","{pct[2]}"\n'
    people = "person_id,full_name,gender,birth_date\n" + "".join(
        f"{n:03d},Người {n},{'male' if n % 2 else 'female'},01/01/{1970 + n}\n" for n in range(6))
    conferences = ("conference_id,body,date,convened,present,ballots_issued,ballots_collected,ballots_valid\n"
                   "tn-2023,bch,10/11/2023,33,30,30,30,30\ntn-2024,bch,12/11/2024,33,30,30,30,30\n")
    dataset = make_dataset({"people": people, "conferences": conferences, "trust_votes": header + body},
                           meta={"id": "trust-e2e", "as_of": "2024-12-01"})
    _build(tmp_path, dataset, parameters={"base": "present"}, language="en")
    html, table, summary = _outputs(tmp_path, "trust-e2e")
    assert list(table.columns) == list(trust.CSV_COLUMNS)
    assert set(table["base"]) == {"present"}
    by = table.set_index(["conference_id", "person_id"])
    assert by.loc[("tn-2023", "000"), "low_band"] == "over_half"     # 18/30 = 60 %
    assert by.loc[("tn-2024", "000"), "low_band"] == "two_thirds"    # 21/30 = 70 %
    assert by.loc[("tn-2024", "000"), "low_pct"] == "70.0"
    assert by.loc[("tn-2024", "003"), "flags"] == "pct_mismatch:low"
    assert by.loc[("tn-2024", "002"), "flags"] == "total_outlier"  # its printed % follows the typo
    assert summary["over_half"] == 1 and summary["two_thirds"] == 1 and summary["people_in_several_rounds"] == 6
    assert [v["base"] for v in summary["votes"]] == ["present", "present"]
    _check_html(html, charts_at_least=6)
    assert "Low trust (left) and high trust (right)" in html
    assert "Consistency checks" in html and "Trust votes" in html


@pytest.mark.slow
@pytest.mark.skipif(not (SAMPLE / "dataset.yml").is_file(), reason="sample dataset data/sample/thuong-tin-2022 not generated yet")
def test_build_trust_votes_of_the_sample(tmp_path):
    from analysis.dataset import read_meta

    _build(tmp_path, SAMPLE)
    html, table, summary = _outputs(tmp_path, read_meta(SAMPLE).id)
    assert list(table.columns)[:6] == ["conference_id", "person_id", "full_name", "high", "trust", "low"]
    assert set(trust.CSV_COLUMNS) <= set(table.columns)
    # the sample's deliberate properties (data/sample, by the sample's author)
    assert (table["low_band"] == "over_half").any() and (table["low_band"] == "two_thirds").any()
    assert table["flags"].str.contains("pct_mismatch").any()   # the typing error in a printed %
    assert table["flags"].str.contains("total_outlier").any()  # the total far from the others'
    assert summary["people_in_several_rounds"] > 0
    assert any(v["form"] == "two_level" for v in summary["votes"])  # the step-4 opinion
    _check_html(html, charts_at_least=6)
    assert "Kiểm tra số liệu" in html
