"""notebooks/briefing.ipynb: a reveal.js deck, offline, one idea per slide, vi and en.

The deck is opened in Chromium (every slide drawn, no network) in tests/test_browser.py.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
from pathlib import Path

import nbformat
import pytest
from papermill.inspection import inspect_notebook
from rich.console import Console

from analysis import config, labels
from analysis.build import build
from analysis.render import external_resources
from analysis.slides import ASSET_FILES, NODE_MODULES, install_assets, is_deck

NOTEBOOK = config.NOTEBOOKS_DIR / "briefing.ipynb"
SLIDE_KEYS = ("figures", "ages", "women", "checks", "ballots", "trust")
DISTRICT = config.SAMPLE_DIR / "thuong-tin-2022"  # ballots and trust votes
COMMUNE = config.SAMPLE_DIR / "xa-tien-phong-2022"  # neither
needs_samples = pytest.mark.skipif(not DISTRICT.is_dir() or not COMMUNE.is_dir(), reason="make sample")
needs_assets = pytest.mark.skipif(not (NODE_MODULES / "reveal.js").is_dir(), reason="make assets (npm ci)")


@pytest.fixture(scope="module")
def nb():
    return nbformat.read(str(NOTEBOOK), as_version=4)


def test_committed_clean_and_marked_as_a_deck(nb):
    nbformat.validate(nb)
    assert is_deck(nb) and is_deck(NOTEBOOK)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    shown = [c for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    kinds = [c.metadata.get("slideshow", {}).get("slide_type") for c in shown]
    assert kinds[:-1] == ["slide"] * (len(shown) - 1) and kinds[-1] == "skip"  # one idea, one slide


def test_parameters_are_documented(nb):
    inferred = inspect_notebook(str(NOTEBOOK))
    assert set(inferred) == {"dataset_path", "as_of", "language", "output_dir", "marking", "pseudonymise",
                             "min_cell"}
    for name, spec in inferred.items():
        assert spec["help"].startswith("help:") and len(spec["help"]) > 10, name
    assert (inferred["pseudonymise"]["inferred_type_name"], inferred["min_cell"]["default"]) == ("bool", "3")


def test_every_text_and_every_call_exists(nb):
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for key in SLIDE_KEYS:
        for language in ("vi", "en"):
            assert labels.text(f"briefing.slides.{key}", language) != f"briefing.slides.{key}"
            assert f'"briefing.slides.{key}"' in code
    assert labels.text("report.names.briefing", "en") != labels.text("report.names.briefing", "vi")
    aliases = {"ballots": "analysis.ballots", "trust": "analysis.trust", "trust_rounds": "analysis.trust_rounds",
               "trust_rules": "analysis.trust_rules", "comp": "analysis.composition",
               "age_charts": "analysis.charts.age", "ballot_charts": "analysis.charts.ballots", "charts": "analysis.charts.composition",
               "trust_charts": "analysis.charts.trust"}
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            module = importlib.import_module(aliases[node.value.id])
            assert hasattr(module, node.attr), f"{aliases[node.value.id]}.{node.attr}"


@needs_assets
def test_install_assets_copies_the_scripts_once(tmp_path):
    folder = install_assets(tmp_path)
    assert folder == tmp_path / "assets"
    for target in ASSET_FILES.values():
        assert (folder / target).stat().st_size > 0
    stamp = (folder / "require.js").stat().st_mtime_ns
    install_assets(tmp_path)
    assert (folder / "require.js").stat().st_mtime_ns == stamp  # unchanged files are left alone


def test_install_assets_says_how_to_get_them(tmp_path):
    from analysis.errors import BuildError

    with pytest.raises(BuildError) as excinfo:
        install_assets(tmp_path / "out", node_modules=tmp_path / "nothing")
    assert "make assets" in str(excinfo.value) and "npm ci" in str(excinfo.value)


def _slides(page: str) -> list[str]:
    body = page.split('<div class="slides">', 1)[1]
    return re.findall(r"<section\b[^>]*>(.*?)</section>", body, flags=re.S)


@pytest.mark.slow
@needs_samples
@needs_assets
def test_build_the_deck_in_vietnamese_and_english(tmp_path):
    result = build(datasets=[DISTRICT, COMMUNE], reports=["briefing"], out=tmp_path / "vi", jobs=2,
                   console=Console(record=True, width=200), options={"marking": "MẬT"})
    assert result.exit_code == 0, [(o.error, o.problems) for o in result.outcomes]
    page = (tmp_path / "vi" / "thuong-tin-2022" / "briefing.html").read_text(encoding="utf-8")

    assert 'class="reveal"' in page and '<div class="qh-slide-marking">MẬT</div>' in page
    slides = _slides(page)
    # title, one slide per idea (ballots and trust votes included), the provenance footer last
    assert len(slides) == 2 + len(SLIDE_KEYS)
    for key, slide in zip(SLIDE_KEYS, slides[1:]):
        assert labels.text(f"briefing.slides.{key}", "vi") in slide, key
    assert "data-qh-metadata" in slides[-1] and "SHA-256" in slides[-1]
    assert labels.text("report.names.briefing", "vi") in slides[0]
    # offline: nothing from the network; the local scripts are there, relative to the page
    assert external_resources(page) == []
    markup = re.sub(r"(<script\b[^>]*>).*?</script>", r"\1</script>", page, flags=re.S)  # tags, not code
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", markup)
    for url in re.findall(r"""(?:src|href)="(\.\./assets/[^"]+)\"""", page) + [
            "../assets/reveal.js/dist/reveal.js", "../assets/reveal.js/plugin/notes/notes.js"]:
        assert (tmp_path / "vi" / "thuong-tin-2022" / url).resolve().is_file(), url
    assert page.index("require.js") > page.index("plotly-graph-div")  # plotly.js first: window.Plotly
    summary = json.loads((tmp_path / "vi" / "thuong-tin-2022" / "briefing" / "summary.json").read_text("utf-8"))
    assert summary["people"] > 0 and summary["as_of"] == "2022-05-25"

    commune = (tmp_path / "vi" / "xa-tien-phong-2022" / "briefing.html").read_text(encoding="utf-8")
    shown = _slides(commune)
    assert labels.text("briefing.slides.ballots", "vi") not in commune  # no ballots: no slide
    assert labels.text("briefing.slides.trust", "vi") not in commune
    assert len(shown) == 2 + len(SLIDE_KEYS) - 2

    english = build(datasets=[DISTRICT], reports=["briefing"], out=tmp_path / "en", jobs=1, language="en",
                    console=Console(record=True, width=200))
    assert english.exit_code == 0
    page = (tmp_path / "en" / "thuong-tin-2022" / "briefing.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page
    for key in SLIDE_KEYS:
        assert labels.text(f"briefing.slides.{key}", "en") in page
        assert labels.text(f"briefing.slides.{key}", "vi") not in page
    # the marking of the config (reports.yml is not read with --dataset): the label, in English
    assert labels.text("report.confidential", "en") in page


def test_assets_are_listed_for_npm():
    package = json.loads((config.PROJECT_ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((config.PROJECT_ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert set(package["dependencies"]) == {"reveal.js", "requirejs", "jquery"}
    for name, version in package["dependencies"].items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version  # pinned: npm ci
    assert {Path(source).parts[0] for source in ASSET_FILES} == set(package["dependencies"])
