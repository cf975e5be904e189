"""notebooks/planning_review.ipynb: its parameters, and end-to-end runs (papermill; marked slow).

The runs use small hand-written datasets (a district reviewed by dates, the same district as two
datasets, and a commune below it), so they do not depend on the sample data; the build of the
Mường Lát sample is checked too when that sample is present. What every notebook keeps (clean,
thin, existing calls and labels) is in test_notebook_contract.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from notebook_checks import assert_offline_without_code

from analysis.config import NOTEBOOKS_DIR, PROJECT_ROOT, SAMPLE_DIR

NOTEBOOK = NOTEBOOKS_DIR / "planning_review.ipynb"
PARAMETERS = ["dataset_path", "as_of", "language", "output_dir", "before_path", "review_date",
              "before_date", "term", "lower_paths"]


def write_dataset(folder: Path, meta: dict, tables: dict[str, str]) -> Path:
    """A dataset folder: dataset.yml and one CSV (UTF-8 with BOM) per table."""
    folder.mkdir(parents=True)
    lines = [f"{k}: {v}" for k, v in meta.items()]
    lines.append("terms:")
    lines.append("  - {label: 2020-2025, kind: party, start: 2020-08}")
    lines.append("tables:")
    for name, content in tables.items():
        (folder / f"{name}.csv").write_text(content.strip() + "\n", encoding="utf-8-sig")
        lines.append(f"  {name}: {name}.csv")
    (folder / "dataset.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


PEOPLE = """
person_id,full_name,gender,birth_date,ethnicity,sector,position,education,political_theory,discipline
001,Lò Văn An,male,01/05/1972,Thái,party,Bí thư,master,advanced,
002,Hà Thị Bình,female,01/01/1978,Thái,government,Phó Chủ tịch,bachelor,advanced,
003,Giàng A Cở,male,01/02/1958,Mông,party,Trưởng ban,bachelor,advanced,
004,Nguyễn Văn Dũng,male,01/07/1975,Kinh,front,Chủ tịch MTTQ,bachelor,intermediate,Khiển trách
005,Vi Thị Em,female,01/03/1985,Khơ Mú,commune,Bí thư xã,bachelor,intermediate,
"""
TITLES = """
title_id,title,body,term,seats,managed_by
BT,Bí thư Huyện ủy,leadership,2020-2025,1,higher
CT,Chủ tịch UBND huyện,leadership,2020-2025,1,higher
BCH,Ủy viên Ban Chấp hành,bch,2020-2025,3,own
"""
DATED = """
person_id,title_id,status,since,removed_on,removal_reason
001,BT,approved,01/06/2015,,
002,CT,approved,01/06/2015,,
003,CT,removed,01/06/2015,15/03/2017,Nghỉ hưu
004,BCH,approved,01/06/2015,,
001,BCH,approved,01/06/2015,,
005,BCH,proposed,15/03/2017,,
"""
BEFORE = """
person_id,title_id,status
001,BT,approved
002,CT,approved
003,CT,approved
004,BCH,approved
001,BCH,approved
"""


def meta(dataset_id: str, as_of: str, level: str = "district", parent: str | None = None) -> dict:
    out = {"id": dataset_id, "name": f"'{dataset_id} (thử)'", "level": level, "regime": "qd50",
           "as_of": as_of}
    if parent:
        out["parent"] = parent
    return out


@pytest.fixture
def datasets(tmp_path):
    root = tmp_path / "data"
    after = write_dataset(root / "huyen-2017", meta("huyen-2017", "2017-03-15"),
                          {"people": PEOPLE, "titles": TITLES, "planning": DATED})
    before = write_dataset(tmp_path / "before" / "huyen-2016", meta("huyen-2016", "2016-03-15"),
                           {"people": PEOPLE, "titles": TITLES, "planning": BEFORE})
    write_dataset(root / "xa-a-2017", meta("xa-a-2017", "2017-03-15", "commune", parent="huyen-2017"), {
        "people": PEOPLE.strip().splitlines()[0] + "\n" + "\n".join(PEOPLE.strip().splitlines()[5:6]),
        "titles": "title_id,title,body,term,seats\nBTX,Bí thư Đảng ủy xã,leadership,2020-2025,1\n"
                  "CTX,Chủ tịch UBND xã,leadership,2020-2025,1",
        "planning": "person_id,title_id,status\n005,BTX,approved\n005,CTX,approved",
    })
    return after, before


def test_parameters_are_typed_and_documented(notebook, notebook_parameters):
    (tagged,) = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    source = tagged.source
    for name in PARAMETERS:
        assert f"{name}: str = " in source and "# help:" in source.split(f"{name}: str = ")[1].splitlines()[0]
    assert list(notebook_parameters) == PARAMETERS


def run(tmp_path, dataset, **parameters):
    import papermill

    out = tmp_path / "out"
    tmp_path.mkdir(parents=True, exist_ok=True)
    papermill.execute_notebook(
        str(NOTEBOOK), str(tmp_path / "run.ipynb"), cwd=str(NOTEBOOKS_DIR), kernel_name="python3",
        parameters={"dataset_path": str(dataset), "output_dir": str(out), **parameters}, progress_bar=False,
    )
    return out, json.loads((out / "summary.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_dates_and_datasets_give_the_same_review(tmp_path, datasets):
    after, before = datasets
    out, by_dates = run(tmp_path / "a", after)
    # a relative before_path starts from the dataset's folder
    _, by_datasets = run(tmp_path / "b", after, before_path="../before/huyen-2016", language="en")
    for summary in (by_dates, by_datasets):
        assert summary["people"] == {"retained": 3, "removed": 1, "added": 1}
        assert summary["planning_rows"] == {"retained": 4, "removed": 1, "added": 1}
        assert summary["removed_by_reason"] == {"retired": 1}
        assert summary["before_date"] == "2016-03-15" and summary["review_date"] == "2017-03-15"
        assert summary["flags"]["discipline"] == 1
    assert by_dates["mode"] == "dates" and by_datasets["mode"] == "datasets"
    # the commune beside the district, found by its parent, feeds person 005
    assert by_dates["linkage"]["lower_units"] == 1
    assert by_dates["linkage"]["upper_without_source"] == 3
    for name in ("reasons", "changes", "composition", "pyramids", "flags", "targets", "linkage_units"):
        raw = (out / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name


def shown(executed: Path) -> str:
    """The HTML and text a run of the notebook displayed (what the report page is made of)."""
    cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    return "".join("".join(o.get("data", {}).get("text/html", "")) + "".join(o.get("data", {}).get("text/markdown", ""))
                   for c in cells for o in c.get("outputs", []))


@pytest.mark.slow
def test_a_review_with_nothing_before_says_so_instead_of_empty_charts(tmp_path, datasets):
    after, _ = datasets
    out, summary = run(tmp_path / "a", after, before_date="2010-01-01")  # nobody planned yet then
    assert summary["notes"] == ["no_before"] and summary["people_before"] == 0
    page = shown(tmp_path / "a" / "run.ipynb")
    # flows, titles and the list of changes: one line each, no chart drawn over nothing
    assert page.count("Không có nguồn quy hoạch trước rà soát để so sánh") == 3
    for chart in ("reasons", "changes_by_title"):
        assert f'"chart":"{chart}"' not in page
        assert (out / f"{chart}.csv").exists()  # the tables are still written for programs
    # compared, the same sections draw their charts
    run(tmp_path / "b", after)
    page = shown(tmp_path / "b" / "run.ipynb")
    assert '"chart":"reasons"' in page and '"chart":"changes_by_title"' in page
    assert "Không có nguồn quy hoạch trước rà soát để so sánh" not in page
    # compared, nothing changed (everyone planned since 2015): said once for the flows, once for the list
    run(tmp_path / "c", after, before_date="2016-01-01", review_date="2016-06-01")
    page = shown(tmp_path / "c" / "run.ipynb")
    assert page.count("Không có thay đổi nào giữa hai thời điểm.") == 3  # with the overview's
    assert '"chart":"reasons"' not in page and '"chart":"changes_by_title"' in page


@pytest.mark.slow
def test_build_muong_lat_sample(tmp_path):
    sample = SAMPLE_DIR / "muong-lat-2017.xlsx"
    if not sample.exists():
        pytest.skip("sample data/sample/muong-lat-2017.xlsx not generated yet")
    out = tmp_path / "reports"
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "build", "--dataset", str(sample), "--report", "planning_review",
         "--out", str(out)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    page = next(out.glob("*/planning_review.html")).read_text(encoding="utf-8")
    for heading in ("Giữ lại, đưa ra, bổ sung", "Cơ cấu trước và sau rà soát", "Những người cần xem xét"):
        assert heading in page
    for chart in ("Biến động nguồn quy hoạch", "Tháp tuổi trước và sau rà soát"):
        assert json.dumps(chart)[1:-1] in page  # chart titles sit in plotly's JSON, \u-escaped
    assert page.count('class="plotly-graph-div"') >= 6
    assert_offline_without_code(page, "run_review(")  # no script, style or image from the network
    summary = json.loads(next(out.glob("*/planning_review/summary.json")).read_text(encoding="utf-8"))
    assert summary["people"]["removed"] > 0 and summary["people"]["added"] > 0
