"""Conferences, introduction ballots and trust votes for the synthetic samples (`analysis.sample`),
and the two datasets built around them: the district `thuong-tin-2022` and the qd377 commune
`xa-hong-phong-2026`.

Vote totals are decided first (so the properties the reports must show — a tie on a cut-off,
someone at exactly 50 %, a low-trust band — are exact), then spread over ballots. Nothing here
computes a tally: that is `analysis.ballots` / `analysis.trust`'s job, and the tests recount
the written files by hand.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence

from analysis.numbers import percent
from analysis.sample_people import (
    DEFAULT_SEED,
    PersonFactory,
    Planner,
    Post,
    SampleDataset,
    district_posts,
    make_people,
    title_row,
)


def conference_row(conference_id: str, step: int | None, body: str, date: dt.date, convened: int,
                   present: int, issued: int, collected: int, valid: int, base: str = "") -> dict:
    if not convened >= present >= issued >= collected >= valid >= 0:
        raise ValueError(f"{conference_id}: ballot accounting does not add up")
    return {"conference_id": conference_id, "step": step, "body": body, "date": date,
            "convened": convened, "present": present, "ballots_issued": issued,
            "ballots_collected": collected, "ballots_valid": valid, "base": base}


def vote_targets(rng: random.Random, n: int, places: int, ballots: int, threshold: int,
                 passing: int | None = None, avoid: int = 8, extra: int = 0) -> list[int]:
    """Votes for ``n`` candidates (strongest first) on a title with ``places`` places.

    ``passing`` candidates (default: all the places) get clearly more than ``threshold`` votes,
    the others clearly fewer: nobody lands within ``avoid`` votes of the threshold, and the
    last place is at least ``avoid`` votes ahead of the first one left out, so the only ties on a
    cut-off and the only exact-threshold results in a sample are the deliberate ones. ``extra``
    marks more must still fit in ``places`` × ``ballots`` (see :func:`marks_still_counted`).
    """
    passing = min(places, n) if passing is None else passing
    top_low, top_high = threshold + avoid + 3, round(ballots * 0.97)
    low_low, low_high = round(ballots * 0.08), threshold - avoid - 3
    while True:
        votes = sorted((rng.randint(top_low, top_high) for _ in range(passing)), reverse=True)
        votes += sorted((rng.randint(low_low, low_high) for _ in range(n - passing)), reverse=True)
        cut_ok = n <= places or votes[places - 1] - votes[places] >= avoid
        if cut_ok and sum(votes) + extra <= places * ballots:
            return votes


def marks_still_counted(defective: Sequence[Mapping[str, Sequence[str]]],
                        places_of: Mapping[str, int]) -> dict[str, int]:
    """Per title, the marks spoiled ballots still give it: a ballot is invalid title by title
    (rules/ballots.yml), so one spoiled for a title counts for the others it marks correctly."""
    extra: dict[str, int] = {}
    for marks in defective:
        for title_id, people in marks.items():
            if title_id in places_of and len(set(people)) == len(people) <= places_of[title_id]:
                extra[title_id] = extra.get(title_id, 0) + len(people)
    return extra


def spread_marks(rng: random.Random, votes: Mapping[str, int], ballots: int,
                 places: int) -> list[list[str]]:
    """Spread vote totals over ``ballots`` ballots, none naming more than ``places`` people.

    Candidates are laid end to end around the ballots (each on ``votes`` distinct ballots), then
    the ballots are shuffled so that no two titles line up.
    """
    total = sum(votes.values())
    if total > places * ballots or any(v > ballots for v in votes.values()):
        raise ValueError("vote totals cannot fit on the ballots")
    marks: list[list[str]] = [[] for _ in range(ballots)]
    cursor = 0
    for person_id, count in votes.items():
        for k in range(count):
            marks[(cursor + k) % ballots].append(person_id)
        cursor = (cursor + count) % ballots
    rng.shuffle(marks)
    order = {pid: i for i, pid in enumerate(votes)}
    return [sorted(m, key=order.__getitem__) for m in marks]


def raw_ballot_rows(rng: random.Random, conference_id: str, titles: Sequence[tuple[str, int]],
                    targets: Mapping[str, Mapping[str, int]], valid: int,
                    defective: Sequence[Mapping[str, Sequence[str]]]) -> list[dict]:
    """Rows of raw ballots: ``valid`` clean ballots realising ``targets`` exactly, plus defects.

    ``titles`` is [(title_id, places)] in ballot order; ``targets`` maps title_id -> person_id ->
    votes among the clean ballots; each item of ``defective`` is one spoiled ballot's marks
    {title_id: [person_id, ...]}. Ballots are numbered P001… with the spoiled ones at random
    positions.
    """
    per_title = {tid: spread_marks(rng, targets[tid], valid, places) for tid, places in titles}
    ballots = [{tid: per_title[tid][i] for tid, _ in titles} for i in range(valid)]
    for marks in defective:
        ballots.insert(rng.randint(0, len(ballots)), dict(marks))
    rows = []
    for number, marks in enumerate(ballots, start=1):
        for title_id, people in marks.items():
            for person_id in people:
                rows.append({"conference_id": conference_id, "ballot_id": f"P{number:03d}",
                             "title_id": title_id, "person_id": person_id, "votes": None})
    return rows


def counted_votes(rng: random.Random, ids: Sequence[str], low: int, high: int, places: int,
                  ballots: int, fixed: Mapping[str, int] | None = None) -> dict[str, int]:
    """Counted votes for a title: ``fixed`` ones as given, the others in [low, high].

    They fit on ``ballots`` ballots of at most ``places`` names each, and no tie sits on the
    cut-off.
    """
    fixed = fixed or {}
    while True:
        votes = {pid: fixed[pid] if pid in fixed else rng.randint(low, high) for pid in ids}
        ranked = sorted(votes.values(), reverse=True)
        untied = len(ranked) <= places or ranked[places - 1] != ranked[places]
        if untied and sum(ranked) <= places * ballots:
            return votes


def counted_rows(conference_id: str, votes: Mapping[str, Mapping[str, int]]) -> list[dict]:
    """Counted minutes: one row per title and person."""
    return [{"conference_id": conference_id, "ballot_id": None, "title_id": tid, "person_id": pid,
             "votes": v}
            for tid, people in votes.items() for pid, v in people.items()]


def printed_pct(count: int, base: int) -> str:
    """A percentage as a Vietnamese table prints it: two decimals, decimal comma ("61,54")."""
    return f"{percent(count, base):.2f}".replace(".", ",")


def trust3_row(conference_id: str, person: Mapping, high: int, trust: int, low: int,
               printed_base: int | None = None) -> dict:
    """A three-level trust-vote row (high / trust / low); with ``printed_base`` the published percentages too."""
    row = {"conference_id": conference_id, "person_id": person["person_id"],
           "full_name": person["full_name"], "position": person["position"],
           "high": high, "trust": trust, "low": low, "agree": None, "disagree": None,
           "high_pct": "", "trust_pct": "", "low_pct": ""}
    if printed_base:
        row |= {"high_pct": printed_pct(high, printed_base), "trust_pct": printed_pct(trust, printed_base),
                "low_pct": printed_pct(low, printed_base)}
    return row


def trust2_row(conference_id: str, person: Mapping, agree: int, disagree: int) -> dict:
    """A two-level (agree / disagree) opinion row, as at step 4 of planning."""
    return {"conference_id": conference_id, "person_id": person["person_id"],
            "full_name": person["full_name"], "position": person["position"],
            "high": None, "trust": None, "low": None, "agree": agree, "disagree": disagree,
            "high_pct": "", "trust_pct": "", "low_pct": ""}


def trust_split(rng: random.Random, total: int, low: int | None = None) -> tuple[int, int, int]:
    """(high, trust, low) summing to ``total``: mostly high, a few low unless ``low`` is given."""
    low = rng.randint(0, max(1, total // 12)) if low is None else low
    trust = rng.randint(total // 12, total // 3) if low < total // 2 else rng.randint(3, total - low - 2)
    trust = min(trust, total - low)
    return total - trust - low, trust, low


# Thường Tín-like district (qd50, 2022) ----------------------------------------------------------

TT_AS_OF = dt.date(2022, 5, 25)
TT_COMMUNES = ("Tiến Phong", "Vân Tảo", "Hòa Bình", "Thắng Lợi", "Minh Cường", "Hồng Vân", "Nhị Khê",
               "Dũng Tiến", "Thư Phú", "Quất Động", "Tự Nhiên", "Khánh Hà", "Văn Bình", "Hà Hồi",
               "Liên Phương", "Chương Dương", "Tân Minh", "Lê Lợi", "Nghiêm Xuyên", "Tô Hiệu",
               "Vạn Điểm", "Ninh Sở", "Duyên Thái", "Thị trấn Thường Tín")
PARTY, GOV = "2025-2030", "2026-2031"
# (title_id, title, term, seats, places, candidates, managed_by, tiers, sectors or None)
_HEADS = {"head", "deputy", "commune_head"}
TT_LEADERSHIP = (
    ("bi-thu", "Bí thư Huyện ủy", PARTY, 1, 3, 4, "higher", {"top", "head"}, None),
    ("pho-bi-thu", "Phó Bí thư Huyện ủy", PARTY, 2, 5, 6, "higher", {"top", "head"}, None),
    ("ct-hdnd", "Chủ tịch HĐND huyện", GOV, 1, 3, 4, "higher", {"top", "head"}, None),
    ("ct-ubnd", "Chủ tịch UBND huyện", GOV, 1, 3, 4, "higher", {"top", "head"}, {"government", "party"}),
    ("pct-hdnd", "Phó Chủ tịch HĐND huyện", GOV, 1, 3, 4, "own", _HEADS, None),
    ("pct-ubnd", "Phó Chủ tịch UBND huyện", GOV, 3, 6, 8, "higher", {"top", "head", "commune_head"},
     {"government", "commune"}),
    ("truong-btc", "Trưởng Ban Tổ chức Huyện ủy", PARTY, 1, 3, 4, "own", _HEADS, {"party", "commune"}),
    ("cn-ubkt", "Chủ nhiệm Ủy ban Kiểm tra Huyện ủy", PARTY, 1, 3, 4, "own", _HEADS, {"party", "commune"}),
    ("cvp-hu", "Chánh Văn phòng Huyện ủy", PARTY, 1, 3, 4, "own", _HEADS, {"party", "government"}),
    ("truong-btg", "Trưởng Ban Tuyên giáo Huyện ủy", PARTY, 1, 3, 4, "own", _HEADS, {"party", "front"}),
    ("truong-bdv", "Trưởng Ban Dân vận Huyện ủy", PARTY, 1, 3, 4, "own", _HEADS, {"party", "front", "commune"}),
    ("ct-mttq", "Chủ tịch Ủy ban MTTQ Việt Nam huyện", PARTY, 1, 3, 4, "own", _HEADS,
     {"front", "party", "commune"}),
)
TT_TIE_TITLE, TT_HALF_TITLE = "pct-ubnd", "bch"
TT_CONVENED, TT_VALID = 250, 229
TT_ROUNDS = ("tn-2020", "tn-2021")  # the trust rounds: printed percentages, then the low-trust bands
TRUSTED_POSTS = ("bi-thu", "pbt-tt", "ct-ubnd", "pct-hdnd", "pct-ubnd-1", "pct-ubnd-2", "pct-ubnd-3",
                 "cvp-hu", "truong-btc", "cn-ubkt", "truong-btg", "truong-bdv", "ct-mttq")


def build_thuong_tin(seed: int = DEFAULT_SEED) -> SampleDataset:
    """The district: people, planning, the three planning conferences and two trust votes."""
    rng = random.Random(f"{seed}:thuong-tin-2022")
    factory = PersonFactory(rng, TT_AS_OF, ethnicities=(("Kinh", 0.985), ("Mường", 0.015)))
    posts = district_posts(TT_COMMUNES, commune_deputies=14)
    people = make_people(factory, posts, (f"{i:03d}" for i in range(1, len(posts) + 1)))
    by_key = {p["_key"]: p for p in people if p["_key"]}
    _age_extremes(rng, factory, people)

    # Planning (the list prepared at step 2 by the standing committee) -----------------------
    planner = Planner(rng)
    since, removed_on = dt.date(2022, 5, 12), dt.date(2022, 5, 20)
    van_tao = {p["person_id"] for p in people if p["_key"].endswith(":Vân Tảo")}
    tien_phong = [by_key["bt:Tiến Phong"], by_key["ct:Tiến Phong"]]
    # The pool leans on leaders who can serve the whole term, keeps some young cadres (the 15 %
    # target) and two people close to retirement (so the eligibility check has something to say).
    tops = [p for p in people if p["_tier"] == "top" and p["_age"] <= 53]
    young = sorted((p for p in people if p["_age"] <= 37 and p["person_id"] not in van_tao),
                   key=lambda p: p["_age"])[:9]
    old_hands = rng.sample([p for p in people if p["_age"] >= 58], 2)
    bch = planner.choose(people, 51, prefer=tops + tien_phong + young + old_hands, exclude=van_tao)
    leaving = bch[-2:]  # the two weakest: taken off the list before the conference
    for person in bch[:-2]:
        planner.add(person, "bch", "proposed", since)
    leaving[0]["discipline"] = "Khiển trách"
    for person, reason in zip(leaving, ("Kỷ luật", "Chuyển công tác"), strict=True):
        planner.add(person, "bch", "removed", since, removed_on, reason)
    bch_ids = planner.holders("bch")
    bch_people = [p for p in people if p["person_id"] in bch_ids]
    keys = ("truong-btc", "cn-ubkt", "cvp-hu", "truong-btg", "truong-bdv", "ct-mttq")
    heads = [by_key[k] for k in keys if by_key[k]["person_id"] in bch_ids]
    for person in planner.choose(bch_people, 16, prefer=tops + heads):
        planner.add(person, "btv", "proposed", since)
    stays = [p for p in bch_people if p["_tier"] in ("head", "commune_head") and not p["discipline"]]
    rng.choice(stays)["discipline"] = "Khiển trách"  # still proposed: qd50 removes automatically
    rng.choice([p for p in people if p["person_id"] not in bch_ids and p["_tier"] == "deputy"])[
        "discipline"] = "Cảnh cáo"

    titles = [title_row("bch", "Ủy viên Ban Chấp hành Đảng bộ huyện", "bch", PARTY, 33, 45, "higher"),
              title_row("btv", "Ủy viên Ban Thường vụ Huyện ủy", "btv", PARTY, 11, 15, "higher")]
    for tid, title, term, seats, places, n, managed, tiers, sectors in TT_LEADERSHIP:
        titles.append(title_row(tid, title, "leadership", term, seats, places, managed))
        pool = [p for p in people if p["_tier"] in tiers and (sectors is None or p["sector"] in sectors)
                and not p["discipline"] and p["_age"] <= 55]
        prefer = [by_key["bt:Tiến Phong"]] if tid == "truong-bdv" else []
        for person in planner.choose(pool, n, prefer=prefer, exclude=van_tao, bonus=bch_ids):
            planner.add(person, tid, "proposed", since)

    # Step 3: key-cadre conference, raw ballots ------------------------------------------------
    places_of = {t["title_id"]: t["places"] for t in titles}
    btv_ids = planner.holders("btv")
    spoiled = [  # never touching the tie or the 50 % title, so every counting rule agrees on them
        {"btv": btv_ids},                                                   # 16 names, 15 places
        {"ct-mttq": planner.holders("ct-mttq"), "bi-thu": planner.holders("bi-thu")[:1]},
        {"truong-btg": [planner.holders("truong-btg")[1]] * 2},           # same name twice
        {"pho-bi-thu": [planner.holders("pho-bi-thu")[0], planner.holders("pho-bi-thu")[2],
                        planner.holders("pho-bi-thu")[0]]},
        {"pct-ubdn": planner.holders("pct-ubnd")[:2]},                    # a title that does not exist
        {"btv": btv_ids, "ct-ubnd": planner.holders("ct-ubnd")[:1]},
    ]
    extra = marks_still_counted(spoiled, places_of)
    strength = {p["person_id"]: p["_strength"] for p in people}
    targets: dict[str, dict[str, int]] = {}
    for title in titles:
        tid, places = title["title_id"], title["places"]
        ids = sorted(planner.holders(tid), key=strength.__getitem__, reverse=True)
        threshold, more = TT_CONVENED // 2, extra.get(tid, 0)
        while True:
            votes = vote_targets(rng, len(ids), places, TT_VALID, threshold, extra=more,
                                 passing=places - 3 if tid == TT_HALF_TITLE else None)
            if tid == TT_HALF_TITLE:  # three short of the places pass; the first of those gets exactly 50 %
                votes[places - 3] = threshold
            elif tid == TT_TIE_TITLE:  # the last place is shared by two people
                votes[places] = votes[places - 1]
                if votes[places - 2] == votes[places - 1]:
                    continue
            if sum(votes) + more <= places * TT_VALID:
                break
        targets[tid] = dict(zip(ids, votes, strict=True))
    b3 = conference_row("buoc3-2022", 3, "key_cadres", TT_AS_OF, TT_CONVENED, 236, 236,
                        TT_VALID + len(spoiled), TT_VALID, "convened")
    ballots = raw_ballot_rows(rng, "buoc3-2022", [(t["title_id"], t["places"]) for t in titles],
                              targets, TT_VALID, spoiled)

    # Steps 4 (executive committee) and 5 (standing committee), counted. Held right after step 3
    # ("Sau hội nghị, … tiếp tục tổ chức", context 000), the same day: no vote is dated after as_of.
    b4 = conference_row("buoc4-2022", 4, "bch", TT_AS_OF, 35, 33, 33, 33, 33, "convened")
    b5 = conference_row("buoc5-2022", 5, "btv", TT_AS_OF, 13, 13, 13, 13, 13, "convened")
    step4: dict[str, dict[str, int]] = {}
    cut_votes = sorted(targets[TT_TIE_TITLE].values(), reverse=True)[places_of[TT_TIE_TITLE] - 1]
    tied = [pid for pid, v in targets[TT_TIE_TITLE].items() if v == cut_votes]
    dropped = rng.sample(sorted(p for p, v in targets["bch"].items() if v > TT_CONVENED / 2), 2)
    for title in titles:  # who passed step 3 within the places (both tied people included)
        tid, places = title["title_id"], title["places"]
        ranked = sorted(targets[tid].items(), key=lambda kv: -kv[1])
        ids = [pid for pid, v in ranked if v > TT_CONVENED / 2 and v >= ranked[places - 1][1]]
        fixed = {pid: rng.randint(12, 16) for pid in dropped} if tid == "bch" else {}  # the BCH says no
        step4[tid] = counted_votes(rng, ids, 22, 33, places, ballots=33, fixed=fixed)
    step5 = {}
    for tid, votes in step4.items():
        fixed = {tied[1]: rng.randint(4, 5)} if tid == TT_TIE_TITLE else {}  # the BTV settles the tie
        ids = [pid for pid, v in votes.items() if v > 35 / 2]
        step5[tid] = counted_votes(rng, ids, 9, 13, places_of[tid], ballots=13, fixed=fixed)
    ballots += counted_rows("buoc4-2022", step4) + counted_rows("buoc5-2022", step5)

    # Trust votes: the step-4 opinion (two levels) and two earlier year-end rounds (three levels).
    # The rounds come before as_of (the step-3 day): ages and votes must not be of different dates.
    person_of = {p["person_id"]: p for p in people}
    trust = [trust2_row("buoc4-2022", person_of[pid], v, 33 - v) for pid, v in step4["bch"].items()]
    t_first = conference_row(TT_ROUNDS[0], None, "bch", dt.date(2020, 12, 21), 35, 34, 34, 34, 34,
                             "ballots_collected")
    t_last = conference_row(TT_ROUNDS[1], None, "bch", dt.date(2021, 12, 20), 36, 34, 34, 33, 33,
                            "ballots_collected")
    voted = [by_key[k] for k in TRUSTED_POSTS]
    active = {r["person_id"] for r in planner.rows if r["status"] != "removed"}
    over_half, two_thirds, typo, outlier = _trust_cases(rng, voted, bch_ids, active)
    for person in voted:
        total = 34 - (rng.random() < 0.15)
        low = {over_half["person_id"]: 9, two_thirds["person_id"]: 12}.get(person["person_id"])
        high, mid, low = trust_split(rng, total, low)
        if person is outlier:  # typed 10 short in the high column; printed shares follow the typo
            high -= 10
        row = trust3_row(TT_ROUNDS[0], person, high, mid, low, printed_base=34)
        if person is typo:  # two digits swapped in the printed share
            row["high_pct"] = _mistype(row["high_pct"])
        trust.append(row)
    for person in voted:
        low = {over_half["person_id"]: 18, two_thirds["person_id"]: 22}.get(person["person_id"])
        trust.append(trust3_row(TT_ROUNDS[1], person, *trust_split(rng, 33, low)))

    return SampleDataset(
        id="thuong-tin-2022", name="Huyện ủy Thường Tín (dữ liệu mẫu)", level="district", regime="qd50",
        as_of=TT_AS_OF, terms=[(PARTY, "party", "2025-06"), (GOV, "government", "2026-03")],
        note="Huyện: quy hoạch BCH, BTV và các chức danh lãnh đạo nhiệm kỳ 2025–2030, 2026–2031; "
             "phiếu giới thiệu bước 3 (phiếu gốc), bước 4 và 5 (biên bản kiểm phiếu); lấy phiếu tín nhiệm "
             "2020, 2021.",
        tables={"people": people, "titles": titles, "planning": planner.rows,
                "conferences": [t_first, t_last, b3, b4, b5], "ballots": ballots, "trust_votes": trust},
    )


def _trust_cases(rng: random.Random, voted: Sequence[dict], bch_ids: Sequence[str],
                 planned: set[str]) -> list[dict]:
    """The trust rounds' marked people: over half low, two thirds low, a mistyped share, an odd
    total; four BCH-pool holders of the posts below the top three. When a draw puts fewer than four
    of them in the pool, the two low-trust people are drawn from everyone planned for any title.
    """
    in_bch = [p for p in voted[3:] if p["person_id"] in bch_ids]
    if len(in_bch) >= 4:
        return rng.sample(in_bch, 4)
    low = rng.sample([p for p in [*voted[3:], *voted[:3]] if p["person_id"] in planned], 2)
    rest = [p for p in voted[3:] if all(p is not q for q in low)]
    return low + rng.sample(rest, 2)


def _mistype(printed: str) -> str:
    """A printed percentage with two digits swapped ("58,82" -> "85,82"), as people mistype."""
    whole, _, cents = printed.partition(",")
    if len(whole) == 2 and whole[0] != whole[1]:
        return f"{whole[::-1]},{cents}"
    if cents[0] != cents[1]:
        return f"{whole},{cents[::-1]}"
    return f"{(int(whole) + 10) % 100},{cents}"


def _age_extremes(rng: random.Random, factory: PersonFactory, people: list[dict]) -> None:
    """A few people near retirement and a few under 35, so eligibility and youth checks bite."""
    seniors = [p for p in people if p["_tier"] in ("top", "head") and p["gender"] == "male"
               and p["_key"] != "bi-thu" and p["_age"] < 57]
    for person, age in zip(rng.sample(seniors, 3), (58, 59, 59), strict=True):
        factory.set_age(person, age)
    women = [p for p in people if p["_tier"] == "head" and p["gender"] == "female"]
    factory.set_age(rng.choice(women), 54)
    for person in rng.sample([p for p in people if p["_tier"] == "deputy"], 6):
        factory.set_age(person, rng.randint(31, 36))


# A commune after the 2025 reorganisation (qd377) ----------------------------------------------

HP_AS_OF = dt.date(2026, 1, 15)
HP_STAR_TITLES = ("bi-thu", "pho-bi-thu", "ct-hdnd", "ct-ubnd")


def build_hong_phong(seed: int = DEFAULT_SEED) -> SampleDataset:
    """A merged commune: one title over three people, one person over three titles."""
    rng = random.Random(f"{seed}:xa-hong-phong-2026")
    factory = PersonFactory(rng, HP_AS_OF, ethnicities=(("Kinh", 0.85), ("Mường", 0.1), ("Dao", 0.05)))
    du, ub, mt = "Đảng ủy xã Hồng Phong", "UBND xã Hồng Phong", "Ủy ban MTTQ Việt Nam xã Hồng Phong"
    P, G, F, A = "party", "government", "front", "armed_forces"
    spec = [(du, "Bí thư Đảng ủy xã", P, "top", 1), (du, "Phó Bí thư Thường trực Đảng ủy xã", P, "top", 1),
            (du, "Phó Bí thư Đảng ủy xã, Chủ tịch UBND xã", G, "top", 1),
            ("HĐND xã Hồng Phong", "Phó Chủ tịch HĐND xã", G, "head", 1),
            (ub, "Phó Chủ tịch UBND xã", G, "head", 3),
            (du, "Chủ nhiệm Ủy ban Kiểm tra Đảng ủy xã", P, "head", 1),
            (du, "Phó Chủ nhiệm Ủy ban Kiểm tra Đảng ủy xã", P, "deputy", 1),
            (du, "Trưởng Ban Xây dựng Đảng Đảng ủy xã", P, "head", 1),
            (du, "Phó Trưởng Ban Xây dựng Đảng Đảng ủy xã", P, "deputy", 3),
            (du, "Chánh Văn phòng Đảng ủy xã", P, "head", 1), (du, "Phó Chánh Văn phòng Đảng ủy xã", P, "deputy", 1),
            (mt, "Chủ tịch Ủy ban MTTQ Việt Nam xã", F, "head", 1),
            (mt, "Phó Chủ tịch Ủy ban MTTQ Việt Nam xã", F, "deputy", 2),
            (ub, "Chánh Văn phòng HĐND và UBND xã", G, "head", 1),
            (ub, "Phó Chánh Văn phòng HĐND và UBND xã", G, "deputy", 1),
            (ub, "Trưởng phòng Kinh tế", G, "head", 1), (ub, "Phó Trưởng phòng Kinh tế", G, "deputy", 2),
            (ub, "Trưởng phòng Văn hóa – Xã hội", G, "head", 1),
            (ub, "Phó Trưởng phòng Văn hóa – Xã hội", G, "deputy", 2),
            (ub, "Giám đốc Trung tâm Phục vụ hành chính công xã", G, "head", 1),
            (ub, "Phó Giám đốc Trung tâm Phục vụ hành chính công xã", G, "deputy", 1),
            ("Trạm Y tế xã Hồng Phong", "Trưởng Trạm Y tế xã", G, "head", 1),
            (mt, "Bí thư Đoàn xã", F, "young", 1), (mt, "Phó Bí thư Đoàn xã", F, "young", 1),
            (mt, "Chủ tịch Hội Liên hiệp Phụ nữ xã", F, "head", 1),
            (mt, "Phó Chủ tịch Hội Liên hiệp Phụ nữ xã", F, "deputy", 1),
            (mt, "Chủ tịch Hội Nông dân xã", F, "head", 1), (mt, "Chủ tịch Hội Cựu chiến binh xã", F, "head", 1),
            ("Công an xã Hồng Phong", "Trưởng Công an xã", A, "head", 1),
            ("Công an xã Hồng Phong", "Phó Trưởng Công an xã", A, "deputy", 2),
            ("Ban Chỉ huy Quân sự xã Hồng Phong", "Chỉ huy trưởng Ban CHQS xã", A, "head", 1),
            ("Ban Chỉ huy Quân sự xã Hồng Phong", "Phó Chỉ huy trưởng Ban CHQS xã", A, "deputy", 1)]
    forced = {"Chủ tịch Hội Liên hiệp Phụ nữ xã": "female", "Phó Chủ tịch Hội Liên hiệp Phụ nữ xã": "female",
              "Chủ tịch Hội Cựu chiến binh xã": "male",
              "Trưởng Công an xã": "male", "Chỉ huy trưởng Ban CHQS xã": "male"}
    posts = [Post(unit, position, sector, tier, gender=forced.get(position),
                  ages=(57, 59) if "Cựu chiến binh" in position else None)
             for unit, position, sector, tier, n in spec for _ in range(n)]
    people = make_people(factory, posts, (f"HP{i:03d}" for i in range(1, len(posts) + 1)))
    people[1]["_strength"] += 1  # the standing deputy secretary: planned for every top title
    for person in rng.sample([p for p in people if p["_tier"] == "deputy"], 5):  # young cadres (< 35)
        factory.set_age(person, rng.randint(29, 34))
        person["_strength"] += 0.6
    rng.choice([p for p in people if p["_tier"] == "deputy"])["discipline"] = "Khiển trách"

    party, gov = "2025-2030", "2026-2031"
    titles = [title_row("bch", "Ủy viên Ban Chấp hành Đảng bộ xã", "bch", party, 29, 35, "own"),
              title_row("btv", "Ủy viên Ban Thường vụ Đảng ủy xã", "btv", party, 9, 12, "own")]
    leadership = (("bi-thu", "Bí thư Đảng ủy xã", party, 1, 3, "higher"),
                  ("pho-bi-thu", "Phó Bí thư Đảng ủy xã", party, 2, 3, "higher"),
                  ("ct-hdnd", "Chủ tịch HĐND xã", gov, 1, 3, "higher"),
                  ("ct-ubnd", "Chủ tịch UBND xã", gov, 1, 3, "higher"),
                  ("pct-ubnd", "Phó Chủ tịch UBND xã", gov, 2, 3, "own"),
                  ("pct-hdnd", "Phó Chủ tịch HĐND xã", gov, 1, 3, "own"),
                  ("ct-mttq", "Chủ tịch Ủy ban MTTQ Việt Nam xã", party, 1, 3, "own"),
                  ("cn-ubkt", "Chủ nhiệm Ủy ban Kiểm tra Đảng ủy xã", party, 1, 3, "own"),
                  ("truong-bxd", "Trưởng Ban Xây dựng Đảng Đảng ủy xã", party, 1, 3, "own"))
    planner = Planner(rng, cap=3)
    approved, proposed, removed = dt.date(2025, 12, 18), dt.date(2026, 1, 10), dt.date(2026, 1, 10)
    star = people[1]  # planned for BCH, BTV and four leadership titles: the deliberate excess
    others = [p for p in people if p is not star]
    bch = planner.choose(others, 32)
    for person in [star, *bch]:
        planner.add(person, "bch", "approved", approved)
    bch_ids = [p["person_id"] for p in [star, *bch]]
    for person in [star, *planner.choose(bch, 10, prefer=people[:3])]:
        planner.add(person, "btv", "approved", approved)
    for tid, title, term, seats, places, managed in leadership:
        titles.append(title_row(tid, title, "leadership", term, seats, places, managed))
        n = places + 1 if tid == "ct-hdnd" else places  # ct-hdnd: four people for one seat
        chosen = planner.choose(others, n - 1, bonus=bch_ids) if tid in HP_STAR_TITLES else \
            planner.choose(others, n, bonus=bch_ids)
        if tid in HP_STAR_TITLES:
            planner.add(star, tid, "approved", approved)
        for i, person in enumerate(chosen):
            late = tid == "pct-hdnd" and i == len(chosen) - 1
            planner.add(person, tid, "proposed" if late else "approved", proposed if late else approved)
    men = [p for p in bch if p["_tier"] == "deputy" and p["gender"] == "male"]
    leaving = rng.sample(men, 2)
    for person, reason in zip(leaving, ("Chuyển công tác", "Nghỉ hưu"), strict=True):
        for row in planner.rows:
            if row["person_id"] == person["person_id"]:
                row.update(status="removed", removed_on=removed, removal_reason=reason)
    factory.set_age(leaving[1], 61)  # past the 2025 retirement age of men (61 years 3 months)

    # Step 3 (counted minutes) and step 4 (opinion of the executive committee) ----------------
    b3 = conference_row("hp-buoc3-2025", 3, "key_cadres", dt.date(2025, 12, 5), 64, 61, 61, 61, 60,
                        "convened")
    b4 = conference_row("hp-buoc4-2025", 4, "bch", dt.date(2025, 12, 9), 31, 30, 30, 30, 30, "convened")
    strength = {p["person_id"]: p["_strength"] for p in people}
    votes = {}
    for title in titles:
        tid, places = title["title_id"], title["places"]
        ids = list(dict.fromkeys(r["person_id"] for r in planner.rows if r["title_id"] == tid))
        ids.sort(key=strength.__getitem__, reverse=True)
        votes[tid] = dict(zip(ids, vote_targets(rng, len(ids), places, 60, 32, avoid=4), strict=True))
    person_of = {p["person_id"]: p for p in people}
    opinion = []
    for pid in bch_ids:
        agree = rng.randint(21, 30) if pid != bch_ids[-1] else 14
        opinion.append(trust2_row("hp-buoc4-2025", person_of[pid], agree, 30 - agree))

    return SampleDataset(
        id="xa-hong-phong-2026", name="Đảng ủy xã Hồng Phong (dữ liệu mẫu)", level="commune", regime="qd377",
        as_of=HP_AS_OF, terms=[(party, "party", "2025-09"), (gov, "government", "2026-03")],
        note="Xã sau sắp xếp năm 2025, quy hoạch theo Quy định 377; có một chức danh quy hoạch quá 3 người "
             "và một người quy hoạch quá 3 chức danh.",
        tables={"people": people, "titles": titles, "planning": planner.rows, "conferences": [b3, b4],
                "ballots": counted_rows("hp-buoc3-2025", votes), "trust_votes": opinion},
    )
