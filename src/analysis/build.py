"""Build reports: every (dataset, report) pair through papermill, then HTML, then an index.

``build()`` resolves the config (`reports.yml` by default; see reports/README.md), runs the pairs
in parallel worker processes (``jobs``), renders each executed notebook to a self-contained page
(`render.py`), and writes ``<out>/index.html``. One failure never stops the others: a failed
report keeps its executed notebook as ``<out>/<dataset-id>/<report>.failed.ipynb`` and its error
goes to the console summary and the index. The returned :class:`BuildResult` lists every outcome.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from analysis import config, params
from analysis.errors import AnalysisError, BuildError
from analysis.render import print_summary, write_index

DEFAULT_JOBS = 2
KERNEL_NAME = "python3"
CELL_TIMEOUT = 900  # seconds per cell; a report that hangs fails instead of blocking a schedule
CONFIG_KEYS = {"datasets", "reports", "out", "language", "jobs"}
DATASET_KEYS = {"path", "reports", "as_of", "parameters"}
RESERVED_PARAMETERS = {"dataset_path", "language", "output_dir"}


# ---------------------------------------------------------------------------------------------
# What to build


@dataclass
class DatasetEntry:
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


@dataclass
class Outcome:
    """How one (dataset, report) pair went."""

    dataset_id: str
    dataset_name: str
    dataset_path: str
    report: str
    ok: bool
    as_of: str = ""
    html: str | None = None  # paths, as strings (JSON-friendly)
    tables: str | None = None
    failed_notebook: str | None = None
    error: str = ""
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    finished: str = ""  # ISO time

    @property
    def status(self) -> str:
        return "ok" if self.ok else "failed"


@dataclass
class BuildResult:
    outcomes: list[Outcome]
    out_dir: Path
    index: Path

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def get(self, dataset_id: str, report: str) -> Outcome:
        for outcome in self.outcomes:
            if outcome.dataset_id == dataset_id and outcome.report == report:
                return outcome
        raise KeyError((dataset_id, report))


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
    }


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
         notebooks_dir: Path | str | None = None) -> tuple[list[Job], Path, int, str]:
    """Resolve what to build: (jobs, out dir, number of workers, language). Raises BuildError."""
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
    out_dir = Path(out).resolve() if out else (cfg["out"] or config.REPORTS_DIR)

    job_list: list[Job] = []
    seen: dict[str, Path] = {}
    for entry in cfg["datasets"]:
        dataset_id, name, meta_as_of = _identity(entry.path)
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
                parameters=dict(entry.parameters.get(report, {})),
            ))
    if not job_list:
        raise BuildError(f"Không có báo cáo nào để lập / nothing to build: no dataset of the config "
                         f"lists {', '.join(chosen)} in its reports")
    return job_list, out_dir, workers, language


# ---------------------------------------------------------------------------------------------
# One job (runs in a worker process)

_KERNEL_DIR: str | None = None


def _use_own_kernel() -> None:
    """Make kernel ``python3`` this interpreter (the venv's), whatever kernels the user has.

    A ``python3`` kernelspec in ~/.local/share/jupyter could point at another Python without the
    package; JUPYTER_PATH is searched first, so a spec written there wins. Worker processes only.
    """
    global _KERNEL_DIR
    if _KERNEL_DIR is not None:
        return
    root = tempfile.mkdtemp(prefix="quyhoach-kernel-")
    spec_dir = Path(root, "kernels", KERNEL_NAME)
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (quyhoach)",
        "language": "python",
        "metadata": {"supported_encryption": ["curve"]},  # as ipykernel's own spec: no plain-TCP warning
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [root, os.environ.get("JUPYTER_PATH")]))
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    _KERNEL_DIR = root
    import atexit

    atexit.register(shutil.rmtree, root, True)


def _format_date(iso: str, language: str) -> str:
    from analysis.report import format_date

    return format_date(dt.date.fromisoformat(iso), language) if iso else ""


def page_title(job: Job) -> str:
    from analysis.report import report_title

    parts = [report_title(job.report, job.language), job.dataset_name, _format_date(job.as_of, job.language)]
    return " — ".join(p for p in parts if p)


def _error_lines(exc: BaseException) -> tuple[str, list[str]]:
    """(one-line error, problem lines) from a papermill failure or any exception."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        name, value = exc.ename, str(exc.evalue)
    else:
        name, value = type(exc).__name__, str(exc)
    lines = [line for line in value.splitlines() if line.strip()]
    head = f"{name}: {lines[0] if lines else ''}".strip()
    return head, lines[1:]


def run_job(job: Job) -> Outcome:
    """Run one report notebook and render it; never raises (the outcome says what went wrong)."""
    started = time.monotonic()
    folder = job.out_dir / job.dataset_id
    html_path = folder / f"{job.report}.html"
    tables = folder / job.report
    failed_nb = folder / f"{job.report}.failed.ipynb"
    outcome = Outcome(dataset_id=job.dataset_id, dataset_name=job.dataset_name,
                      dataset_path=str(job.dataset_path), report=job.report, ok=False, as_of=job.as_of)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(tables, ignore_errors=True)  # no stale tables from an earlier build
        for stale in (html_path, failed_nb):
            stale.unlink(missing_ok=True)
        _use_own_kernel()
        import papermill
        from traitlets.config import Config

        parameters = {
            **job.parameters,
            "dataset_path": str(job.dataset_path),
            "language": job.language,
            "output_dir": str(tables),
        }
        if job.as_of_param:
            parameters["as_of"] = job.as_of_param
        with tempfile.TemporaryDirectory(prefix="quyhoach-run-") as tmp:
            executed = Path(tmp) / f"{job.report}.ipynb"
            try:
                nb = papermill.execute_notebook(
                    str(job.notebook), str(executed), parameters=parameters,
                    kernel_name=KERNEL_NAME, cwd=str(job.notebook.parent), progress_bar=False,
                    log_output=False, request_save_on_cell_execute=False,
                    execution_timeout=job.timeout,
                    # CurveZMQ between nbclient and the kernel (the spec declares support)
                    config=Config({"KernelManager": {"transport_encryption": "auto"}}),
                )
            except Exception:
                if executed.exists():
                    shutil.copyfile(executed, failed_nb)
                    outcome.failed_notebook = str(failed_nb)
                raise
            from analysis.render import render_html

            footer = _footer(job)
            try:
                page = render_html(nb, page_title(job), job.language, footer=footer)
            except Exception:
                import nbformat

                nbformat.write(nb, str(failed_nb))
                outcome.failed_notebook = str(failed_nb)
                raise
        html_path.write_text(page, encoding="utf-8")
        outcome.ok = True
        outcome.html = str(html_path)
        outcome.tables = str(tables) if tables.is_dir() else None
    except BaseException as exc:  # noqa: BLE001 - one failure never stops the others
        if isinstance(exc, KeyboardInterrupt):
            raise
        outcome.error, outcome.problems = _error_lines(exc)
    outcome.seconds = round(time.monotonic() - started, 1)
    outcome.finished = dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")
    return outcome


def _footer(job: Job) -> str:
    from analysis.labels import text

    now = dt.datetime.now().strftime("%d/%m/%Y %H:%M" if job.language == "vi" else "%Y-%m-%d %H:%M")
    return f"{text('common.generated', job.language, time=now)} · {job.dataset_id} / {job.report}"


# ---------------------------------------------------------------------------------------------
# The whole build


def _crashed(job: Job, exc: BaseException) -> Outcome:
    head, problems = _error_lines(exc)
    return Outcome(dataset_id=job.dataset_id, dataset_name=job.dataset_name,
                   dataset_path=str(job.dataset_path), report=job.report, ok=False, as_of=job.as_of,
                   error=head, problems=problems,
                   finished=dt.datetime.now().replace(microsecond=0).isoformat(sep=" "))


def _run_all(jobs: list[Job], workers: int, console) -> list[Outcome]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    outcomes: list[Outcome] = []
    columns = (TextColumn("[progress.description]{task.description}"), BarColumn(),
               MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, disable=not console.is_terminal, transient=False) as bar:
        task = bar.add_task("Lập báo cáo / building", total=len(jobs))
        # Worker processes, not threads: papermill changes the working directory of the process.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
            futures = {pool.submit(run_job, job): job for job in jobs}
            for future in as_completed(futures):
                job = futures[future]
                try:
                    outcome = future.result()
                except Exception as exc:  # a worker died (out of memory, killed…)
                    outcome = _crashed(job, exc)
                outcomes.append(outcome)
                bar.update(task, advance=1, description=f"{job.dataset_id} / {job.report}")
    order = {(j.dataset_id, j.report): i for i, j in enumerate(jobs)}
    return sorted(outcomes, key=lambda o: order[(o.dataset_id, o.report)])


def build(config_path: Path | str | None = None, datasets: list | None = None,
          reports: list[str] | None = None, out: Path | str | None = None,
          jobs: int | None = None, language: str | None = None,
          notebooks_dir: Path | str | None = None, console=None) -> BuildResult:
    """Build reports; see the module docstring. Raises BuildError only for a bad configuration."""
    from rich.console import Console

    console = console or Console()
    job_list, out_dir, workers, language = plan(config_path, datasets, reports, out, language,
                                                jobs, notebooks_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    outcomes = _run_all(job_list, workers, console) if job_list else []
    index = write_index(out_dir, [asdict(o) for o in outcomes], language)
    print_summary(outcomes, console, language, out_dir)
    return BuildResult(outcomes=outcomes, out_dir=out_dir, index=index)

