"""Loading datasets: folder or workbook, CSV/XLSX/Parquet, headers and values as people type them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from analysis.dataset import Dataset, DatasetMeta, load_dataset, read_dataset, read_meta
from analysis.errors import DatasetError

BASIC = Path(__file__).parent / "fixtures" / "basic"
T = pd.Timestamp

PEOPLE = (
    "person_id,full_name,gender,birth_date\n"
    "007,Nguyễn Văn An,male,06/08/1975\n"
    "008,Lò Thị Bình,female,1980\n"
)


def codes(problems, severity=None):
    return [p.code for p in problems if severity is None or p.severity == severity]


# The hand-made folder dataset ------------------------------------------------------------------

def test_basic_fixture_loads_clean():
    ds = load_dataset(BASIC)
    assert isinstance(ds, Dataset)
    assert ds.warnings == []
    assert set(ds.tables) == {"people", "titles", "planning", "conferences", "ballots", "trust_votes"}
    assert ds.meta.id == "basic-2022" and ds.meta.as_of == dt.date(2022, 5, 25)
    assert [(t.label, t.kind, t.start) for t in ds.meta.terms] == [
        ("2025-2030", "party", dt.date(2025, 6, 1)), ("2026-2031", "government", dt.date(2026, 3, 1))]
    assert ds.ballots_kind == "counted" and ds.trust_kind == "counted2"
    assert ds.root == BASIC.resolve()
    assert ds.input_files[0] == BASIC.resolve() / "dataset.yml"
    assert BASIC.resolve() / "people.csv" in ds.input_files
    src = ds.sources["people"]
    assert (src.file, src.sheet, src.header_row) == (BASIC.resolve() / "people.csv", None, 1)


def test_canonical_dtypes_index_and_values():
    people = load_dataset(BASIC).tables["people"]
    assert people.index.name == "excel_row" and people.index.tolist() == [2, 3, 4]
    assert people["person_id"].tolist() == ["007", "008", "009"]  # "007" stays "007"
    assert pd.api.types.is_string_dtype(people["person_id"].dtype)
    assert people["full_name"].tolist() == ["Nguyễn Văn An", "Lò Thị Bình", "Giàng A Páo"]  # stripped
    assert people["birth_date"].dtype == "datetime64[ns]"
    assert people["birth_date"].tolist() == [T("1975-08-06"), T("1980-02-29"), T("1984-01-01")]
    assert people["birth_date_precision"].tolist() == ["day", "day", "year"]
    assert people["party_join_date"].tolist() == [T("1998-03-01"), T("2005-01-01"), T("2008-06-12")]
    assert people["party_join_date_precision"].tolist() == ["month", "year", "day"]
    assert people["discipline"].isna().tolist() == [True, True, False]
    conferences = load_dataset(BASIC).tables["conferences"]
    assert str(conferences["convened"].dtype) == "Int64"
    assert conferences["convened"].tolist() == [120, 33]
    assert conferences["base"].isna().tolist() == [False, True]


# CSV -------------------------------------------------------------------------------------------

def test_csv_with_and_without_bom(make_dataset):
    with_bom = make_dataset({"people": PEOPLE})
    assert (with_bom / "people.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    without = make_dataset({"people": PEOPLE})
    (without / "people.csv").write_text(PEOPLE, encoding="utf-8")
    for folder in (with_bom, without):
        people = load_dataset(folder).tables["people"]
        assert people.columns[0] == "person_id"  # no "\ufeffperson_id"
        assert people["full_name"].tolist() == ["Nguyễn Văn An", "Lò Thị Bình"]


def test_semicolon_separated_csv(make_dataset):
    folder = make_dataset({"people": PEOPLE.replace(",", ";")})
    assert load_dataset(folder).tables["people"]["person_id"].tolist() == ["007", "008"]


def test_latin1_csv_gives_a_clear_encoding_error(make_dataset):
    folder = make_dataset({"people": PEOPLE})
    text = "person_id,full_name,gender,birth_date\n001,Ana,female,01/01/1980\n002,Nguyên Lê,male,01/01/1980\n"
    (folder / "people.csv").write_bytes(text.encode("cp1258"))
    ds, problems = read_dataset(folder)
    [p] = problems
    assert p.code == "encoding" and p.severity == "error"
    assert Path(p.file).name == "people.csv"
    assert p.row == 3 and p.column == "full_name" and p.value == "Nguyên Lê"
    assert "UTF-8" in p.message_vi and "CSV UTF-8" in p.message_en
    assert "Windows-1258" in p.message_en
    assert "people" not in ds.tables
    with pytest.raises(DatasetError) as err:
        load_dataset(folder)
    assert err.value.problems[0].code == "encoding"


def test_utf16_csv_is_refused_clearly(make_dataset):
    folder = make_dataset({"people": PEOPLE})
    (folder / "people.csv").write_bytes(PEOPLE.encode("utf-16"))
    [p] = read_dataset(folder)[1]
    assert p.code == "encoding" and "UTF-16" in p.message_en


def test_blank_rows_and_title_rows_keep_excel_row_numbers(make_dataset):
    text = ("DANH SÁCH CÁN BỘ,,,\n,,,\nperson_id,full_name,gender,birth_date\n"
            "001,A,male,01/01/1980\n,,,\n002,B,female,01/01/1981\n")
    ds = load_dataset(make_dataset({"people": text}))
    assert ds.tables["people"].index.tolist() == [4, 6]
    assert ds.sources["people"].header_row == 3


def test_extra_columns_are_kept_and_names_keep_their_case(make_dataset):
    text = "person_id,HỌ VÀ TÊN,gender,birth_date,Quê quán\n1,NGUYỄN VĂN AN,Nam,01/01/1980,Hà Nội\n"
    people = load_dataset(make_dataset({"people": text})).tables["people"]
    assert people["full_name"].tolist() == ["NGUYỄN VĂN AN"]
    assert people["Quê quán"].tolist() == ["Hà Nội"]
    assert people["gender"].tolist() == ["male"]


def test_vietnamese_headers_and_values_in_csv(make_dataset):
    text = ("Mã cán bộ,Họ và tên,Giới tính,Ngày sinh,Dân tộc,Khối,Trình độ chuyên môn,Lý luận chính trị\n"
            "01,Lò Văn A,Nam,6/8/1975,Thái,Khối Đảng,Thạc sĩ,Cao cấp\n"
            "02,Lò Thị B,NỮ,1980,Thái, xã ,đại học,trung cấp\n")
    people = load_dataset(make_dataset({"people": text})).tables["people"]
    assert people["gender"].tolist() == ["male", "female"]
    assert people["sector"].tolist() == ["party", "commune"]
    assert people["education"].tolist() == ["master", "bachelor"]
    assert people["political_theory"].tolist() == ["advanced", "intermediate"]


def test_people_only_dataset_without_ids_gets_row_numbers(make_dataset):
    text = "full_name,gender,birth_date\nA,male,01/01/1980\n\nB,female,01/01/1981\n"
    ds, problems = read_dataset(make_dataset({"people": text}))
    assert ds.tables["people"]["person_id"].tolist() == ["2", "4"]
    [p] = problems
    assert (p.code, p.severity, Path(p.file).name) == ("ids_generated", "warning", "people.csv")
    assert ds.warnings == [p]


def test_ids_not_generated_when_other_tables_refer_to_people(make_dataset):
    planning = "person_id,title_id,status\n1,T,approved\n"
    titles = "title_id,title,body,term\nT,Bí thư,leadership,2025-2030\n"
    ds, problems = read_dataset(make_dataset({"people": "full_name,gender,birth_date\nA,male,1980\n",
                                              "titles": titles, "planning": planning}))
    assert "missing_column" in codes(problems)
    assert "ids_generated" not in codes(problems)


def test_counts_accept_whole_numbers_only(make_dataset):
    conf = ("conference_id,body,convened,present\n"
            "H1,bch,33,32.0\nH2,bch, 30 ,abc\nH3,bch,31,2.5\n")
    ds, problems = read_dataset(make_dataset({"conferences": conf}))
    table = ds.tables["conferences"]
    assert str(table["present"].dtype) == "Int64"
    assert table["present"].tolist()[0] == 32 and table["convened"].tolist() == [33, 30, 31]
    bad = [(p.row, p.column, p.value) for p in problems if p.code == "bad_count"]
    assert bad == [(3, "present", "abc"), (4, "present", "2.5")]


def test_absolute_table_paths(make_dataset, tmp_path):
    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_text(PEOPLE, encoding="utf-8")
    folder = make_dataset({}, meta={"tables": {"people": str(elsewhere)}})
    assert load_dataset(folder).sources["people"].file == elsewhere


def test_tables_found_by_file_name_when_not_listed(make_dataset):
    folder = make_dataset({"people": PEOPLE}, meta={"tables": None})
    assert set(load_dataset(folder).tables) == {"people"}


def test_missing_table_file(make_dataset):
    folder = make_dataset({"people": PEOPLE})
    (folder / "people.csv").unlink()
    ds, problems = read_dataset(folder)
    p = next(p for p in problems if p.code == "file_missing")
    assert Path(p.file).name == "people.csv" and "people" in p.message_en


# mapping.yml -----------------------------------------------------------------------------------

def test_mapping_columns_and_values(make_dataset):
    text = ("Số hiệu,Tên đầy đủ,Phái,NS,Đảng viên từ,Ghi chú riêng\n"
            "A7,TRẦN VĂN C,Ông,06/08/1975,Đóng,x\n"
            "A8,Trần Thị D,Bà,1980,03/1999,y\n")
    mapping = {"people": {
        "columns": {"Số hiệu": "person_id", "Tên đầy đủ": "full_name", "phai": "gender",
                    "NS": "birth_date", "Đảng viên từ": "party_join_date", "Ghi chú riêng": None},
        "values": {"gender": {"Ông": "male", "Bà": "female"}, "party_join_date": {"Đóng": None}},
    }}
    ds = load_dataset(make_dataset({"people": text}, mapping=mapping))
    people = ds.tables["people"]
    assert people["person_id"].tolist() == ["A7", "A8"]
    assert people["gender"].tolist() == ["male", "female"]
    assert people["party_join_date"].isna().tolist() == [True, False]
    assert "Ghi chú riêng" not in people  # mapped to null: ignored
    assert ds.sources["people"].columns["birth_date"] == "NS"
    assert any(f.name == "mapping.yml" for f in ds.input_files)


def test_mapping_errors_name_the_file_and_key(make_dataset):
    mapping = {"people": {"columns": {"Tên": "fullname"}, "values": {"gender": {"Ông": "man"}}},
               "nguoi": {"columns": {}}}
    ds, problems = read_dataset(make_dataset({"people": PEOPLE}, mapping=mapping))
    by = {p.code: p for p in problems}
    p = by["mapping_unknown_column"]
    assert Path(p.file).name == "mapping.yml" and p.column == "people.columns.Tên" and p.value == "fullname"
    assert "full_name" in p.message_en and "cột chuẩn" in p.message_vi
    p = by["mapping_unknown_code"]
    assert p.column == "people.values.gender" and p.value == "Ông" and "male" in p.message_en
    assert by["unknown_table"].column == "nguoi"


# XLSX ------------------------------------------------------------------------------------------

def _workbook(path: Path, sheets: dict[str, list[list]], formats: dict | None = None) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    for (sheet, cell), fmt in (formats or {}).items():
        wb[sheet][cell].number_format = fmt
    wb.save(path)
    return path


VI_META = [["key", "value"], ["id", "muong-lat-test"], ["name", "Huyện ủy Mường Lát"], ["level", "district"],
           ["regime", "kl24"], ["as_of", dt.datetime(2017, 3, 15)],
           ["terms", "2015-2020 party 2015-08; 2016-2021 government 2016-05"], ["description", "Thử"]]
VI_PEOPLE = [
    ["DANH SÁCH CÁN BỘ"],
    [],
    ["Mã cán bộ", "HỌ VÀ TÊN", "Giới tính", "Ngày sinh", "Dân tộc", "Khối", "Ngày vào Đảng", "Ghi chú"],
    ["007", "LÒ VĂN A", "Nam", dt.datetime(1975, 8, 6), "Thái", "Khối Đảng", "03/1998", "x"],
    [8, "Giàng Thị B", "Nữ", "1980", "Mông", "Chính quyền", dt.datetime(2005, 1, 1), None],
    [],
    [9.0, "Hà Văn C", "nam", 27000, "Kinh", "Xã", None, None],
]


def test_workbook_with_vietnamese_sheets_headers_and_values(tmp_path):
    book = _workbook(tmp_path / "muong.xlsx", {
        "dataset": VI_META,
        "Cán bộ": VI_PEOPLE,
        "Hội nghị": [["Mã hội nghị", "Bước", "Cơ quan", "Ngày", "Số triệu tập", "Có mặt"],
                     ["HN1", 3, "Cán bộ chủ chốt", dt.datetime(2017, 3, 15), 100, 95]],
        "Tín nhiệm": [["Mã hội nghị", "Mã cán bộ", "Họ và tên", "Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp",
                       "Tỷ lệ tín nhiệm cao"],
                      ["HN1", "007", "LÒ VĂN A", 50, 40, 4, 0.5319]],
    }, formats={("Cán bộ", "G5"): "mm/yyyy", ("Tín nhiệm", "G2"): "0.00%", ("Cán bộ", "A7"): "000"})
    ds = load_dataset(book)
    assert ds.meta.id == "muong-lat-test" and ds.meta.regime == "kl24"
    assert ds.meta.as_of == dt.date(2017, 3, 15)
    assert [t.start for t in ds.meta.terms] == [dt.date(2015, 8, 1), dt.date(2016, 5, 1)]
    people = ds.tables["people"]
    assert people.index.tolist() == [4, 5, 7]
    assert people["person_id"].tolist() == ["007", "8", "009"]  # 9 shown as 009 by its format "000"
    assert people["full_name"].tolist() == ["LÒ VĂN A", "Giàng Thị B", "Hà Văn C"]
    assert people["gender"].tolist() == ["male", "female", "male"]
    assert people["birth_date"].tolist() == [T("1975-08-06"), T("1980-01-01"), T("1973-12-02")]
    assert people["birth_date_precision"].tolist() == ["day", "year", "day"]
    assert people["sector"].tolist() == ["party", "government", "commune"]
    # A date cell formatted mm/yyyy has month precision
    assert people["party_join_date_precision"].tolist()[:2] == ["month", "month"]
    src = ds.sources["people"]
    assert (src.file, src.sheet, src.header_row) == (book.resolve(), "Cán bộ", 3)
    assert src.columns["full_name"] == "HỌ VÀ TÊN"
    assert ds.tables["conferences"]["body"].tolist() == ["key_cadres"]
    assert ds.trust_kind == "counted3"
    assert ds.tables["trust_votes"]["high_pct"].tolist() == ["53.19%"]  # a percentage cell, as shown


def test_workbook_meta_sheet_with_vietnamese_keys_and_yaml_terms(tmp_path):
    meta = [["Mã", "ml-2"], ["Tên", "Mường Lát"], ["Cấp", "huyện"], ["Quy định", "kl24"],
            ["Ngày tính", "15/03/2017"],
            ["Nhiệm kỳ", "[{label: 2015-2020, kind: party, start: 2015-08}]"]]
    book = _workbook(tmp_path / "b.xlsx", {"Thông tin": meta, "Cán bộ": VI_PEOPLE})
    m = read_meta(book)
    assert (m.id, m.level, m.as_of) == ("ml-2", "district", dt.date(2017, 3, 15))
    assert m.terms[0].start == dt.date(2015, 8, 1)


def test_workbook_with_yml_beside_it(tmp_path):
    book = _workbook(tmp_path / "pool.xlsx", {"Sheet1": VI_PEOPLE[2:], "Ghi chú": [["x"]]})
    doc = dict(VI_META[1:])
    doc["as_of"] = "2017-03-15"
    doc["tables"] = {"people": "Sheet1"}
    (tmp_path / "pool.yml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    ds, problems = read_dataset(book)
    assert problems == []  # the notes sheet is not listed: no warning
    assert ds.sources["people"].sheet == "Sheet1"
    assert ds.tables["people"]["person_id"].tolist() == ["007", "8", "9"]
    assert read_meta(book).id == "muong-lat-test"


def test_workbook_with_dataset_yml_in_its_folder(tmp_path):
    book = _workbook(tmp_path / "pool.xlsx", {"Nhân sự": VI_PEOPLE})
    doc = dict(VI_META[1:])
    doc["as_of"] = "2017-03-15"
    doc["tables"] = {"people": "#Nhân sự"}
    (tmp_path / "dataset.yml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert len(load_dataset(book).tables["people"]) == 3


def test_workbook_unknown_and_duplicate_sheets(tmp_path):
    book = _workbook(tmp_path / "b.xlsx", {"dataset": VI_META, "Cán bộ": VI_PEOPLE, "Nhân sự": VI_PEOPLE,
                                           "Ghi chú": [["x"]]})
    ds, problems = read_dataset(book)
    by = {p.code: p for p in problems}
    assert by["sheet_ignored"].sheet == "Ghi chú" and by["sheet_ignored"].severity == "warning"
    assert by["table_duplicate"].severity == "error" and "Nhân sự" in by["table_duplicate"].message_en


def test_xlsx_table_file_in_a_folder(make_dataset, tmp_path):
    folder = make_dataset({}, meta={"tables": {"people": "people.xlsx"}})
    _workbook(folder / "people.xlsx", {"Cán bộ": VI_PEOPLE})
    assert load_dataset(folder).sources["people"].sheet == "Cán bộ"
    folder = make_dataset({}, meta={"tables": {"people": "book.xlsx#Trang 2"}})
    _workbook(folder / "book.xlsx", {"Trang 1": [["x"]], "Trang 2": VI_PEOPLE})
    assert load_dataset(folder).sources["people"].sheet == "Trang 2"
    folder = make_dataset({}, meta={"tables": {"people": {"file": "book.xlsx", "sheet": "Không có"}}})
    _workbook(folder / "book.xlsx", {"Trang 1": VI_PEOPLE})
    [p] = [p for p in read_dataset(folder)[1] if p.code == "sheet_missing"]
    assert "Trang 1" in p.message_en


# Parquet ---------------------------------------------------------------------------------------

def test_parquet_table(make_dataset):
    folder = make_dataset({}, meta={"tables": {"people": "people.parquet", "conferences": "conf.parquet"}})
    pd.DataFrame({
        "person_id": ["007", "008"], "Họ và tên": ["A", "B"], "gender": ["Nam", "Nữ"],
        "birth_date": pd.to_datetime(["1975-08-06", "1980-02-29"]),
    }).to_parquet(folder / "people.parquet")
    pd.DataFrame({"conference_id": ["H1"], "body": ["bch"], "convened": pd.array([33], dtype="Int64"),
                  "date": ["2022-05-25"]}).to_parquet(folder / "conf.parquet")
    ds = load_dataset(folder)
    people = ds.tables["people"]
    assert people.index.tolist() == [2, 3]
    assert people["person_id"].tolist() == ["007", "008"]
    assert people["birth_date"].tolist() == [T("1975-08-06"), T("1980-02-29")]
    assert ds.tables["conferences"]["convened"].tolist() == [33]
    assert ds.tables["conferences"]["date"].tolist() == [T("2022-05-25")]


# read_meta and errors ----------------------------------------------------------------------------

def test_read_meta_is_cheap_and_typed(make_dataset):
    folder = make_dataset({"people": "this table is never read"}, meta={"parent": "tinh-x"})
    meta = read_meta(folder)
    assert isinstance(meta, DatasetMeta)
    assert (meta.id, meta.name, meta.as_of, meta.parent) == ("test-ds", "Bộ thử", dt.date(2022, 5, 25), "tinh-x")
    assert read_meta(folder / "dataset.yml").id == "test-ds"


def test_read_meta_raises_with_problems(make_dataset, tmp_path):
    with pytest.raises(DatasetError) as err:
        read_meta(make_dataset({}, meta={"id": "Bad Id", "name": None}))
    assert {p.code for p in err.value.problems} == {"bad_id", "missing_key"}
    with pytest.raises(DatasetError) as err:
        read_meta(tmp_path / "nowhere")
    assert err.value.problems[0].code == "path_missing"
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DatasetError) as err:
        read_meta(empty)
    assert err.value.problems[0].code == "meta_missing"


def test_load_dataset_raises_with_every_problem(make_dataset):
    text = "person_id,full_name,gender,birth_date\n1,A,X,01/01/1980\n1,B,male,31/02/1980\n"
    with pytest.raises(DatasetError) as err:
        load_dataset(make_dataset({"people": text}))
    assert sorted(p.code for p in err.value.problems) == ["bad_date", "duplicate_id", "missing_value",
                                                          "unknown_code"]
    assert "people.csv dòng/row 2, cột/column gender, giá trị/value 'X'" in str(err.value)  # every problem listed


def test_read_dataset_never_raises_for_bad_input(tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    ds, problems = read_dataset(tmp_path / "x.csv")
    assert ds is None and codes(problems) == ["unknown_format"]
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    ds, problems = read_dataset(tmp_path / "bad.xlsx")
    assert ds is None and codes(problems) == ["unreadable"]


def test_ragged_csv_rows_are_read(make_dataset):
    text = "person_id,full_name,gender,birth_date\n1,A,male,01/01/1980,ghi chú thừa\n2,B,female\n"
    ds, problems = read_dataset(make_dataset({"people": text}))
    people = ds.tables["people"]
    assert people["[E]"].tolist()[0] == "ghi chú thừa"  # a cell beyond the header: kept, named by its letter
    assert [(p.code, p.row, p.column) for p in problems] == [("missing_value", 3, "birth_date")]


# The sample datasets (written by `make sample`) ---------------------------------------------------

SAMPLES = sorted(p for p in (Path(__file__).parents[1] / "data" / "sample").glob("*")
                 if (p / "dataset.yml").is_file() or p.suffix == ".xlsx")


@pytest.mark.skipif(not SAMPLES, reason="no sample dataset in data/sample (run `make sample`)")
@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_sample_datasets_load_without_errors(path):
    ds, problems = read_dataset(path)
    assert [str(p) for p in problems if p.severity == "error"] == []
    assert ds.meta.id == path.stem
    assert "people" in ds.tables


def test_regime_may_be_a_rule_file_of_ones_own(make_dataset):
    from analysis.config import RULES_DIR

    folder = make_dataset({"people": PEOPLE}, meta={"regime": "local-rules.yml"})
    (folder / "local-rules.yml").write_text((RULES_DIR / "qd50.yml").read_text(encoding="utf-8"), encoding="utf-8")
    assert read_meta(folder).regime == str((folder / "local-rules.yml").resolve())
    (folder / "local-rules.yml").unlink()
    with pytest.raises(DatasetError) as err:
        read_meta(folder)
    assert [(p.code, p.column, p.value) for p in err.value.problems] == [("unknown_regime", "regime", "local-rules.yml")]


# After-load hook ---------------------------------------------------------------------------------

@pytest.fixture
def no_hook_after():
    """Whatever a test sets, the next one loads without a hook."""
    from analysis.dataset import set_after_load

    yield set_after_load
    set_after_load(None)


def test_after_load_hook_sees_every_read_and_its_result_is_what_callers_get(make_dataset, no_hook_after):
    from analysis import dataset as module

    seen = []

    def drop_last_person(ds, problems):
        seen.append((ds.meta.id, len(problems)))
        people = ds.tables["people"]
        return module.Dataset(**{**vars(ds), "tables": {"people": people.iloc[:-1]}}), problems[:0]

    folder = make_dataset({"people": PEOPLE}, meta={"colour": "red"})  # an unknown key: one warning
    clear_ds, clear_problems = read_dataset(folder)
    assert [p.code for p in clear_problems] == ["unknown_key"]
    no_hook_after(drop_last_person, "drop-last")
    ds, problems = read_dataset(folder)
    assert seen == [("test-ds", 1)]  # the hook got the problems too …
    assert ds.tables["people"]["person_id"].tolist() == ["007"] and problems == []  # … and had the last word
    assert load_dataset(folder).tables["people"]["full_name"].tolist() == ["Nguyễn Văn An"]  # load_dataset too
    assert len(seen) == 2
    assert module.after_load_fingerprint() == "drop-last"

    no_hook_after(None)
    assert module.after_load_fingerprint() is None
    assert read_dataset(folder)[0].tables["people"]["person_id"].tolist() == ["007", "008"]
    assert len(seen) == 2  # no hook: not called
    assert clear_ds.tables["people"]["person_id"].tolist() == ["007", "008"]


def test_after_load_hook_is_not_called_without_a_dataset(tmp_path, no_hook_after):
    calls = []
    no_hook_after(lambda ds, problems: calls.append(ds) or (ds, problems), "counting")
    ds, problems = read_dataset(tmp_path / "nowhere")
    assert ds is None and [p.code for p in problems] == ["path_missing"] and calls == []


def test_after_load_fingerprints_tell_hooks_apart(no_hook_after):
    from analysis.dataset import after_load_fingerprint

    def same(ds, problems):
        return ds, problems

    no_hook_after(same)  # no fingerprint given: one of its own each time
    first = after_load_fingerprint()
    no_hook_after(same)
    assert first and after_load_fingerprint() and after_load_fingerprint() != first
    no_hook_after(same, "named")
    assert after_load_fingerprint() == "named"
    no_hook_after(None, "ignored")  # no hook, no fingerprint
    assert after_load_fingerprint() is None
