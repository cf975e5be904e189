"""Ages, bands, tiers, retirement (Decree 135) and eligibility — every number computed by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.config import SHARED_PUBLIC_DIR
from analysis.people import (
    add_person_facts,
    age_band,
    age_on,
    age_tier,
    month_start,
    months_left,
    retirement_month,
)
from analysis.rules import AgeRange, load_rules

QD50 = load_rules("qd50")
TERMS = [
    {"label": "2025-2030", "kind": "party", "start": "2025-06"},
    {"label": "2026-2031", "kind": "government", "start": pd.Timestamp("2026-03-01")},
]


def ages(values):
    return pd.Series(values, dtype="Int64")


def one_age(birth: str, on: str, **kw) -> int:
    return int(age_on(pd.Series(pd.to_datetime([birth])), on, **kw).iloc[0])


# Age ---------------------------------------------------------------------------------------------
def test_age_goes_up_on_the_birthday():
    assert one_age("1967-03-15", "2026-03-15") == 59
    assert one_age("1967-03-15", "2026-03-14") == 58
    assert one_age("1967-03-15", "2026-03-16") == 59


def test_age_across_the_year_end():
    assert one_age("1980-12-31", "2022-12-30") == 41
    assert one_age("1980-12-31", "2022-12-31") == 42
    assert one_age("1980-01-01", "2022-01-01") == 42
    assert one_age("1980-01-02", "2022-01-01") == 41


def test_29_february_birthday_is_28_february_in_other_years():
    # The convention (rule-set key leap_birthday: feb28): 29/02/2000 turns 1 on 28/02/2001.
    assert one_age("2000-02-29", "2001-02-27") == 0
    assert one_age("2000-02-29", "2001-02-28") == 1
    assert one_age("2000-02-29", "2001-03-01") == 1
    # in a leap year the birthday is the 29th itself
    assert one_age("2000-02-29", "2004-02-28") == 3
    assert one_age("2000-02-29", "2004-02-29") == 4
    # someone born on 28 February is not affected
    assert one_age("2000-02-28", "2001-02-27") == 0
    assert one_age("2000-02-28", "2001-02-28") == 1


def test_29_february_alternative_convention_is_available():
    assert one_age("2000-02-29", "2001-02-28", leap_birthday="mar1") == 0
    assert one_age("2000-02-29", "2001-03-01", leap_birthday="mar1") == 1
    assert one_age("2000-02-29", "2004-02-29", leap_birthday="mar1") == 4
    with pytest.raises(ValueError):
        age_on(pd.Series(pd.to_datetime(["2000-01-01"])), "2001-01-01", leap_birthday="x")


def test_age_missing_dates_index_and_dtype():
    births = pd.Series(pd.to_datetime(["1990-06-01", None]), index=[7, 9])
    result = age_on(births, "2022-05-25")
    assert str(result.dtype) == "Int64"
    assert list(result.index) == [7, 9]
    assert result.iloc[0] == 31 and pd.isna(result.iloc[1])


def test_age_on_per_person_reference_dates():
    births = pd.Series(pd.to_datetime(["1990-06-01", "1990-06-01"]))
    refs = pd.Series(pd.to_datetime(["2020-05-31", "2020-06-01"]))
    assert age_on(births, refs).tolist() == [29, 30]


# Bands and tiers ---------------------------------------------------------------------------------
def test_official_band_edges_boundary_ages_in_the_lower_band():
    result = age_band(ages([39, 40, 50, 51, 60, 61, 65, 66, None]), QD50)
    assert result.astype("object").where(result.notna(), None).tolist() == [
        "under_40", "40_50", "40_50", "50_60", "50_60", "60_65", "60_65", "over_65", None,
    ]
    assert list(result.cat.categories) == ["under_40", "40_50", "50_60", "60_65", "over_65"]
    assert result.cat.ordered


def test_band_defaults_and_plain_dict_ranges():
    assert age_band(ages([18]))[0] == "under_40"
    custom = [{"key": "young", "min": None, "max": 34}, {"key": "old", "min": 35, "max": None}]
    assert age_band(ages([34, 35]), custom).tolist() == ["young", "old"]


def test_age_tiers_from_the_rule_set():
    result = age_tier(ages([44, 45, 50, 51]), QD50)
    assert result.tolist() == ["under_45", "45_50", "45_50", "over_50"]


def test_age_outside_every_tier_has_no_tier():
    tiers = [AgeRange(key="a", min=35, max=39), AgeRange(key="b", min=40, max=44)]
    result = age_tier(ages([34, 35, 44, 45]), tiers)
    assert pd.isna(result[0]) and pd.isna(result[3])
    assert result[1] == "a" and result[2] == "b"


# Retirement (Labor Code 2019 art. 169, Decree 135/2020) -------------------------------------------
@pytest.mark.parametrize(
    "gender, born, pension",
    [
        # the two examples of the brief
        ("male", "1961-01-15", "2021-05-01"),  # 60y3m reached 04/2021
        ("female", "1966-01-20", "2021-06-01"),  # 55y4m reached 05/2021
        # before 2021: 60 / 55
        ("male", "1960-12-31", "2021-01-01"),  # 60 reached 12/2020
        ("female", "1965-12-01", "2021-01-01"),  # 55 reached 12/2020
        ("male", "1955-06-10", "2015-07-01"),
        # the year that applies is the year the age is reached
        ("male", "1961-09-01", "2022-01-01"),  # 60y3m reached 12/2021
        ("male", "1961-10-01", "2022-05-01"),  # 60y3m would be 01/2022; 2022 needs 60y6m -> 04/2022
        ("female", "1966-08-01", "2022-01-01"),  # 55y4m reached 12/2021
        ("female", "1966-09-01", "2022-06-01"),  # 2022 needs 55y8m -> 05/2022
        ("male", "1963-07-01", "2024-08-01"),  # 2024: 61y -> 07/2024
        # men's plateau: 61y9m in 2027, 62 from 2028
        ("male", "1966-03-01", "2028-01-01"),  # 61y9m reached 12/2027
        ("male", "1966-04-01", "2028-05-01"),  # 62 reached 04/2028
        ("male", "1970-06-15", "2032-07-01"),
        # women's plateau: 59y8m in 2034, 60 from 2035
        ("female", "1975-04-01", "2035-01-01"),  # 59y8m reached 12/2034
        ("female", "1975-05-01", "2035-06-01"),  # 60 reached 05/2035
        ("female", "1980-08-08", "2040-09-01"),
        ("female", "1970-01-15", "2027-06-01"),  # 2027: 57y4m -> 05/2027
    ],
)
def test_retirement_month(gender, born, pension):
    result = retirement_month(pd.Series(pd.to_datetime([born])), pd.Series([gender]))
    assert result.iloc[0] == pd.Timestamp(pension)


def test_retirement_ignores_the_day_and_handles_missing_values():
    births = pd.Series(pd.to_datetime(["1961-01-01", "1961-01-31", None, "1961-01-01"]))
    genders = pd.Series(["male", "male", "male", pd.NA])
    result = retirement_month(births, genders)
    assert str(result.dtype) == "datetime64[ns]"
    assert result.iloc[0] == result.iloc[1] == pd.Timestamp("2021-05-01")
    assert pd.isna(result.iloc[2]) and pd.isna(result.iloc[3])


def test_months_left_and_term_start_forms():
    retire = pd.Series(pd.to_datetime(["2030-06-01", "2030-05-01", "2020-06-01", None]))
    assert months_left(retire, "2025-06").tolist()[:3] == [60, 59, -60]
    assert pd.isna(months_left(retire, "2025-06").iloc[3])
    assert months_left(retire, TERMS[0]).tolist()[:1] == [60]
    assert month_start("2025-06-17") == pd.Timestamp("2025-06-01")
    assert month_start(pd.Timestamp("2026-03-09")) == pd.Timestamp("2026-03-01")


# All facts at once --------------------------------------------------------------------------------
def people_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": ["001", "002", "003", "004", "005", "006"],
            "full_name": ["A", "B", "C", "D", "E", "F"],
            "gender": ["male", "female", "male", "male", "male", "female"],
            "birth_date": pd.to_datetime(
                ["1982-05-26", "1990-01-01", "1968-05-10", "1968-02-20", None, "1987-05-25"]
            ),
            "birth_date_precision": ["day", "year", "day", "day", pd.NA, "day"],
            "ethnicity": ["Kinh", "Thái", None, " kinh", "Mông", ""],
        }
    )


def test_add_person_facts_columns_and_values():
    people = people_frame()
    before = people.copy()
    facts = add_person_facts(people, "2022-05-25", TERMS, QD50, "district")
    pd.testing.assert_frame_equal(people, before)  # input untouched
    for column in ("age", "age_band", "tier_age", "age_tier", "is_young", "is_minority",
                   "birth_year_only", "retirement_month", "months_left_2025-2030",
                   "eligible_2025-2030", "months_left_2026-2031", "eligible_2026-2031"):
        assert column in facts
    # 001 turns 40 the day after as_of; 006 turned 35 on as_of
    assert facts["age"].tolist()[:4] == [39, 32, 54, 54]
    assert pd.isna(facts["age"][4])
    assert facts["is_young"].tolist()[:4] == [True, True, False, False]
    assert facts["age_band"].tolist()[:4] == ["under_40", "under_40", "50_60", "50_60"]
    # tiers use the age at the earliest term start (2025-06-01)
    assert facts["tier_age"].tolist()[:4] == [43, 35, 57, 57]
    assert facts["age_tier"].tolist()[:4] == ["under_45", "under_45", "over_50", "over_50"]
    # year-only birth date: 1 January, flagged
    assert facts["birth_year_only"].tolist() == [False, True, False, False, False, False]
    # minorities: not Kinh (case and spaces ignored); unknown when missing or blank
    assert facts["is_minority"].tolist()[:2] == [False, True]
    assert pd.isna(facts["is_minority"][2]) and pd.isna(facts["is_minority"][5])
    assert facts["is_minority"][3] == False and facts["is_minority"][4] == True  # noqa: E712


def test_eligibility_per_term():
    facts = add_person_facts(people_frame(), "2022-05-25", TERMS, QD50, "district")
    # 003 male 05/1968: 62 reached 05/2030, pension 06/2030 -> 60 months from 06/2025, 51 from 03/2026
    assert facts["retirement_month"][2] == pd.Timestamp("2030-06-01")
    assert facts["months_left_2025-2030"][2] == 60 and facts["eligible_2025-2030"][2] == True  # noqa: E712
    assert facts["months_left_2026-2031"][2] == 51 and facts["eligible_2026-2031"][2] == False  # noqa: E712
    # 004 male 02/1968: pension 03/2030 -> 57 months from 06/2025
    assert facts["months_left_2025-2030"][3] == 57 and facts["eligible_2025-2030"][3] == False  # noqa: E712
    assert pd.isna(facts["eligible_2025-2030"][4])


def test_eligibility_with_the_re_election_minimum():
    facts = add_person_facts(
        people_frame(), "2022-05-25", TERMS, QD50, "district", service="re_election"
    )
    assert facts["eligible_2025-2030"][3] == True  # noqa: E712  (57 >= 48)
    assert facts["eligible_2026-2031"][2] == True  # noqa: E712  (51 >= 48)
    facts = add_person_facts(
        people_frame(), "2022-05-25", TERMS, QD50, "district", service="deputy_provincial_secretary"
    )
    assert facts["eligible_2026-2031"][2] == True  # noqa: E712  (51 >= 42)


def test_young_age_depends_on_the_level():
    people = people_frame()
    commune = add_person_facts(people, "2022-05-25", TERMS, QD50, "commune")  # under 35
    assert commune["is_young"].tolist()[:2] == [False, True]
    assert commune["is_young"][5] == False  # noqa: E712  (exactly 35)
    central = add_person_facts(people, "2022-05-25", TERMS, QD50, "central")  # under 45
    assert central["is_young"].tolist()[:2] == [True, True]
    other = add_person_facts(people, "2022-05-25", TERMS, QD50, "other")  # no young age
    assert other["is_young"].isna().all()


def test_without_terms_tiers_use_as_of_and_rules_by_name():
    facts = add_person_facts(people_frame(), "2022-05-25", [], "qd50", "district")
    assert facts["tier_age"].tolist()[:2] == [39, 32]
    assert not any(c.startswith("eligible_") for c in facts.columns)


def test_term_objects_with_attributes_are_accepted():
    class YearMonth:
        def __init__(self, year, month):
            self.year, self.month = year, month

    class Term:
        def __init__(self, label, kind, start):
            self.label, self.kind, self.start = label, kind, start

    facts = add_person_facts(
        people_frame(), "2022-05-25", [Term("2025-2030", "party", YearMonth(2025, 6))], QD50, "district"
    )
    assert facts["months_left_2025-2030"][2] == 60


# Published oracle: the 2026 National Assembly candidate list ------------------------------------
def test_age_bands_reproduce_the_published_2026_counts():
    path = SHARED_PUBLIC_DIR / "na16_candidates_2026_official_list.csv"
    if not path.is_file():
        pytest.skip(f"public list not available at {path}")
    raw = pd.read_csv(path, dtype=str)
    births = pd.to_datetime(raw["dateOfBirth"], format="%d/%m/%Y")
    bands = age_band(age_on(births, "2026-03-15"), QD50).value_counts()
    assert bands.to_dict() == {"under_40": 187, "40_50": 384, "50_60": 259, "60_65": 26, "over_65": 8}


def test_year_only_births_reproduce_the_published_2016_under_40_count():
    path = SHARED_PUBLIC_DIR / "na14_candidates_2016.csv"
    if not path.is_file():
        pytest.skip(f"public list not available at {path}")
    raw = pd.read_csv(path, dtype=str)
    births = pd.to_datetime(raw["dob"], format="%d/%m/%Y", errors="coerce")
    year_only = births.isna()
    assert int(year_only.sum()) == 7
    births[year_only] = pd.to_datetime(raw.loc[year_only, "dob"], format="%Y")  # 1 January
    bands = age_band(age_on(births, "2016-05-22"), QD50)
    assert int((bands == "under_40").sum()) == 268
