"""Build reports: every (dataset, report) pair run in a Jupyter kernel, then HTML, then an index.

``build()`` resolves the config (`reports.yml` by default; see reports/README.md), skips the
pairs whose inputs have not changed since their last build (`cache.py`; ``force`` rebuilds), runs
the others in parallel worker processes (``jobs``), each with one warm kernel serving report after
report (`kernels.py`), renders each executed notebook in-process to a self-contained page
(`render.py`), and writes ``<out>/index.html``. One failure never stops the others: a failed
report keeps its executed notebook as ``<out>/<dataset-id>/<report>.failed.ipynb`` and its error
goes to the console summary and the index. The returned :class:`BuildResult` lists every outcome.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import re
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from analysis import config, params
from analysis.errors import AnalysisError, BuildError
from analysis.kernels import KERNEL_NAME  # noqa: F401 - kept importable from here

DEFAULT_JOBS = 2
CELL_TIMEOUT = 900  # seconds per cell; a report that hangs fails instead of blocking a schedule
# Passed to every report (see report.start_report) and exported beside every page (pdf, png):
# set in the config or on the command line, for the whole build.
SHARED_PARAMETERS = ("marking", "pseudonymise", "min_cell")
EXPORTS = ("pdf", "png")
CONFIG_KEYS = {"datasets", "reports", "out", "language", "jobs", *SHARED_PARAMETERS, *EXPORTS}
DATASET_KEYS = {"path", "reports", "as_of", "parameters"}
RESERVED_PARAMETERS = {"dataset_path", "language", "output_dir", *SHARED_PARAMETERS}


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
    key: str = ""  # cache key (cache.job_key); "" = not cached
    plotlyjs_src: str | None = None  # portfolio mode: relative URL of the shared plotly.js
    pdf: bool = False  # also <report>.pdf beside the page (pdf.py)
    png: bool = False  # also <report>/<chart>.png for every chart (images.py)


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
    cached: bool = False  # unchanged since an earlier build: not run again

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
        **{key: raw.get(key) for key in (*SHARED_PARAMETERS, *EXPORTS)},
    }


def report_options(cfg: dict[str, Any], options: dict[str, Any] | None, language: str) -> tuple[dict, dict]:
    """(parameters every report gets, exports) from the command line's ``options``, else the
    config, else the defaults: the label ``report.confidential``, not pseudonymised, small cells
    under 3 hidden, no PDF, no PNG."""
    from analysis.labels import text
    from analysis.privacy import DEFAULT_MIN_CELL

    def given(key: str) -> Any:
        value = (options or {}).get(key)
        return cfg.get(key) if value is None else value

    shared = {
        "marking": params.convert("marking", given("marking"), str, default="").strip()
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


# ---------------------------------------------------------------------------------------------
# One job (runs in a worker process)

_KERNEL = None  # this worker's analysis.kernels.ReportKernel


def _init_worker(warm: bool, imports: list[str], cwd: str) -> None:
    """A worker's start: its kernel starts and warms up before the first report arrives."""
    global _KERNEL
    from multiprocessing.util import Finalize

    from analysis.kernels import ReportKernel

    _KERNEL = ReportKernel(warm=warm, imports=imports)
    Finalize(_KERNEL, _KERNEL.shutdown, exitpriority=10)  # no kernel outlives its worker
    if warm:
        _KERNEL.start(cwd, wait=False)
    import analysis.render  # noqa: F401 - while the kernel imports, so does the worker
    import nbconvert  # noqa: F401
    import papermill.parameterize  # noqa: F401
    if warm:
        _KERNEL.wait_until_ready()


def _kernel():
    global _KERNEL
    if _KERNEL is None:  # run_job called outside a build's pool
        from analysis.kernels import ReportKernel

        _KERNEL = ReportKernel(warm=False)
    return _KERNEL


def page_title(job: Job) -> str:
    from analysis.labels import format_date, report_title

    as_of = format_date(dt.date.fromisoformat(job.as_of), job.language) if job.as_of else ""
    parts = [report_title(job.report, job.language), job.dataset_name, as_of]
    return " — ".join(p for p in parts if p)


def run_job(job: Job) -> Outcome:
    """Run one report notebook and render it; never raises (the outcome says what went wrong)."""
    from analysis.kernels import error_lines

    started = time.monotonic()
    folder = job.out_dir / job.dataset_id
    html_path = folder / f"{job.report}.html"
    tables = folder / job.report
    failed_nb = folder / f"{job.report}.failed.ipynb"
    outcome = Outcome(dataset_id=job.dataset_id, dataset_name=job.dataset_name,
                      dataset_path=str(job.dataset_path), report=job.report, ok=False, as_of=job.as_of)
    kernel = _kernel()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(tables, ignore_errors=True)  # no stale tables from an earlier build
        for stale in (html_path, failed_nb):
            stale.unlink(missing_ok=True)
        parameters = {
            **job.parameters,
            "dataset_path": str(job.dataset_path),
            "language": job.language,
            "output_dir": str(tables),
        }
        if job.as_of_param:
            parameters["as_of"] = job.as_of_param
        try:
            nb = kernel.run(job.notebook, parameters, cwd=job.notebook.parent, timeout=job.timeout,
                            skip_reads=[str(job.out_dir)])
        except Exception:
            if kernel.last_notebook is not None:
                kernel.save(kernel.last_notebook, failed_nb)
                outcome.failed_notebook = str(failed_nb)
            raise
        from analysis.kernels import place_plotlyjs
        from analysis.render import render_html

        place_plotlyjs(nb, job.plotlyjs_src)
        try:
            page = render_html(nb, page_title(job), job.language, footer=_footer(job))
        except Exception:
            kernel.save(nb, failed_nb)
            outcome.failed_notebook = str(failed_nb)
            raise
        html_path.write_text(page, encoding="utf-8")
        _exports(job, nb, html_path, tables)
        outcome.ok = True
        outcome.html = str(html_path)
        outcome.tables = str(tables) if tables.is_dir() else None
    except BaseException as exc:  # noqa: BLE001 - one failure never stops the others
        if isinstance(exc, KeyboardInterrupt):
            raise
        outcome.error, outcome.problems = error_lines(exc)
    outcome.seconds = round(time.monotonic() - started, 1)
    outcome.finished = dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")
    if outcome.ok and job.key:
        from analysis.cache import ReportCache

        try:
            ReportCache(job.out_dir).store(job.key, asdict(outcome), kernel.last_reads)
        except OSError:
            pass  # no record: the next build runs the report again, nothing worse
    return outcome


def _exports(job: Job, nb: Any, html_path: Path, tables: Path) -> None:
    """What goes with a page: a deck's local scripts, then the PDF and the PNGs when asked for."""
    from analysis.slides import install_assets, is_deck

    if is_deck(nb):
        install_assets(job.out_dir)
    if job.pdf:
        from analysis.pdf import html_to_pdf

        html_to_pdf(html_path, html_path.with_suffix(".pdf"), language=job.language)
    if job.png:
        from analysis.images import export_charts

        export_charts(html_path, tables)


def run_jobs(jobs: list[Job]) -> list[Outcome]:
    """Several jobs one after the other in this worker (the reports of one dataset: its kernel
    loads the dataset once)."""
    return [run_job(job) for job in jobs]


def _footer(job: Job) -> str:
    from analysis.labels import text

    now = dt.datetime.now().strftime("%d/%m/%Y %H:%M" if job.language == "vi" else "%Y-%m-%d %H:%M")
    return f"{text('common.generated', job.language, time=now)} · {job.dataset_id} / {job.report}"


# ---------------------------------------------------------------------------------------------
# The whole build


def _crashed(job: Job, exc: BaseException) -> Outcome:
    from analysis.kernels import error_lines

    head, problems = error_lines(exc)
    return Outcome(dataset_id=job.dataset_id, dataset_name=job.dataset_name,
                   dataset_path=str(job.dataset_path), report=job.report, ok=False, as_of=job.as_of,
                   error=head, problems=problems,
                   finished=dt.datetime.now().replace(microsecond=0).isoformat(sep=" "))


def _groups(jobs: list[Job], workers: int, warm: bool) -> list[list[Job]]:
    """Tasks for the workers: with warm kernels and enough datasets to keep every worker busy,
    all the reports of a dataset together (its kernel loads it once); else one report each."""
    by_dataset: dict[str, list[Job]] = {}
    for job in jobs:
        by_dataset.setdefault(job.dataset_id, []).append(job)
    if not warm or len(by_dataset) < 2 * workers:
        return [[job] for job in jobs]
    return sorted(by_dataset.values(), key=len, reverse=True)  # longest first: even finish


def _run_all(jobs: list[Job], workers: int, console, warm: bool = True) -> list[Outcome]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from analysis.kernels import notebook_imports

    outcomes: list[Outcome] = []
    columns = (TextColumn("[progress.description]{task.description}"), BarColumn(),
               MofNCompleteColumn(), TimeElapsedColumn())
    imports = notebook_imports(dict.fromkeys(j.notebook for j in jobs)) if warm else []
    with Progress(*columns, console=console, disable=not console.is_terminal, transient=False) as bar:
        task = bar.add_task("Lập báo cáo / building", total=len(jobs))
        # Worker processes, not threads: each owns a kernel and renders in its own interpreter.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context,
                                 initializer=_init_worker,
                                 initargs=(warm, imports, str(jobs[0].notebook.parent))) as pool:
            futures = {pool.submit(run_jobs, group): group for group in _groups(jobs, workers, warm)}
            for future in as_completed(futures):
                group = futures[future]
                try:
                    done = future.result()
                except Exception as exc:  # a worker died (out of memory, killed…)
                    done = [_crashed(job, exc) for job in group]
                outcomes += done
                bar.update(task, advance=len(group), description=f"{group[-1].dataset_id} / {group[-1].report}")
    return outcomes


def _export_options(jobs: list[Job]) -> dict[str, Any]:
    """Cache-key options of the exports and the pseudonyms: a new key gives new codes."""
    import hashlib

    found: dict[str, Any] = {key: any(getattr(j, key) for j in jobs) for key in EXPORTS}
    if any(j.parameters.get("pseudonymise") for j in jobs):
        from analysis.privacy import pseudonym_key

        found["pseudonym_key"] = hashlib.sha256(b"cache:" + pseudonym_key()).hexdigest()[:16]
    return found


def _from_cache(cache, job: Job) -> Outcome | None:
    recorded = cache.lookup(job.dataset_id, job.report, job.key)
    if recorded is None:
        return None
    names = {f.name for f in fields(Outcome)}
    try:
        outcome = Outcome(**{k: v for k, v in recorded.items() if k in names})
    except TypeError:
        return None
    outcome.cached, outcome.dataset_name = True, job.dataset_name
    return outcome


def build(config_path: Path | str | None = None, datasets: list | None = None,
          reports: list[str] | None = None, out: Path | str | None = None,
          jobs: int | None = None, language: str | None = None,
          notebooks_dir: Path | str | None = None, console=None, force: bool = False,
          portfolio: bool = False, warm: bool = True, options: dict[str, Any] | None = None) -> BuildResult:
    """Build reports; see the module docstring. Raises BuildError only for a bad configuration.

    ``force`` rebuilds unchanged reports too. ``portfolio`` writes plotly.js once, as
    ``<out>/assets/plotly.min.js``, and every page loads it from there (still offline).
    ``warm=False`` starts a fresh kernel for every report (slower; same pages).
    ``options``: `SHARED_PARAMETERS` (marking, pseudonymise, min_cell) and `EXPORTS` (pdf, png)
    given on the command line; None or absent keys: from the config.
    """
    from rich.console import Console

    from analysis.cache import ReportCache, job_key
    from analysis.kernels import write_shared_plotlyjs
    from analysis.render import print_summary, write_index

    console = console or Console()
    job_list, out_dir, workers, language = plan(config_path, datasets, reports, out, language,
                                                jobs, notebooks_dir, use_cache=True, options=options)
    out_dir.mkdir(parents=True, exist_ok=True)
    cache = ReportCache(out_dir)
    shared = write_shared_plotlyjs(out_dir) if portfolio else None
    options = {"portfolio": bool(portfolio), **_export_options(job_list)}
    outcomes: list[Outcome] = []
    pending: list[Job] = []
    for job in job_list:
        if shared is not None:
            job.plotlyjs_src = Path(os.path.relpath(shared, job.out_dir / job.dataset_id)).as_posix()
        job.key = job_key(job, options)
        hit = None if force else _from_cache(cache, job)
        if hit is None:
            cache.forget(job.dataset_id, job.report)  # recorded again only when it succeeds
            pending.append(job)
        else:
            outcomes.append(hit)
    if pending:
        outcomes += _run_all(pending, workers, console, warm)
    order = {(j.dataset_id, j.report): i for i, j in enumerate(job_list)}
    outcomes.sort(key=lambda o: order[(o.dataset_id, o.report)])
    index = write_index(out_dir, [asdict(o) for o in outcomes], language,
                        marking=job_list[0].parameters.get("marking", ""))
    print_summary(outcomes, console, language, out_dir)
    return BuildResult(outcomes=outcomes, out_dir=out_dir, index=index)
