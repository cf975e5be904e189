"""Linkage of planning between levels: "lấy quy hoạch cấp dưới làm cơ sở cho quy hoạch cấp trên".

A person planned for a title of the upper unit (a district) should come from the pool of a unit below
it (a commune, a department). Given the upper unit's tables and those of the units below it, this
module shows the upper pool's people found in no lower pool, and the lower pools (per unit and per
title) that feed nobody above.

People are matched by `person_id` (the same person keeps their id across units), and, for people
whose ids differ, by folded full name and birth date (both present).

Pure except `find_lower_datasets`, which lists the datasets beside a dataset by their metadata
(through `analysis.dataset.read_meta`) so a notebook can find the units below without a loop.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.numbers import percent
from analysis.review import as_ids, empty_frame, is_missing, planning_state, title_info
from analysis.schema import fold

UPPER_COLUMNS = ["person_id", "full_name", "unit", "position", "titles", "source_units"]
UNIT_COLUMNS = ["unit_id", "unit_name", "people", "feeding", "feeding_pct", "feeds_nobody"]
TITLE_COLUMNS = ["unit_id", "unit_name", "title_id", "title", "body", "people", "feeding", "feeds_nobody"]
LINK_COLUMNS = ["person_id", "full_name", "upper_titles", "unit_id", "unit_name", "lower_titles"]


@dataclass
class Unit:
    """One unit's planning: id, display name and its canonical tables."""

    unit_id: str
    name: str
    tables: Mapping[str, pd.DataFrame]


@dataclass
class Linkage:
    """The linkage between an upper unit's pool and the pools of the units below it.

    Unpacks as ``(upper_without_source, lower_feeding_nobody)``.
    """

    upper: pd.DataFrame  # every person of the upper pool, with the lower units they come from
    links: pd.DataFrame  # one row per upper-pool person and lower unit whose pool has them
    units: pd.DataFrame  # per lower unit: pool size, people also in the upper pool
    titles: pd.DataFrame  # per lower unit and title: the same
    lower_units: int = 0

    @property
    def upper_without_source(self) -> pd.DataFrame:
        """People of the upper pool found in no lower pool."""
        found = self.upper["source_units"].isna() | (self.upper["source_units"] == "")
        return self.upper[found.to_numpy()].reset_index(drop=True)

    @property
    def lower_feeding_nobody(self) -> pd.DataFrame:
        """Lower pools (unit × title) none of whose people is in the upper pool."""
        return self.titles[self.titles["feeds_nobody"].astype(bool).to_numpy()].reset_index(drop=True)

    def __iter__(self) -> Iterator[pd.DataFrame]:
        yield self.upper_without_source
        yield self.lower_feeding_nobody

    def headline(self) -> dict:
        """The summary.json figures of the linkage."""
        return {
            "lower_units": self.lower_units,
            "upper_people": int(len(self.upper)),
            "upper_without_source": int(len(self.upper_without_source)),
            "lower_pools_feeding_nobody": int(len(self.lower_feeding_nobody)),
            "lower_units_feeding_nobody": int(self.units["feeds_nobody"].astype(bool).sum())
            if len(self.units) else 0,
        }


def as_unit(item: object) -> Unit:
    """A `Unit` from a `Dataset`, a ``(unit_id, tables)`` or ``(unit_id, name, tables)`` tuple."""
    if isinstance(item, Unit):
        return item
    if isinstance(item, tuple):
        if len(item) == 2:
            return Unit(str(item[0]), str(item[0]), item[1])
        return Unit(str(item[0]), str(item[1]), item[2])
    meta = getattr(item, "meta", None)
    return Unit(str(meta.id), str(meta.name), item.tables)


def _person_keys(people: pd.DataFrame | None) -> dict[str, tuple[str, str] | None]:
    """person_id → (folded name, birth date) for the second way of matching."""
    if people is None or len(people) == 0:
        return {}
    names = people["full_name"] if "full_name" in people.columns else pd.Series(pd.NA, index=people.index)
    births = (pd.to_datetime(people["birth_date"], errors="coerce") if "birth_date" in people.columns
              else pd.Series(pd.NaT, index=people.index))
    keys: dict[str, tuple[str, str] | None] = {}
    for pid, name, born in zip(as_ids(people["person_id"]), names, births):
        keys[pid] = None if is_missing(name) or is_missing(born) else (fold(name), born.strftime("%Y-%m-%d"))
    return keys


def _titles_text(state: pd.DataFrame, info: Mapping) -> dict[str, str]:
    out: dict[str, list[str]] = {}
    for pid, tid in zip(state["person_id"], state["title_id"]):
        out.setdefault(pid, []).append(str(info.get(tid, (tid,))[0]))
    return {pid: "; ".join(names) for pid, names in out.items()}


def linkage(upper: object, lower: Iterable[object], on: object = None) -> Linkage:
    """Match the upper unit's pool against the pools of the units below it (on date ``on``;
    without one, the rows not removed)."""
    up = as_unit(upper)
    up_people = up.tables.get("people")
    up_state = planning_state(up.tables.get("planning"), on)
    up_info = title_info(up.tables.get("titles"))
    up_keys = _person_keys(up_people)
    up_titles = _titles_text(up_state, up_info)
    upper_ids = list(dict.fromkeys(up_state["person_id"]))
    upper_by_key = {up_keys[p]: p for p in upper_ids if up_keys.get(p) is not None}

    units = [as_unit(item) for item in lower]
    links, unit_rows, title_rows = [], [], []
    for unit in units:
        state = planning_state(unit.tables.get("planning"), on)
        info = title_info(unit.tables.get("titles"))
        keys = _person_keys(unit.tables.get("people"))
        # lower person id -> the upper person id they are
        match: dict[str, str] = {}
        for pid in dict.fromkeys(state["person_id"]):
            if pid in up_titles:
                match[pid] = pid
            elif keys.get(pid) is not None and keys[pid] in upper_by_key:
                match[pid] = upper_by_key[keys[pid]]
        lower_titles = _titles_text(state, info)
        for pid, upper_pid in match.items():
            links.append({"person_id": upper_pid, "upper_titles": up_titles.get(upper_pid),
                          "unit_id": unit.unit_id, "unit_name": unit.name,
                          "lower_titles": lower_titles.get(pid)})
        pool_ids = set(state["person_id"])
        unit_rows.append({"unit_id": unit.unit_id, "unit_name": unit.name, "people": len(pool_ids),
                          "feeding": len(match), "feeding_pct": percent(len(match), len(pool_ids)),
                          "feeds_nobody": len(pool_ids) > 0 and not match})
        for tid, group in state.groupby("title_id", sort=True):
            feeding = int(group["person_id"].isin(list(match)).sum())
            title, body = info.get(tid, (pd.NA, pd.NA))
            title_rows.append({"unit_id": unit.unit_id, "unit_name": unit.name, "title_id": tid,
                               "title": title, "body": body, "people": len(group), "feeding": feeding,
                               "feeds_nobody": feeding == 0})

    link_frame = pd.DataFrame(links, columns=LINK_COLUMNS)
    names = ({} if up_people is None else
             dict(zip(as_ids(up_people["person_id"]), up_people.get("full_name", pd.Series(dtype=object)))))
    link_frame["full_name"] = link_frame["person_id"].map(names)
    sources: dict[str, list[str]] = {}
    for pid, unit_name in zip(link_frame["person_id"], link_frame["unit_name"]):
        sources.setdefault(pid, []).append(unit_name)

    people = (up_people if up_people is not None else empty_frame(["person_id"])).copy()
    people["person_id"] = as_ids(people["person_id"])
    people = people.drop_duplicates("person_id").set_index("person_id")
    upper_rows = []
    for pid in sorted(upper_ids):
        record = people.loc[pid] if pid in people.index else {}
        upper_rows.append({
            "person_id": pid, "full_name": record.get("full_name", pd.NA), "unit": record.get("unit", pd.NA),
            "position": record.get("position", pd.NA), "titles": up_titles.get(pid, ""),
            "source_units": "; ".join(sources.get(pid, [])),
        })
    for frame_rows, columns in ((unit_rows, UNIT_COLUMNS), (title_rows, TITLE_COLUMNS)):
        frame_rows.sort(key=lambda r: (r["unit_id"], r.get("title_id", "")))
    unit_frame = pd.DataFrame(unit_rows, columns=UNIT_COLUMNS)
    title_frame = pd.DataFrame(title_rows, columns=TITLE_COLUMNS)
    for frame in (unit_frame, title_frame):
        for column in ("people", "feeding"):
            frame[column] = frame[column].astype("Int64")
        frame["feeds_nobody"] = frame["feeds_nobody"].astype(bool)
    unit_frame["feeding_pct"] = unit_frame["feeding_pct"].astype("Float64")
    return Linkage(
        upper=pd.DataFrame(upper_rows, columns=UPPER_COLUMNS),
        links=link_frame[LINK_COLUMNS].sort_values(["person_id", "unit_id"], kind="stable").reset_index(drop=True),
        units=unit_frame, titles=title_frame, lower_units=len(units),
    )


def find_lower_datasets(dataset_path: str | Path, parent_id: str, lower_paths: str = "") -> list[Path]:
    """The datasets of the units below: ``lower_paths`` (comma-separated) when given, else every
    dataset in the same folder as ``dataset_path`` whose metadata has ``parent: <parent_id>``.

    A folder counts when it holds a ``dataset.yml``; a workbook when it is an ``.xlsx`` file. Datasets
    whose metadata cannot be read are skipped (their own report says why).
    """
    if lower_paths and lower_paths.strip():
        return [Path(p.strip()) for p in lower_paths.split(",") if p.strip()]
    from analysis.dataset import read_meta
    from analysis.errors import AnalysisError

    path = Path(dataset_path).resolve()
    folder = path.parent
    found = []
    for candidate in sorted(folder.iterdir()):
        if candidate.resolve() == path:
            continue
        if not ((candidate.is_dir() and (candidate / "dataset.yml").is_file())
                or (candidate.is_file() and candidate.suffix.lower() == ".xlsx"
                    and not candidate.name.startswith("~$"))):
            continue
        try:
            meta = read_meta(candidate)
        except (AnalysisError, OSError, ValueError):
            continue
        if getattr(meta, "parent", None) == parent_id:
            found.append(candidate)
    return found


def resolve_path(name: str, text: str, base: Path | None = None) -> Path:
    """A dataset path given in a parameter: relative to ``base`` (the reported dataset's folder)
    when it exists there, else to the working directory (``notebooks/`` during a build); a path
    found in neither is a bilingual `ParameterError` naming the first."""
    from analysis.params import check_path

    candidate = Path(str(text).strip()).expanduser()
    if base is not None and not candidate.is_absolute() and not (Path(base) / candidate).exists() \
            and candidate.resolve().exists():
        return candidate.resolve()
    return check_path(name, str(text).strip(), base=base)


def load_lower_units(dataset_path: str | Path, parent_id: str, lower_paths: str = "",
                     base: Path | None = None) -> tuple[list, list[str]]:
    """The datasets of the units below (see `find_lower_datasets`), loaded, and the problems of
    those that could not be loaded (one line each: path and error), which are left out.

    Relative ``lower_paths`` are taken from ``base`` (see `resolve_path`).
    """
    from analysis.dataset import load_dataset
    from analysis.errors import AnalysisError

    units, problems = [], []
    for path in find_lower_datasets(dataset_path, parent_id, lower_paths):
        try:
            units.append(load_dataset(resolve_path("lower_paths", str(path), base=base)))
        except AnalysisError as exc:
            problems.append(f"{path}: {str(exc).splitlines()[0]}")
    return units, problems
