"""The real public lists (National Assembly candidates and deputies) load through committed
mapping files and reproduce facts that can be checked by hand in the CSV files.

The lists live beside the project (``config.SHARED_PUBLIC_DIR``), not in it: the tests skip when
they are absent. The mapping files are in ``tests/fixtures/public/<name>/mapping.yml``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.config import SHARED_PUBLIC_DIR
from analysis.dataset import load_dataset

MAPPINGS = Path(__file__).parent / "fixtures" / "public"

LISTS = {
    # name: (file, as_of)
    "na16": ("na16_candidates_2026_official_list.csv", "2026-03-15"),
    "na14": ("na14_candidates_2016.csv", "2016-05-22"),
    "na13": ("na13_deputies_dbqh_2011_2016.csv", "2011-05-22"),
}


def _load(name: str, tmp_path: Path):
    file, as_of = LISTS[name]
    csv = SHARED_PUBLIC_DIR / file
    if not csv.is_file():
        pytest.skip(f"public list {csv} is absent (it lives outside the project, beside it)")
    meta = {"id": name, "name": f"Public list {name}", "level": "central", "regime": "qd50", "as_of": as_of,
            "tables": {"people": str(csv)}, "mapping": str(MAPPINGS / name / "mapping.yml")}
    (tmp_path / "dataset.yml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    return load_dataset(tmp_path)


def _minority(people: pd.DataFrame) -> int:
    return int((people["ethnicity"].notna() & (people["ethnicity"] != "Kinh")).sum())


def test_na16_official_list_2026(tmp_path):
    ds = _load("na16", tmp_path)
    people = ds.tables["people"]
    assert len(people) == 864
    assert (people["gender"] == "female").sum() == 392
    # Names are uppercase in the source and stay as typed
    assert people.loc[2, "full_name"] == "TÔ LÂM"
    assert people.loc[2, "birth_date"] == pd.Timestamp("1957-07-10")
    assert (people["birth_date_precision"] == "day").all()
    # "Đóng" (a scraped button label) means missing: 64 non-party candidates, one ethnicity
    assert people["party_join_date"].isna().sum() == 64
    assert people["ethnicity"].isna().sum() == 1
    assert people.loc[people["ethnicity"].isna(), "full_name"].tolist() == ["ĐINH THỊ MIA"]
    # 187 rows are not "Kinh"; one of them is the placeholder, so 186 with a known minority ethnicity
    assert _minority(people) == 186
    assert _minority(people) + people["ethnicity"].isna().sum() == 187
    # Political theory through the Vietnamese aliases (Cử nhân counts as advanced)
    assert people["political_theory"].value_counts().to_dict() == {
        "advanced": 577 + 27, "intermediate": 134, "none": 93, "elementary": 33}
    # No id column: ids are the Excel row numbers, with a warning
    assert people["person_id"].iloc[[0, -1]].tolist() == ["2", "865"]
    assert [p.code for p in ds.warnings] == ["ids_generated"]


def test_na14_candidates_2016(tmp_path):
    ds = _load("na14", tmp_path)
    people = ds.tables["people"]
    assert len(people) == 870
    assert (people["gender"] == "female").sum() == 339
    assert _minority(people) == 204
    # 7 birth dates are a year alone: 1 January, year precision
    year_only = people[people["birth_date_precision"] == "year"]
    assert len(year_only) == 7
    assert (year_only["birth_date"].dt.strftime("%m-%d") == "01-01").all()
    # Single-digit months parse: "02/9/1972" is 2 September 1972
    assert people.loc[3, "full_name"] == "Phạm Xuân Anh"
    assert people.loc[3, "birth_date"] == pd.Timestamp("1972-09-02")
    # The source's own id column is the person_id (no warning)
    assert people["person_id"].iloc[:3].tolist() == ["1", "2", "3"]
    assert ds.warnings == []
    assert people["party_join_date"].isna().sum() == 96
    assert (people["party_join_date_precision"] == "month").sum() == 1


def test_na13_deputies_2011_2016(tmp_path):
    ds = _load("na13", tmp_path)
    people = ds.tables["people"]
    assert len(people) == 500
    assert (people["gender"] == "female").sum() == 122
    assert _minority(people) == 78
    # "6/8/1955": single digits for day and month
    assert people.loc[2, "full_name"] == "Nguyễn Thanh Bình"
    assert people.loc[2, "birth_date"] == pd.Timestamp("1955-08-06")
    # free-text columns mapped to null are ignored
    assert "political_theory" not in people and "education" not in people
    assert [p.code for p in ds.warnings] == ["ids_generated"]
