"""The district generator (`analysis.sample_votes`): every seed gives ballots that tally.

The shipped samples' own properties are checked in test_sample.py.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

from analysis.sample import write_folder
from analysis.sample_votes import build_thuong_tin, marks_still_counted, vote_targets

# Failed before: 1015 (bi-thu: 687 marks on the 229 valid ballots + 1 on a ballot spoiled only
# for ct-mttq = 688 > 229 × 3) and 1030 (fewer than four trust-voted post holders in the BCH pool).
PIPELINE_SEEDS = (1001, 1015, 1030)


def _counted_totals(tables: dict) -> tuple[Counter, Counter]:
    """Hand count of a built district (rows as generated): votes per (conference, title) and per
    (conference, title, person); a raw ballot counts for a title unless it is invalid for it."""
    places = {t["title_id"]: t["places"] for t in tables["titles"]}
    marks: dict[tuple, list[str]] = {}
    for row in tables["ballots"]:
        if row["ballot_id"]:
            marks.setdefault((row["conference_id"], row["ballot_id"], row["title_id"]), []).append(row["person_id"])
    per_title, per_person = Counter(), Counter()
    for (conference, _, title), names in marks.items():
        if title in places and len(set(names)) == len(names) <= places[title]:
            per_title[(conference, title)] += len(names)
            per_person.update((conference, title, name) for name in names)
    for row in tables["ballots"]:
        if row["votes"] is not None:
            per_title[(row["conference_id"], row["title_id"])] += row["votes"]
            per_person[(row["conference_id"], row["title_id"], row["person_id"])] += row["votes"]
    return per_title, per_person


def test_every_seed_fits_its_ballots():
    over = []
    for seed in range(1001, 1041):
        tables = build_thuong_tin(seed).tables
        valid = {c["conference_id"]: c["ballots_valid"] for c in tables["conferences"]}
        places = {t["title_id"]: t["places"] for t in tables["titles"]}
        per_title, per_person = _counted_totals(tables)
        over += [(seed, key, votes) for key, votes in per_title.items() if votes > valid[key[0]] * places[key[1]]]
        over += [(seed, key, votes) for key, votes in per_person.items() if votes > valid[key[0]]]
        assert per_title[("buoc3-2022", "bi-thu")] > 3 * 229 * 0.5, seed  # really counted, not empty
    assert not over


def test_spoiled_ballots_still_count_for_titles_they_mark_correctly():
    places = {"a": 2, "b": 1}
    defective = [{"a": ["x", "y"], "b": ["x", "y"]},  # fine for a, too many for b
                 {"a": ["x", "x"]}, {"c": ["x"]}, {"b": ["z"]}]  # duplicate, unknown title, fine
    assert marks_still_counted(defective, places) == {"a": 2, "b": 1}


def test_vote_targets_leave_room_for_the_extra_marks():
    # one place on 20 ballots, threshold 5, avoid 1: draws in [5+1+3, round(20 × 0.97)] = [9, 19];
    # 10 extra marks leave room for 20 × 1 − 10 = 10 votes at most
    drawn = {vote_targets(random.Random(i), 1, 1, 20, 5, avoid=1, extra=10)[0] for i in range(40)}
    assert drawn == {9, 10}


@pytest.mark.parametrize("seed", PIPELINE_SEEDS)
def test_a_seeded_district_loads_and_its_analyses_run(seed, tmp_path):
    from analysis.ballots import introduction_votes
    from analysis.dataset import read_dataset
    from analysis.trust import analyse

    dataset, problems = read_dataset(write_folder(build_thuong_tin(seed), tmp_path))
    assert [str(p) for p in problems if p.severity == "error"] == []
    assert {p.code for p in problems} == {"unknown_title_ballot"}
    t = dataset.tables
    step3 = introduction_votes(t["ballots"], t["titles"], t["conferences"], t["people"]).tally
    step3 = step3[step3["conference_id"] == "buoc3-2022"]
    tied = step3[step3["tie_at_cutoff"].fillna(False)]
    assert set(tied["title_id"]) == {"pct-ubnd"} and len(tied) == 2
    half = step3[step3["votes"] == 125]  # 125 × 2 = 250 convened: exactly 50 %, not passed
    assert len(half) == 1 and half["pct"].iloc[0] == 50.0 and not half["passed"].iloc[0]
    table, _ = analyse(t["trust_votes"], t["conferences"])
    latest = table[table["conference_id"] == "tn-2021"]
    bands = latest.set_index("person_id")["low_band"]
    # 18 / 33 = 0.545 (over half), 22 / 33 = 2/3 (two thirds); everyone else at most 33 // 12 = 2 low
    assert sorted(bands[bands != "none"]) == ["over_half", "two_thirds"]
    assert set(bands[bands != "none"].index) <= set(t["planning"]["person_id"])
