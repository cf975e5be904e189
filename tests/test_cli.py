"""The command line: validate's exit codes, build's options, sample and list-reports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from typer.testing import CliRunner

from analysis import cli

runner = CliRunner()

DATASET_YML = """\
id: cli-test
name: "Đơn vị thử (dữ liệu tổng hợp)"
level: district
regime: qd50
as_of: 2022-05-25
terms: [{label: "2025-2030", kind: party, start: "2025-06"}]
tables: {people: people.csv}
"""
PEOPLE = """\
person_id,full_name,gender,birth_date,ethnicity
001,Nguyễn Văn An,male,12/03/1975,Kinh
002,Lò Thị Bình,female,05/11/1982,Thái
"""


def _dataset(folder: Path, people: str = PEOPLE) -> Path:
    folder.mkdir(parents=True)
    (folder / "dataset.yml").write_text(DATASET_YML, encoding="utf-8")
    (folder / "people.csv").write_text(people, encoding="utf-8-sig")
    return folder


def test_validate_clean_dataset_exits_0(tmp_path):
    result = runner.invoke(cli.app, ["validate", str(_dataset(tmp_path / "ok"))])
    assert result.exit_code == 0, result.output
    assert "không có lỗi" in result.output and "no errors" in result.output


def test_validate_prints_every_problem_and_exits_1(tmp_path):
    bad = PEOPLE.replace("12/03/1975", "31/02/1975").replace("female", "khác")
    result = runner.invoke(cli.app, ["validate", str(_dataset(tmp_path / "bad", bad))])
    assert result.exit_code == 1, result.output
    assert "31/02/1975" in result.output and "khác" in result.output  # both problems, not the first only
    assert "birth_date" in result.output and "gender" in result.output
    assert "people.csv" in result.output


def test_validate_missing_path_exits_1(tmp_path):
    result = runner.invoke(cli.app, ["validate", str(tmp_path / "nowhere")])
    assert result.exit_code == 1


def test_build_passes_options(monkeypatch, tmp_path):
    seen = {}

    def fake_build(config_path=None, **kwargs):
        seen.update(kwargs, config_path=config_path)
        return SimpleNamespace(index=tmp_path / "index.html", exit_code=1)

    monkeypatch.setattr("analysis.build.build", fake_build)
    result = runner.invoke(cli.app, ["build", "conf.yml", "--dataset", "a", "-d", "b", "--report", "composition",
                                     "--out", str(tmp_path), "--jobs", "3", "--language", "en"])
    assert result.exit_code == 1  # the build's own exit code
    assert seen["config_path"] == Path("conf.yml")
    assert seen["datasets"] == [Path("a"), Path("b")] and seen["reports"] == ["composition"]
    assert (seen["out"], seen["jobs"], seen["language"]) == (tmp_path, 3, "en")


def test_build_unknown_report_exits_2(tmp_path):
    result = runner.invoke(cli.app, ["build", "--dataset", str(tmp_path), "--report", "no-such-report"])
    assert result.exit_code == 2
    assert "no-such-report" in result.output and "composition" in result.output


def test_build_rejects_zero_jobs():
    assert runner.invoke(cli.app, ["build", "--jobs", "0"]).exit_code == 2


def test_sample_calls_write_samples(monkeypatch, tmp_path):
    calls = []
    fake = SimpleNamespace(write_samples=lambda out, seed=2025: calls.append((out, seed)) or [out / "x"])
    monkeypatch.setitem(sys.modules, "analysis.sample", fake)
    result = runner.invoke(cli.app, ["sample", "--out", str(tmp_path), "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert calls == [(tmp_path, 7)]


def test_list_reports():
    result = runner.invoke(cli.app, ["list-reports"])
    assert result.exit_code == 0
    names = [line.split("\t")[0] for line in result.output.splitlines()]
    # every notebook in notebooks/ is a report, listed in name order with its title
    assert names == sorted(names)
    assert {"composition", "introduction_votes", "trust_votes", "planning_review", "briefing"} <= set(names)
    assert "composition\tCơ cấu đội ngũ cán bộ trong quy hoạch" in result.output


def test_python_dash_m_works():
    done = subprocess.run([sys.executable, "-m", "analysis", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    for command in ("build", "validate", "sample", "list-reports"):
        assert command in done.stdout
