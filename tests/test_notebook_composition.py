"""notebooks/composition.ipynb: its parameters, the charts it shows and the labels of its summary.

What every notebook keeps (clean, thin, existing calls and labels) is in test_notebook_contract.py;
the end-to-end run of this notebook on the sample dataset is in tests/test_build.py (slow).
"""

from __future__ import annotations

import re

import pytest
from notebook_checks import code_attributes, label_keys

from analysis import config, labels

NOTEBOOK = config.NOTEBOOKS_DIR / "composition.ipynb"
STANDARD = {"dataset_path", "as_of", "language", "output_dir"}
MEASURES = ("people", "women", "women_pct", "ethnic_minority", "ethnic_minority_pct", "mean_age")


def test_parameters_are_the_standard_four(notebook_parameters):
    assert set(notebook_parameters) == STANDARD
    assert {spec["inferred_type_name"] for spec in notebook_parameters.values()} == {"str"}


def test_shows_every_composition_figure(notebook_code):
    assert code_attributes(notebook_code, "age_charts") == {"age_pyramid", "age_bands", "tiers_by_title",
                                                            "eligibility"}
    shown = set(re.findall(r'"([a-z_]+)"\)\s*$', notebook_code, flags=re.M))
    shown |= set(re.findall(r', "([a-z_]+)"\)', notebook_code))
    assert {"age_pyramid", "age_bands", "tiers", "women", "ethnicity", "sectors", "education",
            "political_theory", "eligibility", "checks"} <= shown
    assert "ctx.save_summary(summary)" in notebook_code and "comp.summary(" in notebook_code


@pytest.mark.parametrize("language", ["vi", "en"])
def test_summary_measures_have_labels(notebook_code, language):
    measures = {f"report.composition.measures.{k}" for k in MEASURES}
    keys = label_keys(notebook_code) | measures
    assert len(keys) > 10
    for key in measures:
        assert labels.text(key, language) != key, key
        assert key in labels._texts(language), f"{key} missing in {language}"
