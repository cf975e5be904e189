"""The synthetic samples: reproducible to the byte, committed as generated, and carrying every
property the reports are meant to show — each recounted here by hand from the written files."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis import schema
from analysis.config import SAMPLE_DIR
from analysis.sample import write_folder, write_samples
from analysis.sample_votes import build_thuong_tin

FOLDERS = ("thuong-tin-2022", "xa-tien-phong-2022", "xa-van-tao-2022", "muong-lat-2016", "xa-hong-phong-2026")
WORKBOOK = "muong-lat-2017.xlsx"
REQUIRED_META = {"id", "name", "level", "regime", "as_of", "terms", "tables", "description"}


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("samples")
    write_samples(path)
    return path


@pytest.fixture(scope="module")
def data(out) -> dict[str, tuple[dict, dict[str, pd.DataFrame]]]:
    """Every freshly written dataset: (metadata, tables) read back from the files."""
    return all_datasets(out)


def _files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def _xlsx_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# Reading the written files, as a user's tools would ------------------------------------------


def read_csv(out: Path, dataset: str, table: str) -> pd.DataFrame:
    return pd.read_csv(out / dataset / f"{table}.csv", dtype=str, keep_default_na=False,
                       encoding="utf-8-sig")


def read_workbook(path: Path) -> tuple[dict, dict[str, pd.DataFrame]]:
    """Metadata and tables of the workbook, headers and codes turned back into canonical form."""
    sheets = pd.read_excel(path, sheet_name=None, dtype=object)
    raw = sheets.pop("dataset")
    meta = dict(zip(raw["key"], raw["value"], strict=True))
    tables = {}
    for name, frame in sheets.items():
        table = schema.sheet_lookup()[schema.fold(name)]
        headers = schema.header_lookup(table)
        frame = frame.rename(columns=lambda h, headers=headers: headers[schema.fold(h)])
        for column in frame.columns:
            codes = schema.value_lookup(column)
            if column in ("gender", "sector", "education", "political_theory", "status", "managed_by",
                          "body", "base"):
                frame[column] = frame[column].map(lambda v, codes=codes: codes.get(schema.fold(v), v)
                                                  if isinstance(v, str) else v)
        tables[table] = frame
    return meta, tables


def parse_date(value) -> dt.date | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value)
    if len(text) == 4:
        return dt.date(int(text), 1, 1)
    if "/" in text:
        d, m, y = (int(x) for x in text.split("/"))
        return dt.date(y, m, d)
    return dt.date.fromisoformat(text)


def all_datasets(out: Path) -> dict[str, tuple[dict, dict[str, pd.DataFrame]]]:
    found = {}
    for name in FOLDERS:
        meta = yaml.safe_load((out / name / "dataset.yml").read_text(encoding="utf-8"))
        found[name] = meta, {t: read_csv(out, name, t) for t in meta["tables"]}
    found["muong-lat-2017"] = read_workbook(out / WORKBOOK)
    return found


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def as_of(meta: dict) -> dt.date:
    return parse_date(meta["as_of"])


# Reproducibility -----------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes(out, tmp_path):
    again = tmp_path / "again"
    write_samples(again)
    first, second = _files(out), _files(again)
    assert first.keys() == second.keys()
    for name, path in first.items():
        assert path.read_bytes() == second[name].read_bytes(), name


def test_another_seed_gives_other_people(out, tmp_path):
    write_samples(tmp_path, seed=7)
    assert (tmp_path / "thuong-tin-2022/people.csv").read_bytes() != (out / "thuong-tin-2022/people.csv").read_bytes()


def test_committed_samples_are_a_fresh_generation(out):
    """data/sample/ is generated, never edited by hand: `make sample` rewrites it."""
    committed = _files(SAMPLE_DIR)
    fresh = _files(out)
    assert committed.keys() == fresh.keys(), "run `make sample` and commit data/sample/"
    for name, path in fresh.items():
        if name.endswith(".xlsx"):  # compressed bytes may differ between zlib builds; contents may not
            assert _xlsx_members(path) == _xlsx_members(committed[name]), name
        else:  # (line ends normalised, in case a checkout converts them)
            assert path.read_bytes() == committed[name].read_bytes().replace(b"\r\n", b"\n"), \
                f"{name}: run `make sample`"


def test_csv_files_are_utf8_with_bom_and_canonical_headers(out):
    for name in FOLDERS:
        for csv_path in (out / name).glob("*.csv"):
            data = csv_path.read_bytes()
            assert data.startswith(b"\xef\xbb\xbf"), csv_path
            header = data[3:].decode("utf-8").splitlines()[0].split(",")
            assert set(header) <= set(schema.COLUMNS[csv_path.stem]), csv_path


def test_metadata_of_every_dataset(data):
    for name, (meta, tables) in data.items():
        assert REQUIRED_META <= set(meta), name
        assert meta["id"] == name
        assert "không phải người thật" in meta["description"]
        assert "(dữ liệu mẫu)" in meta["name"]
        assert meta["level"] in schema.LEVELS and meta["regime"] in ("qd50", "qd377", "kl24")
        assert {"people", "titles", "planning"} <= set(tables)


def test_workbook_is_vietnamese(out):
    from openpyxl import load_workbook

    wb = load_workbook(out / WORKBOOK)
    assert wb.sheetnames[0] == "dataset"
    assert {"Cán bộ", "Chức danh", "Quy hoạch"} <= set(wb.sheetnames)
    people = wb["Cán bộ"]
    headers = [c.value for c in people[1]]
    assert headers[:4] == ["Mã cán bộ", "Họ và tên", "Giới tính", "Ngày sinh"]
    assert {c.value for c in people["C"][1:]} == {"Nam", "Nữ"}
    assert any(isinstance(c.value, dt.datetime) for c in people["D"][1:])  # real Excel date cells
    meta = {row[0].value: row[1].value for row in wb["dataset"].iter_rows(min_row=2)}
    assert meta["terms"] == "2015-2020 party 2015-08; 2016-2021 government 2016-05"
    assert wb.properties.created == wb.properties.modified == dt.datetime(2025, 1, 1)


# People --------------------------------------------------------------------------------------


def test_people_are_plausible(data):
    for name, (meta, tables) in data.items():
        people = tables["people"]
        assert people["person_id"].is_unique, name
        assert people["full_name"].is_unique, name
        day = as_of(meta)
        ages = [age_on(parse_date(b), day) for b in people["birth_date"]]
        assert all(18 <= a <= 100 for a in ages), name
        assert sum(35 <= a <= 55 for a in ages) / len(ages) >= 0.6, f"{name}: pool mostly 35–55"
        women = (people["gender"] == "female").mean() * 100
        assert 20 <= women <= 35, f"{name}: {women:.1f} % women"
        assert set(people["gender"]) == {"male", "female"}
        assert set(people["education"]) <= set(schema.EDUCATION)
        assert set(people["political_theory"]) <= set(schema.POLITICAL_THEORY)
        assert set(people["sector"]) <= set(schema.SECTORS)
        joined = [parse_date(x) for x in people["party_join_date"]]
        births = [parse_date(b) for b in people["birth_date"]]
        assert all(age_on(b, j) >= 18 and j <= day for b, j in zip(births, joined, strict=True)), name


def test_district_pool_has_young_and_near_retirement_people(data):
    meta, tables = data["thuong-tin-2022"]
    people = tables["people"]
    ages = pd.Series([age_on(parse_date(b), as_of(meta)) for b in people["birth_date"]])
    assert (ages < 35).sum() >= 3 and (ages >= 58).sum() >= 3
    assert "007" in set(people["person_id"])  # ids with leading zeros stay text
    assert (people["discipline"] != "").sum() >= 2
    assert (people["education"] == "doctorate").sum() <= 5
    assert (people["sector"] == "armed_forces").any() and (people["sector"] == "commune").any()


def test_upland_district_has_ethnic_minorities_and_year_only_births(data):
    _, tables = data["muong-lat-2017"]
    ethnic = set(tables["people"]["ethnicity"])
    assert {"Thái", "Mông", "Mường", "Dao", "Khơ Mú", "Kinh"} <= ethnic
    assert (tables["people"]["ethnicity"] != "Kinh").mean() > 0.6
    assert sum(isinstance(b, str) and len(b) == 4 for b in tables["people"]["birth_date"]) == 2


def test_references_between_tables_hold(data):
    for name, (_, tables) in data.items():
        ids = set(tables["people"]["person_id"])
        title_ids = set(tables["titles"]["title_id"])
        assert set(tables["planning"]["person_id"]) <= ids, name
        assert set(tables["planning"]["title_id"]) <= title_ids, name
        assert tables["titles"]["title_id"].is_unique
        if "ballots" in tables:
            assert set(tables["ballots"]["person_id"]) <= ids, name
            assert set(tables["ballots"]["conference_id"]) <= set(tables["conferences"]["conference_id"])
        if "trust_votes" in tables:
            assert set(tables["trust_votes"]["person_id"]) <= ids, name
        removed = tables["planning"][tables["planning"]["status"] == "removed"]
        assert (removed["removed_on"].astype(str) != "").all() and (removed["removal_reason"] != "").all()


# Introduction ballots (raw, step 3) ------------------------------------------------------------


@pytest.fixture(scope="module")
def district(data):
    return data["thuong-tin-2022"][1]


def _raw_tally(district):
    """Hand count of the step-3 raw ballots: a ballot is invalid for a title when it names more
    people than the title's places, names someone twice, or names a title that does not exist."""
    ballots = district["ballots"]
    raw = ballots[ballots["ballot_id"] != ""]
    places = dict(zip(district["titles"]["title_id"], district["titles"]["places"].astype(int), strict=True))
    invalid, counts = {}, {}
    for (ballot, title), marks in raw.groupby(["ballot_id", "title_id"]):
        names = list(marks["person_id"])
        reason = ("unknown_title" if title not in places else
                  "too_many" if len(names) > places[title] else
                  "duplicate" if len(set(names)) < len(names) else None)
        if reason:
            invalid.setdefault(reason, set()).add(ballot)
            continue
        for person in names:
            counts[(title, person)] = counts.get((title, person), 0) + 1
    return raw, places, invalid, counts


def test_raw_ballots_carry_each_kind_of_invalid_ballot_and_add_up(district):
    raw, _, invalid, _ = _raw_tally(district)
    assert set(invalid) == {"unknown_title", "too_many", "duplicate"}
    conf = district["conferences"].set_index("conference_id").loc["buoc3-2022"]
    spoiled = set().union(*invalid.values())
    assert raw["ballot_id"].nunique() == int(conf["ballots_collected"])
    assert int(conf["ballots_valid"]) == int(conf["ballots_collected"]) - len(spoiled)
    assert int(conf["convened"]) >= int(conf["present"]) >= int(conf["ballots_issued"]) >= int(
        conf["ballots_collected"])
    assert int(conf["present"]) * 3 >= int(conf["convened"]) * 2  # quorum
    assert 200 <= raw["ballot_id"].nunique() <= 400


def test_someone_gets_exactly_half_of_those_convened(district):
    _, _, _, counts = _raw_tally(district)
    convened = int(district["conferences"].set_index("conference_id").loc["buoc3-2022", "convened"])
    exactly_half = [key for key, votes in counts.items() if votes * 2 == convened]
    assert len(exactly_half) == 1


def test_a_tie_sits_on_a_cut_off(district):
    _, places, _, counts = _raw_tally(district)
    convened = int(district["conferences"].set_index("conference_id").loc["buoc3-2022", "convened"])
    ties = []
    for title, n in places.items():
        votes = sorted((v for (t, _), v in counts.items() if t == title), reverse=True)
        if len(votes) > n and votes[n - 1] == votes[n]:
            ties.append((title, votes[n - 1]))
    assert len(ties) == 1
    assert ties[0][1] * 2 > convened  # both tied people passed: the committee has to decide


def test_counted_steps_follow_step_3(district):
    ballots = district["ballots"]
    counted = ballots[ballots["votes"] != ""]
    assert set(counted["conference_id"]) == {"buoc4-2022", "buoc5-2022"}
    _, _, _, counts = _raw_tally(district)
    step4 = counted[counted["conference_id"] == "buoc4-2022"]
    assert all(counts[(t, p)] * 2 > 250 for t, p in zip(step4["title_id"], step4["person_id"], strict=True))
    assert (step4["votes"].astype(int) * 2 < 35).any()  # someone dropped by the executive committee
    # the step-4 opinion (agree / disagree) matches the counted BCH votes of that step
    opinion = district["trust_votes"][district["trust_votes"]["conference_id"] == "buoc4-2022"]
    bch = step4[step4["title_id"] == "bch"].set_index("person_id")["votes"].astype(int)
    assert dict(zip(opinion["person_id"], opinion["agree"].astype(int), strict=True)) == bch.to_dict()
    assert ((opinion["agree"].astype(int) + opinion["disagree"].astype(int)) == 33).all()


# Trust votes --------------------------------------------------------------------------------


def _round(district, conference):
    votes = district["trust_votes"]
    rows = votes[votes["conference_id"] == conference].copy()
    for col in ("high", "trust", "low"):
        rows[col] = rows[col].astype(int)
    collected = int(district["conferences"].set_index("conference_id").loc[conference, "ballots_collected"])
    return rows, collected


def test_low_trust_bands_in_the_latest_round(district):
    rows, collected = _round(district, "tn-2021")
    over_half = rows[(rows["low"] * 2 > collected) & (rows["low"] * 3 < collected * 2)]
    two_thirds = rows[rows["low"] * 3 >= collected * 2]
    assert len(over_half) == 1 and len(two_thirds) == 1
    assert ((rows["high"] + rows["trust"] + rows["low"]) <= collected).all()
    planned = set(district["planning"]["person_id"])
    assert set(over_half["person_id"]) <= planned and set(two_thirds["person_id"]) <= planned


def test_the_printed_round_has_one_typing_error_and_one_odd_total(district):
    rows, collected = _round(district, "tn-2020")
    mismatched = []
    for _, row in rows.iterrows():
        for level in ("high", "trust", "low"):
            printed = float(row[f"{level}_pct"].replace(",", "."))
            exact = round(row[level] * 100 / collected + 1e-9, 2)
            if abs(printed - exact) > 0.01:
                mismatched.append((row["person_id"], level))
    assert len(mismatched) == 1
    totals = rows["high"] + rows["trust"] + rows["low"]
    far = rows[(totals - totals.median()).abs() > 5]
    assert len(far) == 1 and far["person_id"].iloc[0] != mismatched[0][0]
    later, _ = _round(district, "tn-2021")
    assert set(rows["person_id"]) == set(later["person_id"])  # the same people in both rounds


def test_no_vote_is_dated_after_as_of(data):
    # ages are computed on as_of: every conference of every sample is on or before it, and the
    # district's steps 4 and 5 follow step 3 the same day (25/05/2022, the article's date)
    for name, (meta, tables) in data.items():
        if "conferences" in tables:
            dates = [parse_date(d) for d in tables["conferences"]["date"]]
            assert all(d is not None and d <= as_of(meta) for d in dates), name
    confs = data["thuong-tin-2022"][1]["conferences"].set_index("conference_id")["date"]
    assert [parse_date(confs[c]) for c in ("buoc3-2022", "buoc4-2022", "buoc5-2022")] == [dt.date(2022, 5, 25)] * 3
    assert parse_date(confs["tn-2020"]) < parse_date(confs["tn-2021"]) < dt.date(2022, 5, 25)


# Linkage: communes below the district ---------------------------------------------------------


def test_communes_link_to_the_district(data):
    district = data["thuong-tin-2022"][1]
    district_people = district["people"].set_index("person_id")
    planned_up = set(district["planning"].query("status != 'removed'")["person_id"])
    pools = {}
    for name in ("xa-tien-phong-2022", "xa-van-tao-2022"):
        meta, tables = data[name]
        assert meta["parent"] == "thuong-tin-2022" and meta["level"] == "commune"
        pools[name] = set(tables["planning"].query("status != 'removed'")["person_id"])
        shared = tables["people"][tables["people"]["person_id"].isin(district_people.index)]
        assert len(shared) >= 2
        for _, person in shared.iterrows():  # the same person on both sides
            other = district_people.loc[person["person_id"]]
            assert person["full_name"] == other["full_name"] and person["gender"] == other["gender"]
            assert parse_date(person["birth_date"]) == parse_date(other["birth_date"])
    assert len(pools["xa-tien-phong-2022"] & planned_up) >= 2  # feeds the district
    assert not pools["xa-van-tao-2022"] & planned_up  # feeds nobody
    assert planned_up - pools["xa-tien-phong-2022"] - pools["xa-van-tao-2022"]  # from no commune pool


# Review: Mường Lát before and after 15/03/2017 -------------------------------------------------


def _active(planning: pd.DataFrame, day: dt.date) -> set[tuple[str, str]]:
    active = set()
    for _, row in planning.iterrows():
        since, gone = parse_date(row["since"]), parse_date(row["removed_on"])
        if since <= day and (gone is None or gone > day):
            active.add((row["person_id"], row["title_id"]))
    return active


def test_review_before_and_after_agree_with_the_dates(data):
    before_meta, before = data["muong-lat-2016"]
    _, after = data["muong-lat-2017"]
    review, previous = dt.date(2017, 3, 15), as_of(before_meta)
    assert previous == dt.date(2016, 3, 15)
    assert _active(after["planning"], previous) == _active(before["planning"], previous)
    assert _active(before["planning"], previous) == set(zip(before["planning"]["person_id"],
                                                            before["planning"]["title_id"], strict=True))
    removed = after["planning"][after["planning"]["status"] == "removed"]
    assert {parse_date(d) for d in removed["removed_on"]} == {review}
    assert set(removed["removal_reason"]) == {"Quá tuổi", "Kỷ luật", "Chuyển công tác", "Nghỉ hưu",
                                              "Tín nhiệm thấp"}
    added = after["planning"][[parse_date(d) == review for d in after["planning"]["since"]]]
    assert len(added) >= 5 and not set(added["person_id"]) <= set(before["people"]["person_id"])
    people_after = after["people"].set_index("person_id")
    for _, person in before["people"].iterrows():  # same ids, same people
        assert people_after.loc[person["person_id"], "full_name"] == person["full_name"]
        assert parse_date(people_after.loc[person["person_id"], "birth_date"]) == parse_date(person["birth_date"])
    disciplined = removed[removed["removal_reason"] == "Kỷ luật"]["person_id"].iloc[0]
    assert people_after.loc[disciplined, "discipline"] == "Khiển trách"


# qd377 commune: limits exceeded on purpose ----------------------------------------------------


def test_commune_under_qd377_exceeds_each_limit_once(data):
    meta, tables = data["xa-hong-phong-2026"]
    assert meta["regime"] == "qd377" and meta["as_of"] == dt.date(2026, 1, 15)
    active = tables["planning"].query("status != 'removed'")
    leadership = set(tables["titles"].query("body == 'leadership'")["title_id"])
    per_title = active[active["title_id"].isin(leadership)]["title_id"].value_counts()
    assert (per_title > 3).sum() == 1
    per_person = active["person_id"].value_counts()
    assert (per_person > 3).sum() == 1
    assert active[active["title_id"].isin(leadership)]["person_id"].value_counts().max() == 4
    assert {"conferences", "ballots", "trust_votes"} <= set(tables)
    assert (tables["ballots"]["votes"] != "").all()  # counted minutes
    assert {"agree", "disagree"} <= set(tables["trust_votes"].columns)


# The loader, when it exists -------------------------------------------------------------------


@pytest.mark.parametrize("name", [*FOLDERS, WORKBOOK])
def test_every_committed_sample_loads_without_errors(name):
    if importlib.util.find_spec("analysis.dataset") is None:
        pytest.skip("analysis.dataset (the loader) is not there yet")
    from analysis.dataset import read_dataset

    dataset, problems = read_dataset(SAMPLE_DIR / name)
    errors = [p for p in problems if p.severity == "error"]
    assert dataset is not None and not errors, "\n".join(str(p) for p in errors[:10])
    assert dataset.meta.id == name.removesuffix(".xlsx")
    assert {"people", "titles", "planning"} <= set(dataset.tables)
    assert "conference_after_as_of" not in {p.code for p in problems}
    if name == "thuong-tin-2022":  # the spoiled ballot naming a title that does not exist: a warning
        assert {p.code for p in problems if p.severity == "warning"} == {"unknown_title_ballot"}


# Any seed: the benchmark builds districts from seeds 1001, 1002, … ---------------------------
