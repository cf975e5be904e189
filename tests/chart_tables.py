"""Hand-built input tables of the chart tests (test_charts_*.py and test_charts_contract.py).

Not a test module: small tables written by hand in the shapes the analysis modules produce, one
builder per chart input, and `trace` to pick a figure's trace by its legend name.
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import plotly.graph_objects as go

from analysis import trust

AGE_BANDS = ["under_40", "40_50", "50_60", "60_65", "over_65"]
COMPOSITION_RULES = [
    "women_share",
    "young_share",
    "people_per_title",
    "titles_per_person",
    "pool_size_ratio",
    "ineligible_in_pool",
]


def trace(fig: go.Figure, name: str):
    """The one trace of ``fig`` named ``name`` (fails listing the names otherwise)."""
    found = [t for t in fig.data if t.name == name]
    assert len(found) == 1, [t.name for t in fig.data]
    return found[0]


# Age (analysis.composition) ---------------------------------------------------------------------


def pyramid_table() -> pd.DataFrame:
    counts = {"under_40": (5, 7), "40_50": (12, 6), "50_60": (20, 4), "60_65": (3, 1), "over_65": (0, 0)}
    rows = [(b, g, n) for b, pair in counts.items() for g, n in zip(("male", "female"), pair)]
    return pd.DataFrame(rows, columns=["age_band", "gender", "count"])


def band_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age_band": AGE_BANDS + [pd.NA],
            "count": [12, 18, 24, 4, 0, 2],
            "pct": [20.0, 30.0, 40.0, 6.67, 0.0, 3.33],
        }
    ).astype({"count": "Int64", "pct": "Float64"})


def tier_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "title_id": ["T1", "T1", "T1", "T2", "T2", "T2", "T2", "T3", "T3", "T3"],
            "title": ["Bí thư"] * 3 + ["Ủy viên BTV"] * 4 + ["Ủy viên BCH"] * 3,
            "body": ["leadership"] * 3 + ["btv"] * 4 + ["bch"] * 3,
            "age_tier": ["under_45", "45_50", "over_50"] * 2 + [pd.NA] + ["under_45", "45_50", "over_50"],
            "count": [1, 2, 1, 3, 0, 2, 1, 5, 6, 7],
        }
    )


def eligibility_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "term": ["2025-2030", "2026-2031"],
            "kind": ["party", "government"],
            "eligible": [40, 38],
            "not_eligible": [8, 10],
            "eligible_pct": [83.33, 79.17],
        }
    )


# Composition (analysis.composition) -------------------------------------------------------------


def women_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "body": ["bch", "bch", "bch", "btv", "btv"],
            "title_id": [pd.NA, "B1", "B2", pd.NA, "V1"],
            "title": [pd.NA, "Ủy viên BCH", "Ủy viên BCH khối Đảng", pd.NA, "Ủy viên BTV"],
            "people": [40, 30, 10, 15, 15],
            "women": [10, 6, 4, 3, 3],
            "women_pct": [25.0, 20.0, 40.0, 20.0, 20.0],
        }
    )


def ethnicity_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ethnicity": ["Tày", "Kinh", pd.NA, "Mường", "Dao"],
            "count": [5, 40, 2, 6, 1],
            "pct": [9.26, 74.07, 3.7, 11.11, 1.85],
        }
    )


def sector_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sector": ["party", "party", "government", "government", pd.NA],
            "unit": ["Ban Tổ chức", "Văn phòng", "UBND huyện", pd.NA, "Ban Tổ chức"],
            "count": [5, 3, 8, 2, 1],
        }
    )


def education_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "education": ["doctorate", "master", "bachelor", "college", "vocational", "none", pd.NA],
            "count": [2, 15, 30, 0, 0, 0, 1],
            "pct": [4.17, 31.25, 62.5, 0.0, 0.0, 0.0, 2.08],
        }
    )


def theory_table() -> pd.DataFrame:
    # deliberately not in level order: the chart orders by level
    return pd.DataFrame(
        {
            "political_theory": ["intermediate", "none", "advanced", "elementary"],
            "count": [20, 0, 28, 0],
            "pct": [41.67, 0.0, 58.33, 0.0],
        }
    )


def checks_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rule": COMPOSITION_RULES,
            "value": [25.0, 12.5, 3, 2, None, 1],
            "target": [25, 15, 4, 3, 1.5, 0],
            "op": [">=", ">=", "<=", "<=", "<=", "=="],
            "ok": [True, False, True, True, None, False],
            "certainty": ["C", "C", "M", "C", "M", "C"],
        }
    ).astype({"value": "object", "ok": "object"})


# Introduction ballots (analysis.ballots) --------------------------------------------------------


def tally_table(places=3) -> pd.DataFrame:
    """Title T at k3 (convened 12): P 9 | Q, R, S 7 (tied on the last of 3 places) | U 3."""
    return pd.DataFrame({
        "conference_id": ["k3"] * 5, "title_id": ["T"] * 5, "title": ["Bí thư"] * 5,
        "person_id": list("PQRSU"), "full_name": ["Phạm P", "Quách Q", "Lò R", "Sùng S", "Vi U"],
        "votes": [9, 7, 7, 7, 3], "base": ["convened"] * 5, "base_count": [12] * 5,
        "pct": [75.00, 58.33, 58.33, 58.33, 25.00], "passed": [True, True, True, True, False],
        "rank": [1, 2, 2, 2, 5], "places": [places] * 5,
        "tie_at_cutoff": [False, True, True, True, False],
        "outcome": ["in_places", "tie_at_cutoff", "tie_at_cutoff", "tie_at_cutoff", "below_threshold"],
    })


def accounting_table() -> pd.DataFrame:
    return pd.DataFrame({
        "conference_id": ["k3", "c4"], "convened": [250, 33], "present": [230, 31], "ballots_issued": [230, 31],
        "ballots_collected": [228, 31], "ballots_valid": [220, 30], "ballots_invalid": [8, 1],
        "quorum_required": [167, 22],  # ⌈2/3 × 250⌉ = 167, ⌈2/3 × 33⌉ = 22
    })


def invalid_table() -> pd.DataFrame:
    return pd.DataFrame({"conference_id": ["k3", "k3", "k3"], "title_id": ["T", "T", "X"],
                         "title": ["Bí thư", "Bí thư", None],
                         "reason": ["too_many_names", "duplicate_name", "unknown_title"], "ballots": [4, 2, 1]})


def steps_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "person_id": ["A", "A", "B", "B", "D"], "full_name": ["An", "An", "Bình", "Bình", "Dũng"],
        "title_id": ["T"] * 5, "title": ["Bí thư"] * 5, "step": [3, 4, 3, 4, 3],
        "pct": [66.67, 90.0, 58.33, None, 16.67], "status": ["passed", "kept", "passed", "dropped", "not_passed"],
    })


def flows_table() -> pd.DataFrame:
    return pd.DataFrame({"step": [3, 3, 4], "status": ["passed", "passed", "kept"],
                         "next_step": [4, 4, 5], "next_status": ["kept", "dropped", "kept"], "count": [5, 2, 4]})


def passed_composition_table() -> pd.DataFrame:
    return pd.DataFrame({"outcome": ["passed", "passed", "not_passed", "not_passed"],
                         "gender": ["male", "female", "male", "female"], "count": [2, 1, 0, 1],
                         "pct": [66.67, 33.33, 0.0, 100.0]})


# Trust votes (analysis.trust) -------------------------------------------------------------------


def trust_conferences() -> pd.DataFrame:
    df = pd.DataFrame({
        "conference_id": ["tn-2023", "tn-2024", "b4"], "body": ["bch", "bch", "bch"],
        "date": pd.to_datetime(["2023-11-10", "2024-11-12", "2022-04-01"]),
        "convened": [30, 30, 30], "present": [30, 30, 30], "ballots_issued": [30, 30, 30],
        "ballots_collected": [30, 30, 30], "ballots_valid": [30, 30, 30],
    })
    for col in ("convened", "present", "ballots_issued", "ballots_collected", "ballots_valid"):
        df[col] = df[col].astype("Int64")
    return df


@cache
def _trust_table() -> pd.DataFrame:
    rows = []
    people = [("1", "Nguyễn Văn An", "Bí thư Huyện ủy"), ("2", "Trần Thị Bình", "Trưởng phòng Nội vụ"),
              ("3", "Lê Văn Cường", "Chủ tịch Hội Nông dân huyện")]
    counts = {"tn-2023": [(20, 8, 2), (10, 4, 16), (2, 8, 20)], "tn-2024": [(25, 5, 0), (14, 6, 10), (0, 9, 21)]}
    for conf, cs in counts.items():
        for (pid, name, pos), (h, t, lo) in zip(people, cs):
            rows.append(dict(conference_id=conf, person_id=pid, full_name=name, position=pos, high=h, trust=t, low=lo))
    for (pid, name, pos), (a, d) in zip(people, [(29, 1), (15, 15), (20, 10)]):
        rows.append(dict(conference_id="b4", person_id=pid, full_name=name, position=pos, agree=a, disagree=d))
    df = pd.DataFrame(rows)
    for col in ("high", "trust", "low", "agree", "disagree"):
        df[col] = df[col].astype("Int64")
    return trust.trust_table(df, trust_conferences())


def trust_table() -> pd.DataFrame:
    """Three people, two three-level rounds (tn-2023, tn-2024) and a two-level vote (b4), of 30 each."""
    return _trust_table().copy()  # built once: analysis.trust is not what these tests exercise


# Planning review (analysis.review) --------------------------------------------------------------


def reasons_table() -> pd.DataFrame:
    return pd.DataFrame({
        "change": ["retained", "removed", "removed", "added", "added"],
        "reason": [None, "retired", "moved", "new_source", "other_title"],
        "people": [10, 2, 1, 3, 1],
    })


def review_pyramid_table() -> pd.DataFrame:
    rows = [("before", "under_40", "male", 2), ("before", "40_50", "female", 3),
            ("after", "under_40", "male", 1), ("after", "50_60", "female", 4)]
    return pd.DataFrame(rows, columns=["state", "age_band", "gender", "count"])


def composition_change_table() -> pd.DataFrame:
    return pd.DataFrame({
        "dimension": ["gender", "gender", "age_tier", "age_tier"],
        "category": ["male", "female", "under_45", "45_50"],
        "before": [3, 1, 2, 2], "before_pct": [75.0, 25.0, 50.0, 50.0],
        "after": [2, 2, 1, 3], "after_pct": [50.0, 50.0, 25.0, 75.0],
    })


def targets_table() -> pd.DataFrame:
    return pd.DataFrame({
        "rule": ["women_share", "people_per_title", "young_share"], "op": [">=", "<=", ">="],
        "target": [25, 4, 15], "certainty": ["C", "M", "C"], "before": [20.0, 5, 10.0],
        "before_ok": [False, False, False], "after": [30.0, 3, 12.0], "after_ok": [True, True, False],
    })


def flags_table() -> pd.DataFrame:
    return pd.DataFrame({
        "person_id": ["P1", pd.NA], "full_name": ["Lò Văn An", pd.NA], "title_id": [pd.NA, "T4"],
        "title": [pd.NA, "Phó Chủ tịch"], "rule": ["discipline", "people_per_title"], "action": ["remove", "review"],
        "value": ["Khiển trách", "5"], "limit": [pd.NA, "4"], "detail": [pd.NA, "5/1"], "certainty": ["C", "M"],
        "evidence": ["Kỷ luật: Khiển trách", "5 người quy hoạch cho Phó Chủ tịch (tối đa 4)"],
    })


def title_changes_table() -> pd.DataFrame:
    return pd.DataFrame({
        "body": ["leadership", "leadership"], "title_id": ["T1", pd.NA], "title": ["Bí thư", pd.NA],
        "retained": [1, 1], "removed": [2, 2], "added": [1, 1],
    })


def linkage_units_table() -> pd.DataFrame:
    return pd.DataFrame({"unit_name": ["Xã A", "Xã B"], "people": [5, 3], "feeding": [2, 0]})
