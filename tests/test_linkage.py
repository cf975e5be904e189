"""Linkage between levels (analysis.linkage): upper pool people without a source, lower pools
feeding nobody, finding the datasets below, resolving their paths."""

from __future__ import annotations

import pytest
from planning_tables import TITLES, frame

from analysis.linkage import find_lower_datasets, linkage


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
