"""Review flags (analysis.review_flags): every flag once on a hand-built pool, by name and count."""

from __future__ import annotations

import pandas as pd
import pytest
from planning_tables import AFTER, frame

from analysis import review_flags
from analysis.composition import checks_table
from analysis.review import planning_state
from analysis.rules import load_rules


def test_has_discipline():
    values = pd.Series(["Khiển trách", None, "", "Không", "cảnh cáo", "-"])
    assert review_flags.has_discipline(values).tolist() == [True, False, False, False, True, False]


# Flags -------------------------------------------------------------------------------------------

TERM = {"label": "2020-2025", "kind": "party", "start": "2020-06"}
FLAG_TITLES = frame(
    [("T1", "Bí thư", "leadership", 1), ("T2", "Phó Bí thư", "leadership", 1),
     ("T3", "Chủ tịch UBND", "leadership", 1), ("T4", "Phó Chủ tịch UBND", "leadership", 1),
     ("BCH", "Ủy viên Ban Chấp hành", "bch", 2)],
    ["title_id", "title", "body", "seats"],
)
# P1 over age · P2 disciplined · P3 low trust in the latest vote · P4 four titles · T4 five people
# for its one seat · BCH four people for two seats · P8 below the standard of T4. Everyone else is clean.
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
    return review_flags.review_flags(
        flag_people(), planning_state(FLAG_PLANNING, AFTER), FLAG_TITLES, load_rules(regime),
        AFTER, TERM, trust=trust, level="district", language=language,
    )


def test_every_flag_once_by_name_and_count():
    flags = flags_for()
    assert list(flags.columns) == review_flags.FLAG_COLUMNS
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
    # T4: 5 people ÷ 1 seat = 5 per seat > 4 (QĐ 50)
    assert flags.loc["people_per_title", ["value", "limit", "detail"]].tolist() == ["5", "4", "5/1"]
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
    # QĐ 377: at most 3 people per seat; T4: 5 ÷ 1 = 5 > 3
    assert flags.loc[flags.rule == "people_per_title", "title_id"].tolist() == ["T4"]


def test_people_per_title_counts_per_seat_like_the_composition_check():
    # PBT: 9 people ÷ 2 seats = 4.5 per seat > 4 (QĐ 50) and > 3 (QĐ 377) → flagged under both;
    # PCT (as pct-ubnd in the Thường Tín sample): 8 people ÷ 3 seats = 2.666… → 2.67 ≤ 3 → never;
    # CT: 7 people ÷ 2 seats = 3.5 per seat ≤ 4 but > 3 → flagged under QĐ 377 only
    titles = frame([("PBT", "Phó Bí thư", "leadership", 2), ("PCT", "Phó Chủ tịch UBND", "leadership", 3),
                    ("CT", "Chủ tịch UBND", "leadership", 2)], ["title_id", "title", "body", "seats"])
    rows = ([(f"Q{n}", "PBT") for n in range(9)] + [(f"Q{n}", "PCT") for n in range(8)]
            + [(f"Q{n}", "CT") for n in range(7)])
    planning = frame(rows, ["person_id", "title_id"]).assign(status="approved")
    people = pd.DataFrame({"person_id": [f"Q{n}" for n in range(9)], "full_name": [f"Q{n}" for n in range(9)]})

    def per_title(regime):
        flags = review_flags.review_flags(people, planning_state(planning, AFTER), titles, load_rules(regime),
                                          AFTER, TERM, level="district")
        return flags[flags.rule == "people_per_title"].set_index("title_id")

    qd50 = per_title("qd50")
    assert list(qd50.index) == ["PBT"]
    assert qd50.loc["PBT", ["value", "limit", "detail"]].tolist() == ["4.5", "4", "9/2"]
    assert qd50.loc["PBT", "evidence"] == "9 người quy hoạch cho 2 vị trí Phó Bí thư: 4,5 người/vị trí (tối đa 4)"
    qd377 = per_title("qd377")
    assert list(qd377.index) == ["CT", "PBT"]
    assert qd377.loc["CT", ["value", "limit", "detail"]].tolist() == ["3.5", "3", "7/2"]
    # the composition report judges the same pool the same way: its worst title, PBT, fails
    checks = checks_table(people.assign(gender="male"), planning, titles, load_rules("qd50"), "district", [])
    row = checks.set_index("rule").loc["people_per_title"]
    assert (row["value"], row["ok"], row["detail"]) == (4.5, False, "PBT: 4.5")


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
    assert review_flags.latest_trust(TRUST, "2016-12-31").set_index("person_id")["conference_id"].to_dict() == {
        "P2": "tn-2016", "P3": "tn-2016"}


def test_flags_without_planning_table_review_everybody():
    flags = review_flags.review_flags(flag_people(), None, None, load_rules("qd50"), AFTER, TERM, level="district")
    assert sorted(zip(flags.rule, flags.person_id)) == [
        ("discipline", "P2"), ("discipline", "P9"), ("over_age", "P1"), ("over_age", "P9")]


def test_flag_summary():
    summary = review_flags.flag_summary(flags_for())
    assert summary["flags"].sum() == 7
    assert list(summary.rule) == list(review_flags.FLAG_RULES)


def test_min_service_months_and_pick_term():
    assert review_flags.min_service_months(load_rules("qd50")) == 60
    assert review_flags.min_service_months({"min_service_months": {"default": "x", "options": {"x": 48}}}) == 48
    terms = [{"label": "2016-2021", "kind": "government"}, {"label": "2015-2020", "kind": "party"}]
    assert review_flags.pick_term(terms)["label"] == "2015-2020"
    assert review_flags.pick_term(terms, "2016-2021")["label"] == "2016-2021"
    from analysis.errors import ParameterError

    with pytest.raises(ParameterError, match="2030"):
        review_flags.pick_term(terms, "2030")


def test_over_age_evidence_when_the_pension_starts_before_the_term():
    people = flag_people()
    people.loc[0, "months_left_2020-2025"] = -20
    flags = review_flags.review_flags(people, None, None, load_rules("qd50"), AFTER, TERM, level="district")
    evidence = flags.loc[(flags.rule == "over_age") & (flags.person_id == "P1"), "evidence"].iloc[0]
    assert evidence == "Đến tháng hưởng lương hưu (12/2022) trước hoặc đúng lúc bắt đầu nhiệm kỳ 2020-2025 (06/2020)"
