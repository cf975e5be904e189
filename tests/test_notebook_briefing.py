"""notebooks/briefing.ipynb: a reveal.js deck, offline, one idea per slide, vi and en.

What every notebook keeps (clean, thin, existing calls and labels) is in test_notebook_contract.py;
the deck is opened in Chromium (every slide drawn, no network) in tests/test_browser.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from notebook_checks import assert_offline_without_code
from rich.console import Console

from analysis import config, labels
from analysis.slides import ASSET_FILES, NODE_MODULES, install_assets, is_deck

NOTEBOOK = config.NOTEBOOKS_DIR / "briefing.ipynb"
SLIDE_KEYS = ("figures", "ages", "women", "checks", "ballots", "trust")
DISTRICT = config.SAMPLE_DIR / "thuong-tin-2022"  # ballots and trust votes
COMMUNE = config.SAMPLE_DIR / "xa-tien-phong-2022"  # neither
TWO_LEVEL = config.SAMPLE_DIR / "xa-hong-phong-2026"  # trust votes: step 4 only, agree / disagree
needs_samples = pytest.mark.skipif(not DISTRICT.is_dir() or not COMMUNE.is_dir(), reason="make sample")
needs_assets = pytest.mark.skipif(not (NODE_MODULES / "reveal.js").is_dir(), reason="make assets (npm ci)")


def test_marked_as_a_deck(notebook):
    assert is_deck(notebook) and is_deck(NOTEBOOK)
    shown = [c for c in notebook.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    kinds = [c.metadata.get("slideshow", {}).get("slide_type") for c in shown]
    assert kinds[:-1] == ["slide"] * (len(shown) - 1) and kinds[-1] == "skip"  # one idea, one slide


def test_parameters_add_the_committee_room_options(notebook_parameters):
    inferred = notebook_parameters
    assert set(inferred) == {"dataset_path", "as_of", "language", "output_dir", "marking", "pseudonymise",
                             "min_cell"}
    assert (inferred["pseudonymise"]["inferred_type_name"], inferred["min_cell"]["default"]) == ("bool", "3")


def test_every_slide_has_its_text(notebook_code):
    for key in SLIDE_KEYS:
        for language in ("vi", "en"):
            assert labels.text(f"briefing.slides.{key}", language) != f"briefing.slides.{key}"
            assert f'"briefing.slides.{key}"' in notebook_code


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
def test_build_the_deck_in_vietnamese_and_english(tmp_path, build_reports):
    build_reports([DISTRICT, COMMUNE], ["briefing"], out=tmp_path / "vi", jobs=2,
                  console=Console(record=True, width=200), options={"marking": "MẬT"})
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
    assert_offline_without_code(page)
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

    build_reports([DISTRICT], ["briefing"], out=tmp_path / "en", language="en",
                  console=Console(record=True, width=200))
    page = (tmp_path / "en" / "thuong-tin-2022" / "briefing.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page
    for key in SLIDE_KEYS:
        assert labels.text(f"briefing.slides.{key}", "en") in page
        assert labels.text(f"briefing.slides.{key}", "vi") not in page
    # the marking of the config (reports.yml is not read with --dataset): the label, in English
    assert labels.text("report.confidential", "en") in page


@pytest.mark.slow
@needs_assets
@pytest.mark.skipif(not TWO_LEVEL.is_dir(), reason="sample data/sample/xa-hong-phong-2026 missing")
def test_trust_slide_of_two_level_votes_draws_the_agree_results(tmp_path, build_reports):
    build_reports([TWO_LEVEL], ["briefing"], console=Console(record=True, width=200))
    page = (tmp_path / "out" / "xa-hong-phong-2026" / "briefing.html").read_text(encoding="utf-8")
    slide = next(s for s in _slides(page) if labels.text("briefing.slides.trust", "vi") in s)
    assert json.dumps(labels.text("common.no_data", "vi"))[1:-1] not in slide  # as the chart's JSON has it
    # hp-buoc4-2025: 32 of 33 over 50 % agree of the 31 convened, Trần Anh Dũng (14/31 = 45.16 %) not
    for name in ("trust.columns.agreed", "trust.columns.not_agreed"):
        assert json.dumps(labels.text(name, "vi"))[1:-1] in slide
    assert '"y":[32]' in slide and '"y":[1]' in slide


def test_assets_are_listed_for_npm():
    package = json.loads((config.PROJECT_ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((config.PROJECT_ROOT / "package-lock.json").read_text(encoding="utf-8"))
    slide_packages = {Path(source).parts[0] for source in ASSET_FILES}
    assert slide_packages == {"reveal.js", "requirejs", "jquery"}
    assert slide_packages <= set(package["dependencies"])  # beside plotly.js and esbuild (the bundle)
    for name, version in package["dependencies"].items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version  # pinned: npm ci
