"""Shared fixtures. Keep this file small: fixtures used by one test module belong in that module."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def make_dataset(tmp_path):
    """Write a folder dataset from CSV texts: ``make_dataset({"people": "person_id,…\\n…"})``.

    Tables are written as UTF-8 with BOM (as Excel saves "CSV UTF-8"); ``meta`` overrides keys of
    a valid dataset.yml (a value of None removes the key); ``mapping`` becomes mapping.yml.
    Returns the folder.
    """
    counter = iter(range(1000))

    def make(tables: dict[str, str], meta: dict | None = None, mapping: dict | None = None) -> Path:
        folder = tmp_path / f"ds{next(counter)}"
        folder.mkdir()
        doc = {"id": "test-ds", "name": "Bộ thử", "level": "district", "regime": "qd50",
               "as_of": "2022-05-25", "tables": {t: f"{t}.csv" for t in tables}}
        if mapping is not None:
            (folder / "mapping.yml").write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
            doc["mapping"] = "mapping.yml"
        for key, value in (meta or {}).items():
            if value is None:
                doc.pop(key, None)
            else:
                doc[key] = value
        for table, text in tables.items():
            (folder / f"{table}.csv").write_text(text, encoding="utf-8-sig")
        (folder / "dataset.yml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                                            encoding="utf-8")
        return folder

    return make


# Report notebooks (test_notebook_*.py) --------------------------------------------------------


@pytest.fixture(scope="module")
def notebook_path(request) -> Path:
    """The notebook under test: the parameter of an indirect parametrisation, else the module's NOTEBOOK."""
    return getattr(request, "param", None) or request.module.NOTEBOOK


@pytest.fixture(scope="module")
def notebook(notebook_path):
    """The notebook as committed (an nbformat node)."""
    import nbformat

    return nbformat.read(str(notebook_path), as_version=4)


@pytest.fixture(scope="module")
def notebook_code(notebook) -> str:
    """The source of every code cell, in order."""
    return "\n".join(c.source for c in notebook.cells if c.cell_type == "code")


@pytest.fixture(scope="module")
def notebook_parameters(notebook_path) -> dict:
    """The parameters papermill finds (what ``papermill --help-notebook`` prints), by name."""
    from papermill.inspection import inspect_notebook

    return inspect_notebook(str(notebook_path))


@pytest.fixture
def build_reports(tmp_path):
    """Build ``reports`` of ``datasets`` into ``out`` (default tmp_path/"out"); fail unless all are built.

    ``parameters`` (notebook parameters by report) go through a reports.yml, as a user gives them;
    other keywords go to `analysis.build.build` (``jobs`` is 1 unless given). Returns the BuildResult.
    """
    from analysis.build import build

    def run(datasets: list, reports: list[str], out: Path | None = None, parameters: dict | None = None,
            **options):
        out = out or tmp_path / "out"
        options.setdefault("jobs", 1)
        if parameters:
            entries = [{"path": str(d), "reports": reports, "parameters": parameters} for d in datasets]
            cfg = tmp_path / "reports.yml"
            cfg.write_text(yaml.safe_dump({"datasets": entries, "reports": reports}), encoding="utf-8")
            result = build(cfg, out=out, **options)
        else:
            result = build(datasets=[str(d) for d in datasets], reports=reports, out=out, **options)
        assert result.outcomes and result.exit_code == 0, [
            (o.dataset_id, o.report, o.error, o.problems) for o in result.failed]
        return result

    return run


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the browser tests of a worker (test_browser, test_prerender, in
    the xdist group "browser"): playwright's sync API runs one instance per thread."""
    from analysis.browser import chromium

    with chromium() as instance:
        yield instance
