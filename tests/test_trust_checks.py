"""Consistency checks of trust votes (analysis.trust_checks): flags, problems, printed percentages."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from trust_tables import conferences, one, votes

from analysis import labels, trust, trust_checks, trust_rules


# Consistency checks -----------------------------------------------------------------------

@pytest.mark.parametrize("printed, flagged", [
    ("11,76", False), ("11.76", False), ("11,76%", False), (" 11,76 % ", False),
    ("11,8", False),     # one decimal printed: its own rounding (11.7647 -> 11.8) is allowed
    ("12", False),       # whole percent printed
    ("11,77", False),    # within the 0.01 tolerance (exact 11.7647…)
    ("11,70", True), ("17,76", True), ("1176", True), ("11,9", True),
])
def test_printed_percentage_against_count_over_base(printed, flagged):
    table, problems = trust.analyse(one(high=20, trust=8, low=4, low_pct=printed), conferences())
    assert ("pct_mismatch:low" in table.iloc[0]["flags"]) is flagged
    assert bool([p for p in problems if p["code"] == "pct_mismatch"]) is flagged


def test_a_percentage_that_disagrees_with_its_count_is_reported_with_row_and_both_languages():
    df = votes([
        dict(conference_id="c1", person_id="001", full_name="Nguyễn Văn An", high=20, trust=8, low=4,
             high_pct="58,82", trust_pct="23,53", low_pct="11,76"),
        dict(conference_id="c1", person_id="002", full_name="Trần Thị Bình", high=10, trust=16, low=8,
             high_pct="29,41", trust_pct="47,06", low_pct="32,53"),   # typed 32,53 for 23,53
    ])
    table, problems = trust.analyse(df, conferences())
    assert table["flags"].tolist() == ["", "pct_mismatch:low"]
    assert table.loc[1, "low_pct"] == 23.53  # the computed value is what the table shows
    (p,) = problems
    assert (p["code"], p["flag"], p["row"], p["column"], p["value"], p["expected"]) == (
        "pct_mismatch", "pct_mismatch:low", 3, "low_pct", "32,53", "23.53")
    assert p["severity"] == "warning" and p["person_id"] == "002"
    assert "32,53" in p["message_vi"] and "Trần Thị Bình" in p["message_vi"] and "8 ÷ 34" in p["message_vi"]
    assert "differs" in p["message_en"] and "32,53" in p["message_en"]
    assert trust.consistency_problems(df, conferences()) == problems


def test_excel_percentage_cells_read_as_fractions():
    df = votes([
        dict(conference_id="c1", person_id="1", full_name="A", high=20, trust=8, low=4, low_pct="0.1176"),
        dict(conference_id="c1", person_id="2", full_name="B", high=10, trust=16, low=8, low_pct="0.2353"),
        dict(conference_id="c1", person_id="3", full_name="C", high=10, trust=16, low=8, low_pct="0.3253"),
    ])
    table = trust.trust_table(df, conferences())
    assert table["flags"].tolist() == ["", "", "pct_mismatch:low"]


def test_unreadable_printed_percentage_is_flagged():
    table, problems = trust.analyse(one(high=20, trust=8, low=4, low_pct="11,76,5"), conferences())
    assert table.iloc[0]["flags"] == "pct_unreadable:low"
    assert problems[0]["code"] == "pct_unreadable"


def test_counts_summing_above_ballots_collected():
    table, problems = trust.analyse(one(high=20, trust=10, low=5), conferences())  # 35 > 34
    assert table.iloc[0]["flags"] == "over_collected"
    (p,) = problems
    assert (p["value"], p["expected"]) == ("35", "34")
    assert "Số phiếu thu về" in p["message_vi"] and "Ballots collected" in p["message_en"]


def test_total_far_from_the_others_is_a_probable_typing_error():
    rows = [dict(conference_id="c1", person_id=str(n), full_name=f"P{n}", high=20, trust=10, low=4)
            for n in range(5)]                         # totals 34
    rows[1]["low"] = 2                                 # 32: within max(2, 5 % of 34 = 1.7) -> fine
    rows[3]["high"] = 2                                # 16: far -> a typing error (20 typed 2)
    table = trust.trust_table(votes(rows), conferences(ballots_collected=40))
    assert table["flags"].tolist() == ["", "", "", "total_outlier", ""]


def test_outlier_needs_enough_people():
    rows = [dict(conference_id="c1", person_id="1", full_name="A", high=20, trust=10, low=4),
            dict(conference_id="c1", person_id="2", full_name="B", high=2, trust=10, low=4)]
    assert trust.trust_table(votes(rows), conferences())["flags"].tolist() == ["", ""]


@pytest.mark.parametrize("present, flagged", [(27, False), (26, True)])  # 2/3 of 40 = 26.67
def test_quorum_under_two_thirds(present, flagged):
    table, problems = trust.analyse(one(high=10, trust=10, low=4), conferences(present=present))
    assert (table.iloc[0]["flags"] == "quorum") is flagged
    assert [p["code"] for p in problems] == (["quorum"] if flagged else [])
    assert bool(trust.conference_table(conferences(present=present))["quorum_ok"].iloc[0]) is (not flagged)


def test_quorum_exactly_two_thirds_is_enough():
    confs = conferences(convened=30, present=20)
    assert bool(trust.conference_table(confs)["quorum_ok"].iloc[0]) is True


def test_flags_are_joined_in_a_stable_order():
    df = one(high=30, trust=10, low=5, low_pct="99")
    table = trust.trust_table(df, conferences(present=10))
    assert table.iloc[0]["flags"] == "pct_mismatch:low;over_collected;quorum"


def test_missing_base_count_and_missing_counts():
    df = votes([dict(conference_id="c1", person_id="1", full_name="A", high=1, trust=pd.NA, low=1),
                dict(conference_id="zz", person_id="2", full_name="B", high=1, trust=1, low=1)])
    table = trust.trust_table(df, conferences())
    flags = table.set_index("person_id")["flags"]
    assert flags["1"] == "count_missing"
    assert flags["2"] == "base_missing"
    assert pd.isna(table.set_index("person_id").loc["2", "low_pct"])


def test_duplicate_person_in_one_vote():
    df = votes([dict(conference_id="c1", person_id="1", full_name="A", high=20, trust=10, low=4)] * 2)
    assert trust.trust_table(df, conferences())["flags"].tolist() == ["duplicate", "duplicate"]


def test_unsure_base_is_flagged_and_reported():
    confs = conferences(body="council", date=pd.Timestamp("2023-01-01"), date_precision="year")
    table, problems = trust.analyse(one(high=20, trust=8, low=4), confs)
    assert table.iloc[0]["flags"] == "base_unsure"
    assert [p["code"] for p in problems] == ["base_unsure"]


def test_missing_base_count_is_reported_once_per_vote():
    rows = [dict(conference_id="c1", person_id=str(n), full_name=f"P{n}", high=1, trust=1, low=1) for n in range(3)]
    table, problems = trust.analyse(votes(rows), conferences(ballots_collected=pd.NA))
    assert table["flags"].tolist() == ["base_missing"] * 3
    (p,) = problems
    assert p["code"] == "base_missing" and p["row"] == 2 and "Phiếu thu về" in p["message_vi"]


# Printed percentages, rules, labels -------------------------------------------------------

@pytest.mark.parametrize("typed, value, decimals", [
    ("61,54", "61.54", 2), ("61.54", "61.54", 2), ("61,54%", "61.54", 2), (" 61,54 % ", "61.54", 2),
    ("62", "62", 0), ("0,6154", "0.6154", 4), ("61,5\u00a0%", "61.5", 1),
])
def test_parse_printed_pct(typed, value, decimals):
    got = trust_checks.parse_printed_pct(typed)
    assert (got.value, got.decimals) == (Decimal(value), decimals)


@pytest.mark.parametrize("typed", ["", None, float("nan"), pd.NA])
def test_parse_printed_pct_empty(typed):
    assert trust_checks.parse_printed_pct(typed) is None


@pytest.mark.parametrize("typed", ["abc", "61,54,1", "61 54", "%"])
def test_parse_printed_pct_bad(typed):
    with pytest.raises(ValueError):
        trust_checks.parse_printed_pct(typed)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_code_has_a_label(language):
    texts = labels._texts(language)
    for code in trust_checks.FLAG_CODES:
        assert f"codes.trust_flag.{code}" in texts
    for code in (*trust_checks.FLAG_CODES, "level_missing", "raw_duplicate", "person_missing"):
        assert f"trust.problems.{code}" in texts
    for band in trust_rules.BANDS:
        assert f"codes.low_band.{band}" in texts
    for group in [g.group for g in trust_rules.load_trust_rules().position_groups] + ["other"]:
        assert f"codes.position_group.{group}" in texts
