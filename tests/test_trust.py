"""Trust votes (analysis.trust): percentages, bands, thresholds, checks, rounds — hand-computed."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest

from analysis import labels, trust
from analysis.errors import ParameterError, RulesError

I64 = "Int64"


def conferences(**over) -> pd.DataFrame:
    """One conference `c1` (bch, 2024) with distinct counts for every base, unless overridden."""
    row = dict(conference_id="c1", step=pd.NA, body="bch", date=pd.Timestamp("2024-03-01"),
               date_precision="day", convened=40, present=36, ballots_issued=35, ballots_collected=34,
               ballots_valid=32, base=pd.NA)
    row.update(over)
    df = pd.DataFrame([row])
    for col in ("step", "convened", "present", "ballots_issued", "ballots_collected", "ballots_valid"):
        df[col] = df[col].astype(I64)
    df["base"] = df["base"].astype("str")
    df.index = pd.Index([2], name="excel_row")
    return df


def votes(rows: list[dict], first_row: int = 2) -> pd.DataFrame:
    """Counted trust votes with the index as the Excel row number (header on row 1)."""
    df = pd.DataFrame(rows)
    for col in ("high", "trust", "low", "agree", "disagree"):
        if col in df.columns:
            df[col] = df[col].astype(I64)
    df.index = pd.Index(range(first_row, first_row + len(df)), name="excel_row")
    return df


def one(**counts) -> pd.DataFrame:
    return votes([dict(conference_id="c1", person_id="001", full_name="Nguyễn Văn An", **counts)])


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


def test_unsure_base_is_flagged_and_reported():
    confs = conferences(body="council", date=pd.Timestamp("2023-01-01"), date_precision="year")
    table, problems = trust.analyse(one(high=20, trust=8, low=4), confs)
    assert table.iloc[0]["flags"] == "base_unsure"
    assert [p["code"] for p in problems] == ["base_unsure"]


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


# Rounds -----------------------------------------------------------------------------------

def test_same_person_across_rounds_by_id_and_by_name():
    confs = pd.concat([
        conferences(conference_id="tn-2023", date=pd.Timestamp("2023-11-10")),
        conferences(conference_id="tn-2024", date=pd.Timestamp("2024-11-12")),
    ])
    df = votes([
        dict(conference_id="tn-2024", person_id=pd.NA, full_name="NGUYỄN VĂN AN", high=10, trust=4, low=20),
        dict(conference_id="tn-2023", person_id="001", full_name="Nguyễn Văn An", high=20, trust=8, low=4),
        dict(conference_id="tn-2023", person_id="002", full_name="Lê Thị Hoa", high=20, trust=8, low=4),
        dict(conference_id="tn-2023", person_id="003", full_name="Lê Thị Hoa", high=20, trust=8, low=4),
        dict(conference_id="tn-2024", person_id=pd.NA, full_name="Lê Thị Hoa", high=20, trust=8, low=4),
        dict(conference_id="tn-2023", person_id=pd.NA, full_name="Đỗ Văn Tú", high=20, trust=8, low=4),
        dict(conference_id="tn-2024", person_id=pd.NA, full_name="Do Van Tu", high=20, trust=8, low=4),
    ])
    rounds = trust.match_rounds(trust.trust_table(df, confs))
    an = rounds[rounds["person_key"] == "id:001"]
    assert an["conference_id"].tolist() == ["tn-2023", "tn-2024"]
    assert an["round"].tolist() == [1, 2] and an["rounds"].tolist() == [2, 2]
    assert an["matched_by"].tolist() == ["id", "name"]
    assert an["low_pct"].tolist() == [11.76, 58.82]
    assert an["person_id"].tolist() == ["001", "001"]
    # two people named Lê Thị Hoa: the id-less row cannot be given either id
    hoa = rounds[rounds["full_name"] == "Lê Thị Hoa"]
    assert sorted(hoa["person_key"]) == ["id:002", "id:003", "name:le thi hoa"]
    assert hoa["rounds"].tolist() == [1, 1, 1]
    # no ids at all: matched by folded name
    tu = rounds[rounds["person_key"] == "name:do van tu"]
    assert tu["rounds"].tolist() == [2, 2]


# Groups, distributions, summary -----------------------------------------------------------

@pytest.mark.parametrize("position, group", [
    ("Bí thư Huyện ủy", "key_leaders"),
    ("Phó Chủ tịch UBND huyện", "key_leaders"),
    ("Chủ tịch HĐND huyện", "key_leaders"),
    ("Phó Chánh Văn phòng Huyện ủy", "party"),
    ("Trưởng Ban Tổ chức Huyện ủy", "party"),
    ("Trưởng phòng Tài chính – Kế hoạch", "government"),
    ("Trưởng phòng Lao động – Thương binh và Xã hội", "government"),
    ("Bí thư Đảng ủy xã Tiền Phong", "commune"),
    ("Chủ tịch UBND thị trấn", "commune"),
    ("Chỉ huy trưởng Ban CHQS huyện", "armed_forces"),
    ("Trưởng Công an huyện", "armed_forces"),
    ("Chủ tịch Ủy ban MTTQ huyện", "front"),
    ("Bí thư Huyện đoàn", "front"),
    ("Chủ tịch Hội Nông dân huyện", "front"),
    ("Giáo viên", "other"),
])
def test_position_groups(position, group):
    assert trust.position_groups(pd.Series([position])).tolist() == [group]


def test_position_group_falls_back_to_sector_when_position_missing():
    got = trust.position_groups(pd.Series([pd.NA, None]), fallback=pd.Series(["front", pd.NA]))
    assert got.tolist() == ["front", "other"]


def _three_people() -> pd.DataFrame:
    return trust.trust_table(votes([
        dict(conference_id="c1", person_id="1", full_name="A", position="Bí thư Huyện ủy", high=30, trust=0, low=0),
        dict(conference_id="c1", person_id="2", full_name="B", position="Phó Bí thư Huyện ủy", high=0, trust=14, low=16),
        dict(conference_id="c1", person_id="3", full_name="C", position="Trưởng phòng Nội vụ", high=0, trust=10, low=20),
    ]), conferences(convened=30, present=30, ballots_issued=30, ballots_collected=30, ballots_valid=30))


def test_position_group_table_means_of_exact_shares():
    groups = trust.position_group_table(_three_people())
    assert groups["position_group"].tolist() == ["key_leaders", "government"]
    leaders = groups.iloc[0]
    assert leaders["people"] == 2
    assert (leaders["high_pct"], leaders["trust_pct"], leaders["low_pct"]) == (50.0, 23.33, 26.67)
    assert (leaders["over_half"], leaders["two_thirds"]) == (1, 0)
    assert groups.iloc[1][["low_pct", "two_thirds"]].tolist() == [66.67, 1]


def test_low_share_bins():
    bins = trust.low_share_bins(_three_people(), width=10)
    assert len(bins) == 10 and bins["people"].sum() == 3
    by = bins.set_index("bin_from")["people"]
    assert (by[0], by[50], by[60]) == (1, 1, 1)  # 0 %, 53.33 %, 66.67 %
    with pytest.raises(ParameterError):
        trust.low_share_bins(_three_people(), width=7)


def test_vote_summary_and_summary():
    table = _three_people()
    s = trust.vote_summary_table(table)
    row = s.iloc[0]
    assert (row["people"], row["none"], row["over_half"], row["two_thirds"]) == (3, 1, 1, 1)
    assert row["low_pct"] == 40.0   # (0 + 16/30 + 20/30) / 3 = 40 %
    assert trust.vote_summary_table(table, by="year")["year"].tolist() == [2024]
    summary = trust.summary(table, [])
    assert {"votes", "rows", "people", "over_half", "two_thirds", "flagged_rows", "problems"} <= set(summary)
    assert (summary["over_half"], summary["two_thirds"], summary["people"]) == (1, 1, 3)
    vote = summary["votes"][0]
    assert vote["base"] == "ballots_collected" and vote["base_count"] == 30 and vote["date"] == "2024-03-01"
    assert all(type(v) in (int, str, bool, float) or v is None for v in vote.values())


def test_trust_csv_has_the_contract_columns():
    csv = trust.trust_csv(_three_people())
    assert list(csv.columns) == ["conference_id", "person_id", "full_name", "high", "trust", "low", "base",
                                 "base_count", "high_pct", "trust_pct", "low_pct", "low_band", "flags"]


def test_empty_trust_votes():
    empty = votes([dict(conference_id="c1", person_id="1", full_name="A", high=1, trust=1, low=1)]).iloc[:0]
    table = trust.trust_table(empty, conferences())
    assert table.empty and list(trust.trust_csv(table).columns)[:3] == ["conference_id", "person_id", "full_name"]
    assert trust.summary(table, [])["rows"] == 0


# Printed percentages, rules, labels -------------------------------------------------------

@pytest.mark.parametrize("typed, value, decimals", [
    ("61,54", "61.54", 2), ("61.54", "61.54", 2), ("61,54%", "61.54", 2), (" 61,54 % ", "61.54", 2),
    ("62", "62", 0), ("0,6154", "0.6154", 4), ("61,5\u00a0%", "61.5", 1),
])
def test_parse_printed_pct(typed, value, decimals):
    got = trust.parse_printed_pct(typed)
    assert (got.value, got.decimals) == (Decimal(value), decimals)


@pytest.mark.parametrize("typed", ["", None, float("nan"), pd.NA])
def test_parse_printed_pct_empty(typed):
    assert trust.parse_printed_pct(typed) is None


@pytest.mark.parametrize("typed", ["abc", "61,54,1", "61 54", "%"])
def test_parse_printed_pct_bad(typed):
    with pytest.raises(ValueError):
        trust.parse_printed_pct(typed)


def test_rule_file_is_exact_fractions():
    rules = trust.load_trust_rules()
    assert rules.default_base == "ballots_collected"
    assert [(b.band, b.value) for b in rules.three_level.bands] == [("over_half", Fraction(1, 2)),
                                                                      ("two_thirds", Fraction(2, 3))]
    assert rules.quorum.at_least == Fraction(2, 3)
    assert rules.printed_pct.tolerance == Fraction(1, 100)


def test_bands_come_from_the_rule_file(tmp_path):
    text = trust.RULES_FILE.read_text(encoding="utf-8").replace('at_least: "2/3"', 'at_least: "3/5"', 1)
    path = tmp_path / "trust.yml"
    path.write_text(text, encoding="utf-8")
    rules = trust.load_trust_rules(path)
    row = trust.trust_table(one(high=0, trust=12, low=18), conferences(ballots_collected=30), rules=rules).iloc[0]
    assert row["low_band"] == "two_thirds"  # 18/30 = 3/5 meets the local bound


@pytest.mark.parametrize("change", [('above: "1/2"', 'above: "half"'), ("base: convened", "base: voters"),
                                    ("min_people: 3", "min_people: 3\n  typo: 1")])
def test_malformed_rule_file(tmp_path, change):
    path = tmp_path / "trust.yml"
    path.write_text(trust.RULES_FILE.read_text(encoding="utf-8").replace(*change, 1), encoding="utf-8")
    with pytest.raises(RulesError, match="malformed rules file"):
        trust.load_trust_rules(path)


def test_trust_rules_are_not_a_regime():
    from analysis.rules import available_regimes

    assert "trust" not in available_regimes()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_code_has_a_label(language):
    texts = labels._texts(language)
    for code in trust.FLAG_CODES:
        assert f"codes.trust_flag.{code}" in texts
    for code in (*trust.FLAG_CODES, "level_missing", "raw_duplicate", "person_missing"):
        assert f"trust.problems.{code}" in texts
    for band in trust.BANDS:
        assert f"codes.low_band.{band}" in texts
    for group in [g.group for g in trust.load_trust_rules().position_groups] + ["other"]:
        assert f"codes.position_group.{group}" in texts


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


def test_missing_base_count_is_reported_once_per_vote():
    rows = [dict(conference_id="c1", person_id=str(n), full_name=f"P{n}", high=1, trust=1, low=1) for n in range(3)]
    table, problems = trust.analyse(votes(rows), conferences(ballots_collected=pd.NA))
    assert table["flags"].tolist() == ["base_missing"] * 3
    (p,) = problems
    assert p["code"] == "base_missing" and p["row"] == 2 and "Phiếu thu về" in p["message_vi"]


def test_conference_table_keeps_the_votes_asked_for():
    confs = pd.concat([conferences(), conferences(conference_id="c2")])
    assert trust.conference_table(confs, conference_ids=pd.Series(["c2", "c2"]))["conference_id"].tolist() == ["c2"]
    assert trust.conference_table(None).empty
    row = trust.summary(trust.trust_table(one(high=20, trust=8, low=4), conferences()), [])
    assert row["default_base_used"] is True
    row = trust.summary(trust.trust_table(one(high=20, trust=8, low=4), conferences(base="present")), [])
    assert row["default_base_used"] is False
