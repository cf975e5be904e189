"""Trust-vote rules (`rules/trust.yml`) as checked data, and the vocabulary of the trust modules.

The numbers of trust votes — bands, the two-level threshold, quorum, base by body and date,
tolerances, outlier bounds, position groups — are data: :func:`load_trust_rules` reads and checks
the file, every share bound as an exact fraction ("2/3", not 0.6667). Used by `analysis.trust`
(the per-person table), `analysis.trust_checks` (consistency checks) and `analysis.trust_rounds`
(rounds, groups, distributions).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError, model_validator

from analysis.config import RULES_DIR
from analysis.errors import RulesError
from analysis.schema import BASES, CONFERENCE_BODIES, TRUST_LEVELS_2, TRUST_LEVELS_3

RULES_FILE = RULES_DIR / "trust.yml"
THREE, TWO = "three_level", "two_level"  # the two forms of a vote
LEVELS = {THREE: TRUST_LEVELS_3, TWO: TRUST_LEVELS_2}
COUNT_COLUMNS = TRUST_LEVELS_3 + TRUST_LEVELS_2
BANDS = ("none", "over_half", "two_thirds")


def _fraction(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a fraction: {value!r}")
    try:
        return Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"not a fraction: {value!r} (write e.g. \"2/3\" or \"0.05\")") from exc


def _base_name(value: Any) -> str:
    if value not in BASES:
        raise ValueError(f"unknown base {value!r}; one of {', '.join(BASES)}")
    return value


Frac = Annotated[Fraction, PlainValidator(_fraction)]
BaseName = Annotated[str, PlainValidator(_base_name)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, populate_by_name=True)


class Bound(_Model):
    """A share bound: ``above`` (strictly more than) or ``at_least`` (more than or equal)."""

    above: Frac | None = None
    at_least: Frac | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> "Bound":
        if (self.above is None) == (self.at_least is None):
            raise ValueError("give exactly one of `above` or `at_least`")
        return self

    def met(self, share: Fraction) -> bool:
        return share > self.above if self.above is not None else share >= self.at_least

    @property
    def value(self) -> Fraction:
        return self.above if self.above is not None else self.at_least


class Band(Bound):
    band: str


class BaseRule(_Model):
    bodies: list[str]
    from_: date | None = Field(None, alias="from")
    until: date | None = None
    base: BaseName
    source: str = ""
    certainty: str = "M"

    @model_validator(mode="after")
    def _known_bodies(self) -> "BaseRule":
        unknown = set(self.bodies) - set(CONFERENCE_BODIES)
        if unknown:
            raise ValueError(f"unknown bodies {sorted(unknown)}; known: {', '.join(CONFERENCE_BODIES)}")
        return self

    def covers(self, body: str, day: date) -> bool:
        return (body in self.bodies and (self.from_ is None or day >= self.from_)
                and (self.until is None or day <= self.until))


class ThreeLevel(_Model):
    levels: list[str] = list(TRUST_LEVELS_3)
    band_level: str = "low"
    bands: list[Band]


class TwoLevel(Bound):
    levels: list[str] = list(TRUST_LEVELS_2)
    threshold_level: str = "agree"


class Quorum(_Model):
    at_least: Frac
    count: BaseName = "present"
    of: BaseName = "convened"


class PrintedPct(_Model):
    tolerance: Frac


class Outlier(_Model):
    min_abs: Frac
    rel: Frac
    min_people: int = 3


class PositionGroup(_Model):
    group: str
    patterns: list[str]


class TrustRules(_Model):
    """The contents of `rules/trust.yml`."""

    kind: str = "trust"
    id: str
    name: dict[str, str]
    sources: list[str] = []
    default_base: BaseName
    default_base_certainty: str = "M"
    base_by_body: list[BaseRule] = []
    three_level: ThreeLevel
    two_level: TwoLevel
    quorum: Quorum
    printed_pct: PrintedPct
    total_limit: list[BaseName]
    outlier: Outlier
    position_groups: list[PositionGroup] = []
    position_group_order: list[str] = []

    @property
    def band_bounds(self) -> tuple[Fraction, ...]:
        """The three-level bands' bounds, lowest first: the lines of the low-share charts."""
        return tuple(sorted(band.value for band in self.three_level.bands))

    def band(self, share: Fraction) -> str:
        found = "none"
        for band in self.three_level.bands:
            if band.met(share):
                found = band.band
        return found


@lru_cache(maxsize=8)
def _load(path: Path) -> TrustRules:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RulesError(f"Không tìm thấy tệp quy tắc / rules file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise RulesError(f"Tệp quy tắc không đọc được / malformed rules file {path}: {exc}") from exc
    try:
        return TrustRules.model_validate(raw or {})
    except ValidationError as exc:
        details = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise RulesError(f"Tệp quy tắc sai / malformed rules file {path}: {details}") from exc


def load_trust_rules(path: str | Path | None = None) -> TrustRules:
    """Read and check `rules/trust.yml` (or ``path``); a bilingual `RulesError` when malformed."""
    return _load(Path(path or RULES_FILE).resolve())
