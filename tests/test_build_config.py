"""What to build: the build config read and checked, and the plan of (dataset, report) jobs."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import build, build_config, config
from analysis.build_config import available_reports, load_config, plan
from analysis.errors import AnalysisError, BuildError
from analysis.labels import text


def _write(path: Path, content: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


def _notebook(path: Path) -> Path:
    """A report for the plan: only its name counts (nothing is run here)."""
    return _write(path, "{}")


def test_everything_stays_importable_from_analysis_build():
    for name in ("plan", "load_config", "report_options", "available_reports", "Job", "DatasetEntry",
                 "SHARED_PARAMETERS", "EXPORTS", "CONFIG_KEYS", "DEFAULT_JOBS", "CELL_TIMEOUT"):
        assert getattr(build, name) is getattr(build_config, name), name


# The config ---------------------------------------------------------------------------------------

def test_available_reports(tmp_path):
    for name in ("b.ipynb", "a.ipynb", "x.executed.ipynb", ".hidden.ipynb", "notes.md"):
        (tmp_path / name).write_text("{}")
    assert available_reports(tmp_path) == ["a", "b"]
    assert "composition" in available_reports()


def test_config_paths_are_relative_to_the_config(tmp_path):
    cfg = _write(tmp_path / "conf" / "build.yml", """
datasets:
  - ../data/one
  - path: ../data/two.xlsx
    reports: [composition]
    as_of: 2022-05-25
    parameters: {review: {base: x}}
reports: all
out: ../built
language: en
jobs: 3
""")
    loaded = load_config(cfg)
    assert [d.path for d in loaded["datasets"]] == [tmp_path / "data" / "one", tmp_path / "data" / "two.xlsx"]
    assert loaded["datasets"][1].reports == ["composition"]
    assert loaded["datasets"][1].as_of == "2022-05-25"
    assert loaded["datasets"][1].parameters == {"review": {"base": "x"}}
    assert loaded["reports"] is None
    assert loaded["out"] == tmp_path / "built"
    assert (loaded["language"], loaded["jobs"]) == ("en", 3)


@pytest.mark.parametrize(("content", "fragment"), [
    ("datasets: [a]\nreport: [x]\n", "report"),
    ("datasets:\n  - {path: a, colour: red}\n", "colour"),
    ("datasets:\n  - {path: a, parameters: {composition: {dataset_path: b}}}\n", "dataset_path"),
    ("datasets:\n  - {reports: [x]}\n", "path"),
    ("datasets: [a]\n  bad: : yaml\n", "YAML"),
])
def test_bad_config(tmp_path, content, fragment):
    with pytest.raises(BuildError) as excinfo:
        load_config(_write(tmp_path / "r.yml", content))
    assert fragment in str(excinfo.value)


def test_missing_config(tmp_path):
    with pytest.raises(BuildError, match="no config file"):
        load_config(tmp_path / "none.yml")


# The plan -----------------------------------------------------------------------------------------

def test_plan_overrides_and_defaults(tmp_path):
    notebooks = tmp_path / "nb"
    notebooks.mkdir()
    for name in ("composition", "other"):
        _notebook(notebooks / f"{name}.ipynb")
    cfg = _write(tmp_path / "r.yml", "datasets: [d1, {path: d2, reports: [other]}]\nreports: [composition, other]\n")
    jobs, out, workers, language = plan(cfg, notebooks_dir=notebooks)
    assert [(j.dataset_path.name, j.report) for j in jobs] == [("d1", "composition"), ("d1", "other"), ("d2", "other")]
    assert (out, workers, language) == (config.REPORTS_DIR, 2, "vi")
    assert jobs[0].notebook == notebooks / "composition.ipynb"

    jobs = plan(cfg, reports=["composition"], notebooks_dir=notebooks)[0]
    assert [(j.dataset_path.name, j.report) for j in jobs] == [("d1", "composition")]  # d2 keeps its own list

    only_own = _write(tmp_path / "own.yml", "datasets: [{path: d4, reports: [other]}]\n")
    with pytest.raises(BuildError, match="nothing to build"):
        plan(only_own, reports=["composition"], notebooks_dir=notebooks)

    jobs, out, workers, language = plan(cfg, datasets=[tmp_path / "d3"], reports=["other"], out=tmp_path / "o",
                                        jobs=1, language="en", notebooks_dir=notebooks)
    assert [(j.dataset_path, j.report, j.language) for j in jobs] == [(tmp_path / "d3", "other", "en")]
    assert (out, workers) == (tmp_path / "o", 1)


def test_unknown_report_is_a_clear_error(tmp_path):
    _notebook(tmp_path / "composition.ipynb")
    with pytest.raises(BuildError) as excinfo:
        plan(datasets=[tmp_path], reports=["nope"], notebooks_dir=tmp_path)
    assert "nope" in str(excinfo.value) and "composition" in str(excinfo.value)


def test_two_datasets_with_one_id(tmp_path):
    _notebook(tmp_path / "r.ipynb")
    with pytest.raises(BuildError, match="share the id"):
        plan(datasets=[tmp_path / "a" / "same", tmp_path / "b" / "same"], notebooks_dir=tmp_path)


def test_default_config_lists_every_sample_dataset():
    loaded = load_config(config.BUILD_CONFIG)
    listed = {d.path for d in loaded["datasets"]}
    samples = {p.resolve() for p in config.SAMPLE_DIR.iterdir()
               if (p.is_dir() and (p / "dataset.yml").exists()) or p.suffix == ".xlsx"} if config.SAMPLE_DIR.is_dir() else set()
    if not samples:
        pytest.skip("data/sample/ is empty: run `make sample`")
    assert listed == samples
    assert set(loaded["reports"] or available_reports()) <= set(available_reports())


def test_shared_parameters_and_exports_from_config_and_command_line(tmp_path):
    notebooks = tmp_path / "nb"
    notebooks.mkdir()
    _notebook(notebooks / "composition.ipynb")
    cfg = _write(tmp_path / "r.yml", 'datasets: [d1]\nmarking: "MẬT"\nmin_cell: 5\npdf: true\nprerender: true\n')
    job = plan(cfg, notebooks_dir=notebooks)[0][0]
    assert {k: job.parameters[k] for k in ("marking", "pseudonymise", "min_cell")} == \
        {"marking": "MẬT", "pseudonymise": False, "min_cell": 5}
    assert (job.pdf, job.png, job.prerender) == (True, False, True)

    options = {"marking": "Tài liệu nội bộ", "min_cell": 0, "png": True, "pdf": False, "pseudonymise": None,
               "prerender": False}
    job = plan(cfg, options=options, notebooks_dir=notebooks)[0][0]  # the command line wins; None: config
    assert (job.parameters["marking"], job.parameters["min_cell"], job.pdf, job.png, job.prerender) == \
        ("Tài liệu nội bộ", 0, False, True, False)

    both = _write(tmp_path / "both.yml", 'datasets: [d1]\nmarking: {vi: "Tài liệu nội bộ", en: "Internal document"}\n')
    assert plan(both, language="en", notebooks_dir=notebooks)[0][0].parameters["marking"] == "Internal document"
    assert plan(both, notebooks_dir=notebooks)[0][0].parameters["marking"] == "Tài liệu nội bộ"
    vi_only = _write(tmp_path / "vi.yml", 'datasets: [d1]\nmarking: {vi: "MẬT"}\n')
    assert plan(vi_only, language="en", notebooks_dir=notebooks)[0][0].parameters["marking"] == "MẬT"

    job = plan(datasets=[tmp_path / "d2"], language="en", notebooks_dir=notebooks)[0][0]  # no config at all
    assert job.parameters["marking"] == text("report.confidential", "en")
    assert (job.parameters["min_cell"], job.parameters["pseudonymise"], job.pdf, job.png, job.prerender) == \
        (3, False, False, False, False)

    with pytest.raises(BuildError, match="min_cell"):
        plan(cfg, options={"min_cell": -1}, notebooks_dir=notebooks)
    with pytest.raises(AnalysisError, match="pseudonymise"):
        plan(cfg, options={"pseudonymise": "perhaps"}, notebooks_dir=notebooks)
    with pytest.raises(BuildError, match="marking"):  # the build's to set, not a dataset's
        load_config(_write(tmp_path / "bad.yml", "datasets:\n  - {path: a, parameters: {composition: {marking: x}}}\n"))


def test_plan_names_jobs_from_the_dataset_metadata(tmp_path, make_dataset):
    notebooks = tmp_path / "nb"
    _notebook(notebooks / "composition.ipynb")
    folder = make_dataset({"people": "person_id,full_name,gender,birth_date\n007,Nguyễn Văn An,male,1975\n"})
    job = plan(datasets=[folder], notebooks_dir=notebooks)[0][0]
    # from dataset.yml (see conftest.make_dataset); the notebook gets no as_of: its own is used
    assert (job.dataset_id, job.dataset_name, job.as_of, job.as_of_param) == ("test-ds", "Bộ thử", "2022-05-25", "")

    cfg = _write(tmp_path / "r.yml", f"datasets:\n  - {{path: {folder}, as_of: 2023-01-01, "
                                     "parameters: {composition: {top: 5}}}\n")
    job = plan(cfg, notebooks_dir=notebooks)[0][0]
    assert (job.as_of, job.as_of_param) == ("2023-01-01", "2023-01-01")  # the config's date wins
    assert job.parameters["top"] == 5 and job.parameters["min_cell"] == 3  # its own and the shared ones

    unreadable = tmp_path / "Bad Name!"  # no metadata: named from the path, its report fails later
    job = plan(datasets=[unreadable], notebooks_dir=notebooks)[0][0]
    assert (job.dataset_id, job.dataset_name, job.as_of) == ("bad-name", "Bad Name!", "")
