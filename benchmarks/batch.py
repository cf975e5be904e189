"""The report batch: 20 sample datasets × every report, built three ways (part of `run.py`).

- the naive loop a user writes by hand: ``papermill`` CLI, then ``jupyter nbconvert --to html``,
  one report after the other (measured on a subset: it is linear, every report pays the same);
- ``python -m analysis build`` into an empty folder (warm kernels, both cores, in-process HTML);
- the same build again with nothing changed (every report a cache hit);
- and once more with ``--portfolio`` for the page sizes.

Everything runs against a snapshot of the package and notebooks (copied into the work folder and
put first on ``PYTHONPATH``), so edits made while the benchmark runs cannot change its results.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = Path(sys.executable)
BIN = PYTHON.parent


def snapshot(work: Path) -> dict[str, str]:
    """Copy ``src/analysis`` and ``notebooks/`` into ``work/snapshot``; the environment that uses it."""
    target = work / "snapshot"
    shutil.rmtree(target, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.executed.ipynb")
    shutil.copytree(ROOT / "src" / "analysis", target / "src" / "analysis", ignore=ignore)
    shutil.copytree(ROOT / "notebooks", target / "notebooks", ignore=ignore)
    for shared in ("node_modules", "data"):  # installed assets (slides) and data: used as they are
        if (ROOT / shared).exists():
            (target / shared).symlink_to(ROOT / shared)
    env = dict(os.environ)
    # Bytecode cached as on any normal install, in the work folder (this machine may set
    # PYTHONDONTWRITEBYTECODE, which makes every process compile pandas & co. from source).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(target / "src"), env.get("PYTHONPATH")]))
    env["QUYHOACH_ROOT"] = str(target)
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


def reports(env: dict[str, str]) -> list[str]:
    return sorted(p.stem for p in Path(env["QUYHOACH_ROOT"], "notebooks").glob("*.ipynb")
                  if not p.name.startswith((".", "_")))


def write_datasets(folder: Path, count: int, env: dict[str, str], log) -> tuple[list[Path], list[str]]:
    """``count`` synthetic districts (`analysis.sample`, one seed each), ids ``bench-01`` …

    A seed whose dataset does not load, or whose ballots do not tally (the generator's fault, not
    the build's), is skipped and named in the log.
    """
    code = f"""
import dataclasses, shutil
from pathlib import Path
from analysis.ballots import introduction_votes
from analysis.dataset import load_dataset
from analysis.errors import AnalysisError
from analysis.sample import write_folder
from analysis.sample_votes import build_thuong_tin
seed, written = 1000, 0
while written < {count}:
    seed += 1
    ds = build_thuong_tin(seed)
    ds = dataclasses.replace(ds, id=f"bench-{{written + 1:02d}}", name=f"Huyện mẫu {{written + 1:02d}} (dữ liệu mẫu)")
    path = write_folder(ds, Path({str(folder)!r}))
    try:
        t = load_dataset(path).tables
        introduction_votes(t["ballots"], t["titles"], t["conferences"], t.get("people"))
    except AnalysisError as exc:
        print("skipped", seed, str(exc).splitlines()[0])
        shutil.rmtree(path)
        continue
    written += 1
    print("ok", seed, path)
"""
    folder.mkdir(parents=True, exist_ok=True)
    out = subprocess.run([str(PYTHON), "-c", code], env=env, check=True, capture_output=True, text=True)
    paths, skipped = [], []
    for line in out.stdout.splitlines():
        kind, seed, rest = line.split(" ", 2)
        if kind == "skipped":
            skipped.append(f"{seed}: {rest}")
            log(f"sample seed {seed} skipped: {rest}")
        else:
            paths.append(Path(rest))
    return paths, skipped


def write_config(path: Path, datasets: list[Path], names: list[str]) -> Path:
    lines = (["datasets:"] + [f"  - {d}" for d in datasets] + [f"reports: [{', '.join(names)}]"]
             + ["language: vi", "jobs: 2"])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0,):
        raise RuntimeError(f"{' '.join(map(str, cmd[:6]))} … failed ({done.returncode}):\n{done.stderr[-3000:]}"
                           f"\n{done.stdout[-3000:]}")
    return seconds


def build_cmd(config: Path, out: Path, *extra: str) -> list[str]:
    return [str(PYTHON), "-m", "analysis", "build", str(config), "--out", str(out), "--jobs", "2", *extra]


def outcomes(out: Path) -> list[dict]:
    return json.loads((out / "index.json").read_text(encoding="utf-8"))


def cold_build(config: Path, work: Path, env: dict[str, str], run: int) -> tuple[float, Path]:
    """Build the batch into an empty folder (``built-<run>``); the time and the folder."""
    out = work / f"built-{run}"
    shutil.rmtree(out, ignore_errors=True)
    seconds = _run(build_cmd(config, out), env)
    failed = [f"{o['dataset_id']}/{o['report']}: {o['error']}" for o in outcomes(out) if not o["ok"]]
    if failed:
        raise RuntimeError("reports failed in the benchmark build:\n" + "\n".join(failed[:10]))
    return seconds, out


def rebuilds(config: Path, out: Path, env: dict[str, str], runs: int) -> tuple[list[float], int]:
    """The same build again, nothing changed; the times and how many reports were cache hits."""
    times = [_run(build_cmd(config, out), env) for _ in range(runs)]
    return times, sum(1 for o in outcomes(out) if o.get("cached"))


def portfolio_build(config: Path, work: Path, env: dict[str, str]) -> tuple[float, Path]:
    out = work / "portfolio"
    shutil.rmtree(out, ignore_errors=True)
    return _run(build_cmd(config, out, "--portfolio"), env), out


def naive_loop(pairs: list[tuple[Path, str]], work: Path, env: dict[str, str]) -> list[float]:
    """papermill CLI + ``jupyter nbconvert --to html``, one report at a time; seconds per report."""
    folder = work / "naive"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    notebooks = Path(env["QUYHOACH_ROOT"], "notebooks")
    jupyter = [str(BIN / "jupyter"), "nbconvert"] if (BIN / "jupyter").exists() else [str(BIN / "jupyter-nbconvert")]
    times = []
    for dataset, report in pairs:
        executed = folder / f"{dataset.name}-{report}.ipynb"
        start = time.perf_counter()
        _run([str(BIN / "papermill"), f"{report}.ipynb", str(executed), "--no-progress-bar",
              "-p", "dataset_path", str(dataset), "-p", "language", "vi",
              "-p", "output_dir", str(folder / f"{dataset.name}-{report}")], env, cwd=notebooks)
        _run([*jupyter, "--to", "html", str(executed), "--output-dir", str(folder)], env)
        times.append(time.perf_counter() - start)
    return times


def page_sizes(single: Path, portfolio: Path) -> dict[str, dict[str, float]]:
    """Largest page per report (bytes), single-file and portfolio, and the charts it has."""
    sizes: dict[str, dict[str, float]] = {}
    for o in outcomes(single):
        page = Path(o["html"])
        shared = portfolio / page.relative_to(single)
        entry = sizes.setdefault(o["report"], {"single": 0, "portfolio": 0, "charts": 0, "page": ""})
        if page.stat().st_size > entry["single"]:
            text = page.read_text(encoding="utf-8")
            entry.update(single=page.stat().st_size, portfolio=shared.stat().st_size,
                         charts=text.count('class="plotly-graph-div"'), page=str(page))
    return sizes


def _full_plotlyjs_size() -> int:
    from analysis.plotlyjs import full_plotlyjs

    return full_plotlyjs().path.stat().st_size


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def run_batch(work: Path, datasets: int, runs: int, naive_reports: int | None, log,
              only: list[str] | None = None) -> dict:
    """Every measurement of the batch (items a, b, d of the issue); a dict for RESULTS.md.

    ``only`` restricts the batch to some reports (default: every notebook); ``naive_reports``
    (default: as many as one dataset has) are run the naive way before each build.
    """
    env = snapshot(work)
    names = [r for r in reports(env) if not only or r in only]
    naive_reports = naive_reports or len(names)
    data, skipped = write_datasets(work / "data", datasets, env, log)
    config = write_config(work / "batch.yml", data, names)
    total = len(data) * len(names)
    log(f"batch: {len(data)} datasets × {len(names)} reports = {total} reports")

    # untimed: fill the bytecode cache and the OS's file cache for both ways, as on a used machine
    naive_loop([(data[0], names[0])], work, env)
    _run(build_cmd(write_config(work / "prime.yml", data[:1], names), work / "prime"), env)
    log("primed (bytecode compiled, files cached)")

    # Interleaved, so that the machine's drift (a third within minutes) hits both alike: before
    # each build, the naive loop over the next `naive_reports` reports (default: every report of
    # one dataset, the batch's mix); each run's ratio compares the two measured minutes apart.
    pairs = [(d, r) for d in data for r in names]
    naive, cold, out = [], [], work / "built"
    for run in range(runs):
        chunk = [pairs[(run * naive_reports + i) % len(pairs)] for i in range(naive_reports)]
        naive.append(naive_loop(chunk, work, env))
        log(f"naive loop: {len(chunk)} reports, {statistics.fmean(naive[-1]):.2f} s each")
        seconds, out = cold_build(config, work, env, run)
        cold.append(seconds)
        log(f"build: {seconds:.1f} s")
    again, hits = rebuilds(config, out, env, max(runs, 3))
    log(f"rebuild, nothing changed: {', '.join(f'{t:.2f}' for t in again)} s ({hits}/{total} cache hits)")
    forced = _run(build_cmd(config, out, "--force"), env)
    log(f"rebuild --force: {forced:.1f} s")
    seconds, portfolio = portfolio_build(config, work, env)
    log(f"portfolio build: {seconds:.1f} s")
    return {
        "datasets": len(data), "reports": names, "total": total, "skipped_seeds": skipped,
        "naive": naive, "naive_reports": naive_reports, "build": cold, "rebuild": again, "hits": hits,
        "forced": forced, "portfolio_build": seconds, "sizes": page_sizes(out, portfolio),
        "plotlyjs": (portfolio / "assets" / "plotly.min.js").stat().st_size,  # the bundle pages get
        "plotlyjs_full": _full_plotlyjs_size(),
        "single_dir": str(out), "portfolio_dir": str(portfolio),
    }


if __name__ == "__main__":  # a quick look: python benchmarks/batch.py WORK_DIR
    print(json.dumps(run_batch(Path(sys.argv[1]), 2, 1, None, print, sys.argv[2:]), indent=1, default=str))
