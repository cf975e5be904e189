"""Counting introduction ballots: the rules of the count, the conference accounting and the
base of the percentages, and raw marks → counts per person.

Raw ballots have one row per name marked. The count runs in DuckDB so that a whole province
(10 million marks, read straight from Parquet) tallies in bounded memory; small in-memory tables
go through the same SQL, so there is one definition of an invalid ballot.

Nothing returned here contains a ballot id or one ballot's content: invalid ballots come back
as counts per conference, title and reason only.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from analysis.config import RULES_DIR
from analysis.errors import DatasetError, ParameterError, RulesError
from analysis.numbers import percent_series
from analysis.schema import BASES

RULES_FILE = RULES_DIR / "ballots.yml"

# What each invalid-ballot criterion means, over one ballot's marks for one title (marks, named,
# distinct people) and the title (known, places). Names and priority are data (ballots.yml).
_REASON_SQL = {
    "unknown_title": "NOT known",
    "too_many_names": "places IS NOT NULL AND people > places",
    "duplicate_name": "people < named",
    "unnamed": "named < marks",
}

# Ballot counts in the order each must not exceed the one before (present ≤ convened, …).
ACCOUNTING_CHAIN = ("convened", "present", "ballots_issued", "ballots_collected", "ballots_valid")
COUNT_COLUMNS = ["conference_id", "title_id", "person_id", "full_name", "votes"]
INVALID_COLUMNS = ["conference_id", "title_id", "reason", "ballots"]


@dataclass(frozen=True)
class BallotRules:
    """The count's rules: threshold, quorum, bases, invalid-ballot criteria (from ballots.yml)."""

    pass_more_than: Fraction
    quorum_at_least: Fraction
    quorum_of: str
    default_base: str
    bases: tuple[str, ...]
    places_per_seat: dict[str, Fraction]  # body -> people planned per statutory seat
    invalid_reasons: tuple[str, ...]
    certainty: dict[str, str]

    @property
    def threshold_pct(self) -> float:
        """The pass line as a percentage, for charts (50.0 for "more than 1/2")."""
        return float(self.pass_more_than * 100)


@lru_cache(maxsize=None)
def _rules_file() -> dict:
    try:
        return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError(
            f"Không đọc được tệp quy tắc kiểm phiếu {RULES_FILE} / cannot read ballot rules "
            f"{RULES_FILE}: {exc}"
        ) from exc


def _fraction(raw: dict, key: str, field: str) -> Fraction:
    try:
        return Fraction(str(raw[key][field]))
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
        raise RulesError(
            f"Tệp {RULES_FILE.name}: thiếu hoặc sai '{key}.{field}' / file {RULES_FILE.name}: "
            f"missing or bad '{key}.{field}' (a fraction such as \"1/2\")"
        ) from exc


def _regime_value(regime: object, name: str) -> object:
    if regime is None:
        return None
    if isinstance(regime, dict):
        return regime.get(name)
    return getattr(regime, name, None)


def _regime_places_per_seat(regime: object) -> dict[str, Fraction]:
    """People per seat by body from the regime's checks: people_per_title, pool_size_ratio."""
    found: dict[str, Fraction] = {}
    for check in _regime_value(regime, "checks") or []:
        rule, target = _regime_value(check, "rule"), _regime_value(check, "target")
        if rule in ("people_per_title", "pool_size_ratio") and target is not None:
            for body in _regime_value(check, "applies_to") or ("*",):
                found[str(body)] = Fraction(str(target))
    return found


def ballot_rules(regime: object = None) -> BallotRules:
    """The ballot rules, with the regime's `ballot_base` and `people_per_title` when it has them.

    ``regime`` is the dataset's rule set (`analysis.rules.RuleSet`, a dict, or None).
    """
    raw = _rules_file()
    reasons = tuple(raw.get("invalid_reasons") or ())
    unknown = [r for r in reasons if r not in _REASON_SQL]
    if unknown or not reasons:
        raise RulesError(
            f"Tệp {RULES_FILE.name}: tiêu chí phiếu không hợp lệ chưa biết {unknown} / "
            f"unknown invalid-ballot criteria {unknown} (known: {', '.join(_REASON_SQL)})"
        )
    base = _regime_value(regime, "ballot_base") or raw.get("default_base")
    bases = tuple(raw.get("bases") or BASES)
    quorum_of = (raw.get("quorum") or {}).get("of", "convened")
    for value, what in ((base, "default_base / ballot_base"), (quorum_of, "quorum.of")):
        if value not in BASES:
            raise RulesError(
                f"Quy tắc kiểm phiếu: '{what}' = '{value}' không phải cơ sở tính hợp lệ / "
                f"ballot rules: '{what}' = '{value}' is not a base (one of {', '.join(BASES)})"
            )
    try:
        per_seat = {str(k): Fraction(str(v)) for k, v in (raw.get("places_per_seat") or {}).items()}
    except (TypeError, ValueError, ZeroDivisionError) as exc:
        raise RulesError(
            f"Tệp {RULES_FILE.name}: 'places_per_seat' phải là số / 'places_per_seat' must be numbers"
        ) from exc
    regime_per_seat = _regime_places_per_seat(regime)
    if "*" in regime_per_seat:  # a check for every body replaces every fallback
        per_seat = dict.fromkeys(per_seat, regime_per_seat.pop("*"))
    per_seat.update(regime_per_seat)
    return BallotRules(
        pass_more_than=_fraction(raw, "pass_threshold", "more_than"),
        quorum_at_least=_fraction(raw, "quorum", "at_least"),
        quorum_of=quorum_of,
        default_base=str(base),
        bases=bases,
        places_per_seat=per_seat,
        invalid_reasons=reasons,
        certainty={
            "pass_threshold": str(raw["pass_threshold"].get("certainty", "M")),
            "quorum": str(raw["quorum"].get("certainty", "M")),
            "places": str(raw.get("places_certainty", "M")),
        },
    )


def effective_places(titles: pd.DataFrame, rules: BallotRules) -> pd.Series:
    """Places per title (Int64, indexed like ``titles``): `places`, else ⌊seats × people per seat⌋
    for the title's body (regime first, then ballots.yml); <NA> when neither is known."""
    places = int_column(titles, "places")
    seats = int_column(titles, "seats")
    bodies = titles["body"] if "body" in titles else pd.Series(pd.NA, index=titles.index)
    fallback = rules.places_per_seat.get("other")
    derived = [
        pd.NA if pd.isna(n) or (r := rules.places_per_seat.get(str(body), fallback)) is None else int(n * r)
        for n, body in zip(seats, bodies)
    ]
    return places.fillna(pd.Series(derived, index=titles.index, dtype="Int64"))


def raise_all(lines: list[str]) -> None:
    """One bilingual `DatasetError` listing every problem found, when there is any."""
    if lines:
        raise DatasetError("\n".join(lines))


def int_column(df: pd.DataFrame, column: str) -> pd.Series:
    """``df[column]`` as Int64 (all <NA> when the column is absent)."""
    if column not in df.columns:
        return pd.Series(pd.NA, index=df.index, dtype="Int64")
    return pd.to_numeric(df[column], errors="coerce").astype("Int64")


# Conferences: accounting and bases --------------------------------------------------------


def check_accounting(conferences: pd.DataFrame) -> None:
    """Raise a bilingual `DatasetError` listing every conference whose counts cannot add up."""
    lines: list[str] = []
    for _, row in conferences.iterrows():  # one row per conference: a handful
        conference = row["conference_id"]
        convened = row.get("convened")
        if pd.isna(convened) or int(convened) <= 0:
            lines.append(
                f"Hội nghị {conference}: số được triệu tập phải lớn hơn 0 (giá trị '{convened}') / "
                f"conference {conference}: convened must be more than 0 (value '{convened}')"
            )
            continue
        upper, upper_name = int(convened), "convened"
        for column in ACCOUNTING_CHAIN[1:]:
            value = row.get(column)
            if value is None or pd.isna(value):
                continue
            if int(value) > upper:
                lines.append(
                    f"Hội nghị {conference}: {column} = {int(value)} lớn hơn {upper_name} = {upper} / "
                    f"conference {conference}: {column} = {int(value)} is more than {upper_name} = {upper}"
                )
            upper, upper_name = int(value), column
        invalid, valid, collected = row.get("ballots_invalid"), row.get("ballots_valid"), row.get("ballots_collected")
        if not any(v is None or pd.isna(v) for v in (invalid, valid, collected)):
            if int(valid) + int(invalid) != int(collected):
                lines.append(
                    f"Hội nghị {conference}: phiếu hợp lệ {int(valid)} + không hợp lệ {int(invalid)} "
                    f"≠ phiếu thu về {int(collected)} / conference {conference}: valid {int(valid)} + "
                    f"invalid {int(invalid)} ≠ collected {int(collected)}"
                )
    raise_all(lines)


def resolve_bases(
    conferences: pd.DataFrame, base: str | None = None, rules: BallotRules | None = None
) -> pd.DataFrame:
    """Per conference the base used and its count: [conference_id, base, base_count].

    The report parameter ``base`` wins; else the conference's own `base`; else the regime's
    `ballot_base`; else the rule file's default.
    """
    rules = rules or ballot_rules()
    if base:
        if base not in rules.bases:
            raise ParameterError(
                f"Cơ sở tính '{base}' không hợp lệ / unknown base '{base}' (one of {', '.join(rules.bases)})"
            )
        chosen = pd.Series(base, index=conferences.index, dtype="str")
    else:
        own = conferences["base"] if "base" in conferences else pd.Series(pd.NA, index=conferences.index)
        chosen = own.astype("str").fillna(rules.default_base)
    lines, counts = [], []
    for conference, name, (_, row) in zip(conferences["conference_id"], chosen, conferences.iterrows()):
        value = row.get(name) if name in rules.bases else None
        if name not in rules.bases:
            lines.append(
                f"Hội nghị {conference}: cơ sở tính '{name}' không hợp lệ / conference {conference}: "
                f"unknown base '{name}' (one of {', '.join(rules.bases)})"
            )
        elif value is None or pd.isna(value) or int(value) <= 0:
            lines.append(
                f"Hội nghị {conference}: không có số '{name}' để làm cơ sở tính tỷ lệ (giá trị '{value}') / "
                f"conference {conference}: no '{name}' count to use as the base (value '{value}')"
            )
        counts.append(None if value is None or pd.isna(value) else int(value))
    raise_all(lines)
    return pd.DataFrame({
        "conference_id": conferences["conference_id"].to_numpy(),
        "base": chosen.to_numpy(),
        "base_count": pd.array(counts, dtype="Int64"),
    })


def accounting(
    conferences: pd.DataFrame, invalid: pd.DataFrame | None = None, rules: BallotRules | None = None
) -> pd.DataFrame:
    """Ballot accounting per conference, with the quorum; raises when the counts cannot add up.

    Columns: conference_id, step, body, convened, present, ballots_issued, ballots_collected,
    ballots_valid, ballots_invalid (collected − valid), invalid_for_titles (ballots invalid for
    a title, from raw ballots), present_pct, quorum_required, quorum_met.
    """
    rules = rules or ballot_rules()
    check_accounting(conferences)
    out = pd.DataFrame({"conference_id": conferences["conference_id"].to_numpy()})
    out["step"] = int_column(conferences, "step").to_numpy()
    body = conferences["body"] if "body" in conferences else pd.Series(pd.NA, index=conferences.index)
    out["body"] = body.to_numpy()
    for column in ACCOUNTING_CHAIN:
        out[column] = int_column(conferences, column).to_numpy()
    out["ballots_invalid"] = out["ballots_collected"] - out["ballots_valid"]
    has_invalid = invalid is not None and len(invalid) > 0
    by_conference = invalid.groupby("conference_id")["ballots"].sum() if has_invalid else pd.Series(dtype="Int64")
    out["invalid_for_titles"] = out["conference_id"].map(by_conference).fillna(0).astype("Int64")
    out["present_pct"] = percent_series(out["present"], out[rules.quorum_of])
    q = rules.quorum_at_least
    # smallest whole number of people that is at least q × convened (exact integer ceiling)
    out["quorum_required"] = -((-out[rules.quorum_of] * q.numerator) // q.denominator)
    out["quorum_met"] = (out["present"] * q.denominator >= out[rules.quorum_of] * q.numerator).astype("boolean")
    return out


# Raw ballots -------------------------------------------------------------------------------


def split_ballots(ballots: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a ballots table into raw marks (with `ballot_id`) and counted rows (with `votes`).

    A table may mix both kinds, e.g. raw ballots at step 3 and counted minutes at steps 4–5;
    one conference may not have both (its votes would be counted twice).
    """
    has_id = ballots["ballot_id"].notna() if "ballot_id" in ballots else pd.Series(False, index=ballots.index)
    has_votes = ballots["votes"].notna() if "votes" in ballots else pd.Series(False, index=ballots.index)
    for mask, vi, en in (
        (has_id & has_votes, "có cả mã phiếu và số phiếu", "has both ballot_id and votes"),
        (~has_id & ~has_votes, "không có mã phiếu lẫn số phiếu", "has neither ballot_id nor votes"),
    ):
        if mask.any():
            rows = ", ".join(str(r) for r in ballots.index[mask][:10])
            raise DatasetError(f"Bảng phiếu, dòng {rows}: {vi} / ballots table, rows {rows}: {en}")
    raw, counted = ballots[has_id], ballots[has_votes]
    both = sorted(set(raw["conference_id"]) & set(counted["conference_id"]))
    if both:
        raise DatasetError(
            f"Hội nghị {', '.join(both)} có cả phiếu gốc và biên bản kiểm phiếu (sẽ bị đếm hai lần) / "
            f"conference {', '.join(both)} has both raw ballots and counted minutes (would count twice)"
        )
    return raw, counted


def tally_raw(
    ballots: pd.DataFrame, titles: pd.DataFrame, conferences: pd.DataFrame, rules: BallotRules | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Count raw ballots (one row per name marked) into votes per person and title.

    Returns ``(counts, invalid)``: counts [conference_id, title_id, person_id, full_name, votes]
    (full_name only for write-ins, i.e. rows without person_id) and invalid
    [conference_id, title_id, reason, ballots] — aggregated counts, never ballot ids.
    """
    wanted = ("conference_id", "ballot_id", "title_id", "person_id", "full_name")
    columns = {c: ballots[c] for c in wanted if c in ballots}
    with _connection() as con:
        con.register("src_df", pd.DataFrame(columns).reset_index(drop=True))
        return _tally_source(con, "src_df", titles, conferences, rules or ballot_rules())


def tally_parquet(
    path: str | Path,
    titles: pd.DataFrame,
    conferences: pd.DataFrame,
    rules: BallotRules | None = None,
    memory_limit: str = "600MB",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`tally_raw` over a Parquet file of raw marks, without loading it into pandas.

    DuckDB streams the file and spills to disk beyond ``memory_limit``: a province's ballots
    tally in bounded memory (see benchmarks/bench_tally.py).
    """
    quoted = str(Path(path)).replace("'", "''")
    with _connection(memory_limit) as con:
        con.execute(f"CREATE VIEW src_pq AS SELECT * FROM read_parquet('{quoted}')")
        return _tally_source(con, "src_pq", titles, conferences, rules or ballot_rules())


def _connection(memory_limit: str = "1GB") -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB connection with bounded memory (closed on leaving `with`)."""
    con = duckdb.connect(config={"memory_limit": memory_limit, "preserve_insertion_order": False})
    try:  # it may pre-group the 10 M marks by ballot and person before the join: far slower here
        con.execute("SET disabled_optimizers = 'partial_aggregate_pushdown'")
    except duckdb.Error:  # a DuckDB without that optimizer
        pass
    return con


def _column(name: str, types: dict[str, str]) -> str:
    """The column as text with blanks as NULL (ids in Parquet may be numbers)."""
    if name not in types:
        return "NULL::VARCHAR"
    text = name if types[name] == "VARCHAR" else f"CAST({name} AS VARCHAR)"
    return f"nullif({text}, '')"


# Same comparison key as `schema.fold`: no case, diacritics (đ included) or punctuation.
_FOLD_SQL = (
    "nullif(trim(regexp_replace(lower(strip_accents(replace(replace({x}, 'đ', 'd'), 'Đ', 'D'))),"
    " '[^a-z0-9]+', ' ', 'g')), '')"
)

# A person is named by person_id (p) or, for a write-in, by the folded name (wk). Each conference
# gets a number `cc`, each conference and title a number `ct` and an index `ti` among the
# conference's titles, each person named in a conference a number `r` (across its titles). ONE
# pass over the marks sums, per ballot, a 2-bit counter per person (4^r, 50 to a HUGEINT lane `s0`,
# `s1`…) and a 15-bit count of marks per title (8 titles to a lane `tm0`…). Grouping per ballot
# rather than per ballot and title divides the groups, the count's main cost, by the number of
# titles. A ballot is a suspect when its counters show fewer people than names (someone named
# twice), a mark names nobody, or a title has more marks than places or is not known (one addition
# and mask per lane of titles); only suspects are split into titles and judged. With nobody named
# 4 times there is no carry: the sums say who is named how often, so invalid ballots are taken off
# the totals with no second pass. Only when the sums cannot say it (over _LANES lanes, a carry, a
# write-in spelled two ways on an invalid ballot) are the suspects and the write-ins read again
# ("exact").
# 100 bits a lane: its sum stays under 2^127 up to 2^29 marks. Up to 1,000 people a conference: a
# lane costs about 4 % of the count, people sharing counters (the exact path) about 5 times it.
_PER_LANE, _LANES = 50, 20
_LOW = sum(4**i for i in range(_PER_LANE))  # the low bit of every counter
# 120 bits a lane; a ballot of 2^14 marks or more is a suspect: below, marks + 2^14 - 1 - places < 2^15
_TITLES_PER_LANE, _TITLE_BITS = 8, 15
# Marks find their person by one 64-bit hash of the key (half the join's time of the four text
# columns); only if two people of the data share a hash does the join compare the keys.
_KEY_HASH = "hash(c, t, p, wk)"
_ON = "x.c = k.c AND x.t = k.t AND x.p IS NOT DISTINCT FROM k.p AND x.wk IS NOT DISTINCT FROM k.wk"
_SQL = {
    "marks": """CREATE TEMP VIEW m AS
        SELECT *, {key_hash} AS h FROM (
        SELECT c, b, t, p, CASE WHEN p IS NULL THEN regexp_replace(w, '\\s+', ' ', 'g') END AS w,
               CASE WHEN p IS NULL THEN {fold} END AS wk
        FROM (SELECT {c} AS c, {b} AS b, {t} AS t, {p} AS p, {w} AS w FROM {source}))""",
    "people": """CREATE TEMP TABLE people AS
        SELECT c, t, p, wk, {key_hash} AS h, count(*) AS n,
               min(w) AS w, max(w) AS w_max, dense_rank() OVER (ORDER BY c) AS cc,
               dense_rank() OVER (ORDER BY c, t) AS ct, dense_rank() OVER (PARTITION BY c ORDER BY t) - 1 AS ti,
               CASE WHEN p IS NOT NULL OR wk IS NOT NULL THEN row_number() OVER (
                   PARTITION BY c, p IS NULL AND wk IS NULL ORDER BY t, p, wk) - 1 END AS r
        FROM m GROUP BY c, t, p, wk""",
    # per title the low bits of its people's counters (m0…); per conference the addend (addend0…)
    # that lifts a title's count of marks to its field's top bit (top0…) exactly when the count is
    # more than the places (any count, for a title not known)
    "titles": """CREATE TEMP TABLE ct AS SELECT * FROM (
            SELECT DISTINCT k.ct, k.cc, k.ti, k.c, k.t, tt.t IS NOT NULL AS known, tt.places
            FROM people k LEFT JOIN titles_df tt ON k.t = tt.t
        ) JOIN (SELECT ct, {masks} FROM people GROUP BY ct) USING (ct);
        CREATE TEMP TABLE limits AS SELECT cc, any_value(c) AS c, {limits} FROM (
            SELECT *, CASE WHEN NOT known THEN {limit} - 1 WHEN places IS NULL OR places >= {limit} THEN 0
                      ELSE {limit} - 1 - greatest(places, 0) END AS addend,
                      CASE WHEN NOT known OR places < {limit} THEN {limit} ELSE 0 END AS top FROM ct
        ) GROUP BY cc""",
    "ballots": """CREATE TEMP TABLE per_c AS
        SELECT c, count(*) AS ballots, count(*) FILTER (WHERE b IS NULL) AS no_id,
               list({{'cc': cc, 'b': b, 'marks': marks, 'named': named, {fields}}})
               FILTER (WHERE {people} < named OR named < marks OR marks >= {limit} OR {over}) AS suspects
        FROM (SELECT k.cc, x.b, count(*) AS marks, count(k.r) AS named, {sums}
              FROM m x JOIN (SELECT *, {counters} FROM people) k ON {on} GROUP BY k.cc, x.b) JOIN limits USING (cc)
        GROUP BY c;
        CREATE TEMP TABLE flag AS SELECT *, CASE WHEN marks > 0 THEN CASE {cases} END END AS reason FROM (
            SELECT s.cc, s.b, ct, s.marks AS ballot_marks, s.named AS ballot_named, known, places,
                   {title_marks} AS marks, {title_named} AS named, {title_people} AS people, {title_lanes}
            FROM (SELECT unnest(suspects, recursive := true) FROM per_c) s JOIN ct USING (cc))""",
    # suspects whose titles' counts do not add up to the ballot's: a count carried into the next
    "carried": """SELECT count(*) FROM (
        SELECT sum(marks) AS marks, sum(named) AS named, any_value(ballot_marks) AS ballot_marks,
               any_value(ballot_named) AS ballot_named FROM flag GROUP BY cc, b
        ) WHERE marks <> ballot_marks OR named <> ballot_named""",
    "decoded": """CREATE TEMP TABLE bad AS SELECT ct, b, reason FROM flag WHERE reason IS NOT NULL;
        CREATE TEMP TABLE bad_marks AS SELECT ct, r, sum(n)::BIGINT AS n FROM ({lanes}) WHERE n > 0 GROUP BY ct, r;
        CREATE TEMP TABLE names AS SELECT ct, r, w AS full_name FROM people WHERE w IS NOT NULL""",
    "exact": """CREATE TEMP TABLE few AS
        WITH x AS MATERIALIZED (SELECT * FROM m WHERE p IS NULL OR b IN (SELECT b FROM flag))
        SELECT k.ct, x.b, k.r, x.w FROM x JOIN people k ON {on};
        CREATE OR REPLACE TEMP TABLE bad AS SELECT ct, b, reason FROM (
            SELECT ct, b, CASE {cases} END AS reason FROM (SELECT ct, b, count(*) AS marks, count(r) AS named,
                   count(DISTINCT r) AS people FROM few SEMI JOIN flag USING (ct, b) GROUP BY ct, b) JOIN ct USING (ct)
        ) WHERE reason IS NOT NULL;
        CREATE OR REPLACE TEMP TABLE bad_marks AS
        SELECT ct, r, count(*) AS n FROM few SEMI JOIN bad USING (ct, b) WHERE r IS NOT NULL GROUP BY ct, r;
        CREATE OR REPLACE TEMP TABLE names AS
        SELECT ct, r, min(w) AS full_name FROM few ANTI JOIN bad USING (ct, b) WHERE w IS NOT NULL GROUP BY ct, r""",
    "invalid": "SELECT c AS conference_id, t AS title_id, reason, count(*) AS ballots FROM bad JOIN ct USING (ct) "
               "GROUP BY ALL ORDER BY ALL",
    "counts": """SELECT ct.c AS conference_id, ct.t AS title_id, k.p AS person_id, w.full_name,
               k.n - coalesce(x.n, 0) AS votes
        FROM people k JOIN ct USING (ct) LEFT JOIN bad_marks x USING (ct, r) LEFT JOIN names w USING (ct, r)
        WHERE k.r IS NOT NULL AND k.n > coalesce(x.n, 0) ORDER BY conference_id, title_id, votes DESC, person_id, k.wk""",
}


def _lanes_sql(lanes: int, title_lanes: int) -> dict[str, str]:
    """SQL fragments over the lanes of counters per person (s0…) and of marks per title (tm0…)."""
    per, titles, s, tm = _PER_LANE, _TITLES_PER_LANE, range(lanes), range(title_lanes)
    field = f"({_TITLE_BITS} * (ti % {titles}))::HUGEINT"  # where a title's count sits in its lane

    def counter(i: int) -> str:  # a person's counter in lane i (0 in the other lanes)
        return f"CASE WHEN r // {per} % {lanes} = {i} THEN 1::HUGEINT << (2 * (r % {per}))::HUGEINT ELSE 0 END"

    def in_title_lane(j: int, value: str) -> str:  # a title's field of lane j
        return f"CASE WHEN ti // {titles} = {j} THEN {value}::HUGEINT << {field} ELSE 0 END"

    both = [f"(s{i} | (s{i} >> 1::HUGEINT))" for i in s]  # a counter's bits folded onto its low bit
    return {
        "masks": ", ".join(f"bit_or({counter(i)}) AS m{i}" for i in s),
        "limits": ", ".join(f"sum({in_title_lane(j, what)}) AS {what}{j}" for j in tm for what in ("addend", "top")),
        "counters": ", ".join([f"{counter(i)} AS s{i}" for i in s] + [f"{in_title_lane(j, 1)} AS tm{j}" for j in tm]),
        "sums": ", ".join([f"sum(k.s{i}) AS s{i}" for i in s] + [f"sum(k.tm{j}) AS tm{j}" for j in tm]),
        "fields": ", ".join([f"'s{i}': s{i}" for i in s] + [f"'tm{j}': tm{j}" for j in tm]),
        "people": " + ".join(f"coalesce(bit_count({x} & {_LOW}), 0)::INTEGER" for x in both),
        "over": " OR ".join(f"((tm{j} + addend{j}) & top{j}) <> 0" for j in tm),
        "title_marks": f"(((CASE ti // {titles} {' '.join(f'WHEN {j} THEN tm{j}' for j in tm)} END) >> {field}) "
                       f"& {2**_TITLE_BITS - 1})::INTEGER",
        "title_named": " + ".join(f"bit_count(s{i} & m{i})::INTEGER "
                                  f"+ 2 * bit_count((s{i} >> 1::HUGEINT) & m{i})::INTEGER" for i in s),
        "title_people": " + ".join(f"bit_count({x} & m{i})::INTEGER" for i, x in zip(s, both)),
        "title_lanes": ", ".join(f"s{i} & (3 * m{i}) AS s{i}" for i in s),  # this title's counters only
        "lanes": " UNION ALL ".join(f"SELECT ct, {i * per} + j AS r, (s{i} >> (2 * j)::HUGEINT) & 3 AS n FROM flag, "
                                    f"range({per}) AS x(j) WHERE reason IS NOT NULL" for i in s),
    }


def _tally_source(con: duckdb.DuckDBPyConnection, source: str, titles: pd.DataFrame, conferences: pd.DataFrame,
                  rules: BallotRules) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw marks in the relation ``source`` → (counts, invalid): see :func:`tally_raw`."""
    types = {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    if missing := ", ".join(c for c in ("conference_id", "ballot_id", "title_id") if c not in types):
        raise DatasetError(f"Phiếu gốc thiếu cột {missing} / raw ballots lack column(s) {missing}")
    if twice := ", ".join(sorted(set(titles["title_id"][titles["title_id"].duplicated()].astype("str")))):
        raise DatasetError(f"Bảng chức danh có mã trùng: {twice} / the titles table has duplicate title_id: {twice}")
    con.register("titles_df", pd.DataFrame({"t": titles["title_id"].astype("str").to_numpy(),
                                            "places": effective_places(titles, rules).to_numpy()}))
    con.register("conf_df", pd.DataFrame({"c": conferences["conference_id"].astype("str").to_numpy()}))
    columns = {k: _column(name, types) for k, name in (
        ("c", "conference_id"), ("b", "ballot_id"), ("t", "title_id"), ("p", "person_id"), ("w", "full_name"))}
    con.execute(_SQL["marks"].format(source=source, fold=_FOLD_SQL.format(x="w"), key_hash=_KEY_HASH, **columns))
    con.execute(_SQL["people"].format(key_hash=_KEY_HASH))
    _check_keys(con)
    lanes, title_lanes = con.execute(f"SELECT coalesce(max(r), 0) // {_PER_LANE} + 1, "
                                     f"coalesce(max(ti), 0) // {_TITLES_PER_LANE} + 1 FROM people").fetchone()
    sql = _lanes_sql(min(lanes, _LANES), title_lanes)  # beyond: people share counters, a short count is only a suspect
    limit = 2 ** (_TITLE_BITS - 1)  # a title's field holds its marks plus up to limit - 1: no carry
    con.execute(_SQL["titles"].format(limit=limit, **sql))
    cases = " ".join(f"WHEN {_REASON_SQL[r]} THEN '{r}'" for r in rules.invalid_reasons)
    unique = _one(con, "SELECT count(DISTINCT h) = count(*) FROM people")  # else two people share a hash
    con.execute(_SQL["ballots"].format(cases=cases, on="x.h = k.h" if unique else _ON, limit=limit, **sql))
    if _one(con, "SELECT sum(no_id) FROM per_c"):  # checked here: the numbering pass need not read b
        _raise_blank_keys(con)
    _check_collected(con, conferences)
    exact = lanes > _LANES or _one(con, _SQL["carried"])
    if not exact:
        con.execute(_SQL["decoded"].format(**sql))
        exact = _one(con, "SELECT count(*) FROM bad_marks JOIN people USING (ct, r) WHERE w <> w_max")
    if exact:
        con.execute(_SQL["exact"].format(cases=cases, on=_ON))
    invalid = con.execute(_SQL["invalid"]).df().astype({"ballots": "Int64"})
    counts = con.execute(_SQL["counts"]).df().astype({"votes": "Int64"})
    return counts[COUNT_COLUMNS].reset_index(drop=True), invalid[INVALID_COLUMNS].reset_index(drop=True)


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    return con.execute(sql).fetchone()[0]


def _check_keys(con: duckdb.DuckDBPyConnection) -> None:
    """Missing conference or title, then unknown conferences (from the small table of people)."""
    if _one(con, "SELECT count(*) FROM people WHERE c IS NULL OR t IS NULL"):
        _raise_blank_keys(con)
    sql = "SELECT DISTINCT c FROM people ANTI JOIN conf_df USING (c) ORDER BY c"
    if unknown := ", ".join(row[0] for row in con.execute(sql).fetchall()):
        raise DatasetError(f"Phiếu thuộc hội nghị không có trong bảng hội nghị: {unknown} / "
                           f"ballots for unknown conference(s): {unknown}")


def _raise_blank_keys(con: duckdb.DuckDBPyConnection) -> None:
    # marks (rows), not ballots: without its ballot_id a mark's ballot cannot be told
    blanks = _one(con, "SELECT count(*) FROM m WHERE c IS NULL OR b IS NULL OR t IS NULL")
    raise DatasetError(
        f"Phiếu gốc: {blanks} dòng (tên được đánh dấu) thiếu mã hội nghị, mã phiếu hoặc mã chức danh / "
        f"raw ballots: {blanks} mark(s) (rows) lack conference_id, ballot_id or title_id"
    )


def _check_collected(con: duckdb.DuckDBPyConnection, conferences: pd.DataFrame) -> None:
    """No conference may have more ballots in the data than it collected (else issued, present…)."""
    limits = {  # the last known of these is the smallest bound
        str(conference): (int(value), column)
        for column in ("convened", "present", "ballots_issued", "ballots_collected") if column in conferences
        for conference, value in zip(conferences["conference_id"], conferences[column]) if pd.notna(value)
    }
    for conference, n in con.execute("SELECT c, ballots FROM per_c ORDER BY c").fetchall():
        limit, column = limits.get(conference, (None, None))
        if limit is not None and n > limit:
            raise DatasetError(
                f"Hội nghị {conference}: có {n} phiếu trong dữ liệu, nhiều hơn {column} = {limit} / "
                f"conference {conference}: {n} ballots in the data, more than {column} = {limit}"
            )
