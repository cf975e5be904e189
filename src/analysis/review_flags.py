"""Review flags: who (or which title) to look at on a date for a term, and why.

A *flag* names a person (or a title) with the rule, the action the rule calls for (``remove`` or
``review``), the value against its limit, the evidence in words and the rule's certainty (C or M).
The regime's limits on planning sizes are judged by `analysis.composition.limit_table`, the same
function as the composition report's checks, so a title flagged here fails there too.

Pure: DataFrames in, a DataFrame out; rules from the regime (`analysis.rules`) and from
``rules/standards.yml`` (`analysis.review.load_standards`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from analysis.composition import ineligible_terms, limit_table
from analysis.errors import ParameterError
from analysis.labels import code_label, text
from analysis.numbers import round_half_up
from analysis.people import month_start
from analysis.review import (
    as_dates,
    as_ids,
    attr_or_key,
    empty_frame,
    is_missing,
    pool_people,
    standards_data,
    title_info,
)
from analysis.rules import load_rules
from analysis.schema import fold

FLAG_RULES = (
    "over_age", "discipline", "low_trust", "titles_per_person", "people_per_title",
    "pool_size_ratio", "standards",
)
ACTIONS = ("remove", "review")  # what a flag proposes
LOW_BANDS = ("over_half", "two_thirds")
FLAG_COLUMNS = [
    "person_id", "full_name", "title_id", "title", "rule", "action", "value", "limit", "detail",
    "certainty", "evidence",
]


# Rules and terms ---------------------------------------------------------------------------------

def has_discipline(values: pd.Series, standards: Mapping | None = None) -> pd.Series:
    """True where the `discipline` column records a measure (not empty, not a "none" value)."""
    none_values = {fold(v) for v in standards_data(standards)["discipline"]["none_values"]}
    marked = [not is_missing(v) and bool(fold(v)) and fold(v) not in none_values for v in values]
    return pd.Series(marked, index=values.index, dtype=bool)


def certainty_of(rules: object, key: str) -> str:
    """``C`` or ``M`` for a value of the rule set (`RuleSet.certainty_of`); ``C`` for plain rules."""
    if hasattr(rules, "certainty_of"):
        return str(rules.certainty_of(key))
    return "C"


def min_service_months(rules: object, default: int = 60) -> int:
    """The regime's minimum months of service for its default option (60, first term)."""
    if hasattr(rules, "min_months"):
        return int(rules.min_months())
    value = attr_or_key(rules, "min_service_months", None)
    if value is None:
        return default
    if isinstance(value, (int, float)):
        return int(value)
    options = attr_or_key(value, "options", None) or {}
    return int(attr_or_key(options, str(attr_or_key(value, "default", "first_term")), default))


def pick_term(terms: Iterable[object], label: str | None = None) -> object:
    """The term called ``label``; without one, the first Party term, else the first term."""
    terms = list(terms or [])
    if not terms:
        raise ValueError("the dataset has no terms / bộ dữ liệu không có nhiệm kỳ")
    if label:
        for term in terms:
            if str(attr_or_key(term, "label")) == str(label):
                return term
        labels = ", ".join(str(attr_or_key(t, "label")) for t in terms)
        raise ParameterError(
            f"Không có nhiệm kỳ '{label}' (có: {labels}) / no term '{label}' (available: {labels})"
        )
    for term in terms:
        if attr_or_key(term, "kind") == "party":
            return term
    return terms[0]


def _term_start(term: object) -> pd.Timestamp | None:
    start = attr_or_key(term, "start")
    if start is None:
        return None
    try:
        return month_start(start)
    except (TypeError, ValueError):
        return None


# Words of the evidence ---------------------------------------------------------------------------

def fmt_date(value: object, language: str = "vi", precision: str = "day") -> str:
    """A date as people read it: 15/03/2017 (vi) or 2017-03-15 (en); months 03/2017 or 2017-03."""
    if is_missing(value):
        return code_label("x", None, language)
    ts = pd.Timestamp(value)
    if precision == "month":
        return ts.strftime("%m/%Y" if language == "vi" else "%Y-%m")
    if precision == "year":
        return ts.strftime("%Y")
    return ts.strftime("%d/%m/%Y" if language == "vi" else "%Y-%m-%d")


def fmt_number(value: object, language: str = "vi", places: int = 2) -> str:
    """12.5 → "12,5" (vi) / "12.5" (en); whole numbers without decimals."""
    if is_missing(value):
        return code_label("x", None, language)
    number = round_half_up(float(value), places)
    shown = str(int(number)) if float(number).is_integer() else f"{number:.{places}f}".rstrip("0")
    return shown.replace(".", ",") if language == "vi" else shown


def _evidence(rule: str, language: str, **values: object) -> str:
    return text(f"review.evidence.{rule}", language, **values)


def _flag(person: Mapping | None, title: Mapping | None, rule: str, action: str, value: object,
          limit: object, detail: object, certainty: str, evidence: str) -> dict:
    return {
        "person_id": pd.NA if person is None else person["person_id"],
        "full_name": pd.NA if person is None else person.get("full_name", pd.NA),
        "title_id": pd.NA if title is None else title["title_id"],
        "title": pd.NA if title is None else title.get("title", pd.NA),
        "rule": rule, "action": action,
        "value": pd.NA if is_missing(value) else str(value),
        "limit": pd.NA if is_missing(limit) else str(limit),
        "detail": pd.NA if is_missing(detail) else str(detail),
        "certainty": certainty, "evidence": evidence,
    }


# Trust -------------------------------------------------------------------------------------------

def latest_trust(trust: pd.DataFrame | None, as_of: object = None) -> pd.DataFrame:
    """Each person's latest three-level vote (a row with a `low_band`) held on or before ``as_of``.

    ``trust`` is `analysis.trust.trust_table` output: ``conference_id, person_id, low_pct, low_band``
    and the conference date as ``date`` or ``conference_date``. Rows without a person_id are matched
    by folded full name (``_match``).
    """
    columns = ["person_id", "full_name", "conference_id", "date", "low_pct", "low_band", "_match"]
    if trust is None or len(trust) == 0 or "low_band" not in trust.columns:
        return empty_frame(columns)
    rows = trust.reset_index(drop=True).copy()
    rows = rows[rows["low_band"].notna().to_numpy()]
    date_column = next((c for c in ("date", "conference_date") if c in rows.columns), None)
    rows["date"] = as_dates(rows, date_column) if date_column else pd.NaT
    if as_of is not None:
        rows = rows[(rows["date"].isna() | (rows["date"] <= pd.Timestamp(as_of))).to_numpy()]
    for column in ("person_id", "full_name", "low_pct"):
        if column not in rows.columns:
            rows[column] = pd.NA
    rows["_match"] = [
        f"id:{p}" if not is_missing(p) else f"name:{fold(n)}"
        for p, n in zip(rows["person_id"], rows["full_name"])
    ]
    rows = rows.sort_values(["date", "conference_id"], na_position="first", kind="stable")
    return rows.drop_duplicates("_match", keep="last")[columns].reset_index(drop=True)


# Flags, rule by rule -----------------------------------------------------------------------------

def _over_age_flags(records: Mapping, pool: pd.DataFrame, state: pd.DataFrame | None,
                    titles: pd.DataFrame | None, rules: object, term: object, terms: list,
                    language: str) -> list[dict]:
    """One flag per person who cannot serve in full a term they are planned for, judged as the
    composition check ``ineligible_in_pool`` judges it (`composition.ineligible_terms`): the term of
    each of their titles. A person failing several is flagged for ``term`` if it is one of them."""
    bad = ineligible_terms(pool, state, titles, terms)
    if bad is None or bad.empty:
        return []
    by_label = {str(attr_or_key(t, "label")): t for t in terms}
    chosen = str(attr_or_key(term, "label"))
    failed: dict[str, list[str]] = {}
    for pid, label in zip(as_ids(bad["person_id"]), bad["term"]):
        failed.setdefault(pid, []).append(str(label))
    required = min_service_months(rules)
    option = attr_or_key(attr_or_key(rules, "min_service_months"), "default", "first_term")
    certainty = certainty_of(rules, f"min_service_months.{option}")
    action = "remove" if certainty == "C" else "review"
    flags = []
    for pid, person in records.items():
        if pid not in failed:
            continue
        label = chosen if chosen in failed[pid] else min(failed[pid], key=list(by_label).index)
        start = _term_start(by_label[label])
        months = person.get(f"months_left_{label}")
        key = "over_age_retired" if not is_missing(months) and months <= 0 else "over_age"
        flags.append(_flag(
            person, None, "over_age", action, months, required, label, certainty,
            _evidence(key, language, months=fmt_number(months, language), required=required,
                      term=label, start=fmt_date(start, language, "month"),
                      retirement=fmt_date(person.get("retirement_month"), language, "month")),
        ))
    return flags


def _discipline_flags(pool: pd.DataFrame, rules: object, std: Mapping, language: str) -> list[dict]:
    if "discipline" not in pool.columns:
        return []
    certainty = certainty_of(rules, "discipline")
    removes = attr_or_key(rules, "discipline", None) == "remove" and certainty == "C"
    marked = has_discipline(pool["discipline"], std).to_numpy()
    return [
        _flag(person, None, "discipline", "remove" if removes else "review", person["discipline"],
              pd.NA, pd.NA, certainty, _evidence("discipline", language, measure=person["discipline"]))
        for person in pool[marked].to_dict("records")
    ]


def _low_trust_flags(records: Mapping, trust: pd.DataFrame | None, as_of: object,
                     language: str) -> list[dict]:
    latest = latest_trust(trust, as_of)
    by_name = {fold(p.get("full_name", "")): pid for pid, p in records.items()
               if not is_missing(p.get("full_name"))}
    flags = []
    for vote in latest.to_dict("records"):
        if vote["low_band"] not in LOW_BANDS:
            continue
        pid = (str(vote["person_id"]) if vote["_match"].startswith("id:")
               else by_name.get(vote["_match"][5:]))
        if pid not in records:
            continue
        flags.append(_flag(
            records[pid], None, "low_trust", "remove", vote["low_pct"], 50,
            f"{vote['conference_id']}:{vote['low_band']}", "C",
            _evidence("low_trust", language, pct=fmt_number(vote["low_pct"], language),
                      band=text(f"review.low_band.{vote['low_band']}", language),
                      conference=vote["conference_id"], date=fmt_date(vote["date"], language)),
        ))
    return flags


def _limit_flags(rows: pd.DataFrame, titles: pd.DataFrame | None, rules: object, records: Mapping,
                 info: Mapping, language: str) -> list[dict]:
    """Flags of the regime's limits, judged as the composition checks judge them (per seat)."""
    flags = []
    for rule in ("titles_per_person", "people_per_title", "pool_size_ratio"):
        check = rules.check(rule)
        table = None if check is None else limit_table(rule, check, rows, titles)
        if table is None:
            continue
        limit = check.target
        for item in table[table["ok"].map(lambda ok: ok is False).to_numpy()].to_dict("records"):
            count = int(item["count"])
            if rule == "titles_per_person":
                if item["id"] not in records:
                    continue
                mine = rows.loc[rows["person_id"] == item["id"], "title_id"]
                names = "; ".join(str(info.get(t, (t,))[0]) for t in mine)
                flags.append(_flag(
                    records[item["id"]], None, rule, "review", count, fmt_number(limit, "en"), names,
                    check.certainty, _evidence(rule, language, count=count,
                                               limit=fmt_number(limit, language), titles=names),
                ))
                continue
            seats = None if is_missing(item["seats"]) or item["seats"] <= 0 else int(item["seats"])
            title_name = info.get(item["id"], (pd.NA, pd.NA))[0]
            flags.append(_flag(
                None, {"title_id": item["id"], "title": title_name}, rule, "review",
                fmt_number(item["value"], "en"), fmt_number(limit, "en"), f"{count}/{seats or ''}",
                check.certainty,
                _evidence(rule, language, count=count, seats=seats or "—", title=title_name,
                          ratio=fmt_number(item["value"], language), limit=fmt_number(limit, language)),
            ))
    return flags


def _rank(order: list[str], value: object) -> int:
    return order.index(value) if value in order else -1


def _standards_flag(person: Mapping, title_ids: Iterable[str], info: Mapping, level_standards: Mapping,
                    std: Mapping, language: str) -> dict | None:
    """The standards flag of one person against the strictest standard among their titles."""
    parts, details, certainty = [], [], "C"
    for column in ("political_theory", "education"):
        order = list(std["order"][column])
        strictest, strictest_title = None, None
        for tid in title_ids:
            body = info.get(tid, (None, None))[1]
            required = (level_standards.get(body) or {}).get(column)
            if required is not None and (strictest is None or _rank(order, required) > _rank(order, strictest)):
                strictest, strictest_title = required, info.get(tid, (tid,))[0]
                if str((level_standards.get(body) or {}).get("certainty", "C")) == "M":
                    certainty = "M"
        if strictest is None:
            continue
        have = person.get(column)
        have = None if is_missing(have) else have
        if have is not None and _rank(order, have) >= _rank(order, strictest):
            continue
        parts.append(text(f"review.evidence.standards_{column}", language,
                          have=code_label(column, have, language),
                          required=code_label(column, strictest, language), title=strictest_title))
        details.append(f"{column}:{have if have is not None else ''}<{strictest}")
    if not parts:
        return None
    return _flag(person, None, "standards", "review", pd.NA, pd.NA, "; ".join(details), certainty,
                 "; ".join(parts))


# All flags ---------------------------------------------------------------------------------------

def review_flags(
    people: pd.DataFrame,
    state: pd.DataFrame | None,
    titles: pd.DataFrame | None,
    rules: object,
    as_of: object,
    term: object,
    *,
    terms: Iterable[object] | None = None,
    trust: pd.DataFrame | None = None,
    level: str | None = None,
    standards: Mapping | None = None,
    language: str = "vi",
) -> pd.DataFrame:
    """Who should be reviewed on ``as_of`` for ``term``: one row per flag (`FLAG_COLUMNS`).

    ``people`` carries the person facts for the term (`analysis.people.add_person_facts`:
    ``eligible_<label>``, ``months_left_<label>``, ``retirement_month``); ``state`` is the pool on
    ``as_of`` (`review.planning_state`; None when the dataset has no planning table: everybody is
    reviewed and the per-title rules are skipped); ``rules`` a `RuleSet` or a regime id. Rules, in
    order:

    - ``over_age``: cannot serve the term of a title they are planned for (months from the term's
      start to retirement under the regime's minimum; ``terms``: the dataset's terms, default
      ``[term]``; every term for a title without one of them, or without planning), as the
      composition check ``ineligible_in_pool`` counts them — action ``remove``, or ``review``
      where that minimum is remembered [M];
    - ``discipline``: a disciplinary measure is recorded — ``remove`` where the regime removes
      automatically and that is confirmed (QĐ 50), else ``review`` (QĐ 377, KL 24 [M]);
    - ``low_trust``: more than half "low" in the person's latest vote — ``remove`` (QĐ 96);
    - ``titles_per_person``, ``people_per_title`` (people per seat), ``pool_size_ratio`` (BCH and
      BTV pools against their seats) over the regime's limit (`composition.limit_table`) —
      ``review``; none without the check;
    - ``standards``: political theory or education below the title standard (``standards.yml``,
      the strictest of the person's titles) or unknown — ``review``.
    """
    rules = load_rules(rules) if isinstance(rules, str) else rules
    std = standards_data(standards)
    pool = pool_people(people, state)
    pool = pool.assign(person_id=as_ids(pool["person_id"])).sort_values("person_id", kind="stable")
    records = {pid: row for pid, row in zip(pool["person_id"], pool.to_dict("records"))}
    info = title_info(titles)
    rows = None
    if state is not None:
        rows = state.assign(person_id=as_ids(state["person_id"]), title_id=as_ids(state["title_id"]))
    terms = list(terms) if terms else [term]
    flags = _over_age_flags(records, pool, rows, titles, rules, term, terms, language)
    flags += _discipline_flags(pool, rules, std, language)
    flags += _low_trust_flags(records, trust, as_of, language)
    if state is not None and len(state):
        flags += _limit_flags(rows, titles, rules, records, info, language)
        level_standards = (std.get("title_standards") or {}).get(level) or {}
        if level_standards:
            for pid, group in rows.groupby("person_id", sort=True):
                if pid not in records:
                    continue
                flag = _standards_flag(records[pid], group["title_id"], info, level_standards, std, language)
                if flag is not None:
                    flags.append(flag)

    out = pd.DataFrame(flags, columns=FLAG_COLUMNS)
    if len(out):
        out["_rule"] = out["rule"].map(FLAG_RULES.index)
        out = out.sort_values(["_rule", "person_id", "title_id"], kind="stable", na_position="last")
        out = out[FLAG_COLUMNS].reset_index(drop=True)
    return out.astype("object")


def flag_summary(flags: pd.DataFrame) -> pd.DataFrame:
    """Flags per rule and action: ``rule, action, flags`` in the order of `FLAG_RULES`."""
    columns = ["rule", "action", "flags"]
    if len(flags) == 0:
        return empty_frame(columns)
    out = flags.groupby(["rule", "action"], sort=False).size().rename("flags").reset_index()
    out["_r"] = out["rule"].map(lambda r: FLAG_RULES.index(r) if r in FLAG_RULES else len(FLAG_RULES))
    out = out.sort_values(["_r", "action"], kind="stable")[columns].reset_index(drop=True)
    out["flags"] = out["flags"].astype("Int64")
    return out
