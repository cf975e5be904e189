"""Rule sets ("regimes") as data: one YAML file per regime in `rules/`, loaded into a `RuleSet`.

A regime file (`rules/<id>.yml`, the file name is the id) has:

- ``kind: regime`` (other files in `rules/`, e.g. ``retirement.yml``, are not regimes), ``id``,
  ``name: {vi, en}``, optional ``description: {vi, en}``, ``sources`` (``{ref, year, date, title}``),
  ``valid_from`` / ``valid_to`` (dates or null);
- ``age_bands``: ``[{key, min, max}]`` — whole years, inclusive, null = open; they must cover every
  age without gaps or overlaps (the official bands put the boundary ages in the lower band);
- ``age_tiers``: ``{reference: term_start | as_of, tiers: [{key, min, max, label}]}`` — ordered,
  not overlapping; an age outside every tier has no tier;
- ``young_age``: ``{<level>: age}`` — young means strictly under that age;
- ``min_service_months``: ``{default: <option>, options: {<option>: months}}``;
- ``ballot_base``, ``trust_base`` (one of `schema.BASES`), ``discipline`` (``remove`` | ``flag``),
  ``leap_birthday`` (``feb28`` | ``mar1``: when someone born on 29 February has their birthday in
  other years);
- ``checks``: ``[{rule, op, target, certainty, applies_to, note}]`` with ``rule`` one of
  :data:`CHECK_RULES`, ``op`` one of ``>= <= == > <``; an empty list means "display only";
- ``notes``: ``{<key>: {vi, en}}`` shown next to the value they explain;
- ``certainty``: ``{<key>: C | M}`` per value (``young_age.commune``, ``min_service_months.re_election``
  or a whole section such as ``age_bands``). C = confirmed in a public source; M = remembered, not
  confirmed: shown as such, never a hard failure. A value without an entry counts as M.

The retirement schedule (Decree 135/2020) is not a regime: it lives in ``rules/retirement.yml`` and
is attached to every rule set as ``RuleSet.retirement`` unless the regime file gives its own.
"""

from __future__ import annotations

import re
from datetime import date
from datetime import date as Date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from analysis.config import RULES_DIR
from analysis.errors import RulesError
from analysis.schema import BASES, BODIES, LEVELS

Certainty = Literal["C", "M"]
Op = Literal[">=", "<=", "==", ">", "<"]

#: Every check the analyses know how to compute, with the unit of its value.
CHECK_RULES: dict[str, str] = {
    "women_share": "%",  # women in the pool, % of the pool
    "young_share": "%",  # young cadres in the pool, % of the pool
    "people_per_title": "people",  # most people planned per seat of one title (seats: 1 if unknown)
    "titles_per_person": "titles",  # most titles planned for one person
    "pool_size_ratio": "ratio",  # most people planned for a body (bch/btv) ÷ its statutory seats
    "ineligible_in_pool": "people",  # people in the pool who cannot serve a full term
}

RETIREMENT_FILE = "retirement.yml"
DEFAULT_REGIME = "qd377"  # used only where no rule set is given, for values all regimes share
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(_Model):
    vi: str
    en: str

    def get(self, language: str = "vi") -> str:
        return self.en if language == "en" else self.vi


class SourceDoc(_Model):
    ref: str
    year: int | None = None
    date: Date | None = None
    title: Bilingual | None = None


class AgeRange(_Model):
    """A band or tier: whole-year ages from ``min`` to ``max`` inclusive (None = open)."""

    key: str
    min: int | None = None
    max: int | None = None
    label: Bilingual | None = None

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"'{self.key}': min {self.min} > max {self.max}")
        return self

    def contains(self, age: int) -> bool:
        return (self.min is None or age >= self.min) and (self.max is None or age <= self.max)


def _check_ranges(ranges: tuple[AgeRange, ...], complete: bool) -> tuple[AgeRange, ...]:
    if not ranges:
        raise ValueError("at least one range is needed")
    keys = [r.key for r in ranges]
    if len(set(keys)) != len(keys):
        raise ValueError(f"duplicate keys in {keys}")
    for before, after in zip(ranges, ranges[1:]):
        if before.max is None or after.min is None or after.min <= before.max:
            raise ValueError(f"'{before.key}' and '{after.key}' overlap or are out of order")
        if complete and after.min != before.max + 1:
            raise ValueError(f"gap between '{before.key}' and '{after.key}'")
    if complete and (ranges[0].min is not None or ranges[-1].max is not None):
        raise ValueError("the first band must have min: null and the last max: null")
    return ranges


class AgeTiers(_Model):
    reference: Literal["term_start", "as_of"] = "term_start"
    tiers: tuple[AgeRange, ...]

    @field_validator("tiers")
    @classmethod
    def _tiers(cls, value: tuple[AgeRange, ...]) -> tuple[AgeRange, ...]:
        return _check_ranges(value, complete=False)


class MinService(_Model):
    default: str = "first_term"
    options: dict[str, int]

    @model_validator(mode="after")
    def _default_known(self) -> MinService:
        if self.default not in self.options:
            raise ValueError(f"default '{self.default}' is not one of {sorted(self.options)}")
        if any(months <= 0 for months in self.options.values()):
            raise ValueError("months must be positive")
        return self

    def months(self, option: str | None = None) -> int:
        key = option or self.default
        if key not in self.options:
            raise RulesError(
                f"Không có lựa chọn thời gian công tác '{key}' / unknown service option '{key}' "
                f"(có sẵn / available: {', '.join(sorted(self.options))})"
            )
        return self.options[key]


class Check(_Model):
    rule: str
    op: Op
    target: int | float | None  # None: the target is not known (shown, never judged)
    certainty: Certainty = "M"
    applies_to: tuple[Literal[BODIES], ...] | None = None  # type: ignore[valid-type]
    note: Bilingual | None = None

    @field_validator("rule")
    @classmethod
    def _known_rule(cls, value: str) -> str:
        if value not in CHECK_RULES:
            raise ValueError(f"unknown rule '{value}' (known: {', '.join(CHECK_RULES)})")
        return value

    @property
    def unit(self) -> str:
        return CHECK_RULES[self.rule]

    def judge(self, value: float | None) -> bool | None:
        """True/False when value and target are known, else None."""
        if value is None or self.target is None or value != value:
            return None
        return {
            ">=": value >= self.target,
            "<=": value <= self.target,
            "==": value == self.target,
            ">": value > self.target,
            "<": value < self.target,
        }[self.op]


class AgeSpec(_Model):
    years: int = Field(ge=0)
    months: int = Field(default=0, ge=0, lt=12)

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months


class GenderSchedule(_Model):
    before: AgeSpec  # calendar years before `from_year`
    first: AgeSpec  # in `from_year`
    step_months: int = Field(ge=0)  # added each following calendar year ...
    final: AgeSpec  # ... up to this

    def age_months(self, year: int, from_year: int) -> int:
        if year < from_year:
            return self.before.total_months
        rising = self.first.total_months + self.step_months * (year - from_year)
        return min(rising, self.final.total_months)


class RetirementSchedule(_Model):
    """Retirement age per gender and calendar year (Labor Code 2019 art. 169, Decree 135/2020)."""

    kind: Literal["retirement"] = "retirement"
    name: Bilingual | None = None
    certainty: Certainty = "M"
    from_year: int
    pension_offset_months: int = Field(default=1, ge=0)
    male: GenderSchedule
    female: GenderSchedule

    def age_months(self, gender: str, year: int) -> int:
        """Retirement age in months for someone reaching it in calendar ``year``."""
        return getattr(self, gender).age_months(year, self.from_year)

    def reached_month(self, gender: str, birth_month: int) -> int:
        """Month index (year*12 + month-1) in which someone born in ``birth_month`` (same index)
        reaches the retirement age that applies to them: the first calendar year Y in which
        birth + age(Y) falls in Y or earlier."""
        schedule: GenderSchedule = getattr(self, gender)
        floor = min(schedule.before.total_months, schedule.first.total_months)
        year = (birth_month + floor) // 12
        for _ in range(200):
            reached = birth_month + schedule.age_months(year, self.from_year)
            if reached <= year * 12 + 11:
                return reached
            year += 1
        raise RulesError("retirement schedule never reached / lịch tuổi nghỉ hưu không hội tụ")


class RuleSet(_Model):
    """One regime's numbers; see the module docstring for the file format."""

    kind: Literal["regime"]
    id: str
    name: Bilingual
    description: Bilingual | None = None
    sources: tuple[SourceDoc, ...] = ()
    valid_from: date | None = None
    valid_to: date | None = None
    age_bands: tuple[AgeRange, ...]
    age_tiers: AgeTiers
    young_age: dict[Literal[LEVELS], int]  # type: ignore[valid-type]
    min_service_months: MinService
    ballot_base: Literal[BASES] = "convened"  # type: ignore[valid-type]
    trust_base: Literal[BASES] = "ballots_collected"  # type: ignore[valid-type]
    discipline: Literal["remove", "flag"]
    leap_birthday: Literal["feb28", "mar1"] = "feb28"
    checks: tuple[Check, ...] = ()
    notes: dict[str, Bilingual] = {}
    certainty: dict[str, Certainty] = {}
    retirement: RetirementSchedule | None = None

    @field_validator("age_bands")
    @classmethod
    def _bands(cls, value: tuple[AgeRange, ...]) -> tuple[AgeRange, ...]:
        return _check_ranges(value, complete=True)

    @model_validator(mode="after")
    def _consistent(self) -> RuleSet:
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValueError("valid_from is after valid_to")
        rules = [c.rule for c in self.checks]
        if len(set(rules)) != len(rules):
            raise ValueError(f"a rule is checked twice: {rules}")
        for key in self.certainty:
            if not self._known_key(key):
                raise ValueError(f"certainty for unknown value '{key}'")
        return self

    def _known_key(self, key: str) -> bool:
        head, _, tail = key.partition(".")
        if head not in type(self).model_fields or head in ("kind", "id", "certainty"):
            return False
        if not tail:
            return True
        if head == "young_age":
            return tail in self.young_age
        if head == "min_service_months":
            return tail in self.min_service_months.options
        return False

    # Reading values ---------------------------------------------------------------------------
    def certainty_of(self, key: str) -> str:
        """'C' or 'M' for a value (``young_age.commune``), falling back to its section; M if unknown."""
        while key:
            if key in self.certainty:
                return self.certainty[key]
            key = key.rpartition(".")[0]
        return "M"

    def check(self, rule: str) -> Check | None:
        return next((c for c in self.checks if c.rule == rule), None)

    def target(self, rule: str) -> float | None:
        found = self.check(rule)
        return found.target if found else None

    @property
    def display_only(self) -> bool:
        return not self.checks

    @property
    def band_keys(self) -> list[str]:
        return [b.key for b in self.age_bands]

    @property
    def tier_keys(self) -> list[str]:
        return [t.key for t in self.age_tiers.tiers]

    def young_age_for(self, level: str | None) -> int | None:
        return self.young_age.get(level) if level else None

    def min_months(self, option: str | None = None) -> int:
        return self.min_service_months.months(option)

    def covers(self, day: date) -> bool:
        """Whether ``day`` falls in the regime's validity period (open ends count as covered)."""
        return (self.valid_from is None or day >= self.valid_from) and (
            self.valid_to is None or day <= self.valid_to
        )


# Loading ----------------------------------------------------------------------------------------
def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RulesError(
            f"Không đọc được tệp quy tắc / cannot read rule file {path}: {exc}"
        ) from exc
    if not isinstance(loaded, dict):
        raise RulesError(
            f"Tệp quy tắc không hợp lệ / malformed rule file {path}: "
            "cần một bảng khóa: giá trị / expected a mapping of keys to values"
        )
    return loaded


def _malformed(path: Path, exc: ValidationError) -> RulesError:
    lines = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "(file)"
        lines.append(f"  - {where}: {error['msg']}")
    return RulesError(
        f"Tệp quy tắc không hợp lệ / malformed rule file {path}:\n" + "\n".join(lines)
    )


def available_regimes(rules_dir: Path | None = None) -> list[str]:
    """Ids of the regime files shipped in `rules/` (``kind: regime``), sorted."""
    folder = Path(rules_dir or RULES_DIR)
    found = []
    for path in sorted(folder.glob("*.yml")):
        try:
            kind = (yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}).get("kind")
        except (OSError, UnicodeDecodeError, yaml.YAMLError, AttributeError):
            continue
        if kind == "regime":
            found.append(path.stem)
    return found


def load_retirement(rules_dir: Path | None = None) -> RetirementSchedule:
    """The retirement schedule from `rules/retirement.yml` (the shipped one when ``rules_dir`` has none)."""
    path = Path(rules_dir or RULES_DIR) / RETIREMENT_FILE
    if not path.is_file():
        path = RULES_DIR / RETIREMENT_FILE
    if not path.is_file():
        raise RulesError(f"Thiếu tệp tuổi nghỉ hưu / missing retirement schedule {path}")
    try:
        return RetirementSchedule.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise _malformed(path, exc) from exc


def _unknown(regime: str, rules_dir: Path | None) -> RulesError:
    available = ", ".join(available_regimes(rules_dir)) or "-"
    return RulesError(
        f"Không có bộ quy tắc '{regime}' / unknown rule set '{regime}' "
        f"(có sẵn / available: {available})"
    )


def load_rules(regime: str | Path, rules_dir: Path | None = None) -> RuleSet:
    """The rule set of ``regime``: an id of a file in `rules/` (``qd50``) or a path to a `.yml` file.

    Raises :class:`RulesError` (bilingual) for an unknown regime, listing the available ones, and
    for a malformed file, listing every problem with its place in the file.
    """
    folder = Path(rules_dir or RULES_DIR)
    text = str(regime)
    if isinstance(regime, Path) or text.endswith((".yml", ".yaml")):
        path = Path(regime)
        if not path.is_file():
            raise _unknown(text, rules_dir)
    else:
        path = folder / f"{text}.yml"
        if not _ID.match(text) or not path.is_file():
            raise _unknown(text, rules_dir)
    raw = _read_yaml(path)
    if raw.get("kind") != "regime":
        if path.parent == folder and raw.get("kind") is not None:
            raise _unknown(text, rules_dir)  # e.g. retirement.yml: a rules file, not a regime
        raise RulesError(
            f"Tệp quy tắc không hợp lệ / malformed rule file {path}:\n"
            "  - kind: cần 'regime' / must be 'regime'"
        )
    if raw.get("id") != path.stem:
        raise RulesError(
            f"Tệp quy tắc không hợp lệ / malformed rule file {path}:\n"
            f"  - id: '{raw.get('id')}' phải trùng tên tệp / must equal the file name '{path.stem}'"
        )
    if "retirement" not in raw:
        raw = {**raw, "retirement": load_retirement(rules_dir).model_dump()}
    try:
        return RuleSet.model_validate(raw)
    except ValidationError as exc:
        raise _malformed(path, exc) from exc
