"""environment.yml (for conda users) must list the same packages and ranges as pyproject.toml."""

from __future__ import annotations

import tomllib

import yaml
from packaging.requirements import Requirement

from analysis.config import PROJECT_ROOT

# conda-forge names that differ from PyPI's
CONDA_NAMES = {"duckdb": "python-duckdb"}
CONDA_ONLY = {"python", "pip"}


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        lines.extend(extra)
    reqs = {}
    for line in lines:
        req = Requirement(line)
        reqs[CONDA_NAMES.get(req.name, req.name)] = str(req.specifier)
    return reqs


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    reqs = {}
    for entry in env["dependencies"]:
        if isinstance(entry, dict):  # the pip: section installs the project itself
            continue
        req = Requirement(entry.replace("=3.11", "==3.11") if entry.startswith("python=") else entry)
        reqs[req.name] = str(req.specifier)
    return reqs


def test_environment_lists_exactly_the_pyproject_packages():
    conda = _conda_requirements()
    pyproject = _pyproject_requirements()
    assert set(conda) - CONDA_ONLY == set(pyproject)


def test_environment_ranges_match_pyproject():
    conda = _conda_requirements()
    for name, spec in _pyproject_requirements().items():
        assert conda[name] == spec, f"{name}: environment.yml {conda[name]!r} != pyproject {spec!r}"


def test_environment_python_matches_pyproject():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    conda = _conda_requirements()
    assert conda["python"] == "==3.11"
    assert "3.11" in project["requires-python"]
