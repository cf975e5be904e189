"""Every bad input of the data contract's Errors section is caught, located as the user sees it
(file, sheet, Excel row, column as typed, value) and explained in Vietnamese and English."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import yaml

from analysis.validate import Problem, format_problems, make_problem, validate_path

PEOPLE_HEAD = "person_id,full_name,gender,birth_date\n"
PEOPLE = PEOPLE_HEAD + "001,Nguyễn Văn An,male,06/08/1975\n002,Lò Thị Bình,female,01/02/1980\n"
TITLES = "title_id,title,body,term\nBT,Bí thư Huyện ủy,leadership,2025-2030\nBCH,Ủy viên BCH,bch,2025-2030\n"
CONFERENCES = ("conference_id,body,convened,present,ballots_issued,ballots_collected,ballots_valid\n"
               "HN1,key_cadres,120,115,115,115,113\n")


def one(problems: list[Problem], code: str) -> Problem:
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, f"expected one {code}, got {[str(p) for p in problems]}"
    return found[0]


def check(p: Problem, file: str, row, column, value, vi: str, en: str, severity: str = "error"):
    """Location, both languages and severity of a problem."""
    assert Path(p.file).name == file
    assert (p.row, p.column, p.value) == (row, column, value)
    assert vi in p.message_vi, p.message_vi
    assert en in p.message_en, p.message_en
    assert p.severity == severity
    text = str(p)
    assert file in text and p.message_vi in text and p.message_en in text
    if row is not None:
        assert f"dòng/row {row}" in text


def workbook(path: Path, sheet: str, rows: list[list], regime: str = "qd50",
             meta_sheet: str = "dataset") -> Path:
    """A one-table workbook: its metadata on ``meta_sheet`` (as_of 25/05/2022), ``rows`` on ``sheet``."""
    wb = openpyxl.Workbook()
    meta = wb.active
    meta.title = meta_sheet
    for row in [("id", "wb-1"), ("name", "X"), ("level", "district"), ("regime", regime), ("as_of", "2022-05-25")]:
        meta.append(row)
    table = wb.create_sheet(sheet)
    for row in rows:
        table.append(row)
    wb.save(path)
    return path


# People ------------------------------------------------------------------------------------------

def test_clean_dataset_has_no_problem(make_dataset):
    assert validate_path(make_dataset({"people": PEOPLE, "titles": TITLES})) == []


def test_missing_required_column(make_dataset):
    problems = validate_path(make_dataset({"people": "person_id,Họ và tên,birth_date\n1,A,01/01/1980\n"}))
    check(one(problems, "missing_column"), "people.csv", None, "gender", None,
          "Thiếu cột bắt buộc 'gender'", "missing required column 'gender'")
    assert "'Giới tính'" in one(problems, "missing_column").message_vi


def test_required_cell_empty(make_dataset):
    problems = validate_path(make_dataset({"people": PEOPLE_HEAD + "1,,male,01/01/1980\n"}))
    check(one(problems, "missing_value"), "people.csv", 2, "full_name", None, "bị để trống", "required cell is empty")


def test_unparseable_date_keeps_the_header_as_typed(make_dataset):
    text = "person_id,Họ tên,Giới tính,Ngày sinh\n1,A,Nam,01/01/1980\n2,B,Nữ,mùng 5 tháng 3\n"
    problems = validate_path(make_dataset({"people": text}))
    check(one(problems, "bad_date"), "people.csv", 3, "Ngày sinh", "mùng 5 tháng 3",
          "Không phải ngày có thật", "not a valid date")


def test_impossible_date(make_dataset):
    problems = validate_path(make_dataset({"people": PEOPLE_HEAD + "1,A,male,31/02/1980\n"}))
    check(one(problems, "bad_date"), "people.csv", 2, "birth_date", "31/02/1980", "dd/mm/yyyy", "dd/mm/yyyy")


def test_born_in_the_future(make_dataset):
    problems = validate_path(make_dataset({"people": PEOPLE + "3,C,male,01/06/2022\n"}))  # as_of 25/05/2022
    check(one(problems, "born_in_future"), "people.csv", 4, "birth_date", "01/06/2022",
          "Ngày sinh sau ngày tính 25/05/2022", "born after the reference date 25/05/2022")


def test_under_18_on_as_of(make_dataset):
    text = PEOPLE_HEAD + "1,A,male,26/05/2004\n2,B,male,25/05/2004\n3,C,male,2005\n"
    problems = [p for p in validate_path(make_dataset({"people": text})) if p.code == "too_young"]
    assert [(p.row, p.value) for p in problems] == [(2, "26/05/2004"), (4, "2005")]  # 18 on the birthday
    check(problems[0], "people.csv", 2, "birth_date", "26/05/2004", "Chưa đủ 18 tuổi vào ngày 25/05/2022 (17 tuổi)",
          "under 18 on 25/05/2022 (aged 17)")


def test_over_100_on_as_of(make_dataset):
    text = PEOPLE_HEAD + "1,A,male,24/05/1921\n2,B,male,26/05/1921\n3,C,female,03/1921\n"
    problems = [p for p in validate_path(make_dataset({"people": text})) if p.code == "too_old"]
    assert [(p.row, p.value) for p in problems] == [(2, "24/05/1921"), (4, "03/1921")]
    check(problems[0], "people.csv", 2, "birth_date", "24/05/1921", "Trên 100 tuổi", "over 100 on 25/05/2022 (aged 101)")


def test_unknown_gender(make_dataset):
    text = "Mã,Họ và tên,Giới tính,Ngày sinh\n1,A,Nam,01/01/1980\n2,B,Khác,01/01/1980\n"
    problems = validate_path(make_dataset({"people": text}))
    check(one(problems, "unknown_code"), "people.csv", 3, "Giới tính", "Khác",
          "dùng một trong: male (Nam), female (Nữ)", "unknown value; use one of: male (Nam), female (Nữ)")


def test_duplicate_person_id(make_dataset):
    problems = validate_path(make_dataset({"people": PEOPLE + "001,Trùng,male,01/01/1980\n"}))
    check(one(problems, "duplicate_id"), "people.csv", 4, "person_id", "001", "trùng với dòng 2", "also on row 2")


def test_duplicate_title_and_conference_ids(make_dataset):
    problems = validate_path(make_dataset({
        "titles": TITLES + "BT,Bí thư,leadership,2025-2030\n",
        "conferences": CONFERENCES + "HN1,bch,33,,,,\n",
    }))
    dups = sorted((Path(p.file).name, p.row, p.value) for p in problems if p.code == "duplicate_id")
    assert dups == [("conferences.csv", 3, "HN1"), ("titles.csv", 4, "BT")]


# Planning ----------------------------------------------------------------------------------------

def test_planning_row_for_unknown_person_or_title(make_dataset):
    planning = "person_id,title_id,status\n001,BT,approved\n099,BT,approved\n002,PBT,proposed\n"
    problems = validate_path(make_dataset({"people": PEOPLE, "titles": TITLES, "planning": planning}))
    check(one(problems, "unknown_person"), "planning.csv", 3, "person_id", "099",
          "Không có mã cán bộ này", "no person with this id in the people table")
    check(one(problems, "unknown_title"), "planning.csv", 4, "title_id", "PBT",
          "Không có mã chức danh này", "no title with this id in the titles table")


def test_planning_needs_people_and_titles(make_dataset):
    problems = validate_path(make_dataset({"planning": "person_id,title_id,status\n1,BT,approved\n"}))
    assert sorted(p.message_en for p in problems if p.code == "missing_table") == [
        "the planning table needs the people table", "the planning table needs the titles table"]


def test_unknown_planning_status(make_dataset):
    planning = "Mã cán bộ,Mã chức danh,Trạng thái\n001,BT,Đã phê duyệt\n002,BT,chờ\n"
    problems = validate_path(make_dataset({"people": PEOPLE, "titles": TITLES, "planning": planning}))
    check(one(problems, "unknown_code"), "planning.csv", 3, "Trạng thái", "chờ", "proposed (Đề xuất)", "approved")


# Ballots and conferences -------------------------------------------------------------------------

BALLOTS_HEAD = "conference_id,title_id,person_id,votes\n"


def test_counted_ballot_for_unknown_title_conference_or_person(make_dataset):
    ballots = BALLOTS_HEAD + "HN1,BT,001,80\nHN1,XX,001,3\nHN9,BT,002,5\nHN1,BT,777,1\n"
    problems = validate_path(make_dataset({"people": PEOPLE, "titles": TITLES, "conferences": CONFERENCES,
                                           "ballots": ballots}))
    check(one(problems, "unknown_title"), "ballots.csv", 3, "title_id", "XX", "mã chức danh", "no title")
    check(one(problems, "unknown_conference"), "ballots.csv", 4, "conference_id", "HN9",
          "Không có mã hội nghị này", "no conference with this id")
    check(one(problems, "unknown_person"), "ballots.csv", 5, "person_id", "777", "mã cán bộ", "no person")


def test_raw_ballot_for_unknown_title_is_a_warning(make_dataset):
    # ballots.py counts such a ballot as invalid for that title: it is not dropped, not an error
    ballots = "conference_id,ballot_id,title_id,person_id\nHN1,1,BT,001\nHN1,2,XX,002\n"
    problems = validate_path(make_dataset({"people": PEOPLE, "titles": TITLES, "conferences": CONFERENCES,
                                           "ballots": ballots}))
    check(one(problems, "unknown_title_ballot"), "ballots.csv", 3, "title_id", "XX",
          "không hợp lệ", "counts as invalid", severity="warning")


def test_ballots_need_votes_or_ballot_id(make_dataset):
    ballots = "conference_id,title_id,person_id\nHN1,BT,001\n"
    problems = validate_path(make_dataset({"conferences": CONFERENCES, "ballots": ballots}))
    check(one(problems, "missing_column"), "ballots.csv", None, "votes", None, "votes | ballot_id", "votes | ballot_id")


def test_raw_and_counted_ballot_rows_in_one_table(make_dataset):
    # Raw ballots of one conference, the counting minutes of another: both kinds in one table
    conf = CONFERENCES + "HN2,bch,33,33,33,33,33\n"
    ballots = ("conference_id,ballot_id,title_id,person_id,votes\n"
               "HN1,P1,BT,001,\nHN1,P2,BT,002,\nHN2,,BCH,001,30\nHN2,P9,BCH,002,3\nHN2,,BCH,002,\n")
    folder = make_dataset({"people": PEOPLE, "titles": TITLES, "conferences": conf, "ballots": ballots})
    problems = validate_path(folder)
    check(one(problems, "row_kind_both"), "ballots.csv", 5, None, None, "có cả votes và ballot_id",
          "has both votes and ballot_id")
    check(one(problems, "row_kind_none"), "ballots.csv", 6, None, None, "không có số liệu", "none of votes | ballot_id")
    from analysis.dataset import read_dataset

    assert read_dataset(folder)[0].ballots_kind == "mixed"


def test_negative_and_non_integer_counts(make_dataset):
    ballots = "Mã hội nghị,Mã chức danh,Mã cán bộ,Số phiếu\nHN1,BT,001,-3\nHN1,BT,002,4.5\n"
    problems = validate_path(make_dataset({"people": PEOPLE, "titles": TITLES, "conferences": CONFERENCES,
                                           "ballots": ballots}))
    check(one(problems, "negative_count"), "ballots.csv", 2, "Số phiếu", "-3", "không được âm", "negative")
    check(one(problems, "bad_count"), "ballots.csv", 3, "Số phiếu", "4.5", "số nguyên", "whole number")


def test_votes_exceeding_the_valid_ballots(make_dataset):
    ballots = BALLOTS_HEAD + "HN1,BT,001,113\nHN1,BT,002,114\n"
    problems = validate_path(make_dataset({"people": PEOPLE, "titles": TITLES, "conferences": CONFERENCES,
                                           "ballots": ballots}))
    check(one(problems, "votes_exceed"), "ballots.csv", 3, "votes", "114",
          "lớn hơn số phiếu hợp lệ của hội nghị (113)", "exceed the conference's ballots_valid (113)")


@pytest.mark.parametrize("column, row_values, other, other_value", [
    ("present", "130,,,", "convened", 120),
    ("ballots_issued", "115,116,,", "present", 115),
    ("ballots_issued", ",121,,", "convened", 120),  # present not given: the nearest count before it
    ("ballots_collected", "115,115,116,", "ballots_issued", 115),
    ("ballots_valid", "115,115,110,111", "ballots_collected", 110),
])
def test_impossible_conference_accounting(make_dataset, column, row_values, other, other_value):
    conf = CONFERENCES + f"HN2,bch,120,{row_values}\n"
    problems = validate_path(make_dataset({"conferences": conf}))
    p = one(problems, "impossible_count")
    assert (Path(p.file).name, p.row, p.column, p.value) == ("conferences.csv", 3, column, p.value)
    assert f"({other_value})" in p.message_vi and f"is larger than {other} ({other_value})" in p.message_en


def test_trust_vote_for_unknown_conference(make_dataset):
    trust = "conference_id,full_name,high,trust,low\nHN1,A,50,40,4\nHN7,B,1,2,3\nHN1,,1,1,1\n"
    problems = validate_path(make_dataset({"conferences": CONFERENCES, "trust_votes": trust}))
    check(one(problems, "unknown_conference"), "trust_votes.csv", 3, "conference_id", "HN7",
          "mã hội nghị", "no conference")
    check(one(problems, "missing_name"), "trust_votes.csv", 4, None, None, "họ tên", "full_name")


def test_trust_vote_rows_of_three_and_two_levels(make_dataset):
    conf = CONFERENCES + "HN2,bch,33,33,33,33,33\n"
    trust = ("conference_id,full_name,high,trust,low,agree,disagree\n"
             "HN1,A,50,40,4,,\nHN2,A,,,,30,3\nHN2,B,1,,,30,3\nHN2,C,,,,,\n")
    folder = make_dataset({"conferences": conf, "trust_votes": trust})
    problems = validate_path(folder)
    check(one(problems, "row_kind_both"), "trust_votes.csv", 4, None, None, "high/trust/low và agree/disagree",
          "has both high/trust/low and agree/disagree")
    check(one(problems, "row_kind_none"), "trust_votes.csv", 5, None, None, "không có số liệu", "none of")
    from analysis.dataset import read_dataset

    assert read_dataset(folder)[0].trust_kind == "mixed"


# Conferences dated after as_of -------------------------------------------------------------------

def test_trust_round_after_as_of_is_a_warning_at_its_excel_row(make_dataset):
    # as_of is 25/05/2022 (conftest). A coarse date counts from its first day: May 2022 and the
    # year 2022 may be before as_of (not reported), June 2022 is wholly after it (reported).
    conf = ("Mã hội nghị,Cơ quan,Ngày hội nghị,Số triệu tập\n"
            "HN1,key_cadres,25/05/2022,120\n"   # row 2: on as_of itself
            "TN1,bch,20/11/2023,35\n"           # row 3: a trust round a year and a half later
            "HN2,bch,05/2022,33\n"              # row 4
            "HN3,btv,06/2022,13\n"              # row 5
            "HN4,bch,2022,33\n"                 # row 6
            "HN5,bch,,33\n")                    # row 7: no date, nothing to compare
    trust = "conference_id,full_name,high,trust,low\nTN1,Nguyễn Văn An,30,4,1\n"
    folder = make_dataset({"conferences": conf, "trust_votes": trust})
    problems = validate_path(folder)
    late = [p for p in problems if p.code == "conference_after_as_of"]
    assert [(p.row, p.value) for p in late] == [(3, "20/11/2023"), (5, "06/2022")]
    check(late[0], "conferences.csv", 3, "Ngày hội nghị", "20/11/2023",
          "sau ngày tính 25/05/2022 của bộ dữ liệu: tuổi tính vào ngày 25/05/2022",
          "dated after the dataset's as_of 25/05/2022: ages are computed on 25/05/2022", severity="warning")
    assert [p.code for p in problems] == ["conference_after_as_of"] * 2  # nothing else is wrong
    from analysis.dataset import load_dataset

    assert [p.row for p in load_dataset(folder).warnings] == [3, 5]  # reports are built, with the warning


def test_conference_after_as_of_in_a_workbook_names_sheet_and_row(tmp_path):
    book = workbook(tmp_path / "b.xlsx", "Hội nghị", [
        ["Mã hội nghị", "Cơ quan", "Ngày", "Số triệu tập"],
        ["B3", "Cán bộ chủ chốt", dt.datetime(2022, 5, 25), 250],
        ["TN", "BCH", dt.datetime(2024, 11, 18), 36],  # an Excel date cell, row 3
    ])
    p = one(validate_path(book), "conference_after_as_of")
    assert (Path(p.file).name, p.sheet, p.row, p.column, p.value) == ("b.xlsx", "Hội nghị", 3, "Ngày", "18/11/2024")
    assert p.severity == "warning"
    assert "b.xlsx[Hội nghị] dòng/row 3, cột/column Ngày, giá trị/value '18/11/2024': " in str(p)


# dataset.yml -------------------------------------------------------------------------------------

def test_dataset_yml_problems_name_the_file_and_key(make_dataset):
    folder = make_dataset({"people": PEOPLE}, meta={"id": "Thường Tín", "regime": "qd999", "level": "huyen x",
                                                   "as_of": "31/02/2022", "name": None, "terms": "2025 party"})
    problems = validate_path(folder)
    assert {p.code for p in problems} == {"bad_id", "unknown_regime", "unknown_level", "bad_meta_date",
                                          "missing_key", "bad_terms"}
    lines = {k: i + 1 for i, k in enumerate(
        k.split(":")[0] for k in (folder / "dataset.yml").read_text(encoding="utf-8").splitlines())}
    check(one(problems, "bad_id"), "dataset.yml", lines["id"], "id", "Thường Tín", "chữ thường", "lower-case")
    check(one(problems, "unknown_regime"), "dataset.yml", lines["regime"], "regime", "qd999",
          "Không có bộ quy định này", "unknown regime (known: ")
    assert "qd50" in one(problems, "unknown_regime").message_en
    check(one(problems, "unknown_level"), "dataset.yml", lines["level"], "level", "huyen x", "Cấp", "district")
    check(one(problems, "bad_meta_date"), "dataset.yml", lines["as_of"], "as_of", "31/02/2022", "Ngày", "date")
    check(one(problems, "missing_key"), "dataset.yml", None, "name", None, "Thiếu mục bắt buộc 'name'",
          "missing required key 'name'")
    check(one(problems, "bad_terms"), "dataset.yml", lines["terms"], "terms", "2025 party", "Nhiệm kỳ", "label kind start")


def test_unknown_key_and_unknown_table_in_dataset_yml(make_dataset):
    folder = make_dataset({"people": PEOPLE}, meta={"asof": "2022-01-01", "tables": {"people": "people.csv",
                                                                                    "nguoi": "x.csv"}})
    problems = validate_path(folder)
    assert one(problems, "unknown_key").severity == "warning" and one(problems, "unknown_key").column == "asof"
    p = one(problems, "unknown_table")
    assert (p.column, p.value) == ("tables", "nguoi")


def test_yaml_syntax_error_has_its_line(make_dataset):
    folder = make_dataset({"people": PEOPLE})
    (folder / "dataset.yml").write_text("id: x\nname: [unclosed\nlevel: district\n", encoding="utf-8")
    p = one(validate_path(folder), "yaml_error")
    assert Path(p.file).name == "dataset.yml" and p.row is not None
    assert "YAML" in p.message_vi and "YAML syntax error" in p.message_en


def test_dataset_sheet_problem_names_the_sheet_and_row(tmp_path):
    book = workbook(tmp_path / "b.xlsx", "Cán bộ", [["Mã", "Họ và tên", "Giới tính", "Ngày sinh"]], regime="nope")
    p = one(validate_path(book), "unknown_regime")
    assert (Path(p.file).name, p.sheet, p.row, p.column, p.value) == ("b.xlsx", "dataset", 4, "regime", "nope")
    assert "b.xlsx[dataset] dòng/row 4, cột/column regime, giá trị/value 'nope': " in str(p)


def test_workbook_problem_names_the_sheet(tmp_path):
    book = workbook(tmp_path / "b.xlsx", "Cán bộ", [["Mã", "Họ và tên", "Giới tính", "Ngày sinh"],
                                                    ["01", "A", "Nam", "1/1/1980"],
                                                    ["02", "B", "Bê đê", "1/1/1980"]], meta_sheet="Thông tin")
    p = one(validate_path(book), "unknown_code")
    assert (Path(p.file).name, p.sheet, p.row, p.column, p.value) == ("b.xlsx", "Cán bộ", 3, "Giới tính", "Bê đê")
    assert "b.xlsx[Cán bộ] dòng/row 3, cột/column Giới tính, giá trị/value 'Bê đê': " in str(p)


# Formatting ------------------------------------------------------------------------------------

def test_problem_str_is_one_bilingual_line():
    p = make_problem("unknown_code", file="/tmp/data/people.xlsx", sheet="Cán bộ", row=7, column="Giới tính",
                     value="X", allowed="male (Nam), female (Nữ)")
    assert str(p) == ("/tmp/data/people.xlsx[Cán bộ] dòng/row 7, cột/column Giới tính, giá trị/value 'X': "
                      "Giá trị không hợp lệ; dùng một trong: male (Nam), female (Nữ) / "
                      "unknown value; use one of: male (Nam), female (Nữ)")
    whole = make_problem("no_tables", file="/tmp/data/ds")
    assert str(whole) == "/tmp/data/ds: Bộ dữ liệu không có bảng nào / the dataset has no table"
    assert "\n" not in str(p)


def test_format_problems_lists_errors_first_with_counts():
    warn = make_problem("ids_generated", file="/tmp/a.csv")
    err = make_problem("missing_value", file="/tmp/a.csv", row=3, column="full_name")
    text = format_problems([warn, err])
    lines = text.splitlines()
    assert lines[0] == "1 lỗi, 1 cảnh báo / 1 error(s), 1 warning(s)"
    assert lines[1].startswith("[lỗi/error] ") and lines[2].startswith("[cảnh báo/warning] ")
    assert format_problems([]) == "Không có vấn đề nào / no problems found"
    assert format_problems([err] * 5, limit=2).splitlines()[-1] == "… và 3 vấn đề khác / … and 3 more"


def test_every_message_formats_in_both_languages():
    import string

    from analysis.validate import MESSAGES

    for code, (vi, en, severity) in MESSAGES.items():
        assert vi and en and severity in ("error", "warning"), code
        fields = {name for text in (vi, en) for _, name, _, _ in string.Formatter().parse(text) if name}
        p = make_problem(code, **{f: "x" for f in fields})
        assert "{" not in p.message_vi + p.message_en, code
        assert p.message_vi != p.message_en, code


def test_validate_path_on_the_mapping_of_a_real_style_list(make_dataset):
    text = "fullName,dateOfBirth,gender,ethnicity,partyJoiningDate\nA,10/07/1957,Nam,Kinh,Đóng\n"
    mapping = {"people": {"columns": {"fullName": "full_name", "dateOfBirth": "birth_date",
                                      "partyJoiningDate": "party_join_date"}}}
    problems = validate_path(make_dataset({"people": text}, mapping=mapping))
    # Without a value mapping the placeholder "Đóng" is an unparseable date, reported as typed
    assert [p.code for p in problems] == ["bad_date", "ids_generated"]
    check(problems[0], "people.csv", 2, "partyJoiningDate", "Đóng", "ngày", "date")
    mapping["people"]["values"] = {"party_join_date": {"Đóng": None}}
    (Path(problems[0].file).parent / "mapping.yml").write_text(yaml.safe_dump(mapping, allow_unicode=True),
                                                               encoding="utf-8")
    assert [p.code for p in validate_path(Path(problems[0].file).parent)] == ["ids_generated"]


def test_data_readme_documents_every_column_and_problem_code():
    from analysis import schema
    from analysis.config import DATA_DIR
    from analysis.validate import MESSAGES

    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    for table, columns in schema.COLUMNS.items():
        assert f"### `{table}`" in readme
        for column in columns:
            assert f"| `{column}` |" in readme, column
    for code in MESSAGES:
        assert f"| `{code}` |" in readme, code
