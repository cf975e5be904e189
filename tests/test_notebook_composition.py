"""notebooks/composition.ipynb is commit-ready and only calls what exists.

The end-to-end run of this notebook on the sample dataset is in tests/test_build.py (slow).
"""

from __future__ import annotations

import ast
import importlib
import re

import nbformat
import pytest
from papermill.inspection import inspect_notebook

from analysis import config, labels
from analysis.report import ReportContext, report_title

NOTEBOOK = config.NOTEBOOKS_DIR / "composition.ipynb"
STANDARD = {"dataset_path", "as_of", "language", "output_dir"}


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
    assert set(inferred) == STANDARD
    for name, spec in inferred.items():
        assert spec["inferred_type_name"] == "str"
        assert spec["help"].startswith("help:") and len(spec["help"]) > 10, name
    assert inferred["language"]["default"] == '"vi"'


def test_starts_the_report_by_its_own_name(nb):
    code = _code(nb)
    assert 'start_report("composition", dataset_path=dataset_path, as_of=as_of,' in code
    assert report_title("composition", "vi") != "composition"
    assert report_title("composition", "en") != "composition"


def _attributes(code: str, owner: str) -> set[str]:
    tree = ast.parse(code)
    return {n.attr for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == owner}


def test_calls_only_existing_functions(nb):
    code = _code(nb)
    composition = importlib.import_module("analysis.composition")
    charts = importlib.import_module("analysis.charts.composition")
    age_charts = importlib.import_module("analysis.charts.age")
    for name in _attributes(code, "comp"):
        assert hasattr(composition, name), f"analysis.composition.{name}"
    for name in _attributes(code, "charts"):
        assert hasattr(charts, name), f"analysis.charts.composition.{name}"
    for name in _attributes(code, "age_charts"):
        assert hasattr(age_charts, name), f"analysis.charts.age.{name}"
    assert _attributes(code, "age_charts") == {"age_pyramid", "age_bands", "tiers_by_title", "eligibility"}
    for name in _attributes(code, "ctx"):
        assert hasattr(ReportContext, name) or name in ReportContext.__dataclass_fields__, f"ctx.{name}"
    shown = set(re.findall(r'"([a-z_]+)"\)\s*$', code, flags=re.M)) | set(re.findall(r', "([a-z_]+)"\)', code))
    assert {"age_pyramid", "age_bands", "tiers", "women", "ethnicity", "sectors", "education",
            "political_theory", "eligibility", "checks"} <= shown
    assert "ctx.save_summary(summary)" in code and "comp.summary(" in code


def test_is_thin(nb):
    code = _code(nb)
    tree = ast.parse(code)
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.For, ast.While, ast.FunctionDef, ast.ClassDef))]
    assert "import pandas" not in code and "pd." not in code


@pytest.mark.parametrize("language", ["vi", "en"])
def test_label_keys_exist(nb, language):
    keys = set(re.findall(r'L\("([a-z_.]+)"\)', _code(nb)))
    keys |= {f"report.composition.measures.{k}" for k in
             ("people", "women", "women_pct", "ethnic_minority", "ethnic_minority_pct", "mean_age")}
    assert len(keys) > 10
    for key in keys:
        assert labels.text(key, language) != key, key
        assert key in labels._texts(language), f"{key} missing in {language}"
