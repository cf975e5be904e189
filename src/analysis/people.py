"""Facts about people: age, official bands, tiers, retirement month, months left per term.

Pure functions on pandas objects; every number that could change (bands, tiers, young ages, the
retirement schedule, minimum service) comes from the rule set (`analysis.rules`).

Conventions
-----------
- **Age** is the number of whole years completed on the reference date: the age goes up *on*
  the birthday (born 15/03/1967 → 59 on 15/03/2026, 58 on 14/03/2026). This reproduces the
  published age bands of the 2026 National Assembly candidate list exactly.
- **29 February** (rule set key ``leap_birthday``, default ``feb28``): in a year without 29
  February the birthday is **28 February** — born 29/02/2000 → 0 on 27/02/2001, 1 on 28/02/2001.
  This is what adding N years to a date gives (clamped to the month's last day, as Python's
  ``relativedelta`` and pandas' ``DateOffset`` do) and what the Civil Code 2015 art. 148 prescribes
  for a period ending in a month that lacks the corresponding day (it ends on that month's last
  day). The alternative ``mar1`` (birthday on 1 March, i.e. the anniversary has not passed until
  28 February is over) is one rule-file edit away. Retirement is computed by month, so the
  convention never changes a retirement month.
- **Birth year only**: the loader stores 1 January with ``birth_date_precision == "year"``; ages
  are computed from 1 January (this reproduces the published under-40 count of the 2016 list) and
  the row is flagged ``birth_year_only``. Decree 135/2020 uses the same rule for retirement.
- **Retirement month** is the first day of the month the pension starts (see
  `rules/retirement.yml`): the month after the month the person reaches the retirement age of the
  calendar year in which they reach it.
- **Months left** for a term = months from the term's start month to the retirement month
  (negative when already retired); a person can serve a full term when it is at least the rule
  set's minimum (60 months for a first term).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from analysis.rules import (
    DEFAULT_REGIME,
    AgeRange,
    AgeTiers,
    RetirementSchedule,
    RuleSet,
    load_retirement,
    load_rules,
)
from analysis.schema import GENDERS, MAJORITY_ETHNICITY, fold


# Terms ------------------------------------------------------------------------------------------
def _field(term: Any, name: str) -> Any:
    return term.get(name) if isinstance(term, dict) else getattr(term, name, None)


def term_label(term: Any) -> str:
    return str(_field(term, "label"))


def term_kind(term: Any) -> str | None:
    kind = _field(term, "kind")
    return None if kind is None else str(kind)


def month_start(value: Any) -> pd.Timestamp:
    """First day of the month of ``value``: a date, Timestamp, ``"2025-06"``, ``"2025-06-01"`` or
    any object with ``year`` and ``month`` (e.g. a YearMonth); a Term (or dict) gives its ``start``."""
    if isinstance(value, dict) or (hasattr(value, "start") and hasattr(value, "label")):
        value = _field(value, "start")
    if isinstance(value, str):
        stamp = pd.Timestamp(value.strip() + ("-01" if len(value.strip()) == 7 else ""))
    elif isinstance(value, (pd.Timestamp, datetime, date)):
        stamp = pd.Timestamp(value)
    elif hasattr(value, "year") and hasattr(value, "month"):
        stamp = pd.Timestamp(year=int(value.year), month=int(value.month), day=1)
    else:
        raise TypeError(f"not a month: {value!r}")
    return pd.Timestamp(year=stamp.year, month=stamp.month, day=1)


def term_start(term: Any) -> pd.Timestamp:
    """The term's start month (first day) from a Term object or a dict with ``start``."""
    return month_start(_field(term, "start"))


# Age --------------------------------------------------------------------------------------------
def _dates(values: Any) -> pd.Series:
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    return pd.to_datetime(series, errors="coerce")


def age_on(birth_dates: Any, as_of: Any, leap_birthday: str = "feb28") -> pd.Series:
    """Whole years completed on ``as_of`` (a date, or a Series of dates aligned with the births).

    ``leap_birthday``: ``feb28`` (default) or ``mar1`` — see the module docstring. Missing birth
    dates give ``<NA>``. Returns an ``Int64`` Series with the births' index.
    """
    if leap_birthday not in ("feb28", "mar1"):
        raise ValueError(f"leap_birthday must be 'feb28' or 'mar1', not {leap_birthday!r}")
    births = _dates(birth_dates)
    if isinstance(as_of, pd.Series):
        ref = pd.to_datetime(as_of, errors="coerce")
        ref_year, ref_month, ref_day = ref.dt.year, ref.dt.month, ref.dt.day
        ref_leap = ref.dt.is_leap_year
    else:
        stamp = pd.Timestamp(as_of)
        ref_year, ref_month, ref_day = stamp.year, stamp.month, stamp.day
        ref_leap = stamp.is_leap_year
    b_month = births.dt.month
    b_day = births.dt.day
    if leap_birthday == "feb28":
        leapling = (b_month == 2) & (b_day == 29) & ~pd.Series(ref_leap, index=births.index).astype(bool)
        b_day = b_day.where(~leapling, 28)
    not_yet = (ref_month < b_month) | ((ref_month == b_month) & (ref_day < b_day))
    years = ref_year - births.dt.year - not_yet.astype("Int64")
    result = pd.Series(years, index=births.index).astype("Int64")
    return result.where(births.notna() & pd.Series(ref_year, index=births.index).notna(), pd.NA)


def _ranges(spec: Any, which: str) -> tuple[AgeRange, ...]:
    if spec is None:
        spec = load_rules(DEFAULT_REGIME)
    if isinstance(spec, RuleSet):
        return spec.age_bands if which == "bands" else spec.age_tiers.tiers
    if isinstance(spec, AgeTiers):
        return spec.tiers
    return tuple(r if isinstance(r, AgeRange) else AgeRange.model_validate(r) for r in spec)


def _classify(ages: Any, ranges: Sequence[AgeRange]) -> pd.Series:
    ages = pd.Series(ages).astype("Int64") if not isinstance(ages, pd.Series) else ages.astype("Int64")
    keys = [r.key for r in ranges]
    values = ages.astype("float64").to_numpy()
    conditions, choices = [], []
    for r in ranges:
        lo = -np.inf if r.min is None else r.min
        hi = np.inf if r.max is None else r.max
        conditions.append((values >= lo) & (values <= hi))
        choices.append(r.key)
    picked = np.select(conditions, choices, default="") if conditions else np.array([""] * len(values))
    picked = np.where(np.isnan(values), "", picked)
    out = pd.Series(picked, index=ages.index, dtype=object).replace("", np.nan)
    return pd.Series(pd.Categorical(out, categories=keys, ordered=True), index=ages.index)


def age_band(ages: Any, bands: Any = None) -> pd.Series:
    """Official band key per age (ordered Categorical; ``NaN`` when the age is missing).

    ``bands``: a RuleSet, a list of `AgeRange`/dicts ``{key, min, max}``, or None for the
    official bands (`under_40` <40, `40_50` 40–50, `50_60` 51–60, `60_65` 61–65, `over_65` >65).
    """
    return _classify(ages, _ranges(bands, "bands"))


def age_tier(ages: Any, tiers: Any = None) -> pd.Series:
    """Tier key per age (ordered Categorical; missing when outside every tier or age unknown).

    ``tiers``: a RuleSet, its ``age_tiers``, or a list of ranges; None: the default regime's.
    """
    return _classify(ages, _ranges(tiers, "tiers"))


# Retirement -------------------------------------------------------------------------------------
def _month_index(stamps: pd.Series) -> pd.Series:
    return (stamps.dt.year * 12 + stamps.dt.month - 1).astype("Int64")


def _from_month_index(index: pd.Series) -> pd.Series:
    valid = index.notna()
    out = pd.Series(pd.NaT, index=index.index, dtype="datetime64[ns]")
    if valid.any():
        idx = index[valid].astype("int64")
        parts = pd.DataFrame({"year": idx // 12, "month": idx % 12 + 1, "day": 1})
        out.loc[valid] = pd.to_datetime(parts).astype("datetime64[ns]").to_numpy()
    return out


def retirement_month(
    birth_dates: Any, genders: Any, schedule: RetirementSchedule | RuleSet | None = None
) -> pd.Series:
    """First day of the month each person's pension starts (Labor Code 2019 art. 169, Decree 135).

    Man born 01/1961 → 2021-05-01; woman born 01/1966 → 2021-06-01. Unknown gender or birth
    date → ``NaT``. The schedule comes from ``rules/retirement.yml`` unless one is given.
    """
    if isinstance(schedule, RuleSet):
        schedule = schedule.retirement
    if schedule is None:
        schedule = load_retirement()
    births = _dates(birth_dates)
    sexes = pd.Series(genders, index=births.index) if not isinstance(genders, pd.Series) else genders
    sexes = sexes.reindex(births.index) if not sexes.index.equals(births.index) else sexes
    born = _month_index(births)
    known = born.notna() & sexes.isin(GENDERS)
    # the schedule is looked up once per (gender, birth month), not once per person
    keys = pd.DataFrame({"gender": sexes[known].astype(str).to_numpy(),
                         "born": born[known].astype("int64").to_numpy()})
    distinct = keys.drop_duplicates()
    distinct["pension"] = [schedule.reached_month(g, int(b)) + schedule.pension_offset_months
                           for g, b in zip(distinct["gender"], distinct["born"])]
    months = keys.merge(distinct, on=["gender", "born"], how="left")["pension"]
    result = pd.Series(pd.NA, index=births.index, dtype="Int64")
    result.loc[known] = months.astype("Int64").to_numpy()
    return _from_month_index(result)


def months_left(retirement: Any, term_start: Any) -> pd.Series:
    """Months from the term's start month to the retirement (pension) month; negative allowed.

    ``term_start``: a month (date, Timestamp, ``"2025-06"`` or a Term). ``Int64``, ``<NA>`` when
    the retirement month is unknown.
    """
    start = month_start(term_start)
    start_index = start.year * 12 + start.month - 1
    return (_month_index(_dates(retirement)) - start_index).astype("Int64")


# Everything at once -----------------------------------------------------------------------------
def _as_rules(rules: RuleSet | str | None) -> RuleSet:
    if rules is None:
        return load_rules(DEFAULT_REGIME)
    return rules if isinstance(rules, RuleSet) else load_rules(rules)


def _is_minority(ethnicity: pd.Series) -> pd.Series:
    majority = fold(MAJORITY_ETHNICITY)
    present = ethnicity.notna() & (ethnicity.astype("string").str.strip() != "")
    # fold each distinct spelling once: a province has a million people and a few dozen spellings
    spellings = {v: fold(v) for v in ethnicity.dropna().unique() if isinstance(v, str)}
    folded = ethnicity.map(spellings)
    flags = pd.Series(folded != majority, index=ethnicity.index).astype("boolean")
    return flags.where(present, pd.NA)


def add_person_facts(
    people: pd.DataFrame,
    as_of: Any,
    terms: Iterable[Any] | None,
    rules: RuleSet | str | None,
    level: str | None,
    *,
    service: str | None = None,
) -> pd.DataFrame:
    """A copy of ``people`` with the derived columns the analyses use.

    Adds ``age`` (on ``as_of``), ``age_band`` (official bands), ``tier_age`` and ``age_tier`` (age
    on the rule set's tier reference: the earliest term start, or ``as_of``), ``is_young`` (age on
    ``as_of`` under the rule set's young age for ``level``; ``<NA>`` when the level has none),
    ``is_minority`` (ethnicity given and not Kinh), ``birth_year_only`` (the age is approximate:
    only the birth year is known), ``retirement_month``, and per term ``months_left_<label>`` and
    ``eligible_<label>`` (months left ≥ the rule set's minimum service for ``service``: its default,
    ``first_term`` = 60 months, or e.g. ``re_election`` = 48, ``deputy_provincial_secretary`` = 42).
    """
    rules = _as_rules(rules)
    terms = list(terms or [])
    out = people.copy()
    births = _dates(out["birth_date"]) if "birth_date" in out else pd.Series(pd.NaT, index=out.index)
    genders = out["gender"] if "gender" in out else pd.Series(pd.NA, index=out.index)
    reference = pd.Timestamp(as_of)

    out["age"] = age_on(births, reference, rules.leap_birthday)
    out["age_band"] = age_band(out["age"], rules)
    tier_reference = reference
    if rules.age_tiers.reference == "term_start" and terms:
        tier_reference = min(term_start(t) for t in terms)
    out["tier_age"] = age_on(births, tier_reference, rules.leap_birthday)
    out["age_tier"] = age_tier(out["tier_age"], rules)

    young = rules.young_age_for(level)
    if young is None:
        out["is_young"] = pd.Series(pd.NA, index=out.index, dtype="boolean")
    else:
        out["is_young"] = (out["age"] < young).astype("boolean")

    ethnicity = out["ethnicity"] if "ethnicity" in out else pd.Series(pd.NA, index=out.index)
    out["is_minority"] = _is_minority(ethnicity)
    precision = out["birth_date_precision"] if "birth_date_precision" in out else None
    out["birth_year_only"] = (
        (precision == "year").fillna(False).astype(bool)
        if precision is not None
        else pd.Series(False, index=out.index)
    )
    out["retirement_month"] = retirement_month(births, genders, rules.retirement)

    minimum = rules.min_months(service)
    for term in terms:
        label = term_label(term)
        left = months_left(out["retirement_month"], term_start(term))
        out[f"months_left_{label}"] = left
        out[f"eligible_{label}"] = (left >= minimum).astype("boolean")
    return out
