"""What every report notebook in notebooks/ keeps, each rule written once.

Committed without outputs, one documented parameters cell, the report started by its own name,
only existing functions called, thin (no computing, no pandas), every label it looks up present
in each language. What one report shows is checked in its own test_notebook_<report>.py.
"""

from __future__ import annotations

import ast
import importlib

import nbformat
import pytest
from notebook_checks import code_attributes, imported_modules, label_keys

from analysis import config, labels
from analysis.build import available_reports
from analysis.report import ReportContext, report_title

NOTEBOOKS = [config.NOTEBOOKS_DIR / f"{report}.ipynb" for report in available_reports()]
STANDARD = {"dataset_path", "as_of", "language", "output_dir"}
# one chart per vote; per title, and per printed page of the steps heatmap; none elsewhere
LOOPS = {"trust_votes": 1, "introduction_votes": 2}

each_notebook = pytest.mark.parametrize("notebook_path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS],
                                        indirect=True)


def test_every_report_is_checked():
    names = {p.stem for p in NOTEBOOKS}
    assert {"composition", "trust_votes", "introduction_votes", "planning_review", "briefing"} <= names
    assert set(LOOPS) <= names


@each_notebook
def test_committed_without_outputs(notebook):
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.id
    assert notebook.metadata["kernelspec"]["name"] == "python3"


@each_notebook
def test_one_parameters_cell_at_the_top(notebook):
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and notebook.cells.index(tagged[0]) <= 1


@each_notebook
def test_parameters_are_documented(notebook_parameters):
    assert STANDARD <= set(notebook_parameters)
    for name, spec in notebook_parameters.items():
        assert spec["help"].startswith("help:") and len(spec["help"]) > 10, name
    assert notebook_parameters["language"]["default"] == '"vi"'


@each_notebook
def test_starts_the_report_by_its_own_name(notebook_path, notebook_code):
    name = notebook_path.stem
    assert f'start_report("{name}", dataset_path=dataset_path, as_of=as_of,' in notebook_code
    vi, en = report_title(name, "vi"), report_title(name, "en")
    assert vi != name and en != name and en != vi


@each_notebook
def test_calls_only_existing_functions(notebook_code):
    modules = imported_modules(notebook_code)
    assert modules  # the code is read: a notebook without analysis imports would pass vacuously
    for alias, module_name in modules.items():
        module = importlib.import_module(module_name)
        for name in code_attributes(notebook_code, alias):
            assert hasattr(module, name), f"{module_name}.{name}"
    used = code_attributes(notebook_code, "ctx")
    assert "show" in used
    for name in used:
        assert hasattr(ReportContext, name) or name in ReportContext.__dataclass_fields__, f"ctx.{name}"


@each_notebook
def test_is_thin(notebook_path, notebook_code):
    tree = ast.parse(notebook_code)
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.While, ast.FunctionDef, ast.ClassDef))]
    loops = [n for n in ast.walk(tree) if isinstance(n, ast.For)]
    assert len(loops) == LOOPS.get(notebook_path.stem, 0)
    assert all("ctx.show" in ast.unparse(loop) for loop in loops)  # one chart each, nothing computed
    assert "import pandas" not in notebook_code and "pd." not in notebook_code


@each_notebook
@pytest.mark.parametrize("language", ["vi", "en"])
def test_label_keys_exist(notebook_code, language):
    keys = label_keys(notebook_code)
    assert keys
    for key in keys:
        assert key in labels._texts(language), f"{key} missing in {language}"
        assert labels.text(key, language) != key, key
