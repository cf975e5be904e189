"""Canonical tables: their columns, codes, and the Vietnamese forms people type for them.

This module is the vocabulary of the house. It knows nothing about files: `dataset.py` uses the
aliases to read a user's spreadsheet, `validate.py` the column specs to check it, and `sample.py`
the Vietnamese forms to write realistic workbooks.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

TABLES = ("people", "titles", "planning", "conferences", "ballots", "trust_votes")

# Codes (canonical values) -------------------------------------------------------------------
GENDERS = ("male", "female")
BODIES = ("bch", "btv", "leadership")
CONFERENCE_BODIES = ("key_cadres", "bch", "btv", "assembly", "council", "other")
SECTORS = ("party", "government", "front", "commune", "armed_forces", "other")
EDUCATION = ("doctorate", "master", "bachelor", "college", "vocational", "none")
POLITICAL_THEORY = ("advanced", "intermediate", "elementary", "none")
PLANNING_STATUS = ("proposed", "approved", "removed")
MANAGED_BY = ("own", "higher")
LEVELS = ("commune", "district", "province", "central", "other")
TERM_KINDS = ("party", "government")
BASES = ("convened", "present", "ballots_issued", "ballots_collected", "ballots_valid")
TRUST_LEVELS_3 = ("high", "trust", "low")
TRUST_LEVELS_2 = ("agree", "disagree")
MAJORITY_ETHNICITY = "Kinh"


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column: its kind drives parsing, `required` and `codes` drive validation."""

    name: str
    kind: str  # "id" | "text" | "code" | "date" | "count"
    required: bool = False
    codes: tuple[str, ...] | None = None


def _cols(*specs: ColumnSpec) -> dict[str, ColumnSpec]:
    return {spec.name: spec for spec in specs}


C = ColumnSpec
COLUMNS: dict[str, dict[str, ColumnSpec]] = {
    "people": _cols(
        C("person_id", "id", True),
        C("full_name", "text", True),
        C("gender", "code", True, GENDERS),
        C("birth_date", "date", True),
        C("ethnicity", "text"),
        C("unit", "text"),
        C("sector", "code", False, SECTORS),
        C("position", "text"),
        C("education", "code", False, EDUCATION),
        C("political_theory", "code", False, POLITICAL_THEORY),
        C("party_join_date", "date"),
        C("discipline", "text"),
    ),
    "titles": _cols(
        C("title_id", "id", True),
        C("title", "text", True),
        C("body", "code", True, BODIES),
        C("term", "text", True),
        C("seats", "count"),
        C("places", "count"),
        C("managed_by", "code", False, MANAGED_BY),
    ),
    "planning": _cols(
        C("person_id", "id", True),
        C("title_id", "id", True),
        C("status", "code", True, PLANNING_STATUS),
        C("since", "date"),
        C("removed_on", "date"),
        C("removal_reason", "text"),
    ),
    "conferences": _cols(
        C("conference_id", "id", True),
        C("step", "count"),
        C("body", "code", True, CONFERENCE_BODIES),
        C("date", "date"),
        C("convened", "count", True),
        C("present", "count"),
        C("ballots_issued", "count"),
        C("ballots_collected", "count"),
        C("ballots_valid", "count"),
        C("base", "code", False, BASES),
    ),
    # Raw ballots carry ballot_id; counted minutes carry votes. Which is required is decided by
    # `validate.py` from the columns present.
    "ballots": _cols(
        C("conference_id", "id", True),
        C("ballot_id", "id"),
        C("title_id", "id", True),
        C("person_id", "id"),
        C("full_name", "text"),
        C("votes", "count"),
    ),
    # Counted (high/trust/low or agree/disagree) or raw (ballot_id + level).
    "trust_votes": _cols(
        C("conference_id", "id", True),
        C("person_id", "id"),
        C("full_name", "text"),
        C("position", "text"),
        C("ballot_id", "id"),
        C("level", "code", False, TRUST_LEVELS_3 + TRUST_LEVELS_2),
        C("high", "count"),
        C("trust", "count"),
        C("low", "count"),
        C("agree", "count"),
        C("disagree", "count"),
        C("high_pct", "text"),
        C("trust_pct", "text"),
        C("low_pct", "text"),
        C("agree_pct", "text"),
        C("disagree_pct", "text"),
    ),
}

# Vietnamese (and other usual) forms ----------------------------------------------------------
# Keys are matched after `fold()`: case, diacritics, spaces and punctuation do not matter.

SHEET_ALIASES: dict[str, tuple[str, ...]] = {
    "people": ("Cán bộ", "Nhân sự", "Danh sách cán bộ", "Danh sách"),
    "titles": ("Chức danh", "Chức danh quy hoạch"),
    "planning": ("Quy hoạch", "Danh sách quy hoạch"),
    "conferences": ("Hội nghị", "Hội nghị bỏ phiếu"),
    "ballots": ("Phiếu giới thiệu", "Phiếu", "Kết quả giới thiệu", "Kiểm phiếu"),
    "trust_votes": ("Tín nhiệm", "Phiếu tín nhiệm", "Lấy phiếu tín nhiệm"),
    "dataset": ("Thông tin", "Bộ dữ liệu"),
}

# Vietnamese forms of the canonical headers, per column name (shared across tables).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "person_id": ("Mã cán bộ", "Mã số", "Mã", "Mã người", "ID", "STT cán bộ"),
    "full_name": ("Họ và tên", "Họ tên", "Tên", "Họ và tên khai sinh", "Người ứng cử"),
    "gender": ("Giới tính", "Giới", "GT", "Nam/Nữ"),
    "birth_date": ("Ngày sinh", "Ngày tháng năm sinh", "Năm sinh", "NS", "Sinh ngày"),
    "ethnicity": ("Dân tộc",),
    "unit": ("Đơn vị", "Cơ quan, đơn vị", "Nơi công tác", "Cơ quan công tác"),
    "sector": ("Khối", "Khối ngành", "Lĩnh vực"),
    "position": ("Chức vụ", "Chức vụ hiện tại", "Chức vụ, đơn vị công tác"),
    "education": ("Trình độ chuyên môn", "Chuyên môn", "Học vị", "Trình độ"),
    "political_theory": ("Lý luận chính trị", "Trình độ lý luận chính trị", "LLCT"),
    "party_join_date": ("Ngày vào Đảng", "Ngày vào đảng", "Vào Đảng"),
    "discipline": ("Kỷ luật", "Hình thức kỷ luật"),
    "title_id": ("Mã chức danh",),
    "title": ("Chức danh", "Tên chức danh", "Chức danh quy hoạch"),
    "body": ("Cơ quan", "Loại", "Cấp ủy", "Thành phần"),
    "term": ("Nhiệm kỳ",),
    "seats": ("Số lượng", "Số lượng theo quy định", "Định suất"),
    "places": ("Số người quy hoạch", "Số lượng quy hoạch"),
    "managed_by": ("Thẩm quyền quản lý", "Diện quản lý", "Cấp quản lý"),
    "status": ("Trạng thái", "Tình trạng"),
    "since": ("Từ ngày", "Ngày quy hoạch", "Ngày phê duyệt"),
    "removed_on": ("Ngày đưa ra", "Ngày đưa ra khỏi quy hoạch"),
    "removal_reason": ("Lý do đưa ra", "Lý do"),
    "conference_id": ("Mã hội nghị", "Hội nghị", "Đợt"),
    "step": ("Bước",),
    "date": ("Ngày", "Ngày hội nghị", "Ngày bỏ phiếu"),
    "convened": ("Số triệu tập", "Số được triệu tập", "Tổng số triệu tập", "Tổng số đại biểu"),
    "present": ("Có mặt", "Số có mặt", "Số dự"),
    "ballots_issued": ("Số phiếu phát ra", "Phiếu phát ra"),
    "ballots_collected": ("Số phiếu thu về", "Phiếu thu về"),
    "ballots_valid": ("Số phiếu hợp lệ", "Phiếu hợp lệ"),
    "base": ("Cơ sở tính", "Cơ sở tính tỷ lệ"),
    "ballot_id": ("Mã phiếu", "Số phiếu thứ tự", "Phiếu số"),
    "votes": ("Số phiếu", "Số phiếu giới thiệu", "Số phiếu bầu"),
    "level": ("Mức", "Mức tín nhiệm"),
    "high": ("Tín nhiệm cao", "TN cao"),
    "trust": ("Tín nhiệm",),
    "low": ("Tín nhiệm thấp", "TN thấp"),
    "agree": ("Đồng ý",),
    "disagree": ("Không đồng ý",),
    "high_pct": ("Tỷ lệ tín nhiệm cao", "% tín nhiệm cao"),
    "trust_pct": ("Tỷ lệ tín nhiệm", "% tín nhiệm"),
    "low_pct": ("Tỷ lệ tín nhiệm thấp", "% tín nhiệm thấp"),
    "agree_pct": ("Tỷ lệ đồng ý", "% đồng ý"),
    "disagree_pct": ("Tỷ lệ không đồng ý", "% không đồng ý"),
}

# Vietnamese forms of codes, per code column.
VALUE_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "gender": {
        "male": ("Nam", "M", "Male", "1"),
        "female": ("Nữ", "F", "Female", "W", "0"),
    },
    "body": {
        "bch": ("Ban Chấp hành", "BCH", "Cấp ủy", "Ủy viên Ban Chấp hành"),
        "btv": ("Ban Thường vụ", "BTV", "Ủy viên Ban Thường vụ"),
        "leadership": ("Lãnh đạo", "Chức danh lãnh đạo", "Lãnh đạo, quản lý"),
        "key_cadres": ("Cán bộ chủ chốt", "Hội nghị cán bộ chủ chốt"),
        "assembly": ("Quốc hội",),
        "council": ("Hội đồng nhân dân", "HĐND"),
    },
    "sector": {
        "party": ("Đảng", "Khối Đảng", "Khối Đảng, đoàn thể"),
        "government": ("Chính quyền", "Khối chính quyền", "Nhà nước", "UBND"),
        "front": ("MTTQ và đoàn thể", "Mặt trận và đoàn thể", "MTTQ & đoàn thể", "Đoàn thể", "Mặt trận"),
        "commune": ("Xã/phường", "Xã, phường", "Xã, thị trấn", "Cấp xã", "Xã"),
        "armed_forces": ("Lực lượng vũ trang", "LLVT", "Quân sự, công an", "Công an", "Quân sự"),
        "other": ("Khác",),
    },
    "education": {
        "doctorate": ("Tiến sĩ", "Tiến sỹ", "TS", "PGS.TS", "GS.TS"),
        "master": ("Thạc sĩ", "Thạc sỹ", "ThS"),
        "bachelor": ("Đại học", "Cử nhân", "Kỹ sư", "Bác sĩ", "ĐH"),
        "college": ("Cao đẳng", "CĐ"),
        "vocational": ("Trung cấp", "TC"),
        "none": ("Không", "Chưa qua đào tạo", "Phổ thông"),
    },
    "political_theory": {
        "advanced": ("Cao cấp", "Cử nhân", "Cử nhân chính trị", "Cao cấp lý luận chính trị"),
        "intermediate": ("Trung cấp", "Trung cấp lý luận chính trị"),
        "elementary": ("Sơ cấp", "Sơ cấp lý luận chính trị"),
        "none": ("Không", "Chưa", "Chưa qua đào tạo"),
    },
    "status": {
        "proposed": ("Đề xuất", "Dự kiến", "Giới thiệu"),
        "approved": ("Phê duyệt", "Đã phê duyệt", "Được phê duyệt", "Chính thức"),
        "removed": ("Đưa ra", "Đưa ra khỏi quy hoạch", "Đã đưa ra"),
    },
    "managed_by": {
        "own": ("Cấp mình", "Cấp huyện", "Ban Thường vụ Huyện ủy", "Tự quản lý"),
        "higher": ("Cấp trên", "Ban Thường vụ Tỉnh ủy", "Ban Thường vụ Thành ủy", "Diện cấp trên quản lý"),
    },
    "level": {
        "high": ("Tín nhiệm cao", "Cao"),
        "trust": ("Tín nhiệm",),
        "low": ("Tín nhiệm thấp", "Thấp"),
        "agree": ("Đồng ý",),
        "disagree": ("Không đồng ý",),
    },
    "base": {
        "convened": ("Triệu tập", "Tổng số triệu tập", "Tổng số đại biểu"),
        "present": ("Có mặt",),
        "ballots_issued": ("Phát ra", "Phiếu phát ra"),
        "ballots_collected": ("Thu về", "Phiếu thu về"),
        "ballots_valid": ("Hợp lệ", "Phiếu hợp lệ"),
    },
}


def fold(text: object) -> str:
    """Compare key for headers and values: lower case, no diacritics, single spaces.

    "Họ và tên", "HO VA TEN" and " họ  và tên " all fold to "ho va ten"; "Đ" folds to "d".
    """
    s = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "D")
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn").lower()
    s = re.sub(r"[_\W]+", " ", s)
    return s.strip()


def header_lookup(table: str) -> dict[str, str]:
    """Folded header form -> canonical column name, for one table (canonical names included)."""
    lookup: dict[str, str] = {}
    for column in COLUMNS[table]:
        lookup[fold(column)] = column
        for alias in HEADER_ALIASES.get(column, ()):
            lookup.setdefault(fold(alias), column)
    return lookup


def value_lookup(column: str) -> dict[str, str]:
    """Folded value form -> canonical code, for one code column (codes themselves included)."""
    lookup: dict[str, str] = {}
    for code, aliases in VALUE_ALIASES.get(column, {}).items():
        lookup[fold(code)] = code
        for alias in aliases:
            lookup.setdefault(fold(alias), code)
    return lookup


def sheet_lookup() -> dict[str, str]:
    """Folded sheet name -> table name (table names themselves included)."""
    lookup = {fold(t): t for t in (*TABLES, "dataset")}
    for table, aliases in SHEET_ALIASES.items():
        for alias in aliases:
            lookup.setdefault(fold(alias), table)
    return lookup
