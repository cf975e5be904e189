"""Skip reports whose inputs have not changed since they were built (``build --force`` rebuilds).

A report's **key** hashes everything known before it runs: the notebook, its parameters and
language, the dataset (every file of its folder, or the workbook), files named by parameters,
the package (version and every file of `src/analysis`: code, rule sets, labels, templates) and
the build options (portfolio mode). After a successful build the record also keeps what the
report actually read (files and folder listings recorded in the kernel, e.g. the datasets of the
units below for linkage), with their hashes. A later build skips the report when the key is the
same, every recorded input is unchanged and the page is still there as it was written.

Records live in ``<out>/.cache/<dataset-id>/<report>.json``; dataset identities (id, name,
as_of: needed to name the outputs before anything runs) in ``<out>/.cache/identities.json``,
keyed by the hash of the dataset's metadata file. Nothing here imports pandas or nbconvert at
import time: an unchanged build must stay fast.

Warm kernels also remember here what several reports of a dataset need alike: the dataset
(`memoise_datasets`) and results computed from the same tables (`memoise_results`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from analysis.config import PACKAGE_DIR
from analysis.safe_writes import write_text_atomic

CACHE_DIR = ".cache"
SCHEMA = 1  # bump when the record or the key changes meaning
_SKIPPED_NAMES = {"__pycache__", ".ipynb_checkpoints", ".DS_Store"}
_digests: dict[tuple[str, int, int], str] = {}  # (path, size, mtime_ns) -> sha256, this process


def digest_file(path: Path | str) -> str:
    """sha256 of a file's bytes (memoised while its size and modification time stay the same)."""
    path = str(path)
    stat = os.stat(path)
    memo = (path, stat.st_size, stat.st_mtime_ns)
    if memo not in _digests:
        sha = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                sha.update(block)
        _digests[memo] = sha.hexdigest()
    return _digests[memo]


def digest_tree(path: Path | str) -> str:
    """sha256 of a file, or of a folder: the relative name and bytes of every file below it.

    Hidden files, ``__pycache__`` and Excel lock files (``~$…``) do not count; a missing path
    has the digest ``"missing"``.
    """
    root = Path(path)
    if root.is_file():
        return digest_file(root)
    if not root.is_dir():
        return "missing"
    sha = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_NAMES and not d.startswith("."))
        for name in sorted(files):
            if name in _SKIPPED_NAMES or name.startswith((".", "~$")) or name.endswith(".pyc"):
                continue
            file = Path(folder, name)
            sha.update(f"{file.relative_to(root).as_posix()}\0{digest_file(file)}\0".encode())
    return sha.hexdigest()


def digest_listing(folder: Path | str) -> str:
    """sha256 of the sorted names in ``folder`` (a dataset appearing next to another changes it)."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return "missing"
    return hashlib.sha256("\0".join(names).encode()).hexdigest()


@lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """The package's version and the hash of all its files (code, rules, labels, templates)."""
    from analysis import __version__

    return f"{__version__}:{digest_tree(PACKAGE_DIR)}"


def _param_paths(parameters: dict[str, Any], bases: Iterable[Path]) -> dict[str, str]:
    """Digests of the files or folders that string parameters name (relative to each base)."""
    found: dict[str, str] = {}
    for value in parameters.values():
        if not isinstance(value, str) or not value.strip() or len(value) > 4096:
            continue
        for part in value.split(","):  # e.g. lower_paths: a comma-separated list
            part = part.strip()
            for base in bases:
                candidate = Path(base, part).resolve() if part else None
                if candidate is not None and candidate.exists():
                    found[str(candidate)] = digest_tree(candidate)
                    break
    return found


def job_key(job: Any, options: dict[str, Any] | None = None) -> str:
    """The cache key of one :class:`analysis.build.Job`: see the module docstring."""
    bases = [Path(job.notebook).parent, Path(job.dataset_path).parent]
    payload = {
        "schema": SCHEMA,
        "package": package_fingerprint(),
        "report": job.report,
        "notebook": digest_file(job.notebook),
        "dataset_id": job.dataset_id,
        "dataset_path": str(job.dataset_path),
        "dataset": digest_tree(job.dataset_path),
        "language": job.language,
        "as_of": job.as_of_param,
        "parameters": job.parameters,
        "parameter_files": _param_paths(job.parameters, bases),
        "options": options or {},
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def dependencies(reads: dict[str, list[str]]) -> dict[str, dict[str, str]]:
    """Digests of what a report read: ``{"files": [...], "folders": [...]}`` from the kernel.

    A ``dataset.yml`` that was read brings in its whole folder: its tables may have been read by
    code that the kernel cannot see (pyarrow, DuckDB).
    """
    files: dict[str, str] = {}
    trees: dict[str, str] = {}
    for name in reads.get("files", []):
        path = Path(name)
        if path.is_dir():  # a dataset folder a warm kernel remembered
            trees[name] = digest_tree(path)
        elif path.name == "dataset.yml":
            trees[str(path.parent)] = digest_tree(path.parent)
        elif path.is_file():
            files[name] = digest_file(path)
    folders = {name: digest_listing(name) for name in reads.get("folders", []) if Path(name).is_dir()}
    return {"files": files, "trees": trees, "folders": folders}


def _still_same(depends: dict[str, dict[str, str]]) -> bool:
    for kind, digest in (("files", digest_tree), ("trees", digest_tree), ("folders", digest_listing)):
        for name, recorded in depends.get(kind, {}).items():
            if digest(name) != recorded:
                return False
    return True


class ReportCache:
    """The records of one output folder."""

    def __init__(self, out_dir: Path) -> None:
        self.root = Path(out_dir) / CACHE_DIR

    def record_path(self, dataset_id: str, report: str) -> Path:
        return self.root / dataset_id / f"{report}.json"

    def lookup(self, dataset_id: str, report: str, key: str) -> dict[str, Any] | None:
        """The outcome (a dict) recorded for an unchanged report, or None when it must be built."""
        record = self._read(self.record_path(dataset_id, report))
        if not record or record.get("schema") != SCHEMA or record.get("key") != key:
            return None
        outcome = record.get("outcome") or {}
        html = outcome.get("html")
        try:
            stat = os.stat(html)
        except (OSError, TypeError):
            return None
        if [stat.st_size, stat.st_mtime_ns] != record.get("html_stat"):
            return None  # the page was rewritten or edited by something else
        if outcome.get("tables") and not Path(outcome["tables"]).is_dir():
            return None
        if not _still_same(record.get("depends", {})):
            return None
        return outcome

    def store(self, key: str, outcome: dict[str, Any], reads: dict[str, list[str]] | None) -> None:
        """Record a successful build of a report (``outcome`` as a dict, with its ``html``)."""
        stat = os.stat(outcome["html"])
        record = {"schema": SCHEMA, "key": key, "outcome": outcome,
                  "html_stat": [stat.st_size, stat.st_mtime_ns],
                  "depends": dependencies(reads or {})}
        self._write(self.record_path(outcome["dataset_id"], outcome["report"]), record)

    def forget(self, dataset_id: str, report: str) -> None:
        self.record_path(dataset_id, report).unlink(missing_ok=True)

    @staticmethod
    def _read(path: Path) -> dict | None:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    @staticmethod
    def _write(path: Path, record: dict) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, json.dumps(record, ensure_ascii=False, indent=1, default=str))


def _meta_file(path: Path) -> Path | None:
    """The file that holds a dataset's metadata: ``dataset.yml`` of a folder, or the file itself."""
    if path.is_dir():
        meta = path / "dataset.yml"
        return meta if meta.is_file() else None
    return path if path.is_file() else None


class IdentityMemo:
    """Dataset identities (id, name, as_of) remembered by the hash of their metadata file.

    Naming a report's outputs needs the dataset's id; reading it would import pandas. With the
    memo, a build whose reports are all unchanged never does.
    """

    def __init__(self, out_dir: Path) -> None:
        self.path = Path(out_dir) / CACHE_DIR / "identities.json"
        self.items: dict[str, dict] = ReportCache._read(self.path) or {}
        self.changed = False

    def get(self, path: Path, read: Callable[[Path], tuple[str, str, str]]) -> tuple[str, str, str]:
        meta = _meta_file(path)
        if meta is None:
            return read(path)
        digest = digest_file(meta)
        item = self.items.get(str(path))
        if item and item.get("digest") == digest:
            return tuple(item["identity"])
        identity = read(path)
        self.items[str(path)] = {"digest": digest, "identity": list(identity)}
        self.changed = True
        return identity

    def save(self) -> None:
        if self.changed:
            ReportCache._write(self.path, self.items)
            self.changed = False


# Datasets in a warm kernel ------------------------------------------------------------------------

MEMO_SIZE = 64  # datasets kept per kernel


def _copy_dataset(ds: Any) -> Any:
    """A copy a report may change freely: new containers, tables shared copy-on-write."""
    import dataclasses

    return dataclasses.replace(
        ds, meta=ds.meta.model_copy(deep=True), tables={k: v.copy(deep=False) for k, v in ds.tables.items()},
        sources=dict(ds.sources), input_files=list(ds.input_files), warnings=list(ds.warnings))


def memoise_datasets(note_read: Callable[[str], None]) -> None:
    """Make `analysis.dataset.load_dataset` and `read_meta` remember what they read (warm kernels).

    The reports of a dataset each load it, and the planning review reads the metadata of every
    dataset beside it; a warm kernel does that work once. An entry is used only while the hashes
    of every file it came from are unchanged and the after-load hook is the same (by its
    fingerprint: a dataset loaded in clear never serves a pseudonymised report, nor the other way
    round), and the caller gets a copy. ``note_read`` is told about those files on every use, so
    that the cache records them as the report's inputs as if they had been read again. Errors are
    never remembered.
    """
    from analysis import dataset as module

    if getattr(module.load_dataset, "memoised", False):
        return
    load, read_meta = module.load_dataset, module.read_meta
    datasets: dict[tuple[str, str | None], tuple[dict[str, str], Any]] = {}  # (path, hook fingerprint)
    metas: dict[str, tuple[dict[str, str], Any]] = {}

    def unchanged(files: dict[str, str]) -> bool:
        return all(digest_tree(name) == digest for name, digest in files.items())

    def remember(memo: dict, key: Any, files: dict[str, str], value: Any) -> None:
        if len(memo) >= MEMO_SIZE:
            memo.pop(next(iter(memo)))
        memo[key] = (files, value)

    def recall(memo: dict, key: Any) -> Any:
        found = memo.get(key)
        if found is None or not unchanged(found[0]):
            return None
        for name in found[0]:
            note_read(name)
        return found[1]

    def load_dataset(path):
        where = str(Path(path).expanduser().resolve())
        key = (where, module.after_load_fingerprint())  # the hook in force when it is loaded
        ds = recall(datasets, key)
        if ds is None:
            ds = load(path)
            files = {str(f): digest_file(f) for f in ds.input_files if Path(f).is_file()}
            remember(datasets, key, {where: digest_tree(where), **files}, ds)
        return _copy_dataset(ds)

    def read_meta_memo(path):
        key = str(Path(path).expanduser().resolve())
        meta = recall(metas, key)
        if meta is None:
            meta = read_meta(path)
            source = _meta_file(Path(key))
            if source is not None:
                remember(metas, key, {str(source): digest_file(source)}, meta)
        return meta.model_copy(deep=True)

    load_dataset.memoised = True
    load_dataset.__doc__, read_meta_memo.__doc__ = load.__doc__, read_meta.__doc__
    module.load_dataset, module.read_meta = load_dataset, read_meta_memo


# Results in a warm kernel -------------------------------------------------------------------------

RESULTS_MEMO_SIZE = 16  # results kept per memoised function and kernel
MEMO_ROWS = 1_000_000  # larger inputs are computed again: hashing them costs about as much

MEMOISED_RESULTS = {  # computed by several reports of a dataset from the same tables
    "analysis.ballots": ["introduction_votes"],  # introduction_votes and briefing
    "analysis.trust": ["analyse"],  # trust_votes and briefing
}


def _argument_digest(value: Any) -> str | None:
    """A digest of an argument's content: a table's values, index, columns and types; repr else.
    None when it cannot be told (too large, or a table pandas cannot hash)."""
    import pandas as pd

    if isinstance(value, (pd.DataFrame, pd.Series)):
        if len(value) > MEMO_ROWS:
            return None
        try:
            rows = pd.util.hash_pandas_object(value, index=True).to_numpy()
        except TypeError:  # e.g. lists in cells
            return None
        digest = hashlib.sha256(rows.tobytes())
        columns = value.dtypes.items() if isinstance(value, pd.DataFrame) else [(value.name, value.dtype)]
        digest.update(repr([(str(name), str(dtype)) for name, dtype in columns]).encode())
        return digest.hexdigest()
    text = repr(value)
    return None if " at 0x" in text else text  # an object's default repr says nothing of its content


def _copy_result(value: Any) -> Any:
    """A copy a report may change freely: tables shared copy-on-write, new containers."""
    import dataclasses

    import pandas as pd

    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=False)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: _copy_result(getattr(value, f.name))
                                             for f in dataclasses.fields(value) if f.init})
    if isinstance(value, dict):
        return {k: _copy_result(v) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple
        return type(value)(*(_copy_result(v) for v in value))
    if isinstance(value, (list, tuple)):
        return type(value)(_copy_result(v) for v in value)
    return value


def memoise_result(function: Callable) -> Callable:
    """``function`` remembering its results by the content of its arguments (warm kernels).

    Several reports of a dataset compute the same result from the same tables (the tally, for
    the report on the ballots and for the briefing); a warm kernel does it once. Arguments are
    compared by content, so a table changed in any way computes anew; the caller gets a copy.
    Errors are never remembered.
    """
    import functools
    import inspect

    signature = inspect.signature(function)
    results: dict[tuple, Any] = {}

    @functools.wraps(function)
    def memoised(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        key = tuple((name, _argument_digest(value)) for name, value in bound.arguments.items())
        if any(digest is None for _, digest in key):
            return function(*args, **kwargs)
        if key not in results:
            if len(results) >= RESULTS_MEMO_SIZE:
                results.pop(next(iter(results)))
            results[key] = function(*args, **kwargs)
        return _copy_result(results[key])

    memoised.memoised = True
    return memoised


def memoise_results(functions: dict[str, list[str]] = MEMOISED_RESULTS) -> None:
    """Wrap the named functions of the modules already imported in `memoise_result`, once."""
    import sys

    for module_name, names in functions.items():
        module = sys.modules.get(module_name)
        if module is None:  # no report of this kernel uses it
            continue
        for name in names:
            if not getattr(getattr(module, name), "memoised", False):
                setattr(module, name, memoise_result(getattr(module, name)))
