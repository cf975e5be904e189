"""notebooks/trust_votes.ipynb: its parameters and outputs, and (slow) built end to end into HTML + trust.csv.

What every notebook keeps (clean, thin, existing calls and labels) is in test_notebook_contract.py.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from notebook_checks import assert_offline_without_code, label_keys

from analysis import config, labels, trust
from analysis.report import report_title

NOTEBOOK = config.NOTEBOOKS_DIR / "trust_votes.ipynb"
SAMPLE = config.SAMPLE_DIR / "thuong-tin-2022"
COMMUNE = config.SAMPLE_DIR / "xa-hong-phong-2026"  # step 4 only: agree / disagree
PARAMETERS = {"dataset_path", "as_of", "language", "output_dir", "base"}


def test_parameters_add_the_base(notebook_parameters):
    assert set(notebook_parameters) == PARAMETERS
    assert {spec["inferred_type_name"] for spec in notebook_parameters.values()} == {"str"}
    assert notebook_parameters["base"]["default"] == '""'


def test_report_title():
    assert report_title("trust_votes", "vi") == "Kết quả lấy phiếu tín nhiệm"
    assert report_title("trust_votes", "en") == "Trust votes"


def test_saves_the_trust_table_and_summary(notebook_code):
    assert 'ctx.save_csv(trust.trust_csv(table), "trust")' in notebook_code
    assert "ctx.save_summary(summary)" in notebook_code
    assert len(label_keys(notebook_code)) > 10


# End to end ----------------------------------------------------------------------------------


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
    assert html.count("Plotly.newPlot") >= charts_at_least
    assert_offline_without_code(html, "trust.analyse")


@pytest.mark.slow
def test_build_with_a_base_parameter_in_english(tmp_path, make_dataset, build_reports):
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
    result = build_reports([dataset], ["trust_votes"], parameters={"trust_votes": {"base": "present"}},
                           language="en")
    assert len(result.outcomes) == 1
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
def test_build_trust_votes_of_the_sample(tmp_path, build_reports):
    from analysis.dataset import read_meta

    assert len(build_reports([SAMPLE], ["trust_votes"]).outcomes) == 1
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


@pytest.mark.slow
@pytest.mark.skipif(not (COMMUNE / "dataset.yml").is_file(), reason="sample dataset data/sample/xa-hong-phong-2026 missing")
def test_build_two_level_votes_only(tmp_path, build_reports):
    """No three-level vote: no QĐ 96 bands, no empty low-trust charts, the agree results in the headline."""
    build_reports([COMMUNE], ["trust_votes"])
    html, table, summary = _outputs(tmp_path, "xa-hong-phong-2026")
    dung = table.set_index("full_name").loc["Trần Anh Dũng"]
    assert (dung["agree"], dung["base_count"], dung["agree_pct"], dung["agree_passed"]) == ("14", "31", "45.16", "False")
    assert (summary["three_level_votes"], summary["two_level_votes"], summary["agree_not_passed"]) == (0, 1, 1)
    assert json.dumps(labels.text("common.no_data", "vi"))[1:-1] not in html  # as the charts' JSON has it
    assert "33 người, 1 cuộc; đạt khi trên 50 % đồng ý; không quá 50 % đồng ý: 1." in html
    assert "trên 1/2 thấp" not in html and "Phân bố tỷ lệ tín nhiệm thấp" not in html
    assert "Chỉ có lấy ý kiến hai mức" in html
    _check_html(html, charts_at_least=2)  # agree / disagree per person, the votes compared
