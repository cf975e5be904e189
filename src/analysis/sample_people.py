"""People, titles and planning rows for the synthetic samples (`analysis.sample`).

Also the in-memory form of a sample dataset (`SampleDataset`), shared by the builders here, in
`sample_votes` (the datasets with votes) and the writers in `sample`.

Everything here is invented: names are drawn from the usual family, middle and given names of
each ethnic group, posts from the usual structure of a district or commune. Nothing refers to a
real person. All randomness comes from the `random.Random` passed in, so a seed gives the same
people every time.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

DEFAULT_SEED = 2025
DESCRIPTION = "Dữ liệu tổng hợp (synthetic) — không phải người thật."


@dataclass
class SampleDataset:
    """One dataset in memory: metadata and canonical tables (lists of row dicts)."""

    id: str
    name: str
    level: str
    regime: str
    as_of: dt.date
    terms: list[tuple[str, str, str]]  # (label, kind, start yyyy-mm)
    tables: dict[str, list[dict]]
    parent: str | None = None
    note: str = ""
    date_format: str = "%Y-%m-%d"  # how dates are typed in its CSV files

    @property
    def description(self) -> str:
        return f"{DESCRIPTION} {self.note}".strip()


# Names ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameBook:
    """Family names (with weights), middle names and given names of one ethnic group."""

    families: tuple[tuple[str, int], ...]
    male_middles: tuple[str, ...]
    female_middles: tuple[str, ...]
    male_given: tuple[str, ...]
    female_given: tuple[str, ...]


_KINH_MALE_GIVEN = (
    "Hùng", "Dũng", "Tuấn", "Minh", "Hải", "Sơn", "Thắng", "Cường", "Long", "Nam", "Trung",
    "Hiếu", "Quân", "Toàn", "Phong", "Thành", "Huy", "Tùng", "Khánh", "Lâm", "Hòa", "Bình",
    "Đạt", "Kiên", "Vinh", "Thọ", "Tiến", "Hưng", "Quang", "Việt", "Tài", "Lợi", "Chiến",
    "Thịnh", "Định", "Giang", "Hoàn", "Luân", "Nghĩa", "Phúc", "Tâm", "Thái", "Trường", "Vượng",
)
_KINH_FEMALE_GIVEN = (
    "Hương", "Lan", "Hoa", "Mai", "Hằng", "Thủy", "Nga", "Hà", "Linh", "Trang", "Huyền",
    "Thảo", "Loan", "Yến", "Dung", "Nhung", "Oanh", "Vân", "Hạnh", "Liên", "Tâm", "Ngân",
    "Phượng", "Quyên", "Hiền", "Lý", "Thơ", "Xuân",
)

NAME_BOOKS: dict[str, NameBook] = {
    "Kinh": NameBook(
        families=(
            ("Nguyễn", 30), ("Trần", 10), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Vũ", 4),
            ("Phan", 3), ("Đặng", 3), ("Bùi", 3), ("Đỗ", 3), ("Ngô", 3), ("Dương", 2),
            ("Tạ", 2), ("Kiều", 2), ("Đinh", 2), ("Đào", 2), ("Trịnh", 2), ("Lưu", 1),
            ("Chu", 1), ("Nghiêm", 1), ("Lương", 1), ("Hà", 1),
        ),
        male_middles=("Văn", "Đức", "Minh", "Quang", "Xuân", "Hữu", "Tiến", "Thanh", "Công",
                      "Mạnh", "Ngọc", "Trọng", "Duy", "Hồng", "Anh", "Đình", "Việt"),
        female_middles=("Thị", "Thị", "Thị", "Thu", "Thanh", "Ngọc", "Thúy", "Minh", "Kim",
                        "Hồng", "Phương", "Hải", "Bích"),
        male_given=_KINH_MALE_GIVEN,
        female_given=_KINH_FEMALE_GIVEN,
    ),
    "Thái": NameBook(
        families=(("Lò", 5), ("Lường", 3), ("Hà", 4), ("Vi", 2), ("Lương", 3), ("Cầm", 2)),
        male_middles=("Văn", "Văn", "Văn", "Minh", "Bá"),
        female_middles=("Thị",),
        male_given=("Thiêm", "Pâng", "Lả", "Khăm", "Ún", "Xuân", "Tuấn", "Chiến", "Hưng",
                    "Thanh", "Sơn", "Biên", "Hải", "Pọm", "Lún", "Thông", "Ngoan"),
        female_given=("Ánh", "Xuyên", "Tươi", "Nhung", "Hoa", "Ban", "Thoa", "Ngân", "Hiên",
                      "Xiêm", "Lả", "Phương"),
    ),
    "Mông": NameBook(
        families=(("Giàng", 3), ("Sùng", 2), ("Vàng", 3), ("Lầu", 2), ("Mùa", 2), ("Thào", 2),
                  ("Hờ", 1), ("Lù", 1)),
        male_middles=("A", "A", "Seo", "Chứ", "Minh", "Văn"),
        female_middles=("Thị",),
        male_given=("Sử", "Pó", "Dính", "Chư", "Sình", "Lử", "Tủa", "Dế", "Páo", "Nhìa",
                    "Chống", "Vư", "Pá", "Xá", "Sùng", "Lâu"),
        female_given=("Dợ", "Cở", "Dua", "Pàng", "Mai", "Súa", "Chía", "Mỷ", "Sinh", "Dế"),
    ),
    "Mường": NameBook(
        families=(("Bùi", 4), ("Đinh", 3), ("Quách", 2), ("Hà", 1)),
        male_middles=("Văn", "Văn", "Công", "Đức"),
        female_middles=("Thị",),
        male_given=_KINH_MALE_GIVEN,
        female_given=_KINH_FEMALE_GIVEN,
    ),
    "Dao": NameBook(
        families=(("Bàn", 3), ("Triệu", 3), ("Lý", 2)),
        male_middles=("Văn", "Tiến", "Văn"),
        female_middles=("Thị",),
        male_given=("Sơn", "Phú", "Quẩy", "Chàn", "Sinh", "Kiềm", "Chòi", "Tằng", "Hin"),
        female_given=("Nhất", "Mai", "Xuân", "Hiền", "Dảo", "Ngân"),
    ),
    "Khơ Mú": NameBook(
        families=(("Lò", 2), ("Vi", 2), ("Lự", 1)),
        male_middles=("Văn",),
        female_middles=("Thị",),
        male_given=("Tho", "Phổng", "Xiêng", "Ỏn", "Ngùa", "Chăn", "Pắn"),
        female_given=("Phanh", "Bua", "Ín", "Khăm"),
    ),
}


def weighted(rng: random.Random, pairs: Sequence[tuple[object, float]]) -> object:
    """One value of ``pairs`` [(value, weight), ...], drawn by weight."""
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for value, weight in pairs:
        x -= weight
        if x < 0:
            return value
    return pairs[-1][0]


def make_name(rng: random.Random, ethnicity: str, gender: str, used: set[str]) -> str:
    """A full name not in ``used`` (the name is added to it)."""
    book = NAME_BOOKS[ethnicity]
    for _ in range(200):
        family = weighted(rng, book.families)
        if gender == "male":
            name = f"{family} {rng.choice(book.male_middles)} {rng.choice(book.male_given)}"
        else:
            name = f"{family} {rng.choice(book.female_middles)} {rng.choice(book.female_given)}"
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError(f"no free name left for {ethnicity}/{gender}")  # pragma: no cover


# Posts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Post:
    """A post held by one person: its unit, position, sector and seniority tier."""

    unit: str
    position: str
    sector: str
    tier: str  # top | head | deputy | commune_head | commune | young
    gender: str | None = None  # forced gender (e.g. the Women's Union)
    ages: tuple[int, int] | None = None  # forced age range
    key: str = ""  # a stable handle used by the builders (e.g. "bi-thu")


# Age ranges (whole years on as_of) per tier: the pool is mostly 35–55.
TIER_AGES = {
    "top": (47, 57),
    "head": (41, 55),
    "deputy": (34, 50),
    "commune_head": (37, 54),
    "commune": (30, 50),
    "young": (28, 34),
}

EDUCATION_BY_TIER = {
    "top": (("doctorate", 8), ("master", 62), ("bachelor", 30)),
    "head": (("doctorate", 3), ("master", 52), ("bachelor", 45)),
    "deputy": (("doctorate", 2), ("master", 40), ("bachelor", 58)),
    "commune_head": (("master", 25), ("bachelor", 72), ("college", 3)),
    "commune": (("master", 8), ("bachelor", 80), ("college", 8), ("vocational", 4)),
    "young": (("master", 30), ("bachelor", 70)),
}
THEORY_BY_TIER = {
    "top": (("advanced", 100),),
    "head": (("advanced", 80), ("intermediate", 20)),
    "deputy": (("advanced", 40), ("intermediate", 60)),
    "commune_head": (("advanced", 45), ("intermediate", 55)),
    "commune": (("advanced", 10), ("intermediate", 72), ("elementary", 18)),
    "young": (("advanced", 15), ("intermediate", 65), ("elementary", 20)),
}
# Share of women per tier before forced genders (the pool lands around 25–30 %).
WOMEN_BY_TIER = {"top": 0.15, "head": 0.25, "deputy": 0.33, "commune_head": 0.18,
                 "commune": 0.32, "young": 0.4}


DEPARTMENTS_LOWLAND = ("Tài chính – Kế hoạch", "Nội vụ", "Tư pháp", "Kinh tế", "Quản lý đô thị",
                      "Tài nguyên và Môi trường", "Giáo dục và Đào tạo", "Y tế", "Văn hóa và Thông tin",
                      "Lao động – Thương binh và Xã hội")
DEPARTMENTS_UPLAND = ("Tài chính – Kế hoạch", "Nội vụ", "Tư pháp", "Nông nghiệp và Phát triển nông thôn",
                      "Kinh tế và Hạ tầng", "Tài nguyên và Môi trường", "Giáo dục và Đào tạo", "Y tế",
                      "Văn hóa và Thông tin", "Lao động – Thương binh và Xã hội", "Dân tộc")


def district_posts(communes: Sequence[str], departments: Sequence[str] = DEPARTMENTS_LOWLAND,
                   deputies: int = 2, commune_deputies: int | None = None,
                   extra_units: bool = True) -> list[Post]:
    """The posts of a district: party, government, front, armed forces and commune leaders.

    ``deputies`` is the number of deputy heads per department; the first ``commune_deputies``
    communes (default: all) also have their standing deputy secretary in the list.
    """
    P, G, F, A, C = "party", "government", "front", "armed_forces", "commune"
    hu, ub, hd = "Huyện ủy", "UBND huyện", "HĐND huyện"
    posts = [
        Post(hu, "Bí thư Huyện ủy", P, "top", key="bi-thu"),
        Post(hu, "Phó Bí thư Thường trực Huyện ủy, Chủ tịch HĐND huyện", P, "top", key="pbt-tt"),
        Post(ub, "Phó Bí thư Huyện ủy, Chủ tịch UBND huyện", G, "top", key="ct-ubnd"),
        Post(hd, "Phó Chủ tịch HĐND huyện", G, "top", key="pct-hdnd"),
    ]
    posts += [Post(ub, "Phó Chủ tịch UBND huyện", G, "top", key=f"pct-ubnd-{i}") for i in (1, 2, 3)]

    def unit(name: str, head: str, deputy: str, sector: str, n: int = deputies, key: str = "",
             **kw) -> list[Post]:
        out = [Post(name, head, sector, "head", key=key, **kw)]
        out += [Post(name, deputy, sector, "deputy", **kw) for _ in range(n)]
        return out

    posts += unit("Văn phòng Huyện ủy", "Chánh Văn phòng Huyện ủy", "Phó Chánh Văn phòng Huyện ủy", P,
                  key="cvp-hu")
    posts += unit("Ban Tổ chức Huyện ủy", "Trưởng Ban Tổ chức Huyện ủy",
                  "Phó Trưởng Ban Tổ chức Huyện ủy", P, key="truong-btc")
    posts += unit("Ủy ban Kiểm tra Huyện ủy", "Chủ nhiệm Ủy ban Kiểm tra Huyện ủy",
                  "Phó Chủ nhiệm Ủy ban Kiểm tra Huyện ủy", P, key="cn-ubkt")
    posts += unit("Ban Tuyên giáo Huyện ủy", "Trưởng Ban Tuyên giáo Huyện ủy",
                  "Phó Trưởng Ban Tuyên giáo Huyện ủy", P, key="truong-btg")
    posts += unit("Ban Dân vận Huyện ủy", "Trưởng Ban Dân vận Huyện ủy",
                  "Phó Trưởng Ban Dân vận Huyện ủy", P, 1, key="truong-bdv")
    posts += unit("Trung tâm Chính trị huyện", "Giám đốc Trung tâm Chính trị huyện",
                  "Phó Giám đốc Trung tâm Chính trị huyện", P, 1)
    posts += unit("Văn phòng HĐND và UBND huyện", "Chánh Văn phòng HĐND và UBND huyện",
                  "Phó Chánh Văn phòng HĐND và UBND huyện", G)
    for dept in departments:
        posts += unit(f"Phòng {dept}", f"Trưởng phòng {dept}", f"Phó Trưởng phòng {dept}", G)
    posts += unit("Thanh tra huyện", "Chánh Thanh tra huyện", "Phó Chánh Thanh tra huyện", G, 1)
    posts += unit("Ban Quản lý dự án đầu tư xây dựng huyện", "Giám đốc Ban Quản lý dự án đầu tư xây dựng huyện",
                  "Phó Giám đốc Ban Quản lý dự án đầu tư xây dựng huyện", G, 1)
    if extra_units:
        posts += unit("Trung tâm Văn hóa – Thông tin và Thể thao huyện",
                      "Giám đốc Trung tâm Văn hóa – Thông tin và Thể thao huyện",
                      "Phó Giám đốc Trung tâm Văn hóa – Thông tin và Thể thao huyện", G)
        posts += unit("Trung tâm Phát triển quỹ đất huyện", "Giám đốc Trung tâm Phát triển quỹ đất huyện",
                      "Phó Giám đốc Trung tâm Phát triển quỹ đất huyện", G, 1)
    posts += unit("Ủy ban MTTQ Việt Nam huyện", "Chủ tịch Ủy ban MTTQ Việt Nam huyện",
                  "Phó Chủ tịch Ủy ban MTTQ Việt Nam huyện", F, key="ct-mttq")
    posts += [Post("Huyện đoàn", "Bí thư Huyện đoàn", F, "young", ages=(31, 34)),
              Post("Huyện đoàn", "Phó Bí thư Huyện đoàn", F, "young", ages=(27, 31))]
    posts += unit("Hội Liên hiệp Phụ nữ huyện", "Chủ tịch Hội Liên hiệp Phụ nữ huyện",
                  "Phó Chủ tịch Hội Liên hiệp Phụ nữ huyện", F, 1, gender="female")
    posts += unit("Hội Nông dân huyện", "Chủ tịch Hội Nông dân huyện", "Phó Chủ tịch Hội Nông dân huyện", F, 1)
    posts += [Post("Hội Cựu chiến binh huyện", "Chủ tịch Hội Cựu chiến binh huyện", F, "head",
                   gender="male", ages=(57, 59))]
    posts += unit("Liên đoàn Lao động huyện", "Chủ tịch Liên đoàn Lao động huyện",
                  "Phó Chủ tịch Liên đoàn Lao động huyện", F, 1)
    posts += [Post("Ban Chỉ huy Quân sự huyện", "Chỉ huy trưởng Ban CHQS huyện", A, "head", gender="male"),
              Post("Ban Chỉ huy Quân sự huyện", "Chính trị viên Ban CHQS huyện", A, "head", gender="male"),
              Post("Ban Chỉ huy Quân sự huyện", "Phó Chỉ huy trưởng Ban CHQS huyện", A, "deputy", gender="male"),
              Post("Công an huyện", "Trưởng Công an huyện", A, "head", gender="male"),
              Post("Công an huyện", "Phó Trưởng Công an huyện", A, "deputy", gender="male"),
              Post("Công an huyện", "Phó Trưởng Công an huyện", A, "deputy")]
    n_deputies = len(communes) if commune_deputies is None else commune_deputies
    for i, name in enumerate(communes):
        posts += commune_leaders(name, C, with_deputy=i < n_deputies)
    return posts


def commune_leaders(name: str, sector: str, with_deputy: bool = True) -> list[Post]:
    """The three leaders of a commune as the district sees them (sector ``commune``)."""
    kind = "Thị trấn" if name.startswith("Thị trấn") else "xã"
    place = name.removeprefix("Thị trấn ")
    party, gov = f"Đảng ủy {kind} {place}", f"UBND {kind} {place}"
    out = [Post(party, f"Bí thư Đảng ủy {kind} {place}", sector, "commune_head", key=f"bt:{place}"),
           Post(gov, f"Chủ tịch UBND {kind} {place}", sector, "commune_head", key=f"ct:{place}")]
    if with_deputy:
        out.append(Post(party, f"Phó Bí thư Thường trực Đảng ủy {kind} {place}, Chủ tịch HĐND {kind} {place}",
                        sector, "commune_head", key=f"pbt:{place}"))
    return out


def commune_posts(place: str) -> list[Post]:
    """The posts of one commune seen from the commune itself (below its three leaders)."""
    P, G, F, A = "party", "government", "front", "armed_forces"
    du, ub = f"Đảng ủy xã {place}", f"UBND xã {place}"
    return [
        Post(f"HĐND xã {place}", f"Phó Chủ tịch HĐND xã {place}", G, "commune"),
        Post(ub, f"Phó Chủ tịch UBND xã {place}", G, "commune"),
        Post(ub, f"Phó Chủ tịch UBND xã {place}", G, "commune"),
        Post(du, f"Chủ nhiệm Ủy ban Kiểm tra Đảng ủy xã {place}", P, "commune"),
        Post(du, f"Văn phòng Đảng ủy xã {place}", P, "commune"),
        Post(f"Ủy ban MTTQ Việt Nam xã {place}", f"Chủ tịch Ủy ban MTTQ Việt Nam xã {place}", F, "commune"),
        Post(f"Ủy ban MTTQ Việt Nam xã {place}", f"Phó Chủ tịch Ủy ban MTTQ Việt Nam xã {place}", F, "commune"),
        Post(f"Đoàn TNCS Hồ Chí Minh xã {place}", f"Bí thư Đoàn xã {place}", F, "young", ages=(26, 31)),
        Post(f"Hội Liên hiệp Phụ nữ xã {place}", f"Chủ tịch Hội Liên hiệp Phụ nữ xã {place}", F, "commune",
             gender="female"),
        Post(f"Hội Nông dân xã {place}", f"Chủ tịch Hội Nông dân xã {place}", F, "commune"),
        Post(f"Hội Cựu chiến binh xã {place}", f"Chủ tịch Hội Cựu chiến binh xã {place}", F, "commune",
             gender="male", ages=(55, 59)),
        Post(f"Ban Chỉ huy Quân sự xã {place}", f"Chỉ huy trưởng Ban CHQS xã {place}", A, "commune", gender="male"),
        Post(f"Công an xã {place}", f"Trưởng Công an xã {place}", A, "commune", gender="male"),
        Post(ub, "Công chức Văn phòng – Thống kê", G, "young"),
        Post(ub, "Công chức Địa chính – Xây dựng", G, "commune"),
        Post(ub, "Công chức Tài chính – Kế toán", G, "commune"),
        Post(ub, "Công chức Tư pháp – Hộ tịch", G, "young"),
        Post(ub, "Công chức Văn hóa – Xã hội", G, "commune"),
    ]


# People ---------------------------------------------------------------------------------------


def birth_date_for_age(rng: random.Random, age: int, as_of: dt.date) -> dt.date:
    """A birth date on which the person is exactly ``age`` whole years old on ``as_of``."""
    latest = _years_before(as_of, age)  # turning `age` that day
    earliest = _years_before(as_of, age + 1) + dt.timedelta(days=1)
    return dt.date.fromordinal(rng.randint(earliest.toordinal(), latest.toordinal()))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass
class PersonFactory:
    """Makes people for one universe of names (people shared between datasets share it)."""

    rng: random.Random
    as_of: dt.date
    ethnicities: tuple[tuple[str, float], ...] = (("Kinh", 1.0),)
    used_names: set[str] = field(default_factory=set)

    def make(self, pid: str, post: Post, gender: str) -> dict:
        """One person holding ``post``; fields starting with ``_`` are for the builders only."""
        rng = self.rng
        ethnicity = weighted(rng, self.ethnicities)
        low, high = post.ages or TIER_AGES[post.tier]
        age = round(rng.triangular(low, high, (low + high) / 2))
        if gender == "female":  # women retire earlier: keep them under 54
            age = min(age, 53)
        birth = birth_date_for_age(rng, age, self.as_of)
        join_age = rng.randint(19, 25) if post.tier == "young" else rng.randint(21, 30)
        join = _years_before(birth, -join_age) + dt.timedelta(days=rng.randint(0, 360))
        join = min(join, self.as_of - dt.timedelta(days=400))
        return {
            "person_id": pid,
            "full_name": make_name(rng, ethnicity, gender, self.used_names),
            "gender": gender,
            "birth_date": birth,
            "ethnicity": ethnicity,
            "unit": post.unit,
            "sector": post.sector,
            "position": post.position,
            "education": weighted(rng, EDUCATION_BY_TIER[post.tier]),
            "political_theory": weighted(rng, THEORY_BY_TIER[post.tier]),
            "party_join_date": join,
            "discipline": "",
            "_tier": post.tier,
            "_age": age,
            "_key": post.key,
            "_strength": rng.random() + {"top": 1.5, "head": 1.0, "commune_head": 0.6}.get(post.tier, 0.3),
        }

    def set_age(self, person: dict, age: int) -> None:
        """Give ``person`` a new birth date making them ``age`` on as_of (party date kept plausible)."""
        person["birth_date"] = birth_date_for_age(self.rng, age, self.as_of)
        person["_age"] = age
        join = person["party_join_date"]
        earliest = _years_before(person["birth_date"], -19)
        if join < earliest:
            person["party_join_date"] = earliest + dt.timedelta(days=self.rng.randint(0, 500))


def make_people(factory: PersonFactory, posts: Sequence[Post], ids: Iterable[str],
                women: tuple[float, float] = (0.24, 0.31)) -> list[dict]:
    """One person per post, with the given ids in order.

    The share of women is drawn in ``women`` and met exactly (posts with a forced gender count);
    who they are is drawn by the tier's usual share of women.
    """
    rng = factory.rng
    wanted = round(rng.uniform(*women) * len(posts)) - sum(p.gender == "female" for p in posts)
    free = [i for i, p in enumerate(posts) if p.gender is None]
    # weighted sampling without replacement (Efraimidis–Spirakis keys)
    keys = {i: rng.random() ** (1 / WOMEN_BY_TIER[posts[i].tier]) for i in free}
    female = set(sorted(free, key=keys.__getitem__, reverse=True)[:max(wanted, 0)])
    return [factory.make(pid, post, gender="female" if i in female else post.gender or "male")
            for i, (pid, post) in enumerate(zip(ids, posts, strict=True))]


# Titles and planning --------------------------------------------------------------------------


def title_row(title_id: str, title: str, body: str, term: str, seats: int, places: int,
              managed_by: str) -> dict:
    return {"title_id": title_id, "title": title, "body": body, "term": term, "seats": seats,
            "places": places, "managed_by": managed_by}


def plan_row(person_id: str, title_id: str, status: str, since: dt.date,
             removed_on: dt.date | None = None, reason: str = "") -> dict:
    return {"person_id": person_id, "title_id": title_id, "status": status, "since": since,
            "removed_on": removed_on, "removal_reason": reason}


class Planner:
    """Planning rows of one dataset, keeping each person's number of titles under ``cap``."""

    def __init__(self, rng: random.Random, cap: int = 3):
        self.rng, self.cap = rng, cap
        self.rows: list[dict] = []
        self.count: Counter[str] = Counter()

    def add(self, person: dict, title_id: str, status: str, since: dt.date,
            removed_on: dt.date | None = None, reason: str = "") -> None:
        self.rows.append(plan_row(person["person_id"], title_id, status, since, removed_on, reason))
        if status != "removed":
            self.count[person["person_id"]] += 1

    def choose(self, pool: Iterable[dict], n: int, *, prefer: Sequence[dict] = (),
               exclude: Iterable[str] = (), bonus: Iterable[str] = ()) -> list[dict]:
        """``n`` people with room for one more title: ``prefer`` first, then by strength.

        Strength is the person's seniority plus noise, less a penalty for men past 54 and women
        past 49 (few are planned that close to retirement); people in ``bonus`` (e.g. BCH
        candidates) get a lift.
        """
        excluded, lifted = set(exclude), set(bonus)
        free = [p for p in pool
                if p["person_id"] not in excluded and self.count[p["person_id"]] < self.cap]
        chosen = [p for p in prefer if p in free][:n]
        rest = [p for p in free if p not in chosen]
        noise = {p["person_id"]: self.rng.random() * 0.8 for p in rest}

        def score(p: dict) -> float:
            late = p["_age"] > (49 if p["gender"] == "female" else 54)
            return (p["_strength"] + noise[p["person_id"]] - (1.2 if late else 0)
                    + (0.5 if p["person_id"] in lifted else 0))

        rest.sort(key=score, reverse=True)
        return chosen + rest[: n - len(chosen)]

    def holders(self, title_id: str) -> list[str]:
        """Ids of the people planned (not removed) for a title, in planning order."""
        return [r["person_id"] for r in self.rows if r["title_id"] == title_id and r["status"] != "removed"]
