"""An oracle for the raw-ballot count: `tally_raw` and `tally_parquet` against plain Python.

Seeded random datasets (several conferences and titles, a title with up to 60 places and 100+
candidates, planted defects: a name 2–5 times, unnamed marks, unknown titles, too many names,
write-ins spelled several ways) are counted twice: by the DuckDB tally and by `reference_tally`,
written here from the rules alone (ballots.yml, the tally docstrings) with loops and Counters.
Both tally entry points must agree with the reference on the votes per person, the printed
write-in spelling and the invalid ballots per reason, and with each other frame for frame.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest

from analysis import tally as tally_module
from analysis.schema import fold
from analysis.tally import ballot_rules, effective_places
from test_ballots import I, S

SEEDS = (11, 2024, 31337, 909)
# More datasets counted with narrower settings than tally.py's (see there), so that its rarer paths run:
LANES_SEED = 77  # 2 lanes of person counters for 250+ people: people share counters
TITLE_LANES_SEED = 78  # 2 titles to a lane of mark counts (3 lanes here); carry-free: decoded from them
TITLE_BITS_SEED = 79  # 4-bit mark counts: ballots of 8 marks or more are suspects, and counts carry
# One more with nobody named 4+ times and each write-in typed one way up to spaces: the tally
# decodes such data from its counters alone; the other datasets take its exact path.
CARRY_FREE_SEED = 5

COUNT_COLUMNS = ["conference_id", "title_id", "person_id", "full_name", "votes"]
INVALID_COLUMNS = ["conference_id", "title_id", "reason", "ballots"]
UNKNOWN_TITLES = ("XX", "ZZ9")


# The reference count --------------------------------------------------------------------------

# Each invalid-ballot criterion over one ballot's marks for one title; the priority is data
# (ballots.yml `invalid_reasons`), the meaning is written here again, not taken from tally.py.
CRITERIA = {
    "unknown_title": lambda known, places, marks, named, people: not known,
    "too_many_names": lambda known, places, marks, named, people: places is not None and people > places,
    "duplicate_name": lambda known, places, marks, named, people: people < named,
    "unnamed": lambda known, places, marks, named, people: named < marks,
}


def blank(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value) or value == ""


def person_key(person_id, full_name):
    """Who a mark names: ("id", person_id), ("write_in", folded name), or None for nobody."""
    if not blank(person_id):
        return ("id", str(person_id))
    if not blank(full_name) and fold(full_name):
        return ("write_in", fold(full_name))
    return None


def collapse(name: str) -> str:
    return re.sub(r"\s+", " ", name)


def places_by_title(titles: pd.DataFrame) -> dict:
    """{title_id: places, or None when unknown}, as the tally derives them."""
    return {t: (None if pd.isna(p) else int(p))
            for t, p in zip(titles["title_id"], effective_places(titles, ballot_rules()))}


def judged_groups(marks: pd.DataFrame, titles: pd.DataFrame):
    """Yield (conference, title, reason or None, [(person key, full_name)]) per ballot and title."""
    places = places_by_title(titles)
    reasons = ballot_rules().invalid_reasons
    assert set(reasons) <= set(CRITERIA), f"a criterion this oracle does not know: {reasons}"
    groups = defaultdict(list)
    for c, b, t, p, w in zip(*(marks[col].tolist() for col in ("conference_id", "ballot_id", "title_id",
                                                                 "person_id", "full_name"))):
        groups[(c, b, t)].append((person_key(p, w), w))
    for (c, _, t), group in groups.items():
        named = [key for key, _ in group if key is not None]
        facts = (t in places, places.get(t), len(group), len(named), len(set(named)))
        reason = next((r for r in reasons if CRITERIA[r](*facts)), None)
        yield c, t, reason, group


def reference_tally(marks: pd.DataFrame, titles: pd.DataFrame) -> tuple[dict, set]:
    """Votes {(conference, title, person key): votes} from valid ballots, and the invalid
    ballots {(conference, title, reason, ballots)}."""
    votes, invalid = Counter(), Counter()
    for c, t, reason, group in judged_groups(marks, titles):
        if reason:
            invalid[(c, t, reason)] += 1
        else:
            votes.update((c, t, key) for key, _ in group if key is not None)
    return dict(votes), {(c, t, r, n) for (c, t, r), n in invalid.items()}


def valid_spellings(marks: pd.DataFrame, titles: pd.DataFrame) -> dict:
    """Write-in spellings (whitespace collapsed) seen on valid ballots, per (conference, title, key)."""
    found = defaultdict(set)
    for c, t, reason, group in judged_groups(marks, titles):
        for key, name in group:
            if reason is None and key is not None and key[0] == "write_in":
                found[(c, t, key)].add(collapse(name))
    return found


# The random datasets --------------------------------------------------------------------------

WRITE_IN_NAMES = ("Trần Văn Dũng", "Đặng Thị Hương", "Nguyễn Hữu Ước", "Lê Đức Anh",
                  "Phạm Thị Ngọc Ánh", "Hoàng Quốc Việt")
CANONICAL = {fold(name): name for name in WRITE_IN_NAMES}
EMPTY_MARKS = ((None, None), ("", None), (None, ""), ("", ""))  # no person_id, no name: NA or ""


def no_diacritics(name: str) -> str:
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def spellings(name: str) -> list[str]:
    """Ways one write-in is typed: case, diacritics, NFD, spaces and tabs, punctuation."""
    return [name, name, name.upper(), name.lower(), no_diacritics(name), no_diacritics(name).upper(),
            "  ".join(name.split()), name.replace(" ", "\t", 1), f" {name}  ",
            unicodedata.normalize("NFD", name), name.replace(" ", "-", 1), f"{name}."]


def spacings(name: str) -> list[str]:
    """Ways of typing a write-in that differ only in inner spaces (the same once collapsed)."""
    return [name, name, "  ".join(name.split()), name.replace(" ", "\t", 1)]


def invalid_only_spelling(name: str) -> str:
    # a leading space and capitals sort before every other spelling: a count that takes min()
    # over all ballots, invalid ones included, would print this one
    return "  " + no_diacritics(name).upper()


def title_specs(rng: np.random.Generator) -> list[dict]:
    """4–5 titles: places given, derived from seats, 1, and (sometimes) unknown = no limit."""
    next_id = iter(range(1, 10_000))

    def pool(low: int, high: int) -> list[str]:  # new people: pools of different titles are disjoint
        return [f"P{next(next_id):04d}" for _ in range(int(rng.integers(low, high + 1)))]

    specs = [
        dict(title_id="BCH", body="bch", seats=40, places=int(rng.integers(45, 61)), pool=pool(100, 130)),
        dict(title_id="BTV", body="btv", seats=12, places=None, pool=pool(110, 130)),  # 12 × 1.5 = 18 places
        dict(title_id="PBT", body="leadership", seats=2, places=None, pool=pool(40, 50)),  # 2 × 4 = 8 places
    ]
    specs.append(dict(title_id="BT", body="leadership", seats=1, places=1,
                      pool=list(rng.choice(specs[2]["pool"], 8, replace=False))))  # also stand for PBT
    if rng.random() < 0.5:
        specs.append(dict(title_id="KT", body=None, seats=None, places=None, pool=pool(15, 25)))
    return specs


def titles_table(specs: list[dict]) -> pd.DataFrame:
    return pd.DataFrame({
        "title_id": S(*[s["title_id"] for s in specs]), "title": S(*[f"Chức danh {s['title_id']}" for s in specs]),
        "body": S(*[s["body"] for s in specs]), "term": S(*["2025-2030"] * len(specs)),
        "seats": I(*[s["seats"] for s in specs]), "places": I(*[s["places"] for s in specs]),
    })


def conferences_table(ballots: dict[str, int]) -> pd.DataFrame:
    """Counts a little above the ballots in the data (blank ballots, people who left)."""
    ids = list(ballots)
    n = [ballots[c] for c in ids]
    return pd.DataFrame({
        "conference_id": S(*ids), "step": I(*[3] * len(ids)), "body": S(*["key_cadres"] * len(ids)),
        "convened": I(*[k + 12 for k in n]), "present": I(*[k + 6 for k in n]),
        "ballots_issued": I(*[k + 6 for k in n]), "ballots_collected": I(*[k + 3 for k in n]),
        "ballots_valid": I(*n), "base": S(*[None] * len(ids)),
    })


def ballot_marks(rng, spec, places, write_ins, planted, carry_free) -> list[tuple]:
    """One ballot's (person_id, full_name) marks for one title, defects planted at a few % each."""
    typed = spacings if carry_free else spellings
    pool, weights = spec["pool"], spec["weights"]
    limit = places if places is not None else 8
    if places is not None and rng.random() < 0.03 and places + 3 <= len(pool):
        k = places + int(rng.integers(1, 4))
        planted["too_many_names"] += 1
    else:
        k = int(rng.integers(1, min(limit, len(pool)) + 1))
    marks = [(str(p), f"Ứng viên {p}" if rng.random() < 0.2 else None)  # a printed name beside the id
             for p in rng.choice(pool, k, replace=False, p=weights)]
    if rng.random() < 0.1:
        for name in rng.choice(write_ins, int(rng.integers(1, 3)), replace=False):
            marks.append((None, str(rng.choice(typed(str(name))))))
    defective = False
    if rng.random() < 0.04:  # the same person 2, 3, 4 or 5 times: a write-in in other spellings
        person_id, name = marks[int(rng.integers(len(marks)))]
        times = int(rng.choice([2, 3] if carry_free else [2, 3, 4, 5]))
        for _ in range(times - 1):
            marks.append((person_id, name if person_id else str(rng.choice(typed(CANONICAL[fold(name)])))))
        planted[f"named_{times}_times"] += 1
        defective = True
    if rng.random() < 0.03:  # empty marks
        for _ in range(int(rng.integers(1, 3))):
            marks.append(EMPTY_MARKS[int(rng.integers(len(EMPTY_MARKS)))])
        planted["unnamed"] += 1
        defective = True
    if (defective or k > limit) and not carry_free and rng.random() < 0.4:
        marks.append((None, invalid_only_spelling(str(rng.choice(write_ins)))))
        planted["invalid_only_spelling"] += 1
    return marks


@lru_cache(maxsize=None)
def dataset(seed: int, carry_free: bool = False) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Counter]:
    """(marks, titles, conferences, what was planted) for one seed; marks in random row order."""
    rng = np.random.default_rng(seed)
    specs = title_specs(rng)
    titles = titles_table(specs)
    places = places_by_title(titles)
    for spec in specs:  # a few popular candidates, a long tail
        w = rng.pareto(1.5, len(spec["pool"])) + 0.3
        spec["weights"] = w / w.sum()
    planted, rows, ballots = Counter(), [], {}
    conference_ids = [f"HN{i:02d}" for i in range(1, int(rng.integers(2, 4)) + 1)]
    for n, c in enumerate(conference_ids):
        # the first conference votes every title (250+ candidates); the others some of them
        some = sorted(rng.choice(len(specs), int(rng.integers(2, len(specs))), replace=False))
        voted = specs if n == 0 else [specs[j] for j in some]
        write_ins = list(rng.choice(WRITE_IN_NAMES, 4, replace=False))
        seen = set()
        for i in range(int(rng.integers(150, 401))):
            ballot = f"{i + 1:04d}"  # numbered per conference: the same ids recur across conferences
            for spec in voted:
                if rng.random() < 0.15:  # this ballot leaves the title blank
                    planted["title_left_blank"] += 1
                    continue
                for person_id, full_name in ballot_marks(rng, spec, places[spec["title_id"]], write_ins, planted,
                                                         carry_free):
                    rows.append((c, ballot, spec["title_id"], person_id, full_name))
                seen.add(ballot)
            if rng.random() < 0.03:  # marks for a title that is not in the titles table
                title = str(rng.choice(UNKNOWN_TITLES))
                for p in rng.choice(specs[0]["pool"], int(rng.integers(1, 4))):  # duplicates allowed
                    rows.append((c, ballot, title, str(p), None))
                planted["unknown_title"] += 1
                seen.add(ballot)
        ballots[c] = len(seen)
    rows = [rows[i] for i in rng.permutation(len(rows))]
    marks = pd.DataFrame({col: S(*values) for col, values in zip(
        ("conference_id", "ballot_id", "title_id", "person_id", "full_name"), zip(*rows))})
    return marks, titles, conferences_table(ballots), planted


@lru_cache(maxsize=None)
def reference(seed: int, carry_free: bool = False):
    marks, titles, _, _ = dataset(seed, carry_free)
    return reference_tally(marks, titles), valid_spellings(marks, titles)


# Reading the tally's output -------------------------------------------------------------------


def observed_votes(counts: pd.DataFrame) -> tuple[dict, dict]:
    """({(conference, title, person key): votes}, {write-in key: printed name}) from counts."""
    votes, printed = {}, {}
    for r in counts.itertuples(index=False):
        if pd.notna(r.person_id):
            assert pd.isna(r.full_name), f"full_name is for write-ins only: {r}"
            key = (r.conference_id, r.title_id, ("id", r.person_id))
        else:
            key = (r.conference_id, r.title_id, ("write_in", fold(r.full_name)))
            printed[key] = r.full_name
        assert key not in votes, f"listed twice: {key}"
        votes[key] = int(r.votes)
    return votes, printed


def observed_invalid(invalid: pd.DataFrame) -> dict:
    rows = [(r.conference_id, r.title_id, r.reason, int(r.ballots)) for r in invalid.itertuples(index=False)]
    assert len({row[:3] for row in rows}) == len(rows), "a (conference, title, reason) listed twice"
    return {row[:3]: row[3] for row in rows}


def assert_same(got: dict, expected: dict, what: str) -> None:
    """Equal dicts, else the first differing keys (got, expected) rather than two huge dicts."""
    if got != expected:
        keys = sorted(set(got) | set(expected), key=str)
        diff = [(k, got.get(k), expected.get(k)) for k in keys if got.get(k) != expected.get(k)]
        pytest.fail(f"{what}: {len(diff)} differ (key, got, expected):\n" + "\n".join(map(str, diff[:15])))


def assert_agrees_with_reference(result, case: tuple, entry: str) -> None:
    counts, invalid = result
    assert list(counts.columns) == COUNT_COLUMNS and list(invalid.columns) == INVALID_COLUMNS
    (expected_votes, expected_invalid), spellings_used = reference(*case)
    votes, printed = observed_votes(counts)
    assert_same(votes, expected_votes, f"{entry} votes, dataset {case}")
    assert_same(observed_invalid(invalid), {(c, t, r): n for c, t, r, n in expected_invalid},
                f"{entry} invalid ballots, dataset {case}")
    wrong = {k: name for k, name in printed.items() if name not in spellings_used[k]}
    assert not wrong, f"{entry}: write-ins printed in a spelling not used on a valid ballot: {wrong}"


# Tests ----------------------------------------------------------------------------------------

# (seed, tally.py settings to narrow, carry_free)
CASES = ([(seed, {}, False) for seed in SEEDS] + [(LANES_SEED, {"_LANES": 2}, False),
         (TITLE_LANES_SEED, {"_TITLES_PER_LANE": 2}, True), (TITLE_BITS_SEED, {"_TITLE_BITS": 4}, False),
         (CARRY_FREE_SEED, {}, True)])
CASE_IDS = [f"seed{seed}" + "".join(f"-{name.strip('_').lower()}{value}" for name, value in narrow.items())
            + ("-carry_free" if carry_free else "") for seed, narrow, carry_free in CASES]


@pytest.mark.parametrize("seed, narrow, carry_free", CASES, ids=CASE_IDS)
def test_each_dataset_plants_what_the_oracle_is_for(seed, narrow, carry_free):
    """Guard against a generator change that quietly stops covering a case."""
    marks, titles, conferences, planted = dataset(seed, carry_free)
    assert 2 <= len(conferences) <= 3 and 4 <= len(titles) <= 5
    assert len(marks) <= 60_000
    assert all(150 <= n <= 400 for n in conferences["ballots_valid"])
    times = (2, 3) if carry_free else (2, 3, 4, 5)
    for kind in ("too_many_names", "unnamed", "unknown_title", "title_left_blank",
                 *(f"named_{n}_times" for n in times), *(() if carry_free else ("invalid_only_spelling",))):
        assert planted[kind] > 0, kind
    (votes, invalid), spellings_used = reference(seed, carry_free)
    assert {reason for _, _, reason, _ in invalid} == set(ballot_rules().invalid_reasons)
    bch = titles.set_index("title_id").loc["BCH"]
    assert 45 <= bch["places"] <= 60
    people = marks[marks["person_id"].fillna("") != ""]
    per_title = people.groupby(["conference_id", "title_id"])["person_id"].nunique()
    assert per_title.xs("BCH", level="title_id").max() >= 100  # several 50-person groups
    assert people.groupby("conference_id")["person_id"].nunique().max() >= 250
    written_in = marks[marks["person_id"].isna() & marks["full_name"].fillna("").str.strip().ne("")]
    assert len(written_in) > sum(v for k, v in votes.items() if k[2][0] == "write_in")  # some on invalid ones
    typed_ways = written_in.groupby(written_in["full_name"].map(fold))["full_name"].agg(
        lambda names: set(map(collapse, names)))
    if carry_free:  # one way per person once spaces are collapsed, though typed with tabs and double spaces
        assert typed_ways.map(len).max() == 1 and written_in["full_name"].str.contains("  |\t").any()
    else:  # the same write-in in several spellings on valid ballots
        assert max(len(names) for names in spellings_used.values()) >= 3


@pytest.mark.parametrize("seed, narrow, carry_free", CASES, ids=CASE_IDS)
def test_tally_raw_and_parquet_agree_with_plain_python(seed, narrow, carry_free, tmp_path, monkeypatch):
    for name, value in narrow.items():
        monkeypatch.setattr(tally_module, name, value)
    if carry_free:  # decoded from the counters alone: the exact path must not run
        monkeypatch.setitem(tally_module._SQL, "exact", "SELECT error('carry-free data took the exact path')")
    marks, titles, conferences, _ = dataset(seed, carry_free)
    path = tmp_path / "marks.parquet"
    marks.to_parquet(path)
    in_memory = tally_module.tally_raw(marks, titles, conferences)
    from_parquet = tally_module.tally_parquet(path, titles, conferences)
    assert_agrees_with_reference(in_memory, (seed, carry_free), "tally_raw")
    assert_agrees_with_reference(from_parquet, (seed, carry_free), "tally_parquet")
    pd.testing.assert_frame_equal(in_memory[0], from_parquet[0])
    pd.testing.assert_frame_equal(in_memory[1], from_parquet[1])


def test_people_sharing_a_hash_are_still_told_apart(monkeypatch):
    """Marks find their person by a hash of the key; make every person of a conference share
    one hash, and the count must fall back to comparing the keys and still agree."""
    monkeypatch.setattr(tally_module, "_KEY_HASH", "hash(c)")
    marks, titles, conferences, _ = dataset(SEEDS[0], False)
    assert_agrees_with_reference(tally_module.tally_raw(marks, titles, conferences), (SEEDS[0], False), "tally_raw")
