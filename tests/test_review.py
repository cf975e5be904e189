"""Planning review: states, changes with reasons, composition before/after, flags, linkage.

Hand-built pools where every kind of change and every flag occurs once, checked by name and count;
the same changes from two datasets and from one planning table with dates.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from analysis import review
from analysis.linkage import find_lower_datasets, linkage
from analysis.rules import load_rules

BEFORE, AFTER = "2016-03-15", "2017-03-15"


def ts(value):
    return pd.Timestamp(value) if value else pd.NaT


def frame(rows, columns):
    df = pd.DataFrame(rows, columns=columns)
    for column in df.columns:
        if column in ("since", "removed_on", "birth_date"):
            df[column] = pd.to_datetime(df[column])
        elif column in ("seats",):
            df[column] = df[column].astype("Int64")
        else:
            df[column] = df[column].astype("object").where(df[column].notna(), None).astype("str")
    return df


TITLES = frame(
    [
        ("T1", "Bí thư", "leadership", "2015-2020", 1),
        ("T2", "Chủ tịch UBND", "leadership", "2016-2021", 1),
        ("BCH", "Ủy viên Ban Chấp hành", "bch", "2015-2020", 2),
    ],
    ["title_id", "title", "body", "term", "seats"],
)


def people_frame(ids):
    born = {"P01": "1970-05-01", "P02": "1975-01-01", "P03": "1962-02-01", "P04": "1980-07-01",
            "P05": "1968-03-01", "P06": "1985-09-01"}
    gender = {"P01": "male", "P02": "female", "P03": "male", "P04": "male", "P05": "female", "P06": "female"}
    rows = [(p, f"Người {p}", gender[p], born[p], "Kinh" if p != "P06" else "Thái", "party")
            for p in ids]
    return frame(rows, ["person_id", "full_name", "gender", "birth_date", "ethnicity", "sector"])


# One planning table with dates: the pool on BEFORE and on AFTER.
#   P01 T1 retained · P02 T1 removed (moved) · P03 T2 removed (no reason) · P04 T2 removed (retired)
#   P05 BCH retained and T2 added (other_title) · P06 T1 added (new_source) · P01 T2 removed earlier.
DATED = frame(
    [
        ("P01", "T1", "approved", "2015-06-01", None, None),
        ("P02", "T1", "removed", "2015-06-01", AFTER, "Chuyển công tác"),
        ("P03", "T2", "removed", "2015-06-01", AFTER, None),
        ("P04", "T2", "removed", "2015-06-01", AFTER, "Nghỉ hưu"),
        ("P05", "BCH", "approved", "2015-06-01", None, None),
        ("P05", "T2", "approved", AFTER, None, None),
        ("P06", "T1", "proposed", AFTER, None, None),
        ("P01", "T2", "removed", "2015-06-01", "2015-12-01", "Quá tuổi"),  # out before BEFORE
    ],
    ["person_id", "title_id", "status", "since", "removed_on", "removal_reason"],
)

# The same review as two datasets: the pool before (no dates needed) and the table after.
BEFORE_TABLE = frame(
    [("P01", "T1", "approved"), ("P02", "T1", "approved"), ("P03", "T2", "approved"),
     ("P04", "T2", "approved"), ("P05", "BCH", "approved")],
    ["person_id", "title_id", "status"],
)
AFTER_TABLE = frame(
    [
        ("P01", "T1", "approved", None, None),
        ("P02", "T1", "removed", AFTER, "Chuyển công tác"),
        ("P04", "T2", "removed", AFTER, "Nghỉ hưu"),
        ("P05", "BCH", "approved", None, None),
        ("P05", "T2", "approved", None, None),
        ("P06", "T1", "proposed", None, None),
    ],
    ["person_id", "title_id", "status", "removed_on", "removal_reason"],
)


# States ------------------------------------------------------------------------------------------

def test_planning_state_by_dates():
    before = review.planning_state(DATED, BEFORE)
    after = review.planning_state(DATED, AFTER)
    assert sorted(zip(before.person_id, before.title_id)) == [
        ("P01", "T1"), ("P02", "T1"), ("P03", "T2"), ("P04", "T2"), ("P05", "BCH")]
    assert sorted(zip(after.person_id, after.title_id)) == [
        ("P01", "T1"), ("P05", "BCH"), ("P05", "T2"), ("P06", "T1")]
    # without a date: the rows not removed
    current = review.planning_state(DATED)
    assert sorted(zip(current.person_id, current.title_id)) == sorted(zip(after.person_id, after.title_id))


def test_planning_state_edges():
    rows = frame(
        [("A", "T1", "removed", None, None), ("B", "T1", "approved", "2017-03-16", None),
         ("C", "T1", "approved", None, "2017-03-15"), ("D", "T1", "removed", None, "2017-03-16")],
        ["person_id", "title_id", "status", "since", "removed_on"],
    )
    state = review.planning_state(rows, "2017-03-15")
    # A: removed at an unknown date → out; B starts the next day; C removed that day; D still in
    assert list(state.person_id) == ["D"]
    assert review.planning_state(None, "2017-01-01").empty


# Changes -----------------------------------------------------------------------------------------

def expected_changes():
    return {
        ("P01", "T1"): ("retained", None),
        ("P02", "T1"): ("removed", "moved"),
        ("P03", "T2"): ("removed", "unspecified"),
        ("P04", "T2"): ("removed", "retired"),
        ("P05", "BCH"): ("retained", None),
        ("P05", "T2"): ("added", "other_title"),
        ("P06", "T1"): ("added", "new_source"),
    }


def changes_by_dates():
    return review.compare_states(
        review.planning_state(DATED, BEFORE), review.planning_state(DATED, AFTER),
        people=people_frame(["P01", "P02", "P03", "P04", "P05", "P06"]), titles=TITLES,
        removals=review.removal_rows(DATED),
    )


def changes_by_datasets(after_ids=("P01", "P02", "P03", "P04", "P05", "P06")):
    return review.compare_states(
        review.planning_state(BEFORE_TABLE, BEFORE), review.planning_state(AFTER_TABLE, AFTER),
        people=people_frame(list(after_ids)), titles=TITLES, removals=review.removal_rows(AFTER_TABLE),
        before_people=people_frame(["P01", "P02", "P03", "P04", "P05"]),
    )


def as_dict(changes):
    return {(p, t): (c, None if pd.isna(r) else r)
            for p, t, c, r in zip(changes.person_id, changes.title_id, changes.change, changes.reason)}


def test_compare_states_every_change_and_reason_once():
    changes = changes_by_dates()
    assert as_dict(changes) == expected_changes()
    assert changes["change"].value_counts().to_dict() == {"retained": 2, "removed": 3, "added": 2}
    assert list(changes.columns) == review.CHANGE_COLUMNS
    row = changes[(changes.person_id == "P02")].iloc[0]
    assert row["reason_text"] == "Chuyển công tác" and row["title"] == "Bí thư" and row["body"] == "leadership"
    assert changes.loc[changes.person_id == "P06", "full_name"].iloc[0] == "Người P06"


def test_same_result_from_two_datasets_and_from_dates():
    by_dates, by_datasets = changes_by_dates(), changes_by_datasets()
    pd.testing.assert_frame_equal(
        by_dates.drop(columns="reason_text"), by_datasets.drop(columns="reason_text"))
    pd.testing.assert_frame_equal(review.change_summary(by_dates), review.change_summary(by_datasets))


def test_removed_person_no_longer_listed_has_left():
    changes = changes_by_datasets(after_ids=("P01", "P02", "P04", "P05", "P06"))
    row = changes[changes.person_id == "P03"].iloc[0]
    assert (row["change"], row["reason"]) == ("removed", "left")
    assert row["full_name"] == "Người P03"  # the name comes from the table before


def test_change_summary_per_title_body_and_total():
    summary = review.change_summary(changes_by_dates())
    titles = summary[summary.title_id.notna()].set_index("title_id")
    assert titles.loc["T1", ["before", "retained", "removed", "added", "after"]].tolist() == [2, 1, 1, 1, 2]
    assert titles.loc["T2", ["before", "retained", "removed", "added", "after"]].tolist() == [2, 0, 2, 1, 1]
    assert titles.loc["BCH", ["before", "retained", "removed", "added", "after"]].tolist() == [1, 1, 0, 0, 1]
    bodies = summary[summary.title_id.isna() & summary.body.notna()].set_index("body")
    assert bodies.loc["leadership", "before"] == 4 and bodies.loc["leadership", "after"] == 3
    total = summary[summary.body.isna()].iloc[0]
    assert (total["before"], total["removed"], total["added"], total["after"]) == (5, 3, 2, 4)
    # bodies in the official order: bch before leadership
    assert list(dict.fromkeys(summary.body.dropna())) == ["bch", "leadership"]


def test_person_changes_and_reason_summary():
    people = review.person_changes(changes_by_dates()).set_index("person_id")
    assert people["change"].to_dict() == {"P01": "retained", "P02": "removed", "P03": "removed",
                                          "P04": "removed", "P05": "retained", "P06": "added"}
    assert people.loc["P05", ["titles_before", "titles_after"]].tolist() == [1, 2]
    reasons = review.reason_summary(people.reset_index())
    assert list(zip(reasons.change, reasons.reason.fillna(""), reasons.people)) == [
        ("retained", "", 2), ("removed", "retired", 1), ("removed", "moved", 1),
        ("removed", "unspecified", 1), ("added", "new_source", 1)]


@pytest.mark.parametrize("typed, code", [
    ("Quá tuổi quy hoạch", "over_age"), ("NGHỈ HƯU", "retired"), ("Bị kỷ luật khiển trách", "discipline"),
    ("Tín nhiệm thấp", "low_trust"), ("Chuyển công tác", "moved"), ("Điều động đi tỉnh khác", "moved"),
    ("Đã được bố trí", "appointed"), ("Lý do riêng", "other"), ("", None), (None, None),
])
def test_classify_reason(typed, code):
    assert review.classify_reason(typed) == code


def test_has_discipline():
    values = pd.Series(["Khiển trách", None, "", "Không", "cảnh cáo", "-"])
    assert review.has_discipline(values).tolist() == [True, False, False, False, True, False]


# Composition before and after -------------------------------------------------------------------

def test_composition_change_counts_and_shares():
    before = pd.DataFrame({"gender": ["male", "male", "female", "male"],
                           "ethnicity": ["Kinh", "Thái", "Mông", None],
                           "age_band": ["under_40", "40_50", "40_50", "50_60"]})
    after = pd.DataFrame({"gender": ["female", "male", "female"], "ethnicity": ["Thái", "Kinh", "Thái"],
                          "age_band": ["under_40", "under_40", "40_50"]})
    table = review.composition_change(before, after)
    gender = table[table.dimension == "gender"].set_index("category")
    assert gender.loc["male", ["before", "after", "change"]].tolist() == [3, 1, -2]
    assert gender.loc["female", "before_pct"] == 25.0 and gender.loc["female", "after_pct"] == 66.67
    ethnicity = table[table.dimension == "ethnicity"]
    assert list(ethnicity.category.fillna("?")) == ["Kinh", "Thái", "Mông", "?"]  # Kinh first, missing last
    bands = table[table.dimension == "age_band"]
    assert list(bands.category) == ["under_40", "40_50", "50_60", "60_65", "over_65"]
    assert set(table.dimension) == {"gender", "ethnicity", "age_band"}  # absent columns skipped


def test_pyramid_change_has_every_cell():
    people = pd.DataFrame({"gender": ["male", "female"], "age_band": ["under_40", "over_65"]})
    table = review.pyramid_change(people, people.iloc[:1])
    assert len(table) == 2 * 5 * 2
    assert table["count"].sum() == 3
    cell = table[(table.state == "after") & (table.age_band == "under_40") & (table.gender == "male")]
    assert cell["count"].iloc[0] == 1


def test_targets_change_merges_before_and_after():
    before = pd.DataFrame({"rule": ["women_share", "young_share"], "value": [20.0, 16.0],
                           "target": [25, 15], "op": [">=", ">="], "ok": [False, True], "certainty": ["C", "C"]})
    after = before.assign(value=[30.0, 10.0], ok=[True, False])
    table = review.targets_change(before, after).set_index("rule")
    assert table.loc["women_share", ["before", "before_ok", "after", "after_ok"]].tolist() == [20.0, False, 30.0, True]
    assert review.targets_change(None, None).empty


# Flags -------------------------------------------------------------------------------------------

TERM = {"label": "2020-2025", "kind": "party", "start": "2020-06"}
FLAG_TITLES = frame(
    [("T1", "Bí thư", "leadership", 1), ("T2", "Phó Bí thư", "leadership", 1),
     ("T3", "Chủ tịch UBND", "leadership", 1), ("T4", "Phó Chủ tịch UBND", "leadership", 1),
     ("BCH", "Ủy viên Ban Chấp hành", "bch", 2)],
    ["title_id", "title", "body", "seats"],
)
# P1 over age · P2 disciplined · P3 low trust in the latest vote · P4 four titles · T4 five people ·
# BCH four people for two seats · P8 below the standard of T4. Everyone else is clean.
FLAG_PLANNING = frame(
    [("P1", "T1"), ("P2", "T2"), ("P3", "T3"), ("P4", "T1"), ("P4", "T2"), ("P4", "T3"), ("P4", "T4"),
     ("P5", "T4"), ("P6", "T4"), ("P7", "T4"), ("P8", "T4"),
     ("P5", "BCH"), ("P6", "BCH"), ("P7", "BCH"), ("P8", "BCH")],
    ["person_id", "title_id"],
).assign(status="approved")


def flag_people():
    ids = [f"P{i}" for i in range(1, 10)]  # P9 is not in the pool: never flagged
    people = pd.DataFrame({
        "person_id": ids, "full_name": [f"Người {p}" for p in ids],
        "discipline": [None, "Khiển trách", None, "Không", None, None, None, None, "Cảnh cáo"],
        "political_theory": ["advanced"] * 7 + ["elementary", "none"],
        "education": ["bachelor"] * 5 + ["master", "doctorate", "bachelor", "none"],
        "eligible_2020-2025": [False] + [True] * 7 + [False],
        "months_left_2020-2025": [30] + [100] * 7 + [10],
        "retirement_month": [pd.Timestamp("2022-12-01")] + [pd.Timestamp("2035-01-01")] * 7
        + [pd.Timestamp("2021-04-01")],
    })
    people["eligible_2020-2025"] = people["eligible_2020-2025"].astype("boolean")
    return people


TRUST = pd.DataFrame({
    "conference_id": ["tn-2015", "tn-2016", "tn-2015", "tn-2016", "tn-2018"],
    "date": pd.to_datetime(["2015-10-01", "2016-10-01", "2015-10-01", "2016-10-01", "2018-01-01"]),
    "person_id": ["P3", "P3", "P2", "P2", "P1"],
    "full_name": ["Người P3", "Người P3", "Người P2", "Người P2", "Người P1"],
    "low_pct": [10.0, 55.56, 70.0, 5.0, 80.0],
    "low_band": ["none", "over_half", "two_thirds", "none", "two_thirds"],
})


def flags_for(regime="qd50", language="vi", trust=TRUST):
    return review.review_flags(
        flag_people(), review.planning_state(FLAG_PLANNING, AFTER), FLAG_TITLES, load_rules(regime),
        AFTER, TERM, trust=trust, level="district", language=language,
    )


def test_every_flag_once_by_name_and_count():
    flags = flags_for()
    assert list(flags.columns) == review.FLAG_COLUMNS
    assert flags["rule"].value_counts().to_dict() == {
        "over_age": 1, "discipline": 1, "low_trust": 1, "titles_per_person": 1,
        "people_per_title": 1, "pool_size_ratio": 1, "standards": 1}
    who = {r: (p if not pd.isna(p) else t) for r, p, t in zip(flags.rule, flags.person_id, flags.title_id)}
    assert who == {"over_age": "P1", "discipline": "P2", "low_trust": "P3", "titles_per_person": "P4",
                   "people_per_title": "T4", "pool_size_ratio": "BCH", "standards": "P8"}
    actions = dict(zip(flags.rule, flags.action))
    assert actions["over_age"] == "remove" and actions["discipline"] == "remove"
    assert actions["low_trust"] == "remove" and actions["standards"] == "review"
    assert actions["people_per_title"] == "review"


def test_flag_evidence():
    flags = flags_for().set_index("rule")
    assert flags.loc["over_age", "value"] == "30" and flags.loc["over_age", "limit"] == "60"
    assert "30 tháng" in flags.loc["over_age", "evidence"] and "12/2022" in flags.loc["over_age", "evidence"]
    assert flags.loc["discipline", "evidence"] == "Kỷ luật: Khiển trách"
    assert "55,56 %" in flags.loc["low_trust", "evidence"] and "tn-2016" in flags.loc["low_trust", "evidence"]
    assert flags.loc["titles_per_person", "value"] == "4"
    assert flags.loc["people_per_title", ["value", "limit"]].tolist() == ["5", "4"]
    assert flags.loc["pool_size_ratio", ["value", "limit", "detail"]].tolist() == ["2", "1.5", "4/2"]
    assert flags.loc["standards", "certainty"] == "M"
    assert "Sơ cấp" in flags.loc["standards", "evidence"] and "Cao cấp" in flags.loc["standards", "evidence"]
    english = flags_for(language="en").set_index("rule")
    assert english.loc["discipline", "evidence"] == "Discipline: Khiển trách"
    assert "55.56 %" in english.loc["low_trust", "evidence"]


def test_discipline_is_a_flag_under_qd377():
    flags = flags_for("qd377")
    assert flags.loc[flags.rule == "discipline", "action"].tolist() == ["review"]
    assert "pool_size_ratio" not in set(flags.rule)  # not known under QĐ 377
    # QĐ 377: at most 3 people per title
    assert flags.loc[flags.rule == "people_per_title", "title_id"].tolist() == ["T4"]


def test_display_only_regime_has_no_limit_flags_and_only_reviews():
    flags = flags_for("kl24")
    assert set(flags.rule) == {"over_age", "discipline", "low_trust", "standards"}
    # KL 24's minimum service and discipline rule are remembered [M]: review, never remove
    actions = dict(zip(flags.rule, flags.action))
    assert actions["over_age"] == actions["discipline"] == "review"
    assert dict(zip(flags.rule, flags.certainty))["over_age"] == "M"


def test_low_trust_uses_the_latest_vote_up_to_the_date_and_names_without_ids():
    flags = flags_for(trust=TRUST.assign(person_id=[None, None, "P2", "P2", "P1"]))
    assert flags.loc[flags.rule == "low_trust", "person_id"].tolist() == ["P3"]
    assert review.latest_trust(TRUST, "2016-12-31").set_index("person_id")["conference_id"].to_dict() == {
        "P2": "tn-2016", "P3": "tn-2016"}


def test_flags_without_planning_table_review_everybody():
    flags = review.review_flags(flag_people(), None, None, load_rules("qd50"), AFTER, TERM, level="district")
    assert sorted(zip(flags.rule, flags.person_id)) == [
        ("discipline", "P2"), ("discipline", "P9"), ("over_age", "P1"), ("over_age", "P9")]


def test_flag_summary():
    summary = review.flag_summary(flags_for())
    assert summary["flags"].sum() == 7
    assert list(summary.rule) == list(review.FLAG_RULES)


def test_min_service_months_and_pick_term():
    assert review.min_service_months(load_rules("qd50")) == 60
    assert review.min_service_months({"min_service_months": {"default": "x", "options": {"x": 48}}}) == 48
    terms = [{"label": "2016-2021", "kind": "government"}, {"label": "2015-2020", "kind": "party"}]
    assert review.pick_term(terms)["label"] == "2015-2020"
    assert review.pick_term(terms, "2016-2021")["label"] == "2016-2021"
    from analysis.errors import ParameterError

    with pytest.raises(ParameterError, match="2030"):
        review.pick_term(terms, "2030")


# The whole review on dataset-like objects ---------------------------------------------------------

def dataset(planning, as_of, people_ids=("P01", "P02", "P03", "P04", "P05", "P06"), regime="qd50"):
    meta = SimpleNamespace(
        id="x", name="X", level="district", regime=regime, as_of=pd.Timestamp(as_of).date(),
        terms=[{"label": "2020-2025", "kind": "party", "start": "2020-06"}], parent=None,
    )
    return SimpleNamespace(meta=meta, tables={"people": people_frame(list(people_ids)), "titles": TITLES,
                                              "planning": planning})


def test_run_review_same_from_datasets_and_dates():
    by_dates = review.run_review(dataset(DATED, AFTER))
    by_datasets = review.run_review(dataset(AFTER_TABLE, AFTER),
                                    before=dataset(BEFORE_TABLE, BEFORE, ("P01", "P02", "P03", "P04", "P05")))
    assert by_dates.mode == "dates" and by_datasets.mode == "datasets"
    assert by_dates.before_date == by_datasets.before_date == pd.Timestamp(BEFORE)
    pd.testing.assert_frame_equal(by_dates.changes.drop(columns="reason_text"),
                                  by_datasets.changes.drop(columns="reason_text"))
    pd.testing.assert_frame_equal(by_dates.composition, by_datasets.composition)
    head = by_dates.headline()
    assert head["people"] == {"retained": 2, "removed": 3, "added": 1}
    assert head["planning_rows"] == {"retained": 2, "removed": 3, "added": 2}
    assert head["removed_by_reason"] == {"retired": 1, "moved": 1, "unspecified": 1}
    assert head["people_before"] == 5 and head["people_after"] == 3
    assert set(by_dates.pyramid.state) == {"before", "after"}


def test_run_review_checks_dates():
    from analysis.errors import ParameterError

    with pytest.raises(ParameterError):
        review.run_review(dataset(DATED, AFTER), before_date=AFTER)


# Linkage -----------------------------------------------------------------------------------------

def unit_tables(planning_rows, people_rows=None, titles=None):
    planning = frame([(p, t, "approved") for p, t in planning_rows], ["person_id", "title_id", "status"])
    people_rows = people_rows or [(p, f"Người {p}", "1975-01-01") for p in dict.fromkeys(p for p, _ in planning_rows)]
    people = frame(people_rows, ["person_id", "full_name", "birth_date"])
    titles = titles if titles is not None else frame(
        [("BT", "Bí thư Đảng ủy xã", "leadership", 1), ("CT", "Chủ tịch UBND xã", "leadership", 1)],
        ["title_id", "title", "body", "seats"])
    return {"people": people, "planning": planning, "titles": titles}


def test_linkage_upper_without_source_and_lower_feeding_nobody():
    upper = ("huyen", "Huyện", unit_tables(
        [("D1", "T1"), ("C1", "T1"), ("X9", "T2"), ("C2", "T2")],
        people_rows=[("D1", "Người D1", "1975-01-01"), ("C1", "Người C1", "1975-01-01"),
                     ("X9", "Người Z", "1980-02-02"), ("C2", "Người C2", "1975-01-01")],
        titles=TITLES))
    commune_a = ("xa-a", "Xã A", unit_tables([("C1", "BT"), ("A2", "CT")]))
    # X9 in the upper table is Z7 here: matched by name and birth date
    commune_b = ("xa-b", "Xã B", unit_tables([("Z7", "BT"), ("B2", "CT")],
                                             people_rows=[("Z7", "Người Z", "1980-02-02"),
                                                          ("B2", "Người B2", "1975-01-01")]))
    commune_c = ("xa-c", "Xã C", unit_tables([("K1", "BT")]))
    result = linkage(upper, [commune_a, commune_b, commune_c])
    without, nobody = result
    assert list(without.person_id) == ["C2", "D1"]
    assert sorted(zip(nobody.unit_id, nobody.title_id)) == [("xa-a", "CT"), ("xa-b", "CT"), ("xa-c", "BT")]
    units = result.units.set_index("unit_id")
    assert units["feeding"].tolist() == [1, 1, 0] and units["feeds_nobody"].tolist() == [False, False, True]
    assert units.loc["xa-a", "feeding_pct"] == 50.0
    assert sorted(zip(result.links.person_id, result.links.unit_id)) == [("C1", "xa-a"), ("X9", "xa-b")]
    assert result.headline() == {"lower_units": 3, "upper_people": 4, "upper_without_source": 2,
                                 "lower_pools_feeding_nobody": 3, "lower_units_feeding_nobody": 1}


def test_linkage_without_lower_units():
    result = linkage(("huyen", unit_tables([("D1", "BT")])), [])
    assert list(result.upper_without_source.person_id) == ["D1"]
    assert result.lower_feeding_nobody.empty


def test_find_lower_datasets(tmp_path):
    def write(name, parent=None):
        folder = tmp_path / name
        folder.mkdir()
        lines = [f"id: {name}", "name: X", "level: commune", "regime: qd50", "as_of: 2022-05-25",
                 "terms: [{label: 2025-2030, kind: party, start: 2025-06}]", "tables: {people: people.csv}"]
        if parent:
            lines.append(f"parent: {parent}")
        (folder / "dataset.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return folder

    upper = write("huyen")
    child_a, child_b = write("xa-a", "huyen"), write("xa-b", "huyen")
    write("xa-c", "other")
    (tmp_path / "notes").mkdir()
    assert find_lower_datasets(upper, "huyen") == [child_a, child_b]
    assert find_lower_datasets(upper, "huyen", f" {child_b} ,") == [child_b]


def test_over_age_evidence_when_the_pension_starts_before_the_term():
    people = flag_people()
    people.loc[0, "months_left_2020-2025"] = -20
    flags = review.review_flags(people, None, None, load_rules("qd50"), AFTER, TERM, level="district")
    evidence = flags.loc[(flags.rule == "over_age") & (flags.person_id == "P1"), "evidence"].iloc[0]
    assert evidence == "Đến tháng hưởng lương hưu (12/2022) trước hoặc đúng lúc bắt đầu nhiệm kỳ 2020-2025 (06/2020)"


def test_run_review_without_planning_table():
    data = dataset(None, AFTER)
    data.tables.pop("planning")
    result = review.run_review(data)
    assert not result.has_planning and result.changes.empty and result.summary.empty
    assert len(result.after_people) == 6  # everybody is reviewed
    head = result.headline()
    assert head["people"] == {"retained": 0, "removed": 0, "added": 0}


def test_resolve_path_from_the_dataset_folder_then_the_working_directory(tmp_path, monkeypatch):
    from analysis.errors import ParameterError
    from analysis.linkage import resolve_path

    (tmp_path / "data" / "before").mkdir(parents=True)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    base = tmp_path / "data"
    assert resolve_path("before_path", "before", base) == base / "before"
    assert resolve_path("before_path", "../data/before", base) == base / "before"  # from the cwd
    with pytest.raises(ParameterError, match="before_path"):
        resolve_path("before_path", "missing", base)
