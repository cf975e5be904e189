"""Build reports: every (dataset, report) pair run in a Jupyter kernel, then HTML, then an index.

``build()`` plans the jobs from the config (`build_config.py`: `reports.yml` by default), skips the
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
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from analysis.build_config import (  # noqa: F401 - what to build, kept importable from here
    CELL_TIMEOUT,
    CONFIG_KEYS,
    DATASET_KEYS,
    DEFAULT_JOBS,
    EXPORTS,
    RESERVED_PARAMETERS,
    SHARED_PARAMETERS,
    DatasetEntry,
    Job,
    available_reports,
    load_config,
    plan,
    report_options,
)
from analysis.kernels import KERNEL_NAME  # noqa: F401 - kept importable from here


# ---------------------------------------------------------------------------------------------
# What happened


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
    written = False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(tables, ignore_errors=True)  # no stale tables from an earlier build
        # the last page stays readable while this one builds, replaced whole when it is ready
        failed_nb.unlink(missing_ok=True)
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
        from analysis.safe_writes import write_text_atomic

        place_plotlyjs(nb, job.plotlyjs_src)
        try:
            page = render_html(nb, page_title(job), job.language, footer=_footer(job))
        except Exception:
            kernel.save(nb, failed_nb)
            outcome.failed_notebook = str(failed_nb)
            raise
        write_text_atomic(html_path, page)
        written = True
        _exports(job, nb, html_path, tables)
        outcome.ok = True
        outcome.html = str(html_path)
        outcome.tables = str(tables) if tables.is_dir() else None
    except BaseException as exc:  # noqa: BLE001 - one failure never stops the others
        if isinstance(exc, KeyboardInterrupt):
            raise
        outcome.error, outcome.problems = error_lines(exc)
        if not written:  # no page left from a build before that this one could not redo
            html_path.unlink(missing_ok=True)
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
    """What goes with a page: a deck's local scripts, then the PDF and the PNGs when asked for,
    and last its charts drawn into it (the PDF and PNGs are made from the live charts)."""
    from analysis.slides import install_assets, is_deck

    if is_deck(nb):
        install_assets(job.out_dir)
    if job.pdf:
        from analysis.pdf import html_to_pdf

        html_to_pdf(html_path, html_path.with_suffix(".pdf"), language=job.language)
    if job.png:
        from analysis.images import export_charts

        export_charts(html_path, tables)
    if job.prerender:
        from analysis.prerender import prerender_page

        prerender_page(html_path)


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


def _plotlyjs_in_use() -> str:
    """Which plotly.js pages get (part of the cache key): a new or removed custom bundle rebuilds them."""
    from analysis.plotlyjs import custom_plotlyjs, full_plotlyjs

    bundle = custom_plotlyjs() or full_plotlyjs()
    return f"{bundle.version} {','.join(sorted(bundle.traces or ['*']))} {len(bundle.text)}"


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
    ``options``: `SHARED_PARAMETERS` (marking, pseudonymise, min_cell) and `EXPORTS` (pdf, png, prerender)
    given on the command line; None or absent keys: from the config.
    """
    from rich.console import Console

    from analysis.cache import ReportCache, job_key
    from analysis.kernels import write_shared_plotlyjs
    from analysis.render import print_summary, write_index
    from analysis.safe_writes import build_lock

    console = console or Console()
    job_list, out_dir, workers, language = plan(config_path, datasets, reports, out, language,
                                                jobs, notebooks_dir, use_cache=True, options=options)
    out_dir.mkdir(parents=True, exist_ok=True)
    with build_lock(out_dir):  # a second build into this folder stops here, before touching it
        cache = ReportCache(out_dir)
        shared = write_shared_plotlyjs(out_dir) if portfolio else None
        options = {"portfolio": bool(portfolio), "plotlyjs": _plotlyjs_in_use(), **_export_options(job_list)}
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
