"""What to build: the build config (YAML, `reports.yml` by default; see reports/README.md), read
and checked, then planned as one :class:`Job` per (dataset, report) pair.

``plan()`` resolves the config, the command line's overrides and each dataset's identity (id,
name, as_of from its metadata) into the jobs that `analysis.build` runs. Raises
:class:`BuildError` with a bilingual message for anything wrong in the config.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from analysis import config, params
from analysis.errors import AnalysisError, BuildError

DEFAULT_JOBS = 2
CELL_TIMEOUT = 900  # seconds per cell; a report that hangs fails instead of blocking a schedule
# Passed to every report (see report.start_report), and what is done with every page (pdf, png
# beside it; prerender: its charts drawn into it): set in the config or on the command line.
SHARED_PARAMETERS = ("marking", "pseudonymise", "min_cell")
EXPORTS = ("pdf", "png", "prerender")
CONFIG_KEYS = {"datasets", "reports", "out", "language", "jobs", *SHARED_PARAMETERS, *EXPORTS}
DATASET_KEYS = {"path", "reports", "as_of", "parameters"}
RESERVED_PARAMETERS = {"dataset_path", "language", "output_dir", *SHARED_PARAMETERS}


@dataclass
class DatasetEntry:
    """One dataset of the config: its path, its own reports, as_of and report parameters."""

    path: Path
    reports: list[str] | None = None  # None: every report of the build
    as_of: str = ""
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)  # per report


@dataclass
class Job:
    """One (dataset, report) pair, picklable for a worker process."""

    dataset_path: Path
    dataset_id: str
    dataset_name: str
    as_of: str  # the date the report is computed on (yyyy-mm-dd), "" when unknown
    as_of_param: str  # what is passed to the notebook ("" = the dataset's own as_of)
    report: str
    notebook: Path
    language: str
    out_dir: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    timeout: int = CELL_TIMEOUT
    key: str = ""  # cache key (cache.job_key); "" = not cached
    plotlyjs_src: str | None = None  # portfolio mode: relative URL of the shared plotly.js
    pdf: bool = False  # also <report>.pdf beside the page (pdf.py)
    png: bool = False  # also <report>/<chart>.png for every chart (images.py)
    prerender: bool = False  # every chart drawn into the page at build time (prerender.py)


def available_reports(notebooks_dir: Path | None = None) -> list[str]:
    """Report names: the notebooks in ``notebooks/`` (checkpoints and executed copies excluded)."""
    folder = Path(notebooks_dir or config.NOTEBOOKS_DIR)
    if not folder.is_dir():
        return []
    return sorted(
        p.stem for p in folder.glob("*.ipynb")
        if not p.name.startswith((".", "_")) and not p.name.endswith(".executed.ipynb")
    )


def _bad_config(path: Path | None, vi: str, en: str) -> BuildError:
    where = f"{path}: " if path else ""
    return BuildError(f"{where}{vi} / {en}")


def _as_list(value: Any, path: Path | None, key: str) -> list:
    if value is None:
        return []
    if isinstance(value, (str, dict)):
        return [value]
    if not isinstance(value, list):
        raise _bad_config(path, f"'{key}' phải là một danh sách", f"'{key}' must be a list")
    return value


# ---------------------------------------------------------------------------------------------
# The config


def load_config(path: Path) -> dict[str, Any]:
    """Read a build config (YAML); relative paths in it are relative to its folder."""
    path = Path(path)
    if not path.is_file():
        raise _bad_config(None, f"không tìm thấy tệp cấu hình '{path}'", f"no config file '{path}'")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise _bad_config(path, f"YAML không hợp lệ: {exc}", f"invalid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise _bad_config(path, "phải là một bảng khóa: giá trị", "must be a mapping of keys")
    unknown = set(raw) - CONFIG_KEYS
    if unknown:
        raise _bad_config(path, f"khóa không hợp lệ: {', '.join(sorted(unknown))}",
                          f"unknown keys: {', '.join(sorted(unknown))} (allowed: {', '.join(sorted(CONFIG_KEYS))})")
    base = path.parent.resolve()
    datasets = [_dataset_entry(item, base, path) for item in _as_list(raw.get("datasets"), path, "datasets")]
    reports = raw.get("reports")
    return {
        "datasets": datasets,
        "reports": None if reports in (None, "all") else [str(r) for r in _as_list(reports, path, "reports")],
        "out": (base / raw["out"]).resolve() if raw.get("out") else None,
        "language": raw.get("language"),
        "jobs": raw.get("jobs"),
        **{key: raw.get(key) for key in (*SHARED_PARAMETERS, *EXPORTS)},
    }


def report_options(cfg: dict[str, Any], options: dict[str, Any] | None, language: str) -> tuple[dict, dict]:
    """(parameters every report gets, exports) from the command line's ``options``, else the
    config, else the defaults: the label ``report.confidential``, not pseudonymised, small cells
    under 3 hidden, no PDF, no PNG. The config's ``marking`` may give one text per language
    (Vietnamese when ``language`` has none)."""
    from analysis.labels import text
    from analysis.privacy import DEFAULT_MIN_CELL

    def given(key: str) -> Any:
        value = (options or {}).get(key)
        return cfg.get(key) if value is None else value

    marking = given("marking")
    if isinstance(marking, dict):  # one per language: {vi: "Tài liệu nội bộ", en: "Internal document"}
        marking = marking.get(language) or marking.get("vi")
    shared = {
        "marking": params.convert("marking", marking, str, default="").strip()
        or text("report.confidential", language),
        "pseudonymise": params.convert("pseudonymise", given("pseudonymise"), bool, default=False),
        "min_cell": params.convert("min_cell", given("min_cell"), int, default=DEFAULT_MIN_CELL),
    }
    if shared["min_cell"] < 0:
        raise BuildError(f"min_cell phải ≥ 0 / min_cell must be at least 0: {shared['min_cell']}")
    exports = {key: params.convert(key, given(key), bool, default=False) for key in EXPORTS}
    return shared, exports


def _dataset_entry(item: Any, base: Path, path: Path | None) -> DatasetEntry:
    if isinstance(item, (str, Path)):
        return DatasetEntry(path=(base / str(item)).resolve())
    if not isinstance(item, dict) or "path" not in item:
        raise _bad_config(path, f"mỗi bộ dữ liệu cần 'path': {item!r}", f"each dataset needs a 'path': {item!r}")
    unknown = set(item) - DATASET_KEYS
    if unknown:
        raise _bad_config(path, f"khóa không hợp lệ ở bộ dữ liệu {item['path']}: {', '.join(sorted(unknown))}",
                          f"unknown keys for dataset {item['path']}: {', '.join(sorted(unknown))}")
    parameters = item.get("parameters") or {}
    if not isinstance(parameters, dict) or not all(isinstance(v, dict) for v in parameters.values()):
        raise _bad_config(path, "'parameters' phải có dạng <báo cáo>: {tham số: giá trị}",
                          "'parameters' must map a report name to {parameter: value}")
    for report, values in parameters.items():
        clash = RESERVED_PARAMETERS & set(values)
        if clash:
            raise _bad_config(path, f"tham số do hệ thống đặt, không được cấu hình: {', '.join(sorted(clash))}",
                              f"parameters set by the build cannot be configured: {', '.join(sorted(clash))}")
    as_of = item.get("as_of") or ""
    if as_of:
        as_of = params.parse_date("as_of", str(as_of)).isoformat()
    reports = item.get("reports")
    return DatasetEntry(
        path=(base / str(item["path"])).resolve(),
        reports=None if reports is None else [str(r) for r in _as_list(reports, path, "reports")],
        as_of=as_of,
        parameters={str(k): dict(v) for k, v in parameters.items()},
    )


# ---------------------------------------------------------------------------------------------
# The plan


def _identity(path: Path) -> tuple[str, str, str]:
    """(id, name, as_of) of a dataset from its metadata; from the path when it cannot be read.

    A dataset that cannot be read still gets its report run: the notebook then fails with every
    problem listed, and keeps its executed notebook like any other failure.
    """
    fallback_id = re.sub(r"[^a-z0-9-]+", "-", path.stem.lower()).strip("-") or "dataset"
    try:
        from analysis.dataset import read_meta

        meta = read_meta(path)
        as_of = meta.as_of
        as_of = as_of.date() if isinstance(as_of, dt.datetime) else as_of
        return str(meta.id), str(meta.name), as_of.isoformat() if as_of else ""
    except (ImportError, AnalysisError, OSError, ValueError):
        return fallback_id, path.name, ""


def plan(config_path: Path | str | None = None, datasets: list | None = None,
         reports: list[str] | None = None, out: Path | str | None = None,
         language: str | None = None, jobs: int | None = None,
         notebooks_dir: Path | str | None = None,
         use_cache: bool = False, options: dict[str, Any] | None = None) -> tuple[list[Job], Path, int, str]:
    """Resolve what to build: (jobs, out dir, number of workers, language). Raises BuildError.

    ``use_cache`` remembers dataset identities in the output folder (see `cache.IdentityMemo`).
    ``options`` overrides the config's `SHARED_PARAMETERS` and `EXPORTS` (None: not given).
    """
    notebooks = Path(notebooks_dir or config.NOTEBOOKS_DIR).resolve()
    cfg: dict[str, Any] = {"datasets": [], "reports": None, "out": None, "language": None, "jobs": None}
    if config_path is not None or not datasets:
        cfg = load_config(Path(config_path) if config_path else config.BUILD_CONFIG)
    if datasets:
        cfg["datasets"] = [_dataset_entry(str(Path(d).resolve()), Path.cwd(), None) for d in datasets]
    if not cfg["datasets"]:
        raise BuildError("Không có bộ dữ liệu nào để lập báo cáo / no dataset to build")

    known = available_reports(notebooks)
    chosen = list(reports or [])
    default = cfg["reports"] or known
    unknown = [r for r in chosen + default if r not in known]
    for entry in cfg["datasets"]:
        unknown += [r for r in entry.reports or [] if r not in known]
    if unknown:
        raise BuildError(
            f"Không có báo cáo '{', '.join(dict.fromkeys(unknown))}' / unknown report "
            f"'{', '.join(dict.fromkeys(unknown))}' (có/available: {', '.join(known) or '—'}; "
            f"a report is a notebook in {notebooks})"
        )
    language = params.check_language(language or cfg["language"] or "vi")
    workers = params.convert("jobs", jobs if jobs is not None else cfg["jobs"], int, default=DEFAULT_JOBS)
    if workers < 1:
        raise BuildError("--jobs phải ≥ 1 / --jobs must be at least 1")
    shared, exports = report_options(cfg, options, language)
    out_dir = Path(out).resolve() if out else (cfg["out"] or config.REPORTS_DIR)

    job_list: list[Job] = []
    seen: dict[str, Path] = {}
    memo = None
    if use_cache:
        from analysis.cache import IdentityMemo

        memo = IdentityMemo(out_dir)
    for entry in cfg["datasets"]:
        dataset_id, name, meta_as_of = memo.get(entry.path, _identity) if memo else _identity(entry.path)
        if dataset_id in seen and seen[dataset_id] != entry.path:
            raise BuildError(
                f"Hai bộ dữ liệu cùng mã '{dataset_id}': {seen[dataset_id]} và {entry.path} / "
                f"two datasets share the id '{dataset_id}'"
            )
        if dataset_id in seen:
            continue
        seen[dataset_id] = entry.path
        # --report replaces the config's `reports`; a dataset's own list is kept, filtered by it
        if entry.reports is None:
            wanted = chosen or default
        else:
            wanted = [r for r in entry.reports if not chosen or r in chosen]
        for report in dict.fromkeys(wanted):
            job_list.append(Job(
                dataset_path=entry.path, dataset_id=dataset_id, dataset_name=name,
                as_of=entry.as_of or meta_as_of, as_of_param=entry.as_of, report=report,
                notebook=notebooks / f"{report}.ipynb", language=language, out_dir=out_dir,
                parameters={**entry.parameters.get(report, {}), **shared}, **exports,
            ))
    if memo is not None:
        memo.save()
    if not job_list:
        raise BuildError(f"Không có báo cáo nào để lập / nothing to build: no dataset of the config "
                         f"lists {', '.join(chosen)} in its reports")
    return job_list, out_dir, workers, language
