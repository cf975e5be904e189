"""Rule sets as data: the shipped regimes, their numbers, and clear errors for bad files."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from analysis.config import RULES_DIR
from analysis.errors import RulesError
from analysis.rules import CHECK_RULES, RuleSet, available_regimes, load_retirement, load_rules


def targets(rules: RuleSet) -> dict[str, tuple[str, float]]:
    return {c.rule: (c.op, c.target) for c in rules.checks}


def test_available_regimes_lists_only_regime_files():
    regimes = available_regimes()
    assert {"kl24", "qd377", "qd50"} <= set(regimes)
    assert "retirement" not in regimes
    assert regimes == sorted(regimes)


@pytest.mark.parametrize("regime", ["qd50", "qd377", "kl24"])
def test_every_shipped_regime_loads(regime):
    rules = load_rules(regime)
    assert rules.id == regime
    assert rules.name.vi and rules.name.en
    assert rules.name.get("en") == rules.name.en
    assert rules.band_keys == ["under_40", "40_50", "50_60", "60_65", "over_65"]
    assert rules.certainty_of("age_bands") == "C"
    assert len(rules.tier_keys) == 3
    assert rules.retirement is not None and rules.retirement.from_year == 2021
    assert rules.ballot_base == "convened"
    assert rules.trust_base == "ballots_collected"
    assert rules.sources


def test_official_bands_put_boundary_ages_in_the_lower_band():
    bands = {b.key: (b.min, b.max) for b in load_rules("qd50").age_bands}
    assert bands == {
        "under_40": (None, 39), "40_50": (40, 50), "50_60": (51, 60),
        "60_65": (61, 65), "over_65": (66, None),
    }


def test_qd50_numbers():
    rules = load_rules("qd50")
    assert targets(rules) == {
        "women_share": (">=", 25),
        "young_share": (">=", 15),
        "people_per_title": ("<=", 4),
        "titles_per_person": ("<=", 3),
        "pool_size_ratio": ("<=", 1.5),
        "ineligible_in_pool": ("==", 0),
    }
    assert rules.check("pool_size_ratio").applies_to == ("bch", "btv")
    assert rules.check("people_per_title").certainty == "M"
    assert rules.check("women_share").certainty == "C"
    assert rules.discipline == "remove"
    assert rules.valid_to == date(2025, 10, 7)


def test_qd377_numbers_and_unknown_pool_size():
    rules = load_rules("qd377")
    got = targets(rules)
    assert got["people_per_title"] == ("<=", 3)
    assert got["titles_per_person"] == ("<=", 3)
    assert "pool_size_ratio" not in got  # not known under QĐ 377: absent, not guessed
    assert rules.check("people_per_title").certainty == "C"
    assert rules.check("women_share").certainty == "M"  # "kept" is remembered
    assert rules.discipline == "flag"
    assert rules.valid_from == date(2025, 10, 8) and rules.valid_to is None
    assert "pool_size_ratio" in rules.notes


def test_kl24_displays_only():
    rules = load_rules("kl24")
    assert rules.checks == ()
    assert rules.display_only
    assert rules.covers(date(2017, 3, 15))
    assert not rules.covers(date(2022, 5, 25))


def test_young_ages_and_service_minimums():
    rules = load_rules("qd50")
    assert [rules.young_age_for(lv) for lv in ("province", "district", "central", "commune")] == [
        40, 40, 45, 35,
    ]
    assert rules.young_age_for("other") is None and rules.young_age_for(None) is None
    assert rules.certainty_of("young_age.commune") == "M"
    assert rules.certainty_of("young_age.district") == "C"
    assert rules.min_months() == 60
    assert rules.min_months("re_election") == 48
    assert rules.min_months("deputy_provincial_secretary") == 42
    with pytest.raises(RulesError, match="re_election"):
        rules.min_months("third_term")


def test_certainty_falls_back_to_the_section_then_to_remembered():
    rules = load_rules("qd50")
    assert rules.certainty_of("age_tiers") == "M"
    assert rules.certainty_of("notes.anything") == "M"


def test_check_judges_with_its_operator():
    check = load_rules("qd50").check("women_share")
    assert check.judge(25.0) is True
    assert check.judge(24.99) is False
    assert check.judge(None) is None
    assert check.unit == "%"
    assert set(CHECK_RULES) >= {c.rule for c in load_rules("qd50").checks}


def test_retirement_schedule_is_data():
    schedule = load_retirement()
    assert schedule.age_months("male", 2020) == 720
    assert schedule.age_months("male", 2021) == 723
    assert schedule.age_months("male", 2028) == 744 == schedule.age_months("male", 2040)
    assert schedule.age_months("female", 2021) == 55 * 12 + 4
    assert schedule.age_months("female", 2034) == 59 * 12 + 8
    assert schedule.age_months("female", 2035) == 720


# Errors ----------------------------------------------------------------------------------------
def test_unknown_regime_is_bilingual_and_lists_the_available_ones():
    with pytest.raises(RulesError) as info:
        load_rules("qd99")
    message = str(info.value)
    assert "Không có bộ quy tắc 'qd99'" in message
    assert "unknown rule set 'qd99'" in message
    for regime in ("kl24", "qd377", "qd50"):
        assert regime in message


@pytest.mark.parametrize("name", ["retirement", "../rules/qd50", "QD50", ""])
def test_non_regimes_and_odd_names_are_unknown(name):
    with pytest.raises(RulesError, match="unknown rule set"):
        load_rules(name)


def write_variant(folder: Path, edit, name: str = "local") -> Path:
    data = yaml.safe_load((RULES_DIR / "qd50.yml").read_text(encoding="utf-8"))
    data["id"] = name
    edit(data)
    path = folder / f"{name}.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_user_regime_is_a_file_not_code(tmp_path):
    def stricter(data):
        for check in data["checks"]:
            if check["rule"] == "women_share":
                check["target"] = 30

    write_variant(tmp_path, stricter)
    assert available_regimes(tmp_path) == ["local"]
    rules = load_rules("local", rules_dir=tmp_path)
    assert rules.target("women_share") == 30
    assert rules.retirement is not None  # the shipped schedule is attached
    # a path to a file works too
    assert load_rules(tmp_path / "local.yml").id == "local"


def broken(key, value):
    def edit(data):
        data[key] = value
    return edit


@pytest.mark.parametrize(
    "edit, where",
    [
        (broken("checks", [{"rule": "women_share", "op": "=>", "target": 25}]), "checks.0.op"),
        (broken("checks", [{"rule": "beauty", "op": ">=", "target": 1}]), "checks.0.rule"),
        (broken("checks", [{"rule": "women_share", "op": ">=", "target": 25, "certainty": "X"}]),
         "checks.0.certainty"),
        (broken("age_bands", [{"key": "a", "min": None, "max": 40}, {"key": "b", "min": 40, "max": None}]),
         "age_bands"),
        (broken("age_bands", [{"key": "a", "min": None, "max": 39}, {"key": "b", "min": 41, "max": None}]),
         "age_bands"),
        (broken("certainty", {"young_age.village": "C"}), "young_age.village"),
        (broken("ballot_base", "everyone"), "ballot_base"),
        (broken("discipline", "ignore"), "discipline"),
        (broken("young_age", {"galaxy": 40}), "young_age"),
        (broken("min_service_months", {"default": "x", "options": {"first_term": 60}}), "min_service_months"),
        (broken("surprise", 1), "surprise"),
        (lambda data: data.pop("name"), "name"),
    ],
)
def test_malformed_files_say_where(tmp_path, edit, where):
    write_variant(tmp_path, edit)
    with pytest.raises(RulesError) as info:
        load_rules("local", rules_dir=tmp_path)
    message = str(info.value)
    assert "Tệp quy tắc không hợp lệ" in message and "malformed rule file" in message
    assert "local.yml" in message
    assert where in message


def test_yaml_syntax_error_is_a_rules_error(tmp_path):
    (tmp_path / "bad.yml").write_text("kind: regime\nid: bad\nname: [unclosed\n", encoding="utf-8")
    with pytest.raises(RulesError, match="bad.yml"):
        load_rules("bad", rules_dir=tmp_path)
    assert available_regimes(tmp_path) == []


def test_id_must_match_the_file_name(tmp_path):
    shutil.copy(RULES_DIR / "qd50.yml", tmp_path / "other.yml")
    with pytest.raises(RulesError, match="must equal the file name"):
        load_rules("other", rules_dir=tmp_path)


def test_a_file_that_is_not_a_mapping(tmp_path):
    path = tmp_path / "list.yml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(RulesError, match="malformed rule file"):
        load_rules(path)
