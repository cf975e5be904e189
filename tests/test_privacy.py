"""Pseudonyms (stable keyed codes, applied right after loading) and small-cell suppression."""

from __future__ import annotations

import itertools
import random
import re

import pandas as pd
import pytest

from analysis import privacy
from analysis.dataset import load_dataset
from analysis.errors import ParameterError
from analysis.privacy import (
    Pseudonymiser,
    collapse_small_cells,
    pseudonym,
    pseudonym_key,
    pseudonymise_dataset,
    pseudonymise_loads,
    suppress_small_cells,
)

KEY = b"test-key"
CODE = re.compile(r"^CB-[A-Z2-7]{8}$")

PEOPLE = (
    "person_id,full_name,gender,birth_date,unit,position\n"
    "007,Nguyễn Văn An,Nam,06/08/1975,Văn phòng,Chánh Văn phòng\n"
    "008,Lò Thị Bình,Nữ,1980-02-28,UBND huyện,Phó Chủ tịch (thay Nguyễn Văn An)\n"
    "009,Giàng A Páo,Nam,1984,Xã Pù Nhi,Bí thư Đảng ủy xã\n"
)
TRUST = (
    "conference_id,person_id,full_name,agree,disagree\n"
    "HN1,007,Nguyễn Văn An,30,2\n"
    "HN1,,Lò Thị Bình,28,4\n"
    "HN1,,Người Ngoài Danh Sách,20,12\n"
)
CONFERENCES = "conference_id,step,body,date,convened,present,ballots_issued,ballots_collected,ballots_valid\n" \
              "HN1,4,bch,2022-05-27,33,32,32,32,32\n"
NAMES = ("Nguyễn Văn An", "Lò Thị Bình", "Giàng A Páo", "Người Ngoài Danh Sách")


def _all_text(dataset) -> str:
    cells = [str(v) for df in dataset.tables.values() for column in df.columns for v in df[column]]
    return "\n".join(cells + [str(dataset.meta.name), str(dataset.meta.description)]
                     + [str(w) for w in dataset.warnings])


# Pseudonyms ------------------------------------------------------------------------------------

def test_pseudonym_is_stable_keyed_and_shaped():
    assert pseudonym("007", KEY) == pseudonym(" 007 ", KEY)  # the same person, the same code
    assert CODE.match(pseudonym("007", KEY))
    assert pseudonym("007", KEY) != pseudonym("008", KEY)
    assert pseudonym("007", KEY) != pseudonym("007", b"another key")  # no key, no way back


def test_pseudonymise_dataset_codes_every_name_and_id(make_dataset):
    folder = make_dataset({"people": PEOPLE, "trust_votes": TRUST, "conferences": CONFERENCES},
                          meta={"description": "Danh sách do Giàng A Páo lập"})
    original = load_dataset(folder)
    coded = pseudonymise_dataset(original, KEY)

    people = coded.tables["people"]
    assert people["person_id"].tolist() == [pseudonym(p, KEY) for p in ("007", "008", "009")]
    assert people["full_name"].tolist() == people["person_id"].tolist()  # the name is the code
    assert people.index.tolist() == original.tables["people"].index.tolist()  # Excel rows kept
    # a name inside other text is replaced too
    assert people["position"].iloc[1] == f"Phó Chủ tịch (thay {pseudonym('007', KEY)})"
    assert coded.meta.description == f"Danh sách do {pseudonym('009', KEY)} lập"

    trust = coded.tables["trust_votes"]
    # by id; by a name found once in people (Lò Thị Bình is 008); an unknown name: its own code
    assert trust["full_name"].iloc[0] == pseudonym("007", KEY)
    assert trust["full_name"].iloc[1] == pseudonym("008", KEY)
    outsider = trust["full_name"].iloc[2]
    assert CODE.match(outsider) and outsider not in people["person_id"].tolist()
    assert trust["agree"].tolist() == [30, 28, 20]  # counts untouched

    text = _all_text(coded)
    for name in NAMES:
        assert name in _all_text(original)
        assert name not in text, name
    for person_id in ("007", "008", "009"):
        assert person_id not in coded.tables["people"]["person_id"].tolist()
    assert original.tables["people"]["full_name"].iloc[0] == "Nguyễn Văn An"  # a copy, not in place


def test_a_name_shared_by_two_people_is_not_guessed():
    people = pd.DataFrame({"person_id": ["1", "2"], "full_name": ["Trần Văn Hùng", "Trần Văn Hùng"]})
    coder = Pseudonymiser(KEY, people)
    by_name = coder.name("Trần Văn Hùng")
    assert by_name not in (pseudonym("1", KEY), pseudonym("2", KEY))  # ambiguous: the name's own code
    assert coder.name("TRẦN VĂN HÙNG") == by_name  # folded: case and spaces do not matter


def test_pseudonymise_loads_codes_every_load_and_can_be_undone(make_dataset):
    from analysis import dataset as loader
    from analysis.dataset import read_dataset  # a reference held from before: coded all the same

    folder = make_dataset({"people": PEOPLE})
    loaders = (loader.load_dataset, loader.read_dataset)
    try:
        pseudonymise_loads(KEY)
        pseudonymise_loads(KEY)  # twice: the same one hook
        assert (loader.load_dataset, loader.read_dataset) == loaders  # nothing wrapped or replaced
        assert load_dataset(folder).tables["people"]["full_name"].iloc[2] == pseudonym("009", KEY)
        assert read_dataset(folder)[0].tables["people"]["person_id"].iloc[2] == pseudonym("009", KEY)
        assert loader.after_load_fingerprint() == privacy.key_fingerprint(KEY)
    finally:
        pseudonymise_loads(None)
    assert loader.after_load_fingerprint() is None
    assert load_dataset(folder).tables["people"]["full_name"].iloc[2] == "Giàng A Páo"


def test_pseudonymise_loads_codes_the_names_in_problems_and_errors(make_dataset):
    from analysis.errors import DatasetError

    bad = PEOPLE.replace("person_id,full_name,gender,birth_date,unit,position",
                         "person_id,full_name,gender,birth_date,unit,position,party_join_date")
    bad = bad.replace("Chánh Văn phòng\n", "Chánh Văn phòng,cùng ngày với Giàng A Páo\n")
    folder = make_dataset({"people": bad})
    try:
        pseudonymise_loads(KEY)
        with pytest.raises(DatasetError) as excinfo:
            load_dataset(folder)
    finally:
        pseudonymise_loads(None)
    # the bad date is quoted (the page of a failed report shows it), with the code for the name
    assert f"cùng ngày với {pseudonym('009', KEY)}" in str(excinfo.value)
    assert [p.value for p in excinfo.value.problems if p.code == "bad_date"] == \
        [f"cùng ngày với {pseudonym('009', KEY)}"]
    assert "Giàng A Páo" not in str(excinfo.value)


def test_key_fingerprint_hides_the_key_and_tells_keys_apart():
    assert privacy.key_fingerprint(KEY) == privacy.key_fingerprint(b"test-key")
    assert privacy.key_fingerprint(KEY) != privacy.key_fingerprint(b"another key")
    assert "test-key" not in privacy.key_fingerprint(KEY) and len(privacy.key_fingerprint(KEY)) == 16


def test_pseudonym_key_sources(monkeypatch, tmp_path):
    monkeypatch.setenv(privacy.KEY_ENV, "from-env")
    assert pseudonym_key() == b"from-env"

    monkeypatch.delenv(privacy.KEY_ENV)
    key_file = tmp_path / "k.key"
    key_file.write_text("from-file\n", encoding="utf-8")
    monkeypatch.setenv(privacy.KEY_FILE_ENV, str(key_file))
    assert pseudonym_key() == b"from-file"

    monkeypatch.setenv(privacy.KEY_FILE_ENV, str(tmp_path / "missing.key"))
    with pytest.raises(ParameterError) as excinfo:
        pseudonym_key()
    assert "Không có khóa" in str(excinfo.value) and "no pseudonym key" in str(excinfo.value)

    monkeypatch.delenv(privacy.KEY_FILE_ENV)
    default = tmp_path / "home" / "pseudonym.key"
    monkeypatch.setattr(privacy, "DEFAULT_KEY_FILE", default)
    first = pseudonym_key()
    assert default.is_file() and oct(default.stat().st_mode & 0o777) == "0o600"
    assert len(first) == 64 and pseudonym_key() == first  # created once, then kept
    with pytest.raises(ParameterError):
        default.unlink()
        pseudonym_key(create=False)


# Small cells -----------------------------------------------------------------------------------

def _hidden(table: pd.DataFrame) -> list[bool]:
    return table["suppressed"].tolist()


def test_flat_table_hides_the_small_count_and_one_more():
    table = pd.DataFrame({"name": list("abcd"), "count": [10, 2, 5, 7]})
    out = suppress_small_cells(table, threshold=3)
    # 2 < 3 is hidden; the total 24 is published, so 24 - 10 - 5 - 7 = 2 would give it back:
    # the smallest other non-zero cell (5) is hidden too; 24 - 10 - 7 = 7 = 2 + 5, either way
    assert _hidden(out) == [False, True, True, False]
    assert out["count"].tolist()[0] == 10 and out["count"].isna().tolist() == [False, True, True, False]
    assert table["count"].tolist() == [10, 2, 5, 7]  # the input is not changed


def test_zero_is_shown_and_exempt_rows_are_never_hidden():
    table = pd.DataFrame({"name": list("abcd"), "count": [0, 1, 8, 9], "pct": [0.0, 5.56, 44.44, 50.0]})
    out = suppress_small_cells(table)
    # 0 identifies nobody; 1 is hidden with the smallest non-zero other, 8 (not the 0)
    assert _hidden(out) == [False, True, True, False]
    assert out["pct"].isna().tolist() == [False, True, True, False]  # numbers beside the count too
    kept = suppress_small_cells(table, exempt={"name": ["C"]})  # folded: "C" is "c"
    assert _hidden(kept) == [False, True, False, True]  # 9 instead of the exempt 8


def test_nested_groups_hide_small_groups_and_their_complements():
    table = pd.DataFrame({
        "sector": ["party", "party", "party", "government", "government", "front"],
        "unit": ["HU", "BTC", "UBKT", "UBND", "PTC", "MTTQ"],
        "count": [5, 2, 1, 6, 4, 2],
    })
    out = suppress_small_cells(table, by=["sector"])
    # BTC 2 and UBKT 1 are small: two hidden in party, safe inside the party total (8).
    # front's total is 2: hidden with MTTQ. The grand total (20) and the sector totals are
    # published: 20 - 8 - 10 = 2 would give front back, so the smaller other sector, party (8
    # < government 10), is hidden as a whole (HU too). Government stays: 6 and 4.
    assert _hidden(out) == [True, True, True, False, False, True]


def test_one_small_unit_in_a_group_takes_a_neighbour_with_it():
    table = pd.DataFrame({"sector": ["gov"] * 3 + ["party"] * 2, "unit": ["UBND", "PTC", "PYT", "HU", "VP"],
                          "count": [6, 4, 1, 5, 3]})
    out = suppress_small_cells(table, by=["sector"])
    # PYT 1 is hidden; government's total 11 would give it back (11 - 6 - 4): PTC 4 goes too.
    # Party (5, 3) has nothing under 3; no sector is hidden, so the grand total reveals nothing.
    assert _hidden(out) == [False, True, True, False, False]


def test_threshold_zero_or_one_hides_nothing_and_bad_input_is_refused():
    table = pd.DataFrame({"name": ["a", "b"], "count": [1, 2]})
    assert _hidden(suppress_small_cells(table, threshold=1)) == [False, False]
    assert _hidden(suppress_small_cells(table, threshold=0)) == [False, False]
    with pytest.raises(ParameterError) as excinfo:
        suppress_small_cells(table, count="people")
    assert "missing columns" in str(excinfo.value) and "people" in str(excinfo.value)
    with pytest.raises(ParameterError, match="whole number"):
        suppress_small_cells(table, threshold=2.5)
    with pytest.raises(ParameterError, match="'-1'"):
        suppress_small_cells(table, threshold=-1)


def _safe(table: pd.DataFrame, group: str, threshold: int = 3) -> None:
    """The promise, checked independently of the algorithm: every small count is hidden; every
    group total the chart shows (a group left in `collapse_small_cells`) is 0 or not small and
    has 0 or at least 2 hidden non-zero parts; the grand total has 0 or at least 2 groups not
    shown (unless there is one group); and the chart still adds up to the grand total."""
    hidden = suppress_small_cells(table, by=[group], threshold=threshold)["suppressed"].tolist()
    shown = collapse_small_cells(table, "(x)", by=[group], threshold=threshold)
    counts = table["count"].tolist()
    assert all(h for h, c in zip(hidden, counts) if 0 < c < threshold), (counts, hidden)
    assert shown["count"].sum() == sum(counts)
    published = set(shown[group]) - {"(x)"}
    not_shown = 0
    for name, rows in table.groupby(group).groups.items():
        positions = [table.index.get_loc(i) for i in rows]
        total = sum(counts[p] for p in positions)
        if name in published:
            assert total == 0 or total >= threshold, (name, counts, hidden)
            assert len([p for p in positions if hidden[p] and counts[p] > 0]) != 1, (name, counts, hidden)
        elif total > 0:
            assert all(hidden[p] for p in positions), (name, counts, hidden)
            not_shown += 1
    groups = (table.groupby(group)["count"].sum() > 0).sum()
    assert not_shown != 1 or groups == 1, (counts, hidden)


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_never_reveal_a_hidden_cell(seed):
    rng = random.Random(seed)
    groups = rng.randint(1, 4)
    rows = [(f"g{g}", f"u{g}{u}", rng.choice([0, 1, 1, 2, 3, 4, 6, 9, 15]))
            for g in range(groups) for u in range(rng.randint(1, 4))]
    table = pd.DataFrame(rows, columns=["group", "unit", "count"])
    _safe(table, "group")


def test_collapse_merges_hidden_cells_under_each_published_total():
    table = pd.DataFrame({
        "sector": ["party", "party", "party", "government", "government", "front"],
        "unit": ["HU", "BTC", "UBKT", "UBND", "PTC", "MTTQ"],
        "count": [5, 2, 1, 6, 4, 2],
    })
    out = collapse_small_cells(table, "(gộp)", by=["sector"])
    # government's units stay; party (5+2+1) and front (2) were hidden whole: one row of 10
    # under the grand total, its sector and unit both "(gộp)"
    assert out.to_dict("list") == {"sector": ["government", "government", "(gộp)"],
                                   "unit": ["UBND", "PTC", "(gộp)"], "count": [6, 4, 10]}

    inner = pd.DataFrame({"sector": ["gov"] * 3, "unit": ["UBND", "PTC", "PYT"], "count": [6, 4, 1],
                          "pct": [54.55, 36.36, 9.09]})
    merged = collapse_small_cells(inner, "(gộp)", by=["sector"])
    # PTC 4 + PYT 1 = 5 stay inside government; their percentage is not shown
    assert merged["unit"].tolist() == ["UBND", "(gộp)"] and merged["count"].tolist() == [6, 5]
    assert merged["sector"].tolist() == ["gov", "gov"] and pd.isna(merged["pct"].iloc[1])
    nothing = collapse_small_cells(pd.DataFrame({"name": ["a"], "count": [7]}), "(gộp)")
    assert nothing.to_dict("list") == {"name": ["a"], "count": [7]}


def test_every_pair_of_small_cells_in_one_group_stays_hidden_together():
    # exhaustive on a small grid: whatever two cells are small, nothing is given back
    for a, b in itertools.product([1, 2, 5, 8], repeat=2):
        table = pd.DataFrame({"group": ["x", "x", "x"], "unit": ["p", "q", "r"], "count": [a, b, 7]})
        _safe(table, "group")
