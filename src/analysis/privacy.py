"""What may leave the room: pseudonyms for people and suppression of small cells.

Pseudonymised mode (``build --pseudonymise``) replaces every person's ``person_id`` and
``full_name`` by one stable code, ``CB-`` and 8 characters of a keyed hash (HMAC-SHA256) of the
person_id, right after a dataset is loaded, so every table, chart, CSV, JSON, slide and PDF made
from it is clean. The same person gets the same code in every report built with the same key.
A row naming someone without an id (a write-in ballot, a trust vote by name) gets the code of the
person of that name in the people table, else a code from the folded name. The names are also
replaced wherever they occur inside other text (positions, reasons, warnings, the description).

The key, in this order: the environment variable ``QUYHOACH_PSEUDONYM_KEY`` (the key itself),
``QUYHOACH_PSEUDONYM_KEY_FILE`` (a file holding it), else ``~/.config/quyhoach/pseudonym.key``,
created with a random key on first use. Keep that file to keep the codes; without the key nobody
can turn a code back into a person_id. Limitation: a person whose id differs between two datasets
(e.g. a commune's list and the district's) gets two codes, so matching by name across datasets
works only through ids in this mode.

Small cells: in a breakdown by unit (or any other small group) a count of 1 or 2 identifies
people. :func:`suppress_small_cells` hides counts under a threshold and then hides more cells
(complementary suppression) until no published total gives a hidden cell back by subtraction.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.errors import ParameterError
from analysis.schema import fold

KEY_ENV = "QUYHOACH_PSEUDONYM_KEY"
KEY_FILE_ENV = "QUYHOACH_PSEUDONYM_KEY_FILE"
DEFAULT_KEY_FILE = Path("~/.config/quyhoach/pseudonym.key")
CODE_PREFIX = "CB-"  # "cán bộ"; the same in every language so codes match across reports
CODE_LENGTH = 8  # base32 characters: 40 bits, collisions checked per dataset anyway
DEFAULT_MIN_CELL = 3  # counts 1..2 are hidden; a parameter (min_cell), 0 or 1 turns it off
ID_COLUMNS = ("person_id",)
NAME_COLUMNS = ("full_name",)


# Pseudonyms -----------------------------------------------------------------------------------


def pseudonym_key(create: bool = True) -> bytes:
    """The key of the pseudonyms (see the module docstring for where it comes from)."""
    if os.environ.get(KEY_ENV):
        return os.environ[KEY_ENV].encode("utf-8")
    path = Path(os.environ.get(KEY_FILE_ENV) or DEFAULT_KEY_FILE).expanduser()
    if path.is_file():
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key.encode("utf-8")
    if not create or os.environ.get(KEY_FILE_ENV):
        raise ParameterError(
            f"Không có khóa mã hóa tên: đặt biến môi trường {KEY_ENV} hoặc tệp {path} / "
            f"no pseudonym key: set {KEY_ENV} or write the key into {path}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


def _digest(key: bytes, kind: str, value: str, length: int) -> str:
    raw = hmac.new(key, f"{kind}:{value}".encode("utf-8"), hashlib.sha256).digest()
    return CODE_PREFIX + base64.b32encode(raw).decode("ascii")[:length]


def pseudonym(person_id: object, key: bytes, length: int = CODE_LENGTH) -> str:
    """The stable code of a person_id: ``pseudonym("001", key) == "CB-…"`` (8 characters)."""
    return _digest(key, "id", str(person_id).strip(), length)


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value))) or (
        isinstance(value, str) and not value.strip())


class Pseudonymiser:
    """Codes for the people of one dataset (and any other dataset loaded with the same key)."""

    def __init__(self, key: bytes, people: pd.DataFrame | None = None):
        self.key = key
        self.length = CODE_LENGTH
        self.by_name: dict[str, str] = {}  # folded full name -> person_id, when unambiguous
        self.names: dict[str, str] = {}  # full name as written -> code (for scrubbing text)
        if people is not None and {"person_id", "full_name"} <= set(people.columns):
            self._learn(people)

    def _learn(self, people: pd.DataFrame) -> None:
        ids = [str(p).strip() for p in people["person_id"] if not _missing(p)]
        while len({pseudonym(p, self.key, self.length) for p in set(ids)}) < len(set(ids)):
            self.length += 2  # two ids, one code: longer codes for this dataset
        seen: dict[str, set[str]] = {}
        for pid, name in zip(people["person_id"], people["full_name"]):
            if _missing(pid) or _missing(name):
                continue
            seen.setdefault(fold(name), set()).add(str(pid).strip())
            self.names[str(name).strip()] = self.person(pid)
        self.by_name = {name: next(iter(p)) for name, p in seen.items() if len(p) == 1}

    def person(self, person_id: object) -> str:
        return pseudonym(person_id, self.key, self.length)

    def name(self, full_name: object, person_id: object = None) -> Any:
        """The code shown instead of a name: the person's code, else one from the folded name."""
        if not _missing(person_id):
            return self.person(person_id)
        if _missing(full_name):
            return pd.NA
        known = self.by_name.get(fold(full_name))
        return self.person(known) if known else _digest(self.key, "name", fold(full_name), self.length)

    def text(self, value: Any) -> Any:
        """``value`` with every known full name inside it replaced by its code."""
        if not isinstance(value, str) or not self.names:
            return value
        pattern = getattr(self, "_pattern", None)
        if pattern is None:
            names = sorted((n for n in self.names if len(n) >= 3), key=len, reverse=True)
            pattern = self._pattern = re.compile("|".join(map(re.escape, names))) if names else None
        return value if pattern is None else pattern.sub(lambda m: self.names[m.group(0)], value)

    def table(self, df: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``df`` with ids and names coded and names inside other text replaced."""
        out = df.copy()
        original_ids = df["person_id"] if "person_id" in df.columns else pd.Series(pd.NA, index=df.index)
        for column in df.columns:
            values = df[column]
            if column in ID_COLUMNS:
                coded = [pd.NA if _missing(v) else self.person(v) for v in values]
            elif column in NAME_COLUMNS:
                coded = [self.name(n, p) for n, p in zip(values, original_ids)]
            elif pd.api.types.is_string_dtype(values) or values.dtype == object:
                coded = [self.text(v) for v in values]
            else:
                continue
            out[column] = pd.Series(coded, index=df.index, dtype=values.dtype)
        return out

    def problems(self, problems: Iterable[Any]) -> list[Any]:
        """Validation problems with the names in their value and messages replaced."""
        cleaned = []
        for problem in problems:
            if dataclasses.is_dataclass(problem) and not isinstance(problem, type):
                fields = {f: self.text(getattr(problem, f)) for f in ("value", "message_vi", "message_en")
                          if hasattr(problem, f)}
                problem = dataclasses.replace(problem, **fields)
            elif isinstance(problem, str):
                problem = self.text(problem)
            cleaned.append(problem)
        return cleaned


def _pseudonymise(dataset: Any, key: bytes) -> tuple[Any, Pseudonymiser]:
    coder = Pseudonymiser(key, dataset.tables.get("people"))
    tables = {name: coder.table(df) for name, df in dataset.tables.items()}
    meta = dataset.meta
    if hasattr(meta, "model_copy"):
        meta = meta.model_copy(update={"name": coder.text(meta.name),
                                       "description": coder.text(getattr(meta, "description", None))})
    coded = dataclasses.replace(dataset, tables=tables, meta=meta,
                                warnings=coder.problems(getattr(dataset, "warnings", []) or []))
    return coded, coder


def pseudonymise_dataset(dataset: Any, key: bytes) -> Any:
    """A copy of a loaded `analysis.dataset.Dataset` with every person coded (see module doc)."""
    return _pseudonymise(dataset, key)[0]


def key_fingerprint(key: bytes) -> str:
    """What memos of loaded datasets key on for ``key``: a hash of it, never the key itself."""
    return hashlib.sha256(b"privacy:" + key).hexdigest()[:16]


def pseudonymise_loads(key: bytes | None) -> None:
    """From now on, in this process, every dataset loaded by `analysis.dataset` is pseudonymised
    with ``key`` (None: no longer), through its after-load hook (`dataset.set_after_load`).

    A report loads more than its own dataset (the pool before a review, the units below for the
    linkage); one hook makes all of them clean with the same key, however the loader was imported.
    A kernel that runs several reports gets the setting of the last one.
    """
    from analysis import dataset as loader

    if key is None:
        loader.set_after_load(None)
        return

    def code_names(ds: Any, problems: list[Any]) -> tuple[Any, list[Any]]:
        coded, coder = _pseudonymise(ds, key)
        return coded, coder.problems(problems)

    loader.set_after_load(code_names, key_fingerprint(key))


# Small cells ----------------------------------------------------------------------------------

_NA_KEY = "\0missing"  # a missing group value, as a group of its own


def _check(table: pd.DataFrame, count: str, by: Sequence[str], threshold: Any) -> int:
    if not isinstance(table, pd.DataFrame):
        raise ParameterError(f"Cần một DataFrame / a DataFrame is needed, not {type(table).__name__}")
    missing = [c for c in [count, *by] if c not in table.columns]
    if missing:
        raise ParameterError(f"Thiếu cột / missing columns: {', '.join(missing)} "
                             f"(có / present: {', '.join(map(str, table.columns))})")
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 0:
        raise ParameterError(f"Ngưỡng ô nhỏ phải là số nguyên ≥ 0 / the small-cell threshold must be "
                             f"a whole number ≥ 0: '{threshold}'")
    return threshold


class _Tree:
    """The published totals of a table as a tree: the grand total, the groups of ``by`` (outer
    first), the rows as leaves. A node is ``(depth, key)``; a leaf's key is ``(row position,)``."""

    def __init__(self, table: pd.DataFrame, count: str, by: list[str],
                 exempt: Mapping[str, Iterable[Any]] | None):
        self.leaf_depth = len(by) + 1
        self.counts = [0 if _missing(v) else int(v) for v in table[count]]
        keys = [tuple(_NA_KEY if _missing(v) else v for v in row)
                for row in table[by].astype(object).itertuples(index=False, name=None)] if by else [()] * len(table)
        self.path = [[(d, k[:d]) for d in range(len(by) + 1)] + [(self.leaf_depth, (i,))]
                     for i, k in enumerate(keys)]
        self.children: dict[tuple, list[tuple]] = {}
        self.total: dict[tuple, int] = {}
        self.rows: dict[tuple, list[int]] = {}
        for i, path in enumerate(self.path):
            for node, child in zip(path, path[1:]):
                if child not in self.children.setdefault(node, []):
                    self.children[node].append(child)
            for node in path:
                self.total[node] = self.total.get(node, 0) + self.counts[i]
                self.rows.setdefault(node, []).append(i)
        kept = set()
        for column, values in (exempt or {}).items():
            folded = {fold(v) for v in values if v is not None}
            with_missing = any(v is None for v in values)
            kept |= {i for i, v in enumerate(table[column])
                     if (with_missing if _missing(v) else fold(v) in folded)}
        self.exempt = {node for node, rows in self.rows.items() if all(i in kept for i in rows)}

    def suppress(self, threshold: int) -> set[tuple]:
        """Hidden nodes: small totals, then complements until every visible total is safe."""
        root = (0, ())
        hidden = {n for n, t in self.total.items() if n != root and 0 < t < threshold and n not in self.exempt}
        changed = True
        while changed:
            changed = False
            for path in self.path:  # a hidden group hides everything in it
                for depth, node in enumerate(path):
                    if node in hidden:
                        new = set(path[depth:]) - hidden
                        if new:
                            hidden |= new
                            changed = True
                        break
            for node, children in self.children.items():
                if node in hidden:
                    continue
                shut = [c for c in children if c in hidden and self.total[c] > 0]
                if len(shut) != 1:
                    continue
                open_ = [c for c in children if c not in hidden and self.total[c] > 0 and c not in self.exempt]
                if open_:  # the smallest other part, the first one on a tie
                    hidden.add(min(open_, key=lambda c: (self.total[c], self.rows[c][0])))
                    changed = True
                elif node != root:
                    hidden.add(node)
                    changed = True
        return hidden

    def hidden_rows(self, hidden: set[tuple]) -> list[bool]:
        return [path[-1] in hidden for path in self.path]


def suppress_small_cells(table: pd.DataFrame, count: str = "count", by: Sequence[str] = (),
                         threshold: int = DEFAULT_MIN_CELL, also: Sequence[str] | None = None,
                         exempt: Mapping[str, Iterable[Any]] | None = None) -> pd.DataFrame:
    """``table`` with counts under ``threshold`` hidden (missing), and enough others hidden too.

    Each row is a cell; ``by`` lists the grouping columns, outer first, whose totals are published
    (e.g. ``["sector"]``: the sector boxes of a sector → unit treemap), and the grand total is
    published. A count of 1 … threshold-1 is hidden (0 is shown: it identifies nobody), so is a
    group whose total is that small (with everything in it). Then, until nothing changes, every
    published total with exactly one hidden part gets a second one hidden — the smallest other
    non-zero part — or, when there is none, is hidden itself. ``also`` columns (default: every
    other numeric column, e.g. ``pct``) are hidden with the count. ``exempt`` rows ({column:
    values; None for missing), e.g. the majority ethnicity, whose count the headline gives anyway,
    are never hidden.
    Adds a boolean column ``suppressed``.
    """
    by = list(by)
    threshold = _check(table, count, by, threshold)
    tree = _Tree(table, count, by, exempt)
    return _blank(table, count, by, also, tree.hidden_rows(tree.suppress(threshold)))


def _also(table: pd.DataFrame, count: str, by: list[str], also: Sequence[str] | None) -> list[str]:
    if also is not None:
        return list(also)
    return [c for c in table.columns if c != count and c not in by
            and pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])]


def _blank(table: pd.DataFrame, count: str, by: list[str], also: Sequence[str] | None,
           hidden: list[bool]) -> pd.DataFrame:
    out = table.copy()
    out[count] = pd.array([pd.NA if h else (pd.NA if _missing(v) else int(v))
                           for h, v in zip(hidden, table[count])], dtype="Int64")
    for column in _also(table, count, by, also):
        values = [pd.NA if h else v for h, v in zip(hidden, table[column])]
        out[column] = pd.array(values, dtype="Float64" if table[column].dtype.kind == "f"
                               or str(table[column].dtype) == "Float64" else "Int64")
    out["suppressed"] = pd.Series(hidden, index=table.index, dtype=bool)
    return out


def collapse_small_cells(table: pd.DataFrame, label: str, count: str = "count", by: Sequence[str] = (),
                         threshold: int = DEFAULT_MIN_CELL, also: Sequence[str] | None = None,
                         exempt: Mapping[str, Iterable[Any]] | None = None) -> pd.DataFrame:
    """For charts: the cells :func:`suppress_small_cells` hides, merged into one row per published
    total that has hidden parts, with ``label`` in their describing columns and the sum of their
    counts (the sum of two or more hidden counts identifies no one).

    A hidden group is merged into its parent's row: its ``by`` columns from that level on become
    ``label`` too. The ``also`` columns of merged rows are missing. No ``suppressed`` column.
    """
    by = list(by)
    threshold = _check(table, count, by, threshold)
    tree = _Tree(table, count, by, exempt)
    hidden = tree.suppress(threshold)
    rows_hidden = tree.hidden_rows(hidden)
    shown = _blank(table, count, by, also, rows_hidden)[[not h for h in rows_hidden]].drop(columns="suppressed")
    merged: dict[tuple, int] = {}
    for i, path in enumerate(tree.path):
        if rows_hidden[i]:
            parent = next(path[d - 1] for d in range(1, len(path)) if path[d] in hidden)
            merged[parent] = merged.get(parent, 0) + tree.counts[i]
    also_columns = set(_also(table, count, by, also))
    rows = []
    for (depth, key), total in merged.items():
        row: dict[str, Any] = {}
        for column in table.columns:
            if column == count:
                row[column] = total
            elif column in by[:depth]:
                value = key[by.index(column)]
                row[column] = pd.NA if value == _NA_KEY else value
            elif column in also_columns:
                row[column] = pd.NA
            else:
                row[column] = label
        rows.append(row)
    out = pd.concat([shown.astype(object), pd.DataFrame(rows, columns=table.columns, dtype=object)],
                    ignore_index=True) if rows else shown.reset_index(drop=True)
    out[count] = pd.array(out[count], dtype="Int64")
    return out
