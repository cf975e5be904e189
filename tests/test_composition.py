"""Composition tables and the regime's checks on a small hand-made pool (numbers by hand).

The pool, as of 2022-05-25 (district, terms 2025-2030 party from 06/2025 and 2026-2031
government from 03/2026):

| id  | gender | born        | age | band     | tier age (06/2025) | pension  | planned (active)  |
|-----|--------|-------------|-----|----------|--------------------|----------|-------------------|
| P01 | male   | 1980-05-01  | 42  | 40_50    | 45 (45_50)         | 2042-06  | BCH, BTV, BT      |
| P02 | female | 1990 (year) | 32  | under_40 | 35 (under_45)      | 2050-02  | BCH               |
| P03 | male   | 1985-06-10  | 36  | under_40 | 39 (under_45)      | 2047-07  | BCH, CT           |
| P04 | female | 1976-01-15  | 46  | 40_50    | 49 (45_50)         | 2036-02  | BCH, BTV          |
| P05 | male   | 1970-02-20  | 52  | 50_60    | 55 (over_50)       | 2032-03  | CT                |
| P06 | male   | 1968-12-05  | 53  | 50_60    | 56 (over_50)       | 2031-01  | BCH, BT           |
| P07 | male   | 1978-11-30  | 43  | 40_50    |                    |          | (none)            |
| P08 | female | 1995-07-07  | 26  | under_40 |                    |          | BCH (removed)     |

P06 has 67 months from 06/2025 (eligible for 2025-2030) but 58 from 03/2026 (not for 2026-2031).
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.composition import (
    active_planning,
    age_band_table,
    age_pyramid_table,
    category_table,
    checks_table,
    eligibility_table,
    limit_table,
    pool,
    sector_table,
    summary,
    tier_table,
    women_table,
)
from analysis.people import add_person_facts
from analysis.rules import load_rules

AS_OF = "2022-05-25"
TERMS = [
    {"label": "2025-2030", "kind": "party", "start": "2025-06"},
    {"label": "2026-2031", "kind": "government", "start": "2026-03"},
]
QD50 = load_rules("qd50")
QD377 = load_rules("qd377")


def make_people() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": [f"P0{i}" for i in range(1, 9)],
            "full_name": list("ABCDEFGH"),
            "gender": ["male", "female", "male", "female", "male", "male", "male", "female"],
            "birth_date": pd.to_datetime(
                ["1980-05-01", "1990-01-01", "1985-06-10", "1976-01-15",
                 "1970-02-20", "1968-12-05", "1978-11-30", "1995-07-07"]
            ),
            "birth_date_precision": ["day", "year"] + ["day"] * 6,
            "ethnicity": ["Kinh", "Thái", "Kinh", None, "Mông", "Kinh", "Kinh", "Thái"],
            "unit": ["Văn phòng", "Văn phòng", "UBND", "Ban Tổ chức", "UBND", "Công an", None, "Xã A"],
            "sector": ["party", "party", "government", "party", "government", "armed_forces", None, "commune"],
            "education": ["master", "bachelor", "bachelor", "doctorate", "master", "bachelor", None, "bachelor"],
            "political_theory": ["advanced", "intermediate", "advanced", "advanced", "advanced",
                                 "advanced", "intermediate", None],
        }
    )


def make_titles() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "title_id": ["BCH", "BTV", "BT", "CT"],
            "title": ["Ủy viên BCH", "Ủy viên BTV", "Bí thư Huyện ủy", "Chủ tịch UBND huyện"],
            "body": ["bch", "btv", "leadership", "leadership"],
            "term": ["2025-2030", "2025-2030", "2025-2030", "2026-2031"],
            "seats": pd.array([4, 2, 1, 1], dtype="Int64"),
        }
    )


def make_planning(*extra: tuple[str, str]) -> pd.DataFrame:
    rows = [
        ("P01", "BCH"), ("P01", "BTV"), ("P01", "BT"), ("P02", "BCH"), ("P03", "BCH"), ("P03", "CT"),
        ("P04", "BCH"), ("P04", "BTV"), ("P05", "CT"), ("P06", "BCH"), ("P06", "BT"), *extra,
    ]
    frame = pd.DataFrame(rows, columns=["person_id", "title_id"])
    frame["status"] = "approved"
    frame["removed_on"] = pd.NaT
    removed = pd.DataFrame(
        {"person_id": ["P08"], "title_id": ["BCH"], "status": ["removed"],
         "removed_on": pd.to_datetime(["2022-01-10"])}
    )
    return pd.concat([frame, removed], ignore_index=True)


@pytest.fixture
def facts() -> pd.DataFrame:
    return add_person_facts(make_people(), AS_OF, TERMS, QD50, "district")


def checks(people, planning, rules=QD50, titles=None, level="district") -> dict[str, dict]:
    titles = make_titles() if titles is None else titles
    table = checks_table(people, planning, titles, rules, level, TERMS)
    return {row["rule"]: row for row in table.to_dict("records")}


# Pool and tables -----------------------------------------------------------------------------------
def test_pool_is_people_with_a_non_removed_planning_row(facts):
    assert pool(facts, make_planning())["person_id"].tolist() == ["P01", "P02", "P03", "P04", "P05", "P06"]
    assert len(pool(facts, None)) == 8


def test_a_removed_on_date_removes_even_without_the_status():
    planning = make_planning()
    planning.loc[planning["person_id"] == "P05", "removed_on"] = pd.Timestamp("2022-02-01")
    assert "P05" not in set(pool(make_people(), planning)["person_id"])


def test_age_pyramid_has_every_band_and_gender(facts):
    table = age_pyramid_table(pool(facts, make_planning()))
    assert list(table.columns) == ["age_band", "gender", "count"]
    assert len(table) == 10
    counts = {(r.age_band, r.gender): r.count for r in table.itertuples()}
    assert counts == {
        ("under_40", "male"): 1, ("under_40", "female"): 1,
        ("40_50", "male"): 1, ("40_50", "female"): 1,
        ("50_60", "male"): 2, ("50_60", "female"): 0,
        ("60_65", "male"): 0, ("60_65", "female"): 0,
        ("over_65", "male"): 0, ("over_65", "female"): 0,
    }
    assert table["age_band"].tolist()[::2] == ["under_40", "40_50", "50_60", "60_65", "over_65"]


def test_age_band_table_counts_and_percentages(facts):
    table = age_band_table(facts)  # all 8 people
    assert table["age_band"].tolist() == ["under_40", "40_50", "50_60", "60_65", "over_65"]
    assert table["count"].tolist() == [3, 3, 2, 0, 0]
    assert table["pct"].tolist() == [37.5, 37.5, 25.0, 0.0, 0.0]


def test_age_band_table_keeps_unknown_ages_as_a_row():
    people = make_people()
    people.loc[0, "birth_date"] = pd.NaT
    table = age_band_table(add_person_facts(people, AS_OF, TERMS, QD50, "district"))
    assert pd.isna(table["age_band"].iloc[-1])
    assert table["count"].tolist() == [3, 2, 2, 0, 0, 1]
    assert table["pct"].iloc[-1] == 12.5


def test_tier_table_per_title(facts):
    table = tier_table(facts, make_planning(), make_titles())
    assert list(table.columns) == ["title_id", "title", "body", "age_tier", "count"]
    bch = table[table["title_id"] == "BCH"].set_index("age_tier")["count"].to_dict()
    assert bch == {"under_45": 2, "45_50": 2, "over_50": 1}
    ct = table[table["title_id"] == "CT"].set_index("age_tier")["count"].to_dict()
    assert ct == {"under_45": 1, "45_50": 0, "over_50": 1}
    assert len(table) == 4 * 3


def test_women_table_per_title_and_body(facts):
    table = women_table(facts, make_planning(), make_titles())
    assert list(table.columns) == ["body", "title_id", "title", "people", "women", "women_pct"]
    bodies = table[table["title_id"].isna()].set_index("body")
    assert bodies.loc["bch", ["people", "women"]].tolist() == [5, 2]
    assert bodies.loc["bch", "women_pct"] == 40.0
    assert bodies.loc["btv", "women_pct"] == 50.0
    assert bodies.loc["leadership", ["people", "women"]].tolist() == [4, 0]
    titles = table[table["title_id"].notna()].set_index("title_id")
    assert titles.loc["BT", ["people", "women"]].tolist() == [2, 0]
    assert titles.loc["BTV", "women_pct"] == 50.0


def test_category_table_keeps_missing_values(facts):
    table = category_table(facts, "ethnicity")
    assert table["ethnicity"].tolist()[:3] == ["Kinh", "Thái", "Mông"]
    assert pd.isna(table["ethnicity"].iloc[3])
    assert table["count"].tolist() == [4, 2, 1, 1]
    assert table["pct"].tolist() == [50.0, 25.0, 12.5, 12.5]


def test_category_table_of_a_code_column_in_code_order(facts):
    table = category_table(facts, "education")
    assert table["education"].tolist()[:6] == ["doctorate", "master", "bachelor", "college", "vocational", "none"]
    assert table["count"].tolist() == [1, 2, 4, 0, 0, 0, 1]
    theory = category_table(facts, "political_theory")
    assert theory["count"].tolist() == [5, 2, 0, 0, 1]
    absent = category_table(facts.drop(columns=["sector"]), "sector")
    assert absent["count"].iloc[-1] == 8 and pd.isna(absent["sector"].iloc[-1])


def test_sector_table(facts):
    table = sector_table(facts)
    assert list(table.columns) == ["sector", "unit", "count"]
    rows = [tuple(None if pd.isna(v) else v for v in row) for row in table.itertuples(index=False)]
    assert rows == [
        ("party", "Văn phòng", 2), ("party", "Ban Tổ chức", 1), ("government", "UBND", 2),
        ("commune", "Xã A", 1), ("armed_forces", "Công an", 1), (None, None, 1),
    ]


def test_eligibility_table(facts):
    table = eligibility_table(pool(facts, make_planning()), TERMS)
    assert table[["term", "kind", "eligible", "not_eligible"]].values.tolist() == [
        ["2025-2030", "party", 6, 0], ["2026-2031", "government", 5, 1],
    ]
    assert table["eligible_pct"].tolist() == [100.0, 83.33]


def test_tables_need_the_person_facts():
    with pytest.raises(ValueError, match="add_person_facts"):
        age_pyramid_table(make_people())


# Checks: each one passing and failing ---------------------------------------------------------------
def test_every_check_passes_on_the_base_pool(facts):
    got = checks(facts, make_planning())
    assert {rule: row["ok"] for rule, row in got.items()} == {
        "women_share": True, "young_share": True, "people_per_title": True,
        "titles_per_person": True, "pool_size_ratio": True, "ineligible_in_pool": True,
    }
    assert got["women_share"]["value"] == 33.33  # 2 of 6
    assert got["young_share"]["value"] == 33.33  # P02, P03 under 40
    assert got["people_per_title"]["value"] == 2  # BT and CT: 2 each
    assert isinstance(got["people_per_title"]["value"], int)
    assert got["titles_per_person"]["value"] == 3  # P01
    assert got["pool_size_ratio"]["value"] == 1.25  # BCH 5 / 4 seats; BTV 2 / 2
    assert got["ineligible_in_pool"]["value"] == 0  # P06 planned only for 2025-2030 titles


def test_checks_table_columns(facts):
    table = checks_table(facts, make_planning(), make_titles(), QD50, "district", TERMS)
    assert list(table.columns)[:6] == ["rule", "value", "target", "op", "ok", "certainty"]
    row = table.set_index("rule").loc["women_share"]
    assert (row["target"], row["op"], row["certainty"], row["unit"]) == (25, ">=", "C", "%")


def test_women_share_fails():
    people = make_people()
    people.loc[people["person_id"] == "P04", "gender"] = "male"
    facts = add_person_facts(people, AS_OF, TERMS, QD50, "district")
    row = checks(facts, make_planning())["women_share"]
    assert row["value"] == 16.67 and row["ok"] is False  # 1 of 6


def test_young_share_fails():
    people = make_people()
    people.loc[people["person_id"].isin(["P02", "P03"]), "birth_date"] = pd.Timestamp("1980-01-01")
    facts = add_person_facts(people, AS_OF, TERMS, QD50, "district")
    row = checks(facts, make_planning())["young_share"]
    assert row["value"] == 0.0 and row["ok"] is False


def test_young_share_at_commune_level_is_remembered(facts):
    commune = add_person_facts(make_people(), AS_OF, TERMS, QD50, "commune")  # under 35: P02 only
    row = checks(commune, make_planning(), level="commune")["young_share"]
    assert row["value"] == 16.67 and row["ok"] is True
    assert row["certainty"] == "M"  # young age for communes is [M]
    assert checks(facts, make_planning())["young_share"]["certainty"] == "C"


def test_people_per_title_fails_over_four_and_over_three_under_qd377(facts):
    planning = make_planning(("P02", "BT"), ("P03", "BT"))  # BT: P01, P06, P02, P03
    assert checks(facts, planning)["people_per_title"]["ok"] is True  # 4 <= 4
    assert checks(facts, planning, QD377)["people_per_title"]["ok"] is False  # 4 > 3
    planning = make_planning(("P02", "BT"), ("P03", "BT"), ("P04", "BT"))
    row = checks(facts, planning)["people_per_title"]
    assert row["value"] == 5 and row["ok"] is False
    assert row["detail"] == "BT: 5"


def test_people_per_title_counts_per_seat(facts):
    titles = pd.concat(
        [make_titles(), pd.DataFrame({"title_id": ["PCT"], "title": ["Phó Chủ tịch UBND huyện"],
                                      "body": ["leadership"], "term": ["2025-2030"],
                                      "seats": pd.array([2], dtype="Int64")})],
        ignore_index=True,
    )
    five = make_planning(*[(p, "PCT") for p in ("P02", "P03", "P04", "P05", "P07")])
    row = checks(facts, five, titles=titles)["people_per_title"]
    assert row["value"] == 2.5 and row["ok"] is True  # 5 people for 2 seats
    assert checks(facts, five, QD377, titles=titles)["people_per_title"]["ok"] is True  # 2.5 <= 3
    seven = make_planning(*[(p, "PCT") for p in ("P01", "P02", "P03", "P04", "P05", "P06", "P07")])
    row = checks(facts, seven, QD377, titles=titles)["people_per_title"]
    assert row["value"] == 3.5 and row["ok"] is False and row["detail"] == "PCT: 3.5"


def test_limit_table_judges_each_title_of_the_bodies_checked():
    planning = active_planning(make_planning(("P02", "BT"), ("P03", "BT"), ("P04", "BT")))
    table = limit_table("people_per_title", QD50.check("people_per_title"), planning, make_titles())
    # leadership titles only (BCH, BTV are not checked): BT P01, P06, P02, P03, P04 = 5 people ÷ 1 seat
    # = 5 > 4; CT P03, P05 = 2 ÷ 1 = 2 ≤ 4
    assert table.set_index("id")[["count", "value", "ok"]].to_dict("index") == {
        "BT": {"count": 5, "value": 5, "ok": False}, "CT": {"count": 2, "value": 2, "ok": True}}
    ratio = limit_table("pool_size_ratio", QD50.check("pool_size_ratio"), planning, make_titles())
    # BCH: P01, P02, P03, P04, P06 = 5 ÷ 4 seats = 1.25; BTV: P01, P04 = 2 ÷ 2 = 1
    assert ratio.set_index("id")["value"].to_dict() == {"BCH": 1.25, "BTV": 1.0}
    assert limit_table("people_per_title", QD50.check("people_per_title"), None, make_titles()) is None
    with pytest.raises(ValueError, match="women_share"):
        limit_table("women_share", QD50.check("women_share"), planning, make_titles())


def test_titles_per_person_fails(facts):
    row = checks(facts, make_planning(("P01", "CT")))["titles_per_person"]
    assert row["value"] == 4 and row["ok"] is False
    assert row["detail"] == "P01: 4"


def test_pool_size_ratio_fails(facts):
    assert checks(facts, make_planning(("P05", "BCH")))["pool_size_ratio"]["value"] == 1.5  # 6/4 ok
    row = checks(facts, make_planning(("P05", "BCH"), ("P07", "BCH")))["pool_size_ratio"]
    assert row["value"] == 1.75 and row["ok"] is False
    assert row["detail"] == "BCH: 1.75"


def test_ineligible_in_pool_fails_for_the_term_of_the_title(facts):
    # P06 (pension 01/2031) planned for CT, a 2026-2031 title: 58 months from 03/2026 < 60
    row = checks(facts, make_planning(("P06", "CT")))["ineligible_in_pool"]
    assert row["value"] == 1 and row["ok"] is False and row["detail"] == "P06"


def test_ineligible_in_pool_with_the_re_election_minimum():
    facts = add_person_facts(make_people(), AS_OF, TERMS, QD50, "district", service="re_election")
    assert checks(facts, make_planning(("P06", "CT")))["ineligible_in_pool"]["ok"] is True


def test_without_planning_per_title_checks_cannot_be_judged(facts):
    got = checks(facts, None, titles=None)
    for rule in ("people_per_title", "titles_per_person", "pool_size_ratio"):
        assert got[rule]["ok"] is None and got[rule]["value"] is None
    # the shares are judged on everyone (the pool is all people); P08 and P07 count now
    assert got["women_share"]["value"] == 37.5
    # every term applies without titles: P06 cannot serve 2026-2031
    assert got["ineligible_in_pool"]["value"] == 1


def test_pool_size_ratio_needs_seats(facts):
    titles = make_titles()
    titles["seats"] = pd.array([None] * 4, dtype="Int64")
    assert checks(facts, make_planning(), titles=titles)["pool_size_ratio"]["ok"] is None


def test_legacy_regime_has_no_pass_or_fail(facts):
    table = checks_table(facts, make_planning(), make_titles(), "kl24", "district", TERMS)
    assert table.empty
    assert list(table.columns)[:6] == ["rule", "value", "target", "op", "ok", "certainty"]
    result = summary(make_people(), "kl24", make_planning(), make_titles(),
                     level="district", terms=TERMS, as_of=AS_OF)
    assert result["checks"] == []
    assert result["people"] == 6  # still displays the composition


def test_checks_table_computes_facts_when_given_as_of():
    table = checks_table(make_people(), make_planning(), make_titles(), QD50, "district", TERMS, as_of=AS_OF)
    assert table["ok"].tolist() == [True] * 6


# Summary -------------------------------------------------------------------------------------------
CONTRACT_KEYS = {
    "as_of", "people", "women", "women_pct", "ethnic_minority", "ethnic_minority_pct",
    "mean_age", "age_bands", "checks",
}


def test_summary_contract(facts):
    result = summary(facts, QD50, make_planning(), make_titles(), level="district", terms=TERMS, as_of=AS_OF)
    assert CONTRACT_KEYS <= set(result)
    assert result["as_of"] == "2022-05-25"
    assert result["people"] == 6
    assert (result["women"], result["women_pct"]) == (2, 33.33)
    assert (result["ethnic_minority"], result["ethnic_minority_pct"]) == (2, 33.33)  # P02, P05
    assert result["mean_age"] == 43.5  # (42+32+36+46+52+53)/6
    assert result["age_bands"] == {"under_40": 2, "40_50": 2, "50_60": 2, "60_65": 0, "over_65": 0}
    assert [c["rule"] for c in result["checks"]] == [c.rule for c in QD50.checks]
    for check in result["checks"]:
        assert {"rule", "value", "target", "ok"} <= set(check)
        assert check["ok"] is True
    assert result["people_listed"] == 8 and result["birth_year_only"] == 1


def test_summary_is_plain_json(facts):
    import json

    result = summary(facts, QD50, make_planning(), make_titles(), level="district", terms=TERMS, as_of=AS_OF)
    assert json.loads(json.dumps(result)) == result
