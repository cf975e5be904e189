"""Introduction ballots: hand-counted tallies, bases, thresholds, ties, invalid ballots, steps."""

from __future__ import annotations

import json
from collections import Counter

import pandas as pd
import pytest

from analysis import ballots as B
from analysis import tally as tally_module
from analysis.errors import DatasetError, ParameterError, RulesError
from analysis.tally import ballot_rules, effective_places, split_ballots, tally_parquet, tally_raw


def I(*values):  # noqa: E743 - short helper for Int64 arrays
    return pd.array(values, dtype="Int64")


def S(*values):
    return pd.array(values, dtype="str")


def conferences(**over) -> pd.DataFrame:
    """One step-3 conference: convened 12, present 10, issued 10, collected 9, valid 8."""
    row = dict(conference_id="k3", step=3, body="key_cadres", convened=12, present=10,
               ballots_issued=10, ballots_collected=9, ballots_valid=8, base=None)
    row.update(over)
    df = pd.DataFrame([row])
    for c in ("step", "convened", "present", "ballots_issued", "ballots_collected", "ballots_valid"):
        df[c] = df[c].astype("Int64")
    df["base"] = df["base"].astype("str")
    return df


def full() -> pd.DataFrame:
    """Everyone convened came and voted: all counts 12."""
    return conferences(present=12, ballots_issued=12, ballots_collected=12, ballots_valid=12)


def titles(places=2, seats=1) -> pd.DataFrame:
    return pd.DataFrame({
        "title_id": S("T", "V"), "title": S("Bí thư", "Phó Bí thư"), "body": S("leadership", "leadership"),
        "term": S("2025-2030", "2025-2030"), "seats": I(seats, 1), "places": I(places, 1),
    })


def counted(rows) -> pd.DataFrame:
    """rows: (title_id, person_id, votes) for conference k3."""
    return pd.DataFrame({
        "conference_id": S(*["k3"] * len(rows)), "title_id": S(*[r[0] for r in rows]),
        "person_id": S(*[r[1] for r in rows]), "votes": I(*[r[2] for r in rows]),
    })


def row(df, person, title="T"):
    found = df[(df["person_id"] == person) & (df["title_id"] == title)]
    assert len(found) == 1, found
    return found.iloc[0]


# Bases and threshold -----------------------------------------------------------------------

@pytest.mark.parametrize("base, pct_a, passed_a, pct_b, passed_b", [
    # A 6 votes, B 5 votes
    ("convened", 50.00, False, 41.67, False),          # 6/12 = 50 % exactly: NOT passed; 5/12 = 41.666…
    ("present", 60.00, True, 50.00, False),            # 6/10; 5/10 = 50 % exactly
    ("ballots_issued", 60.00, True, 50.00, False),     # 6/10; 5/10
    ("ballots_collected", 66.67, True, 55.56, True),   # 6/9 = 66.666…; 5/9 = 55.555… (half up)
    ("ballots_valid", 75.00, True, 62.50, True),       # 6/8; 5/8
])
def test_each_base_by_hand(base, pct_a, passed_a, pct_b, passed_b):
    t = B.tally(counted([("T", "A", 6), ("T", "B", 5)]), conferences(), titles(), base=base)
    a, b = row(t, "A"), row(t, "B")
    assert (a["base"], a["pct"], bool(a["passed"])) == (base, pct_a, passed_a)
    assert (b["pct"], bool(b["passed"])) == (pct_b, passed_b)
    assert a["base_count"] == {"convened": 12, "present": 10, "ballots_issued": 10,
                               "ballots_collected": 9, "ballots_valid": 8}[base]


def test_default_base_is_convened_and_conference_base_is_used():
    t = B.tally(counted([("T", "A", 6)]), conferences(), titles())
    assert (row(t, "A")["base"], row(t, "A")["pct"]) == ("convened", 50.00)
    own = B.tally(counted([("T", "A", 6)]), conferences(base="ballots_valid"), titles())
    assert (row(own, "A")["base"], row(own, "A")["pct"]) == ("ballots_valid", 75.00)  # 6/8
    # the report parameter wins over the conference's own base: 6/10 = 60 %
    param = B.tally(counted([("T", "A", 6)]), conferences(base="ballots_valid"), titles(), base="present")
    assert row(param, "A")["pct"] == 60.00


def test_regime_ballot_base_is_the_default():
    rules = ballot_rules({"ballot_base": "ballots_collected"})
    t = B.tally(counted([("T", "A", 6)]), conferences(), titles(), rules=rules)
    assert (row(t, "A")["base"], row(t, "A")["pct"]) == ("ballots_collected", 66.67)  # 6/9


def test_just_over_half_passes_on_exact_fraction():
    # 401/800 = 50.125 % → printed 50.13, passed; 400/800 = 50.00, not passed; 1/800 = 0.125 → 0.13
    conf = conferences(convened=800, present=800, ballots_issued=800, ballots_collected=800, ballots_valid=800)
    t = B.tally(counted([("T", "A", 401), ("T", "B", 400), ("T", "C", 1)]), conf, titles(places=3))
    assert (row(t, "A")["pct"], bool(row(t, "A")["passed"])) == (50.13, True)
    assert (row(t, "B")["pct"], bool(row(t, "B")["passed"])) == (50.00, False)
    assert row(t, "C")["pct"] == 0.13


def test_bad_base_parameter_and_missing_base_count():
    with pytest.raises(ParameterError, match=r"Cơ sở tính 'quorum'.*unknown base 'quorum'"):
        B.tally(counted([("T", "A", 6)]), conferences(), titles(), base="quorum")
    with pytest.raises(DatasetError, match=r"không có số 'present'.*no 'present' count"):
        B.tally(counted([("T", "A", 6)]), conferences(present=None), titles(), base="present")


def test_contract_columns_first():
    t = B.tally(counted([("T", "A", 6)]), conferences(), titles())
    assert list(t.columns[:11]) == ["conference_id", "title_id", "person_id", "full_name", "votes", "base",
                                    "base_count", "pct", "passed", "rank", "tie_at_cutoff"]


# Ranking, cut-off and ties -----------------------------------------------------------------

def test_tie_on_the_cutoff_is_flagged_not_broken():
    # places 3, convened 12 (pass: more than 6). P 9 | Q, R, S 7 | U 3
    # ranks 1, 2, 2, 2, 5; P fills place 1; Q, R, S compete for places 2–3 → tie on the cut-off
    t = B.tally(counted([("T", "P", 9), ("T", "Q", 7), ("T", "R", 7), ("T", "S", 7), ("T", "U", 3)]),
                full(), titles(places=3))
    assert t["person_id"].tolist() == ["P", "Q", "R", "S", "U"]
    assert t["rank"].tolist() == [1, 2, 2, 2, 5]
    assert t["tie_at_cutoff"].tolist() == [False, True, True, True, False]
    assert t["outcome"].tolist() == ["in_places", "tie_at_cutoff", "tie_at_cutoff", "tie_at_cutoff", "below_threshold"]
    assert row(t, "P")["in_places"] and pd.isna(row(t, "Q")["in_places"]) and not row(t, "U")["in_places"]
    s = B.title_summary(t).iloc[0]
    # the 3rd place in vote order has 7 votes: 7/12 = 58.33 %
    assert (s["candidates"], s["passed_count"], s["in_places_count"], s["tie_people"], s["cutoff_votes"], s["cutoff_pct"]) == (
        5, 4, 1, 3, 7, 58.33)
    assert bool(s["tie_at_cutoff"])


def test_tie_off_the_cutoff_is_not_flagged():
    # places 3: P, Q 9 (rank 1, 1), R 8 (rank 3) fill the 3 places exactly; S 5/12 fails
    t = B.tally(counted([("T", "P", 9), ("T", "Q", 9), ("T", "R", 8), ("T", "S", 5)]),
                full(), titles(places=3))
    assert t["rank"].tolist() == [1, 1, 3, 4]
    assert not t["tie_at_cutoff"].any()
    assert t["outcome"].tolist() == ["in_places", "in_places", "in_places", "below_threshold"]


def test_tie_below_the_threshold_is_not_a_cutoff_tie():
    # places 1: both 6/12 = 50 % exactly → neither passes, nothing to decide
    t = B.tally(counted([("T", "P", 6), ("T", "Q", 6)]), full(), titles(places=1))
    assert t["rank"].tolist() == [1, 1]
    assert not t["tie_at_cutoff"].any() and not t["passed"].any()
    s = B.title_summary(t).iloc[0]
    assert pd.isna(s["cutoff_votes"]) and s["unfilled"] == 1  # nobody over the line: 1 place left


def test_passed_beyond_the_places():
    # places 2: P 9, Q 8 fill them; R 7/12 = 58.33 % passes but there is no place left
    t = B.tally(counted([("T", "P", 9), ("T", "Q", 8), ("T", "R", 7)]), full(), titles(places=2))
    assert t["outcome"].tolist() == ["in_places", "in_places", "beyond_places"]
    assert t["passed"].tolist() == [True, True, True]


def test_places_default_from_seats_and_regime():
    no_places = titles().assign(places=I(pd.NA, 1))
    # ballots.yml: 4 people per seat; seats 1 → 4 places
    t = B.tally(counted([("T", "A", 7)]), conferences(), no_places)
    assert row(t, "A")["places"] == 4
    qd377 = ballot_rules({"checks": [{"rule": "people_per_title", "op": "<=", "target": 3}]})
    t = B.tally(counted([("T", "A", 7)]), conferences(), no_places.assign(seats=I(2, 1)), rules=qd377)
    assert row(t, "A")["places"] == 6  # 2 seats × 3


def test_places_by_body_from_the_real_regimes():
    from analysis.rules import load_rules

    titles_ = pd.DataFrame({"title_id": S("BCH", "BT"), "title": S("BCH", "BT"), "body": S("bch", "leadership"),
                            "seats": I(33, 1), "places": I(pd.NA, pd.NA)})
    # qd50: bch ⌊33 × 1.5⌋ = 49 (pool_size_ratio), leadership 1 × 4 (people_per_title)
    assert effective_places(titles_, ballot_rules(load_rules("qd50"))).tolist() == [49, 4]
    # qd377: no pool_size_ratio → ballots.yml fallback 1.5 for bch; people_per_title 3
    assert effective_places(titles_, ballot_rules(load_rules("qd377"))).tolist() == [49, 3]


def test_bad_regime_base_is_a_rules_error():
    with pytest.raises(RulesError, match=r"'default_base / ballot_base' = 'quorum'.*is not a base"):
        ballot_rules({"ballot_base": "quorum"})


def test_people_names_and_write_ins():
    people = pd.DataFrame({"person_id": S("A"), "full_name": S("Nguyễn Văn An")})
    counts = pd.DataFrame({"conference_id": S("k3", "k3"), "title_id": S("T", "T"),
                           "person_id": S("A", pd.NA), "full_name": S(pd.NA, "Lê Thị Bình"), "votes": I(7, 2)})
    t = B.tally(counts, conferences(), titles(), people)
    assert t["full_name"].tolist() == ["Nguyễn Văn An", "Lê Thị Bình"]


# Raw ballots -------------------------------------------------------------------------------

def raw_ballots() -> pd.DataFrame:
    """Nine ballots at conference k3; title T has 2 places, X is not a title.

    b1 A B | b2 A B | b3 A C | b4 A B C (too many) | b5 A A (duplicate) | b6 B, and A for X
    (unknown title: invalid for X only) | b7 A + an empty mark (unnamed) | b8, b9 write-ins for
    the same person typed two ways.
    """
    marks = [
        ("b1", "T", "A"), ("b1", "T", "B"), ("b2", "T", "A"), ("b2", "T", "B"), ("b3", "T", "A"), ("b3", "T", "C"),
        ("b4", "T", "A"), ("b4", "T", "B"), ("b4", "T", "C"), ("b5", "T", "A"), ("b5", "T", "A"),
        ("b6", "T", "B"), ("b6", "X", "A"), ("b7", "T", "A"), ("b7", "T", None),
        ("b8", "T", "w:Trần  Văn Dũng"), ("b9", "T", "w:tran van DUNG"),
    ]
    return pd.DataFrame({
        "conference_id": S(*["k3"] * len(marks)),
        "ballot_id": S(*[f"SECRET-{m[0]}" for m in marks]),
        "title_id": S(*[m[1] for m in marks]),
        "person_id": S(*[None if (m[2] or "w:").startswith("w:") else m[2] for m in marks]),
        "full_name": S(*[m[2][2:] if (m[2] or "").startswith("w:") else None for m in marks]),
    })


RAW_CONF = dict(ballots_collected=9, ballots_valid=9)


def test_raw_ballots_counted_by_hand():
    counts, invalid = tally_raw(raw_ballots(), titles(), conferences(**RAW_CONF))
    # valid for T: b1, b2, b3, b6, b8, b9 → A: b1 b2 b3 = 3; B: b1 b2 b6 = 3; C: b3 = 1; Dũng: b8 b9 = 2
    got = {(r.person_id if pd.notna(r.person_id) else r.full_name): r.votes for r in counts.itertuples()}
    assert got == {"A": 3, "B": 3, "C": 1, "Trần Văn Dũng": 2}
    assert set(invalid.itertuples(index=False, name=None)) == {
        ("k3", "T", "too_many_names", 1), ("k3", "T", "duplicate_name", 1),
        ("k3", "X", "unknown_title", 1), ("k3", "T", "unnamed", 1),
    }
    assert list(invalid.columns) == ["conference_id", "title_id", "reason", "ballots"]


def test_too_many_names_takes_priority_over_a_duplicate():
    # A A B C for 2 places: 3 distinct people > 2 → counted once, as too_many_names
    raw = pd.DataFrame({"conference_id": S(*["k3"] * 4), "ballot_id": S(*["z"] * 4),
                        "title_id": S(*["T"] * 4), "person_id": S("A", "A", "B", "C")})
    counts, invalid = tally_raw(raw, titles(), conferences())
    assert counts.empty
    assert invalid[["reason", "ballots"]].values.tolist() == [["too_many_names", 1]]


def test_counted_minutes_give_the_same_result_as_the_raw_ballots():
    conf = conferences(**RAW_CONF)
    counts, _ = tally_raw(raw_ballots(), titles(), conf)
    from_raw = B.tally(counts, conf, titles())
    minutes = pd.DataFrame({"conference_id": S(*["k3"] * 4), "title_id": S(*["T"] * 4),
                            "person_id": S("A", "B", "C", pd.NA),
                            "full_name": S(pd.NA, pd.NA, pd.NA, "Trần Văn Dũng"), "votes": I(3, 3, 1, 2)})
    from_minutes = B.tally(minutes, conf, titles())
    pd.testing.assert_frame_equal(from_raw, from_minutes)
    # 3/12 = 25 %; A and B share rank 1
    assert from_raw["pct"].tolist() == [25.00, 25.00, 16.67, 8.33]
    assert from_raw["rank"].tolist() == [1, 1, 3, 4]


def test_parquet_tally_equals_the_in_memory_one(tmp_path):
    path = tmp_path / "marks.parquet"
    raw_ballots().to_parquet(path)
    conf = conferences(**RAW_CONF)
    a, b = tally_raw(raw_ballots(), titles(), conf), tally_parquet(path, titles(), conf)
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])


def many_ballots(n: int, variant: str) -> tuple[pd.DataFrame, Counter]:
    """``n`` ballots at k3 for title B (60 places, 120 candidates): ballot i names 1 + i % 50
    candidates P((7i + 13j) mod 120), j < that, all distinct since 13 is prime to 120. By i % 10:
    1 names its first twice (duplicate), 2 three times (4 in variant "four_times", 2 in "wrapped_lanes"
    where a 3rd mark might add up with a person sharing its counter, see tally.py), 3 names 61
    (too many), 4 also names someone for title X (unknown: invalid for X only), 5 has an empty mark
    (unnamed), 6 also writes in "Trần  Văn Dũng"; in variant "two_spellings" ballots 1 also write in
    "TRAN VAN DUNG" (invalid: must not become the printed spelling). Returns the marks and the votes
    expected from the valid ballots (i % 10 in 0, 4, 6–9), counted here in plain Python.
    """
    marks, expected = [], Counter()
    for i in range(n):
        kind = i % 10
        names = [f"P{(7 * i + 13 * j) % 120:03d}" for j in range(61 if kind == 3 else 1 + i % 50)]
        times = {"four_times": 4, "wrapped_lanes": 2}.get(variant, 3)
        extra = {1: names[:1], 2: names[:1] * (times - 1), 5: [None],
                 6: ["w:Trần  Văn Dũng"]}.get(kind, [])
        if variant == "two_spellings" and kind == 1:
            extra = extra + ["w:TRAN VAN DUNG"]
        marks += [(f"b{i}", "B", name) for name in names + extra] + ([(f"b{i}", "X", "P000")] if kind == 4 else [])
        if kind in (0, 4, 6, 7, 8, 9):
            expected.update("Trần Văn Dũng" if str(m).startswith("w:") else m for m in names + extra)
    write_in = [m[2] is not None and m[2].startswith("w:") for m in marks]
    return pd.DataFrame({
        "conference_id": S(*["k3"] * len(marks)), "ballot_id": S(*[m[0] for m in marks]),
        "title_id": S(*[m[1] for m in marks]),
        "person_id": S(*[None if w else m[2] for m, w in zip(marks, write_in)]),
        "full_name": S(*[m[2][2:] if w else None for m, w in zip(marks, write_in)]),
    }), expected


@pytest.mark.parametrize("variant", ["plain", "four_times", "two_spellings", "wrapped_lanes"])
def test_many_ballots_parquet_equals_in_memory_and_plain_python(variant, tmp_path, monkeypatch):
    if variant == "wrapped_lanes":  # 120 candidates need 3 lanes of counters; allow 2
        monkeypatch.setattr(tally_module, "_LANES", 2)
    n = 800
    raw, expected = many_ballots(n, variant)
    assert len(raw) > 20_000  # 800 ballots × 25.5 names on average, plus the planted marks
    titles_ = pd.DataFrame({"title_id": S("B"), "title": S("BCH"), "body": S("bch"), "seats": I(40), "places": I(60)})
    conf = conferences(convened=n, present=n, ballots_issued=n, ballots_collected=n, ballots_valid=n)
    path = tmp_path / "marks.parquet"
    raw.to_parquet(path)
    counts, invalid = tally_parquet(path, titles_, conf)
    in_memory = tally_raw(raw, titles_, conf)
    pd.testing.assert_frame_equal(counts, in_memory[0])
    pd.testing.assert_frame_equal(invalid, in_memory[1])
    got = {(r.person_id if pd.notna(r.person_id) else r.full_name): r.votes for r in counts.itertuples()}
    assert got == dict(expected)
    # 800 ballots, 80 of each i % 10: duplicates 1 and 2 → 160; too many 3; unknown X 4; unnamed 5
    assert set(invalid.itertuples(index=False, name=None)) == {
        ("k3", "B", "duplicate_name", 160), ("k3", "B", "too_many_names", 80),
        ("k3", "X", "unknown_title", 80), ("k3", "B", "unnamed", 80),
    }
    assert got["Trần Văn Dũng"] == 80  # written in on the 80 ballots i % 10 == 6, all valid


@pytest.mark.parametrize("column", ["conference_id", "ballot_id", "title_id"])
def test_raw_marks_without_a_key_are_refused(column, tmp_path):
    """Both marks of ballot b1 lose a key: the error counts the two marks, nothing is counted."""
    raw = raw_ballots()
    assert raw.loc[0, "ballot_id"] == raw.loc[1, "ballot_id"] and raw.loc[2, "ballot_id"] != raw.loc[0, "ballot_id"]
    raw.loc[[0, 1], column] = ""
    with pytest.raises(DatasetError, match=r"2 dòng .*thiếu mã hội nghị.*2 mark\(s\) \(rows\) lack conference_id, ballot_id"):
        tally_raw(raw, titles(), conferences(**RAW_CONF))
    raw.to_parquet(tmp_path / "marks.parquet")
    with pytest.raises(DatasetError, match=r"2 mark\(s\) \(rows\) lack"):
        tally_parquet(tmp_path / "marks.parquet", titles(), conferences(**RAW_CONF))


def test_titles_listed_twice_are_refused():
    """A title twice would be judged twice (and its places be ambiguous)."""
    two = pd.concat([titles(places=2), titles(places=3)], ignore_index=True)
    with pytest.raises(DatasetError, match=r"mã trùng: T, V / .*duplicate title_id: T, V"):
        tally_raw(raw_ballots(), two, conferences(**RAW_CONF))


def test_more_raw_ballots_than_collected():
    # 9 distinct ballots but only 8 collected
    with pytest.raises(DatasetError, match=r"9 phiếu.*ballots_collected = 8.*9 ballots in the data"):
        tally_raw(raw_ballots(), titles(), conferences(ballots_collected=8))


def test_raw_ballot_for_unknown_conference():
    raw = raw_ballots().assign(conference_id=S(*["nope"] * len(raw_ballots())))
    with pytest.raises(DatasetError, match=r"hội nghị không có.*unknown conference.*nope"):
        tally_raw(raw, titles(), conferences(**RAW_CONF))


def test_split_mixed_ballots_table():
    raw = raw_ballots().assign(votes=I(*[pd.NA] * 17))
    minutes = counted([("T", "A", 3)]).assign(conference_id=S("c4"), ballot_id=S(pd.NA))
    r, c = split_ballots(pd.concat([raw, minutes], ignore_index=True))
    assert (len(r), len(c)) == (17, 1)
    with pytest.raises(DatasetError, match=r"k3.*phiếu gốc và biên bản.*raw ballots and counted minutes"):
        split_ballots(pd.concat([raw, counted([("T", "A", 3)]).assign(ballot_id=S(pd.NA))], ignore_index=True))


# Accounting --------------------------------------------------------------------------------

def test_accounting_and_quorum_by_hand():
    conf = pd.concat([conferences(), conferences(conference_id="k4", convened=10, present=6, ballots_issued=6,
                                                 ballots_collected=6, ballots_valid=5)], ignore_index=True)
    invalid = pd.DataFrame({"conference_id": S("k3", "k3"), "title_id": S("T", "X"),
                            "reason": S("too_many_names", "unknown_title"), "ballots": I(2, 1)})
    acc = B.accounting(conf, invalid)
    k3, k4 = acc.iloc[0], acc.iloc[1]
    # k3: 2/3 × 12 = 8 required, 10 present → met; invalid 9 − 8 = 1; 10/12 = 83.33 % present
    assert (k3["quorum_required"], bool(k3["quorum_met"]), k3["ballots_invalid"], k3["present_pct"]) == (8, True, 1, 83.33)
    assert k3["invalid_for_titles"] == 3
    # k4: 2/3 × 10 = 6.67 → 7 required, 6 present → not met (shown, not an error)
    assert (k4["quorum_required"], bool(k4["quorum_met"]), k4["ballots_invalid"], k4["invalid_for_titles"]) == (7, False, 1, 0)


@pytest.mark.parametrize("over, vi, en", [
    (dict(present=13), "present = 13 lớn hơn convened = 12", "present = 13 is more than convened = 12"),
    (dict(ballots_issued=11), "ballots_issued = 11 lớn hơn present = 10", "is more than present = 10"),
    (dict(ballots_collected=11), "ballots_collected = 11 lớn hơn ballots_issued = 10", "ballots_collected = 11 is more"),
    (dict(ballots_valid=10), "ballots_valid = 10 lớn hơn ballots_collected = 9", "ballots_valid = 10 is more"),
    (dict(convened=0, present=0, ballots_issued=0, ballots_collected=0, ballots_valid=0),
     "số được triệu tập phải lớn hơn 0", "convened must be more than 0"),
    (dict(ballots_invalid=2), "hợp lệ 8 + không hợp lệ 2 ≠ phiếu thu về 9", "valid 8 + invalid 2 ≠ collected 9"),
])
def test_accounting_that_does_not_add_up(over, vi, en):
    with pytest.raises(DatasetError) as err:
        B.accounting(conferences(**over))
    assert vi in str(err.value) and en in str(err.value) and "k3" in str(err.value)


def test_counted_votes_more_than_valid_ballots():
    with pytest.raises(DatasetError, match=r"9 phiếu, nhiều hơn ballots_valid = 8.*has 9 votes"):
        B.tally(counted([("T", "A", 9)]), conferences(), titles())


def test_counted_title_total_more_than_ballots_times_places():
    # 8 valid ballots × 1 place = 8 names at most; 5 + 4 = 9
    with pytest.raises(DatasetError, match=r"tổng 9 phiếu.*9 votes in all, more than 8 ballots × 1 places"):
        B.tally(counted([("V", "A", 5), ("V", "B", 4)]), conferences(), titles())


def test_counted_minutes_errors():
    with pytest.raises(DatasetError, match=r"chức danh không có trong bảng.*unknown title.*ZZ"):
        B.tally(counted([("ZZ", "A", 3)]), conferences(), titles())
    with pytest.raises(DatasetError, match=r"'A' có hai dòng.*'A' is listed twice"):
        B.tally(counted([("T", "A", 3), ("T", "A", 2)]), conferences(), titles())
    with pytest.raises(DatasetError, match=r"số phiếu '-1'.*invalid votes '-1'"):
        B.tally(counted([("T", "A", -1)]), conferences(), titles())


# Across steps ------------------------------------------------------------------------------

def three_steps() -> pd.DataFrame:
    conf = pd.concat([
        conferences(),
        conferences(conference_id="c4", step=4, body="bch", convened=10, present=10, ballots_issued=10,
                    ballots_collected=10, ballots_valid=10),
        conferences(conference_id="c5", step=5, body="btv", convened=5, present=5, ballots_issued=5,
                    ballots_collected=5, ballots_valid=5),
    ], ignore_index=True)
    rows = [("k3", "A", 8), ("k3", "B", 7), ("k3", "C", 7), ("k3", "D", 2),   # over 12: A B C pass
            ("c4", "A", 9), ("c4", "B", 3), ("c4", "D", 6),                   # over 10: A, D pass
            ("c5", "A", 5), ("c5", "D", 3)]                                   # over 5: A, D pass
    counts = pd.DataFrame({"conference_id": S(*[r[0] for r in rows]), "title_id": S(*["T"] * len(rows)),
                           "person_id": S(*[r[1] for r in rows]), "votes": I(*[r[2] for r in rows])})
    return B.tally(counts, conf, titles(places=4))


def test_steps_kept_dropped_added():
    steps = B.steps_table(three_steps())
    status = {(r.person_id, r.step): r.status for r in steps.itertuples()}
    assert status == {
        ("A", 3): "passed", ("B", 3): "passed", ("C", 3): "passed", ("D", 3): "not_passed",
        ("A", 4): "kept", ("B", 4): "dropped", ("C", 4): "dropped", ("D", 4): "added",
        ("A", 5): "kept", ("D", 5): "kept",
    }
    c4 = steps[(steps["person_id"] == "C") & (steps["step"] == 4)].iloc[0]
    assert pd.isna(c4["votes"]) and pd.isna(c4["pct"])  # absent at step 4
    assert steps[(steps["person_id"] == "A")]["pct"].tolist() == [66.67, 90.00, 100.00]  # 8/12, 9/10, 5/5


def test_flows_between_steps():
    flows = B.flows_table(B.steps_table(three_steps()))
    got = {(r.step, r.status, r.next_step, r.next_status): r.count for r in flows.itertuples()}
    assert got == {(3, "passed", 4, "kept"): 1, (3, "passed", 4, "dropped"): 2,
                   (3, "not_passed", 4, "added"): 1, (4, "kept", 5, "kept"): 1, (4, "added", 5, "kept"): 1}


def test_passed_composition_by_gender():
    people = pd.DataFrame({"person_id": S("A", "B", "C", "D"), "full_name": S("a", "b", "c", "d"),
                           "gender": S("female", "male", "male", pd.NA)})
    comp = B.passed_composition(three_steps(), people, "gender", categories=["male", "female"])
    got = {(r.outcome, r.gender if pd.notna(r.gender) else None): (r.count, r.pct) for r in comp.itertuples()}
    # step 3: passed A (f), B (m), C (m) → 1/3 = 33.33 %, 2/3 = 66.67 %; not passed: D (missing)
    assert got == {("passed", "male"): (2, 66.67), ("passed", "female"): (1, 33.33), ("passed", None): (0, 0.0),
                   ("not_passed", "male"): (0, 0.0), ("not_passed", "female"): (0, 0.0),
                   ("not_passed", None): (1, 100.0)}
    with pytest.raises(ParameterError, match="age_band"):
        B.passed_composition(three_steps(), people, "age_band")


# The whole report and secrecy ---------------------------------------------------------------

def test_introduction_votes_keeps_ballots_secret():
    raw = raw_ballots()
    result = B.introduction_votes(raw, titles(), conferences(**RAW_CONF))
    text = "\n".join([
        result.tally.to_csv(), result.invalid.to_csv(), result.accounting.to_csv(), result.titles.to_csv(),
        result.steps.to_csv(), result.flows.to_csv(), json.dumps(B.summary(result), default=str),
    ])
    assert "SECRET" not in text and "ballot_id" not in text
    s = B.summary(result)
    assert s["invalid_for_titles"] == {"duplicate_name": 1, "too_many_names": 1, "unknown_title": 1, "unnamed": 1}
    assert s["conferences"][0]["kind"] == "raw" and s["conferences"][0]["base"] == "convened"
    assert (s["candidates"], s["passed"]) == (4, 0)  # best is 3/12 = 25 %
    # invalid counts carry the title's name (an unknown title has none)
    assert dict(zip(result.invalid["title_id"], result.invalid["title"].fillna("?"))) == {"T": "Bí thư", "X": "?"}
    assert result.first_step == 3
