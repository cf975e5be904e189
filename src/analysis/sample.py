"""The seeded synthetic sample datasets in `data/sample/`: invented people, realistic shapes.

`write_samples(out_dir)` writes every dataset in the user-facing format of the data contract
(`data/README.md`): a folder per dataset with `dataset.yml` and CSV files (UTF-8 with BOM,
canonical English headers), and `muong-lat-2017.xlsx`, a single workbook with Vietnamese sheet
names, headers and values and its metadata on a sheet `dataset`. The same seed gives the same
bytes. `python -m analysis sample --out DIR` (and `make sample`) calls it.

The datasets and what each is there to show:

- `thuong-tin-2022` (district, qd50): ~150 people; planning for the executive (BCH) and
  standing (BTV) committees and leadership titles; the key-cadre conference (step 3) as raw
  ballots with spoiled ballots, a tie on a cut-off and someone at exactly 50 % of those
  convened; steps 4 and 5 as counted minutes (the same day, 25/05/2022, the `as_of`); the step-4
  opinion as agree/disagree; two earlier trust votes (`tn-2020`, `tn-2021`, before `as_of`) with
  one person over half low, one at two thirds, a mistyped printed percentage and a person whose
  counts add up far from the others'.
- `xa-tien-phong-2022`, `xa-van-tao-2022` (communes below it, `parent: thuong-tin-2022`):
  Tiến Phong feeds the district pool, Vân Tảo feeds nobody.
- `muong-lat-2016` (folder) and `muong-lat-2017.xlsx` (workbook), an upland district under
  kl24: the pool before and after the review of 15/03/2017, with removal reasons.
- `xa-hong-phong-2026` (commune, qd377): a title planned over the limit of three people, a
  person planned for more than three titles, a counted introduction ballot, an opinion vote.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import zipfile
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter

from analysis import schema
from analysis.sample_people import (
    DEFAULT_SEED,
    DEPARTMENTS_UPLAND,
    DESCRIPTION,
    PersonFactory,
    Planner,
    Post,
    SampleDataset,
    commune_posts,
    district_posts,
    make_people,
    title_row,
)
from analysis.sample_votes import (
    GOV,
    PARTY,
    TT_AS_OF,
    build_hong_phong,
    build_thuong_tin,
    conference_row,
    counted_rows,
)

__all__ = ["SampleDataset", "build_commune", "build_hong_phong", "build_muong_lat", "build_thuong_tin",
           "readme", "write_folder", "write_samples", "write_workbook"]

# Workbook properties are fixed so the same data gives the same bytes.
XLSX_TIMESTAMP = dt.datetime(2025, 1, 1)
ZIP_TIMESTAMP = (2025, 1, 1, 0, 0, 0)


# What each sample is there to show (the README of data/sample/).
SHOWS = {
    "thuong-tin-2022": "raw step-3 ballots (spoiled ballots of every kind, a tie on the cut-off of "
                       "`pct-ubnd`, one person at exactly 50 % of those convened), counted steps 4–5, the "
                       "step-4 agree/disagree opinion, trust votes `tn-2020` (printed percentages with one "
                       "typing error, one total far from the others) and `tn-2021` (one person over half "
                       "low, one at two thirds); every vote dated on or before as_of",
    "xa-tien-phong-2022": "commune below `thuong-tin-2022`: several of its people are planned at district level",
    "xa-van-tao-2022": "commune below `thuong-tin-2022` that feeds nobody at district level; dates typed "
                       "dd/mm/yyyy",
    "muong-lat-2016": "the pool before the review of 15/03/2017 (same person ids as the workbook)",
    "muong-lat-2017": "one Excel workbook in Vietnamese: removals with reasons and additions dated "
                      "15/03/2017, two birth dates known only by year",
    "xa-hong-phong-2026": "qd377 limits exceeded once each (a title with four people, a person with six "
                          "titles), counted step-3 ballots, the step-4 opinion",
}


def write_samples(out_dir: Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write every sample dataset (and a README listing them) under ``out_dir``.

    Returns the paths of the datasets written: folders, and the workbook.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    district = build_thuong_tin(seed)
    before, after = build_muong_lat(seed)
    datasets = [district, build_commune(seed, district, "Tiến Phong", "xa-tien-phong-2022", "TP"),
                build_commune(seed, district, "Vân Tảo", "xa-van-tao-2022", "VT"), before, after,
                build_hong_phong(seed)]
    written = [write_workbook(ds, out_dir / f"{ds.id}.xlsx") if ds is after else write_folder(ds, out_dir)
               for ds in datasets]
    (out_dir / "README.md").write_text(readme(datasets, written, seed), encoding="utf-8")
    return written


def readme(datasets: Sequence[SampleDataset], paths: Sequence[Path], seed: int) -> str:
    """A short index of the samples: what each dataset is and what it is there to show."""
    lines = ["# Dữ liệu mẫu / Sample datasets", "",
             f"{DESCRIPTION} Synthetic data — invented people, not real ones.", "",
             f"Written by `make sample` (`python -m analysis sample --out data/sample`, seed {seed}); "
             "do not edit by hand: a test checks that these files equal a fresh generation. "
             "The format is described in `data/README.md`.", "",
             "| dataset | unit | level | regime | as_of | people | shows |", "|---|---|---|---|---|---|---|"]
    for ds, path in zip(datasets, paths, strict=True):
        parent = f" (parent `{ds.parent}`)" if ds.parent else ""
        lines.append(f"| `{path.name}` | {ds.name} | {ds.level}{parent} | {ds.regime} | {ds.as_of.isoformat()} "
                     f"| {len(ds.tables['people'])} | {SHOWS[ds.id]} |")
    return "\n".join(lines) + "\n"


# Communes below the district (qd50, 2022) -----------------------------------------------------


def build_commune(seed: int, district: SampleDataset, place: str, dataset_id: str,
                  prefix: str) -> SampleDataset:
    """A commune pool; its three leaders are the district's people with the same ids."""
    rng = random.Random(f"{seed}:{dataset_id}")
    factory = PersonFactory(rng, TT_AS_OF, used_names={p["full_name"] for p in district.tables["people"]})
    sector_of = {"bt": "party", "pbt": "party", "ct": "government"}
    leaders = []
    for p in district.tables["people"]:
        if p["_key"].endswith(f":{place}"):
            leaders.append(dict(p, sector=sector_of[p["_key"].split(":")[0]], _tier="top",
                                _strength=p["_strength"] + 1))
    posts = commune_posts(place) + [
        Post(f"Đảng ủy xã {place}", f"Bí thư Chi bộ thôn {n}", "party", "commune")
        for n in ("Thượng", "Trung", "Hạ", "Đông", "Đoài")
    ] + [Post(f"Công an xã {place}", f"Phó Trưởng Công an xã {place}", "armed_forces", "commune"),
         Post(f"Hội Liên hiệp Phụ nữ xã {place}", f"Phó Chủ tịch Hội Liên hiệp Phụ nữ xã {place}", "front",
              "commune", gender="female"),
         Post(f"Đoàn TNCS Hồ Chí Minh xã {place}", f"Phó Bí thư Đoàn xã {place}", "front", "young", ages=(24, 29))]
    locals_ = make_people(factory, posts, (f"{prefix}{i:02d}" for i in range(1, len(posts) + 1)))
    people = leaders + locals_
    for person in rng.sample([p for p in locals_ if p["_tier"] == "commune"], 4):
        person["_strength"] += 0.8  # the commune's rising cadres

    terms = [(PARTY, "party", "2025-06"), (GOV, "government", "2026-03")]
    titles = [title_row("bch", f"Ủy viên Ban Chấp hành Đảng bộ xã {place}", "bch", PARTY, 15, 22, "own"),
              title_row("btv", f"Ủy viên Ban Thường vụ Đảng ủy xã {place}", "btv", PARTY, 5, 7, "own")]
    leadership = (("bi-thu", f"Bí thư Đảng ủy xã {place}", PARTY, 1, 3, "higher"),
                  ("pho-bi-thu", f"Phó Bí thư Đảng ủy xã {place}", PARTY, 1, 3, "higher"),
                  ("ct-hdnd", f"Chủ tịch HĐND xã {place}", GOV, 1, 3, "higher"),
                  ("ct-ubnd", f"Chủ tịch UBND xã {place}", GOV, 1, 3, "higher"),
                  ("pct-ubnd", f"Phó Chủ tịch UBND xã {place}", GOV, 2, 5, "own"),
                  ("pct-hdnd", f"Phó Chủ tịch HĐND xã {place}", GOV, 1, 3, "own"),
                  ("ct-mttq", f"Chủ tịch Ủy ban MTTQ Việt Nam xã {place}", PARTY, 1, 3, "own"))
    planner = Planner(rng)
    since = dt.date(2022, 4, 15)
    bch = planner.choose(people, 20, prefer=leaders)
    for person in bch:
        planner.add(person, "bch", "approved", since)
    bch_ids = [p["person_id"] for p in bch]
    for person in planner.choose(bch, 7, prefer=leaders):
        planner.add(person, "btv", "approved", since)
    own_title = {"bt": "bi-thu", "pbt": "ct-hdnd", "ct": "ct-ubnd"}
    for tid, title, term, seats, places, managed in leadership:
        titles.append(title_row(tid, title, "leadership", term, seats, places, managed))
        prefer = [p for p in leaders if own_title[p["_key"].split(":")[0]] == tid]
        for person in planner.choose(people, places, prefer=prefer, bonus=bch_ids):
            planner.add(person, tid, "approved", since)
    gone = rng.choice([p for p in locals_ if p["person_id"] not in planner.count])
    planner.add(gone, "bch", "removed", since, dt.date(2022, 5, 10), "Chuyển công tác")

    feeds = "cung cấp nguồn cho quy hoạch huyện" if place == "Tiến Phong" else \
        "không người nào được quy hoạch ở cấp huyện"
    return SampleDataset(
        id=dataset_id, name=f"Đảng ủy xã {place} (dữ liệu mẫu)", level="commune", regime="qd50",
        as_of=TT_AS_OF, terms=terms, parent=district.id,
        note=f"Xã thuộc huyện Thường Tín (dữ liệu mẫu); {feeds}.",
        date_format="%d/%m/%Y" if place == "Vân Tảo" else "%Y-%m-%d",
        tables={"people": people, "titles": titles, "planning": planner.rows},
    )


# Mường Lát-like upland district (kl24, review of 15/03/2017) -----------------------------------

ML_BEFORE, ML_REVIEW = dt.date(2016, 3, 15), dt.date(2017, 3, 15)
ML_COMMUNES = ("Tam Chung", "Pù Nhi", "Nhi Sơn", "Mường Lý", "Trung Lý", "Mường Chanh", "Quang Chiểu",
               "Thị trấn Mường Lát")
ML_ETHNIC = (("Thái", 0.40), ("Mông", 0.25), ("Kinh", 0.18), ("Mường", 0.08), ("Dao", 0.05),
             ("Khơ Mú", 0.04))
ML_PARTY, ML_GOV = "2015-2020", "2016-2021"
ML_LEADERSHIP = (
    ("bi-thu", "Bí thư Huyện ủy", ML_PARTY, 1, 3, "higher"),
    ("pho-bi-thu", "Phó Bí thư Huyện ủy", ML_PARTY, 2, 5, "higher"),
    ("ct-hdnd", "Chủ tịch HĐND huyện", ML_GOV, 1, 3, "higher"),
    ("ct-ubnd", "Chủ tịch UBND huyện", ML_GOV, 1, 3, "higher"),
    ("pct-ubnd", "Phó Chủ tịch UBND huyện", ML_GOV, 2, 5, "higher"),
    ("pct-hdnd", "Phó Chủ tịch HĐND huyện", ML_GOV, 1, 3, "own"),
    ("truong-btc", "Trưởng Ban Tổ chức Huyện ủy", ML_PARTY, 1, 3, "own"),
    ("cn-ubkt", "Chủ nhiệm Ủy ban Kiểm tra Huyện ủy", ML_PARTY, 1, 3, "own"),
    ("truong-bdv", "Trưởng Ban Dân vận Huyện ủy", ML_PARTY, 1, 3, "own"),
    ("ct-mttq", "Chủ tịch Ủy ban MTTQ Việt Nam huyện", ML_PARTY, 1, 3, "own"),
)
ML_REASONS = ("Quá tuổi", "Kỷ luật", "Chuyển công tác", "Nghỉ hưu", "Tín nhiệm thấp")


def build_muong_lat(seed: int = DEFAULT_SEED) -> tuple[SampleDataset, SampleDataset]:
    """The pool before (as_of 15/03/2016) and after (15/03/2017) a review; same person ids."""
    rng = random.Random(f"{seed}:muong-lat")
    factory = PersonFactory(rng, ML_REVIEW, ethnicities=ML_ETHNIC)
    posts = district_posts(ML_COMMUNES, DEPARTMENTS_UPLAND, deputies=1)
    posts += [Post("Phòng Nội vụ", "Chuyên viên Phòng Nội vụ", "government", "young"),
              Post("Huyện đoàn", "Chuyên viên Huyện đoàn", "front", "young")]
    people = make_people(factory, posts, (f"ML{i:03d}" for i in range(1, len(posts) + 1)))
    newcomers = people[-2:]  # came to the district in the second half of 2016
    for person in rng.sample([p for p in people if p["ethnicity"] == "Mông" and p["_age"] > 40], 2):
        person["birth_date"] = str(person["birth_date"].year)  # only the year is on record

    planner = Planner(rng)
    first, supplement = dt.date(2015, 11, 16), dt.date(2016, 1, 12)
    settled = [p for p in people if p not in newcomers]
    bch = planner.choose(settled, 42, prefer=[p for p in people if p["_tier"] == "top"])
    for person in bch:
        planner.add(person, "bch", "approved", first if rng.random() < 0.85 else supplement)
    bch_ids = [p["person_id"] for p in bch]
    for person in planner.choose(bch, 15, prefer=[p for p in people if p["_tier"] == "top"]):
        planner.add(person, "btv", "approved", first)
    titles = [title_row("bch", "Ủy viên Ban Chấp hành Đảng bộ huyện", "bch", ML_PARTY, 33, 45, "higher"),
              title_row("btv", "Ủy viên Ban Thường vụ Huyện ủy", "btv", ML_PARTY, 11, 15, "higher")]
    for tid, title, term, seats, places, managed in ML_LEADERSHIP:
        titles.append(title_row(tid, title, "leadership", term, seats, places, managed))
        for person in planner.choose(settled, places - 1, bonus=bch_ids):
            planner.add(person, tid, "approved", first if rng.random() < 0.8 else supplement)

    # The review of 15/03/2017: who leaves, why, and who comes in ------------------------------
    before_people = [dict(p) for p in people if p not in newcomers]
    in_pool = [p for p in people if planner.count[p["person_id"]] and p["_tier"] != "top"]
    men = [p for p in in_pool if p["gender"] == "male" and not isinstance(p["birth_date"], str)]
    leavers = dict(zip(("Quá tuổi", "Nghỉ hưu"), rng.sample(men, 2), strict=True))
    several = [p for p in in_pool if planner.count[p["person_id"]] >= 2 and p not in leavers.values()]
    leavers["Tín nhiệm thấp"] = rng.choice(several)
    rest = [p for p in in_pool if p not in leavers.values()]
    leavers |= dict(zip(("Kỷ luật", "Chuyển công tác"), rng.sample(rest, 2), strict=True))
    for reason, age in (("Quá tuổi", 56), ("Nghỉ hưu", 60)):
        factory.set_age(leavers[reason], age)
        twin = next(p for p in before_people if p["person_id"] == leavers[reason]["person_id"])
        for key in ("birth_date", "party_join_date"):  # the same person a year earlier
            twin[key] = leavers[reason][key]
    leavers["Kỷ luật"]["discipline"] = "Khiển trách"
    leavers["Chuyển công tác"].update(unit="Sở Nông nghiệp và Phát triển nông thôn tỉnh", sector="other",
                                      position="Phó Chi cục trưởng Chi cục Phát triển nông thôn")
    leavers["Nghỉ hưu"]["position"] = "Đã nghỉ hưu"
    rows = []
    for row in planner.rows:
        reason = next((r for r, p in leavers.items() if p["person_id"] == row["person_id"]), None)
        low_trust_keeps = reason == "Tín nhiệm thấp" and row["title_id"] == "bch"
        if reason and not low_trust_keeps:
            row = dict(row, status="removed", removed_on=ML_REVIEW, removal_reason=reason)
        rows.append(row)
    for reason, person in leavers.items():
        planner.count[person["person_id"]] = 1 if reason == "Tín nhiệm thấp" else 0
    before_rows = [dict(r, status="approved", removed_on=None, removal_reason="") for r in rows]
    planner.rows = rows

    gone = {p["person_id"] for p in leavers.values()}
    fresh = newcomers + planner.choose([p for p in settled if p["person_id"] not in gone
                                        and not planner.count[p["person_id"]]], 6)
    added: dict[str, dict[str, int]] = {}
    for person in fresh:
        planner.add(person, "bch", "proposed", ML_REVIEW)
        added.setdefault("bch", {})[person["person_id"]] = rng.randint(58, 86)
    for tid in ("pho-bi-thu", "pct-ubnd", "truong-bdv", "cn-ubkt", "ct-mttq"):
        holders = set(planner.holders(tid))
        for person in planner.choose([p for p in people if p["person_id"] not in gone | holders], 1,
                                     bonus=bch_ids):
            planner.add(person, tid, "proposed", ML_REVIEW)
            added.setdefault(tid, {})[person["person_id"]] = rng.randint(55, 84)
    not_added = planner.choose([p for p in settled if p["person_id"] not in gone
                                and not planner.count[p["person_id"]]], 2)
    for person in not_added:  # introduced, but short of half of those convened
        added["bch"][person["person_id"]] = rng.randint(31, 44)

    terms = [(ML_PARTY, "party", "2015-08"), (ML_GOV, "government", "2016-05")]
    common = dict(name="Huyện ủy Mường Lát (dữ liệu mẫu)", level="district", regime="kl24", terms=terms)
    after = SampleDataset(
        id="muong-lat-2017", as_of=ML_REVIEW, **common,
        note="Huyện miền núi, nhiều dân tộc; rà soát, bổ sung quy hoạch ngày 15/03/2017 "
             "(ngày đưa ra và ngày bổ sung trong bảng quy hoạch).",
        tables={"people": people, "titles": titles, "planning": planner.rows,
                "conferences": [conference_row("ml-2017-03-15", None, "key_cadres", ML_REVIEW, 98, 91, 91,
                                               91, 89, "convened")],
                "ballots": counted_rows("ml-2017-03-15", added)},
    )
    before = SampleDataset(
        id="muong-lat-2016", as_of=ML_BEFORE, **common,
        note="Quy hoạch trước đợt rà soát, bổ sung ngày 15/03/2017 (cùng mã cán bộ với muong-lat-2017).",
        tables={"people": before_people, "titles": titles, "planning": before_rows},
    )
    return before, after


# Writing ----------------------------------------------------------------------------------------

DATE_COLUMNS = {"birth_date", "party_join_date", "since", "removed_on", "date"}
CODE_COLUMNS = {"gender", "sector", "education", "political_theory", "status", "managed_by", "body",
                "base", "level"}


def table_columns(table: str, rows: Sequence[dict]) -> list[str]:
    """The canonical columns of ``table`` in schema order.

    People, titles and planning keep every column (they double as templates); the vote tables
    only the columns they use (raw or counted, three or two levels).
    """
    return [c for c in schema.COLUMNS[table]
            if table in ("people", "titles", "planning") or any(r.get(c) not in (None, "") for r in rows)]


def _text(value: object, date_format: str) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime(date_format)
    return str(value)


def write_folder(ds: SampleDataset, out_dir: Path) -> Path:
    """``out_dir/<id>/``: ``dataset.yml`` and one CSV per table (UTF-8 with BOM, LF line ends)."""
    folder = Path(out_dir) / ds.id
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for table, rows in ds.tables.items():
        columns = table_columns(table, rows)
        files[table] = f"{table}.csv"
        with open(folder / files[table], "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow([_text(row.get(c), ds.date_format) for c in columns])
    (folder / "dataset.yml").write_text(dataset_yaml(ds, files), encoding="utf-8")
    return folder


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def dataset_yaml(ds: SampleDataset, files: dict[str, str]) -> str:
    lines = [f"# {DESCRIPTION}", "# Written by `python -m analysis sample`: edit the generator, not this file.",
             f"id: {ds.id}", f"name: {_q(ds.name)}", f"level: {ds.level}", f"regime: {ds.regime}",
             f"as_of: {ds.as_of.isoformat()}"]
    if ds.parent:
        lines.append(f"parent: {ds.parent}")
    lines.append("terms:")
    lines += [f"  - {{label: \"{label}\", kind: {kind}, start: \"{start}\"}}" for label, kind, start in ds.terms]
    lines.append("tables:")
    lines += [f"  {table}: {path}" for table, path in files.items()]
    lines.append(f"description: {_q(ds.description)}")
    return "\n".join(lines) + "\n"


def _vi_header(column: str) -> str:
    return schema.HEADER_ALIASES.get(column, (column,))[0]


def _vi_value(column: str, value: object) -> object:
    if column in CODE_COLUMNS and isinstance(value, str) and value:
        forms = schema.VALUE_ALIASES.get(column, {}).get(value)
        return forms[0] if forms else value
    return value


def write_workbook(ds: SampleDataset, path: Path) -> Path:
    """One workbook: a `dataset` sheet (key, value) and a Vietnamese-named sheet per table.

    Headers and codes are in their first Vietnamese form (`schema`); birth, party and conference
    dates are Excel date cells, planning dates typed text (dd/mm/yyyy), as people keep them.
    """
    wb = Workbook()
    meta = wb.active
    meta.title = "dataset"
    sheets = {table: schema.SHEET_ALIASES[table][0] for table in ds.tables}
    terms = "; ".join(f"{label} {kind} {start}" for label, kind, start in ds.terms)
    rows = [("key", "value"), ("id", ds.id), ("name", ds.name), ("level", ds.level), ("regime", ds.regime),
            ("as_of", ds.as_of.isoformat()), ("terms", terms)]
    rows += [("parent", ds.parent)] if ds.parent else []
    tables = "{" + ", ".join(f"{t}: {s}" for t, s in sheets.items()) + "}"  # a YAML mapping in one cell
    rows += [("tables", tables), ("description", ds.description)]
    for row in rows:
        meta.append(row)
    meta["A1"].font = meta["B1"].font = Font(bold=True)
    meta.column_dimensions["A"].width, meta.column_dimensions["B"].width = 14, 90
    for table, rows_ in ds.tables.items():
        ws = wb.create_sheet(sheets[table])
        columns = table_columns(table, rows_)
        ws.append([_vi_header(c) for c in columns])
        for row in rows_:
            cells = []
            for c in columns:
                value = _vi_value(c, row.get(c))
                if isinstance(value, dt.date) and c in ("since", "removed_on"):
                    value = value.strftime("%d/%m/%Y")
                cells.append(value)
            ws.append(cells)
        for j, c in enumerate(columns, start=1):
            ws.cell(1, j).font = Font(bold=True)
            if c in DATE_COLUMNS:
                for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    if isinstance(cell.value, dt.date):
                        cell.number_format = "dd/mm/yyyy"
            letter = ws.cell(1, j).column_letter
            ws.column_dimensions[letter].width = 40 if c in ("position", "unit", "title") else 16
        ws.freeze_panes = "A2"
    wb.properties.creator = "analysis.sample"
    wb.properties.created = wb.properties.modified = XLSX_TIMESTAMP
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    Path(path).write_bytes(_fixed_zip(buffer.getvalue()))
    return Path(path)


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with every member's timestamp fixed (openpyxl stamps the time of saving)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIMESTAMP)
            fixed.compress_type, fixed.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
