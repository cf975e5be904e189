"""Trust-vote rules (analysis.trust_rules): exact fractions from rules/trust.yml, malformed files."""

from __future__ import annotations

from fractions import Fraction

import pytest
from trust_tables import conferences, one

from analysis import trust, trust_rules
from analysis.errors import RulesError


def test_rule_file_is_exact_fractions():
    rules = trust_rules.load_trust_rules()
    assert rules.default_base == "ballots_collected"
    assert [(b.band, b.value) for b in rules.three_level.bands] == [("over_half", Fraction(1, 2)),
                                                                      ("two_thirds", Fraction(2, 3))]
    assert rules.quorum.at_least == Fraction(2, 3)
    assert rules.printed_pct.tolerance == Fraction(1, 100)


def test_bands_come_from_the_rule_file(tmp_path):
    text = trust_rules.RULES_FILE.read_text(encoding="utf-8").replace('at_least: "2/3"', 'at_least: "3/5"', 1)
    path = tmp_path / "trust.yml"
    path.write_text(text, encoding="utf-8")
    rules = trust_rules.load_trust_rules(path)
    row = trust.trust_table(one(high=0, trust=12, low=18), conferences(ballots_collected=30), rules=rules).iloc[0]
    assert row["low_band"] == "two_thirds"  # 18/30 = 3/5 meets the local bound


@pytest.mark.parametrize("change", [('above: "1/2"', 'above: "half"'), ("base: convened", "base: voters"),
                                    ("min_people: 3", "min_people: 3\n  typo: 1")])
def test_malformed_rule_file(tmp_path, change):
    path = tmp_path / "trust.yml"
    path.write_text(trust_rules.RULES_FILE.read_text(encoding="utf-8").replace(*change, 1), encoding="utf-8")
    with pytest.raises(RulesError, match="malformed rules file"):
        trust_rules.load_trust_rules(path)


def test_trust_rules_are_not_a_regime():
    from analysis.rules import available_regimes

    assert "trust" not in available_regimes()
