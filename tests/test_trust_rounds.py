"""Trust votes compared (analysis.trust_rounds): rounds, position groups, distributions — hand-computed."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest
from trust_tables import conferences, three_people, votes

from analysis import trust, trust_rounds, trust_rules
from analysis.errors import ParameterError


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
    rounds = trust_rounds.match_rounds(trust.trust_table(df, confs))
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
    assert trust_rounds.position_groups(pd.Series([position])).tolist() == [group]


def test_position_group_falls_back_to_sector_when_position_missing():
    got = trust_rounds.position_groups(pd.Series([pd.NA, None]), fallback=pd.Series(["front", pd.NA]))
    assert got.tolist() == ["front", "other"]


def test_position_group_table_means_of_exact_shares():
    groups = trust_rounds.position_group_table(three_people())
    assert groups["position_group"].tolist() == ["key_leaders", "government"]
    leaders = groups.iloc[0]
    assert leaders["people"] == 2
    assert (leaders["high_pct"], leaders["trust_pct"], leaders["low_pct"]) == (50.0, 23.33, 26.67)
    assert (leaders["over_half"], leaders["two_thirds"]) == (1, 0)
    assert groups.iloc[1][["low_pct", "two_thirds"]].tolist() == [66.67, 1]


def test_low_share_bins():
    bins = trust_rounds.low_share_bins(three_people(), width=10)
    # every 10 points and at the bands' bounds 1/2 and 2/3: 0, 10, … 50, 60, 66.67, 70, … 90
    assert len(bins) == 11 and bins["people"].sum() == 3
    assert bins["bin_from"].tolist() == [0, 10, 20, 30, 40, 50, 60, 66.67, 70, 80, 90]
    by = bins.set_index("bin_from")["people"]
    assert (by[0], by[50], by[66.67]) == (1, 1, 1)  # 0 %, 53.33 %, 66.67 % (exactly 2/3)
    over_half = bins[bins["bin_from"].eq(50)].iloc[0]
    assert (over_half["from_included"], over_half["to_included"]) == (False, False)
    with pytest.raises(ParameterError):
        trust_rounds.low_share_bins(three_people(), width=7)


def test_low_share_bins_put_people_on_their_band_side_of_each_line():
    table = trust.trust_table(votes([
        dict(conference_id="c1", person_id="1", full_name="A", high=10, trust=5, low=15),   # 1/2: no band
        dict(conference_id="c1", person_id="2", full_name="B", high=0, trust=10, low=20),   # 2/3
        dict(conference_id="c1", person_id="3", full_name="C", high=1, trust=9, low=20),    # 2/3
        dict(conference_id="c1", person_id="4", full_name="D", high=0, trust=11, low=19),   # 63.33 %
    ]), conferences(convened=30, present=30, ballots_issued=30, ballots_collected=30, ballots_valid=30))
    assert table["low_band"].tolist() == ["none", "two_thirds", "two_thirds", "over_half"]
    bins = trust_rounds.low_share_bins(table)
    people = bins[bins["people"] > 0].set_index("bin_from")["people"].to_dict()
    # 50 % in 45–50 (left of the 1/2 line), 63.33 % in 60–66.67, both 2/3 in 66.67–70
    assert people == {45: 1, 60: 1, 66.67: 2}
    # the bounds are the rules' own: a line at 62 % (31/50) gives 63.33 % a bin from 62 to 65
    rules = trust_rules.load_trust_rules()
    stricter = rules.model_copy(update={"three_level": rules.three_level.model_copy(update={"bands": [
        trust_rules.Band(band="over_half", above="31/50"), *rules.three_level.bands[1:]]})})
    moved = trust_rounds.low_share_bins(trust.trust_table(votes([
        dict(conference_id="c1", person_id="4", full_name="D", high=0, trust=11, low=19),
    ]), conferences(convened=30, present=30, ballots_issued=30, ballots_collected=30, ballots_valid=30),
        rules=stricter), stricter)
    assert moved.loc[moved["people"] > 0, ["bin_from", "bin_to"]].values.tolist() == [[62, 65]]
    assert stricter.band_bounds == (Fraction(31, 50), Fraction(2, 3))


def test_vote_summary_table():
    table = three_people()
    s = trust_rounds.vote_summary_table(table)
    row = s.iloc[0]
    assert (row["people"], row["none"], row["over_half"], row["two_thirds"]) == (3, 1, 1, 1)
    assert row["low_pct"] == 40.0   # (0 + 16/30 + 20/30) / 3 = 40 %
    assert trust_rounds.vote_summary_table(table, by="year")["year"].tolist() == [2024]
