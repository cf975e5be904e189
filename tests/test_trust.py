"""Trust votes (analysis.trust): percentages over each base, bands, thresholds, raw ballots — hand-computed."""

from __future__ import annotations

import pandas as pd
import pytest
from trust_tables import conferences, one, three_people, votes

from analysis import trust
from analysis.errors import ParameterError


# Percentages over each base ----------------------------------------------------------------

@pytest.mark.parametrize("base, count, high, trust_, low", [
    ("convened", 40, 50.00, 20.00, 10.00),          # 20/40, 8/40, 4/40
    ("present", 36, 55.56, 22.22, 11.11),           # 55.555…, 22.222…, 11.111…
    ("ballots_issued", 35, 57.14, 22.86, 11.43),    # 57.1428…, 22.857…, 11.4285…
    ("ballots_collected", 34, 58.82, 23.53, 11.76),  # 58.8235…, 23.529…, 11.7647…
    ("ballots_valid", 32, 62.50, 25.00, 12.50),
])
def test_percentages_for_each_base(base, count, high, trust_, low):
    table = trust.trust_table(one(high=20, trust=8, low=4), conferences(), base=base)
    row = table.iloc[0]
    assert (row["base"], row["base_count"], row["base_source"]) == (base, count, "parameter")
    assert (row["high_pct"], row["trust_pct"], row["low_pct"]) == (high, trust_, low)


def test_default_base_is_ballots_collected_and_conference_base_wins_over_default():
    row = trust.trust_table(one(high=20, trust=8, low=4), conferences()).iloc[0]
    assert (row["base"], row["base_source"], row["low_pct"]) == ("ballots_collected", "default", 11.76)
    row = trust.trust_table(one(high=20, trust=8, low=4), conferences(base="present")).iloc[0]
    assert (row["base"], row["base_source"], row["low_pct"]) == ("present", "conference", 11.11)
    # the report's parameter wins over the conference's column
    row = trust.trust_table(one(high=20, trust=8, low=4), conferences(base="present"), base="convened").iloc[0]
    assert (row["base"], row["base_source"]) == ("convened", "parameter")
    # a regime's default replaces the rule file's default, not a conference's own base
    row = trust.trust_table(one(high=20, trust=8, low=4), conferences(), default_base="ballots_valid").iloc[0]
    assert (row["base"], row["low_pct"]) == ("ballots_valid", 12.5)


def test_unknown_base_is_a_bilingual_parameter_error():
    with pytest.raises(ParameterError, match="Cơ sở tính.*unknown base 'voters'"):
        trust.trust_table(one(high=1, trust=1, low=1), conferences(), base="voters")


@pytest.mark.parametrize("count, base, expected", [
    (1, 800, 0.13),      # 0.125 exactly: half up (round-half-even would give 0.12)
    (5, 800, 0.63),      # 0.625 -> 0.63 (half-even: 0.62)
    (107, 4000, 2.68),   # 2.675: float round() gives 2.67
    (1, 3, 33.33),
    (2, 3, 66.67),
    (1, 16, 6.25),
])
def test_rounding_half_up_at_5(count, base, expected):
    row = trust.trust_table(one(high=0, trust=0, low=count), conferences(ballots_collected=base)).iloc[0]
    assert row["low_pct"] == expected


# Bands and thresholds ---------------------------------------------------------------------

@pytest.mark.parametrize("low, base, pct, band", [
    (15, 30, 50.00, "none"),            # exactly 1/2 is not "more than half"
    (16, 30, 53.33, "over_half"),
    (19, 30, 63.33, "over_half"),
    (20, 30, 66.67, "two_thirds"),      # exactly 2/3
    (2, 3, 66.67, "two_thirds"),
    (30, 30, 100.00, "two_thirds"),
    (0, 30, 0.00, "none"),
    (9999, 20000, 50.00, "none"),       # 49.995 % prints as 50,00 but is under 1/2
    (10001, 20000, 50.01, "over_half"),
    (13333, 20000, 66.67, "over_half"),  # 66.665 % prints as 66,67 but is under 2/3
    (13334, 20000, 66.67, "two_thirds"),
])
def test_bands_compare_exact_fractions(low, base, pct, band):
    row = trust.trust_table(one(high=0, trust=base - low, low=low),
                            conferences(ballots_collected=base, convened=base, present=base)).iloc[0]
    assert row["low_pct"] == pct
    assert row["low_band"] == band


def test_two_level_votes_agree_threshold_more_than_half():
    df = votes([
        dict(conference_id="c1", person_id="1", full_name="A", agree=16, disagree=14),
        dict(conference_id="c1", person_id="2", full_name="B", agree=15, disagree=15),
        dict(conference_id="c1", person_id="3", full_name="C", agree=30, disagree=0),
    ])
    table = trust.trust_table(df, conferences(ballots_collected=30, convened=30, present=30))
    assert table["form"].tolist() == ["two_level"] * 3
    assert table["agree_pct"].tolist() == [53.33, 50.0, 100.0]
    assert table["disagree_pct"].tolist() == [46.67, 50.0, 0.0]
    assert table["agree_passed"].tolist() == [True, False, True]
    assert table["low_band"].isna().all()  # QĐ 96 bands are for three-level votes only
    csv = trust.trust_csv(table)
    assert {"agree", "disagree", "agree_pct", "disagree_pct", "agree_passed"} <= set(csv.columns)


def test_three_and_two_level_votes_in_one_table():
    confs = pd.concat([conferences(), conferences(conference_id="c2", body="bch", ballots_collected=30)])
    df = votes([
        dict(conference_id="c1", person_id="1", full_name="A", high=20, trust=8, low=4),
        dict(conference_id="c2", person_id="1", full_name="A", agree=25, disagree=5),
    ])
    table = trust.trust_table(df, confs)
    assert table.set_index("conference_id")["form"].to_dict() == {"c1": "three_level", "c2": "two_level"}
    assert table.set_index("conference_id").loc["c2", "agree_pct"] == 83.33


# Base by body and date (rule file) --------------------------------------------------------

@pytest.mark.parametrize("body, day, precision, base, source", [
    ("assembly", "2023-06-30", "day", "convened", "rule"),            # Nghị quyết 85/2014
    ("assembly", "2023-07-01", "day", "ballots_collected", "rule"),   # Nghị quyết 96/2023
    ("council", "2019-12-05", "day", "convened", "rule"),
    ("council", "2024-12-05", "day", "ballots_collected", "rule"),
    ("council", "2023-06-01", "month", "convened", "rule"),           # 06/2023: all before 1 July
    ("council", "2023-01-01", "year", "ballots_collected", "default"),  # "2023": cannot tell
    ("assembly", None, None, "ballots_collected", "default"),
    ("bch", "2019-12-05", "day", "ballots_collected", "default"),      # party: QĐ 96 default
])
def test_base_by_body_and_date(body, day, precision, base, source):
    confs = conferences(body=body, date=pd.Timestamp(day) if day else pd.NaT, date_precision=precision)
    row = trust.conference_table(confs).iloc[0]
    assert (row["base"], row["base_source"]) == (base, source)
    assert bool(row["base_unsure"]) is (body in ("assembly", "council") and source == "default")


def test_conference_base_column_wins_over_the_body_rule():
    confs = conferences(body="assembly", date=pd.Timestamp("2020-01-01"), base="ballots_valid")
    assert trust.conference_table(confs).iloc[0]["base"] == "ballots_valid"


# Raw ballots ------------------------------------------------------------------------------

def test_raw_ballots_are_counted_and_ballot_ids_never_leave():
    raw = pd.DataFrame({
        "conference_id": ["c1"] * 9,
        "ballot_id": ["b1", "b2", "b3", "b4", "b1", "b2", "b3", "b4", "b4"],
        "person_id": ["1", "1", "1", "1", "2", "2", "2", "2", "2"],
        "level": ["high", "high", "trust", "low", "low", "low", "low", "high", "trust"],
    })
    confs = conferences(convened=4, present=4, ballots_issued=4, ballots_collected=4, ballots_valid=4)
    people = pd.DataFrame({"person_id": ["1", "2"], "full_name": ["Lò Văn Bun", "Vi Thị Mai"],
                           "position": ["Bí thư Đảng ủy xã Pù Nhi", "Trưởng phòng Nội vụ"]})
    table, problems = trust.analyse(raw, confs, people=people)
    by = table.set_index("person_id")
    assert by.loc["1", ["high", "trust", "low"]].tolist() == [2, 1, 1]
    assert by.loc["2", ["high", "trust", "low"]].tolist() == [0, 0, 3]  # b4 marks 2 twice: not counted
    assert by.loc["2", "low_pct"] == 75.0 and by.loc["2", "low_band"] == "two_thirds"
    assert by.loc["1", "full_name"] == "Lò Văn Bun"
    assert [p["code"] for p in problems] == ["raw_duplicate"]
    assert "b4" not in str(problems) and "ballot_id" not in table.columns
    assert not table.astype(str).isin(["b1", "b2", "b3", "b4"]).any().any()


# Summary, trust.csv, empty and raw tables ---------------------------------------------------

def test_summary():
    table = three_people()
    summary = trust.summary(table, [])
    assert {"votes", "rows", "people", "over_half", "two_thirds", "flagged_rows", "problems"} <= set(summary)
    assert (summary["over_half"], summary["two_thirds"], summary["people"]) == (1, 1, 3)
    vote = summary["votes"][0]
    assert vote["base"] == "ballots_collected" and vote["base_count"] == 30 and vote["date"] == "2024-03-01"
    assert all(type(v) in (int, str, bool, float) or v is None for v in vote.values())


def test_summary_counts_two_level_votes_apart_from_the_bands():
    # c1: agree / disagree over 30 convened (16/30 = 53.33 % passes, 15/30 = 50 % does not);
    # c2: one three-level vote, 20 low of 34 collected = 58.82 %: over 1/2
    confs = pd.concat([conferences(ballots_collected=30, convened=30, present=30),
                       conferences(conference_id="c2", date=pd.Timestamp("2024-06-01"))])
    two = [dict(conference_id="c1", person_id="1", full_name="A", agree=16, disagree=14),
           dict(conference_id="c1", person_id="2", full_name="B", agree=15, disagree=15),
           dict(conference_id="c1", person_id="3", full_name="C", agree=30, disagree=0)]
    summary = trust.summary(trust.trust_table(votes(two), confs), [])
    assert (summary["three_level_votes"], summary["two_level_votes"]) == (0, 1)
    assert (summary["two_level_people"], summary["agree_not_passed"]) == (3, 1)  # B
    assert (summary["over_half"], summary["two_thirds"]) == (0, 0)  # disagree is not "tín nhiệm thấp"
    three = [dict(conference_id="c2", person_id="1", full_name="A", high=10, trust=4, low=20)]
    summary = trust.summary(trust.trust_table(votes(two + three), confs), [])
    assert (summary["three_level_votes"], summary["two_level_votes"], summary["people"]) == (1, 1, 3)
    assert (summary["two_level_people"], summary["agree_not_passed"], summary["over_half"]) == (3, 1, 1)


def test_trust_csv_has_the_contract_columns():
    csv = trust.trust_csv(three_people())
    assert list(csv.columns) == ["conference_id", "person_id", "full_name", "high", "trust", "low", "base",
                                 "base_count", "high_pct", "trust_pct", "low_pct", "low_band", "flags"]


def test_empty_trust_votes():
    empty = votes([dict(conference_id="c1", person_id="1", full_name="A", high=1, trust=1, low=1)]).iloc[:0]
    table = trust.trust_table(empty, conferences())
    assert table.empty and list(trust.trust_csv(table).columns)[:3] == ["conference_id", "person_id", "full_name"]
    assert trust.summary(table, [])["rows"] == 0


def test_raw_ballots_of_a_three_level_and_a_two_level_vote():
    raw = pd.DataFrame({"conference_id": ["c1", "c1", "c2", "c2"], "ballot_id": ["1", "2", "1", "2"],
                        "person_id": ["1", "1", "1", "1"], "level": ["high", "high", "agree", "agree"]})
    confs = pd.concat([conferences(ballots_collected=2), conferences(conference_id="c2", ballots_collected=2)])
    table = trust.trust_table(raw, confs).set_index("conference_id")
    assert table.loc["c1", ["high", "trust", "low"]].tolist() == [2, 0, 0]
    assert table.loc["c1", ["agree", "disagree"]].isna().all()
    assert table.loc["c2", ["agree", "disagree"]].tolist() == [2, 0]
    assert table.loc["c2", ["high", "trust", "low"]].isna().all()
    assert table["flags"].tolist() == ["", ""]


def test_dataset_without_trust_votes_gives_an_empty_table():
    table, problems = trust.analyse(None, None)
    assert table.empty and problems == []
    assert list(trust.trust_csv(table).columns) == list(trust.CSV_COLUMNS)
    assert trust.summary(table, problems)["votes"] == []
    table, _ = trust.analyse(None, conferences())
    assert table.empty


def test_raw_rows_without_level_or_person_are_reported_not_counted():
    raw = pd.DataFrame({"conference_id": ["c1"] * 4, "ballot_id": ["1", "2", "3", "4"],
                        "person_id": ["1", "1", pd.NA, "1"], "level": ["high", pd.NA, "low", "low"]})
    table, problems = trust.analyse(raw, conferences(ballots_collected=4))
    assert table[["high", "trust", "low"]].iloc[0].tolist() == [1, 0, 1]
    assert sorted(p["code"] for p in problems) == ["level_missing", "person_missing"]
    empty, problems = trust.analyse(raw.assign(level=pd.NA), conferences())
    assert empty.empty and [p["code"] for p in problems] == ["level_missing"]


def test_conference_table_keeps_the_votes_asked_for():
    confs = pd.concat([conferences(), conferences(conference_id="c2")])
    assert trust.conference_table(confs, conference_ids=pd.Series(["c2", "c2"]))["conference_id"].tolist() == ["c2"]
    assert trust.conference_table(None).empty
    row = trust.summary(trust.trust_table(one(high=20, trust=8, low=4), conferences()), [])
    assert row["default_base_used"] is True
    row = trust.summary(trust.trust_table(one(high=20, trust=8, low=4), conferences(base="present")), [])
    assert row["default_base_used"] is False
