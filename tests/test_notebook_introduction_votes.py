"""End to end: build the introduction-votes report through papermill and nbconvert.

Runs on the sample dataset `data/sample/thuong-tin-2022` when it is there, and always on a small
dataset written here (raw ballots at step 3 with invalid ballots, a tie on the last place and a
person at exactly 50 %).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from notebook_checks import assert_offline_without_code

from analysis.config import SAMPLE_DIR

pytestmark = pytest.mark.slow
CONTRACT = ["conference_id", "title_id", "person_id", "full_name", "votes", "base", "base_count", "pct",
            "passed", "rank", "tie_at_cutoff"]
SAMPLE = SAMPLE_DIR / "thuong-tin-2022"


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def _fill(voters: int, places: int, targets: dict[str, int]) -> list[list[str]]:
    """Give each candidate exactly their target votes, never more than `places` names a ballot."""
    names: list[list[str]] = [[] for _ in range(voters)]
    for person, votes in sorted(targets.items(), key=lambda kv: -kv[1]):
        chosen = sorted(range(voters), key=lambda v: (len(names[v]), v))[:votes]
        for v in chosen:
            names[v].append(person)
    assert all(len(n) <= places for n in names)
    return names


def write_dataset(root: Path) -> Path:
    """k3 (step 3, raw): convened 100, present 90, 90 ballots collected: 86 clean ones + 4 invalid.

    BT (3 places): 001 62, 002 58, 003 and 004 52 each (tied on the 3rd place), 005 20.
    BTV (5 places): 006 50 votes = exactly 50 % of 100 convened, 007–010 70…55.
    Invalid: S-87 names 4 people for BT; S-88 names 001 twice for BT; S-89 votes for title ZZ;
    S-90 names 6 people for BTV.
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "dataset.yml").write_text(
        "id: phieu-thu-2022\nname: Huyện ủy Thử nghiệm\nlevel: district\nregime: qd50\nas_of: 2022-05-25\n"
        "terms:\n  - {label: 2025-2030, kind: party, start: 2025-06}\n"
        "tables: {people: people.csv, titles: titles.csv, conferences: conferences.csv, ballots: ballots.csv}\n",
        encoding="utf-8")
    people = [[f"{i:03d}", f"Nguyễn Văn {chr(64 + i)}", "female" if i % 3 == 0 else "male",
               f"01/0{1 + i % 9}/{1966 + 2 * i}"] for i in range(1, 13)]
    _write(root / "people.csv", ["person_id", "full_name", "gender", "birth_date"], people)
    _write(root / "titles.csv", ["title_id", "title", "body", "term", "seats", "places"], [
        ["BT", "Bí thư Huyện ủy", "leadership", "2025-2030", 1, 3],
        ["BTV", "Ủy viên Ban Thường vụ", "btv", "2025-2030", 4, 5],
    ])
    _write(root / "conferences.csv", ["conference_id", "step", "body", "date", "convened", "present",
                                      "ballots_issued", "ballots_collected", "ballots_valid"], [
        ["k3", 3, "key_cadres", "20/05/2022", 100, 90, 90, 90, 90],
    ])
    marks = []
    bt = _fill(86, 3, {"001": 62, "002": 58, "003": 52, "004": 52, "005": 20})
    btv = _fill(86, 5, {"007": 70, "008": 65, "009": 60, "010": 55, "006": 50, "011": 30})
    for v in range(86):
        marks += [["k3", f"S-{v + 1:02d}", "BT", p, ""] for p in bt[v]]
        marks += [["k3", f"S-{v + 1:02d}", "BTV", p, ""] for p in btv[v]]
    marks += [["k3", "S-87", "BT", p, ""] for p in ("001", "002", "003", "004")]
    marks += [["k3", "S-88", "BT", p, ""] for p in ("001", "001")]
    marks += [["k3", "S-89", "ZZ", "001", ""]]
    marks += [["k3", "S-90", "BTV", p, ""] for p in ("006", "007", "008", "009", "010", "011")]
    _write(root / "ballots.csv", ["conference_id", "ballot_id", "title_id", "person_id", "full_name"], marks)
    return root


def _shows(html: str, text: str) -> bool:
    """``text`` is in the page, as HTML or inside a figure's JSON (non-ASCII escaped there)."""
    return text in html or json.dumps(text)[1:-1] in html


def _ballot_ids(ballots_csv: Path) -> set[str]:
    with ballots_csv.open(encoding="utf-8-sig") as f:
        return {row["ballot_id"] for row in csv.DictReader(f) if row.get("ballot_id")}


def _check_outputs(out: Path, dataset_id: str, ballot_ids: set[str]) -> tuple[list[dict], dict, str]:
    html = (out / dataset_id / "introduction_votes.html").read_text(encoding="utf-8")
    folder = out / dataset_id / "introduction_votes"
    with (folder / "tally.csv").open(encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames[:11] == CONTRACT
        tally = list(reader)
    assert (folder / "tally.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    # secrecy: no ballot id in any output file, and no column that could carry one
    for path in [out / dataset_id / "introduction_votes.html", *folder.iterdir()]:
        text = path.read_text(encoding="utf-8-sig")
        assert "ballot_id" not in text, path
        leaked = {b for b in ballot_ids if f'"{b}"' in text or f",{b}," in text or f">{b}<" in text}
        assert not leaked, (path, sorted(leaked)[:5])
    assert_offline_without_code(html, "ballots.introduction_votes(")  # plotly.js inlined, no code shown
    return tally, summary, html


def test_build_on_a_hand_made_dataset(tmp_path, build_reports):
    dataset = write_dataset(tmp_path / "phieu-thu-2022")
    build_reports([dataset], ["introduction_votes"])
    tally, summary, html = _check_outputs(tmp_path / "out", "phieu-thu-2022", _ballot_ids(dataset / "ballots.csv"))
    rows = {(r["conference_id"], r["title_id"], r["person_id"]): r for r in tally}
    # 006: 50 of 100 convened = 50.00 %, not passed
    assert (rows[("k3", "BTV", "006")]["pct"], rows[("k3", "BTV", "006")]["passed"]) == ("50.0", "False")
    # 003 and 004 tie on the 3rd BT place with 52 votes (52 %); 001 and 002 are within the places
    assert [rows[("k3", "BT", p)]["tie_at_cutoff"] for p in ("001", "002", "003", "004", "005")] == [
        "False", "False", "True", "True", "False"]
    assert rows[("k3", "BT", "003")]["rank"] == rows[("k3", "BT", "004")]["rank"] == "3"
    assert summary["invalid_for_titles"] == {"too_many_names": 2, "duplicate_name": 1, "unknown_title": 1}
    assert summary["ties_at_cutoff"][0]["people"] == ["Nguyễn Văn C", "Nguyễn Văn D"]
    # charts: one per title (2), accounting, invalid, histogram, two composition (one step only:
    # no heat map or Sankey, a note instead)
    assert html.count('class="plotly-graph-div"') == 2 + 5
    for title in ("Kiểm phiếu từng hội nghị", "Phiếu không hợp lệ theo chức danh và lý do",
                  "Bí thư Huyện ủy — k3: tỷ lệ phiếu giới thiệu", "Phân bố tỷ lệ phiếu giới thiệu",
                  "Người trên 50 % và không quá 50 % theo độ tuổi", "Chưa có kết quả ở các bước sau để so sánh"):
        assert _shows(html, title), title


@pytest.mark.skipif(not (SAMPLE / "dataset.yml").exists(), reason="sample dataset thuong-tin-2022 not written yet")
def test_build_on_the_sample(tmp_path, build_reports):
    build_reports([SAMPLE], ["introduction_votes"])
    tally, summary, html = _check_outputs(tmp_path / "out", "thuong-tin-2022", _ballot_ids(SAMPLE / "ballots.csv"))
    assert summary["ties_at_cutoff"], "the sample has a tie on a last place"
    assert any(r["pct"] in ("50.0", "50.00") and r["passed"] == "False" for r in tally)
    assert sum(summary["invalid_for_titles"].values()) > 0
    for title in ("Kiểm phiếu từng hội nghị", "Tỷ lệ phiếu của từng người qua các bước",
                  "Người được giới thiệu qua các bước"):
        assert _shows(html, title), title
