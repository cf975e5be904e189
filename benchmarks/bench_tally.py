"""Benchmark: tally a province's raw introduction ballots (10 million marks) from Parquet.

    .venv/bin/python benchmarks/bench_tally.py [--marks 10000000] [--memory-limit 600MB] [--keep]

Writes synthetic marks to a temporary Parquet file in chunks (bounded memory), then tallies
them in a FRESH process (`analysis.tally.tally_parquet` + `analysis.ballots.tally`) so that the
peak resident memory printed is the tally's own, not the generator's. Target (issue 7 c): under
1 s and under 1 GB peak on 10 M marks. No assertion here: timings belong in benchmarks, not tests.

Results and how they compare with the target: benchmarks/RESULTS.md (`make bench`).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

# A province's key-cadre conferences: one per district, each voting on the same planned titles.
PLACES = {"BT": 3, "PBT": 6, "CT-UB": 3, "CT-HD": 3, "PCT-UB": 9, "BTV": 15, "BCH": 50}
CANDIDATES_PER_PLACE = 2
CONFERENCES = 40
CHUNK_BALLOTS = 20_000
DEFECT_RATE = 0.005  # per kind: duplicate name, one name too many, unknown title


def make_tables(marks: int) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Titles, conferences and the number of ballots that give about ``marks`` marks."""
    titles = pd.DataFrame({
        "title_id": list(PLACES), "title": list(PLACES), "body": ["leadership"] * 5 + ["btv", "bch"],
        "term": "2025-2030", "seats": pd.array([1] * len(PLACES), dtype="Int64"),
        "places": pd.array(list(PLACES.values()), dtype="Int64"),
    })
    per_ballot = sum((p + 1) / 2 for p in PLACES.values())  # names per title: uniform 1..places
    ballots = int(round(marks / per_ballot))
    per_conference = -(-ballots // CONFERENCES)
    counts = pd.array([per_conference + 10] * CONFERENCES, dtype="Int64")
    conferences = pd.DataFrame({
        "conference_id": [f"HN{i:02d}" for i in range(CONFERENCES)], "step": pd.array([3] * CONFERENCES, dtype="Int64"),
        "body": "key_cadres", "convened": counts, "present": counts, "ballots_issued": counts,
        "ballots_collected": counts, "ballots_valid": counts,
    })
    return titles, conferences, ballots


def _chunk(rng: np.random.Generator, first: int, n: int, per_conference: int) -> pa.Table:
    """Marks of ballots ``first`` … ``first + n - 1`` (vectorised: no loop over ballots)."""
    ids = np.arange(first, first + n)
    columns: dict[str, list[np.ndarray]] = {"conference_id": [], "ballot_id": [], "title_id": [], "person_id": []}
    for title, places in PLACES.items():
        pool = places * CANDIDATES_PER_PLACE
        k = rng.integers(1, places + 1, size=n)
        # each ballot names k distinct candidates: the first k of a random permutation
        order = np.argsort(rng.random((n, pool)), axis=1)
        mask = np.arange(pool)[None, :] < k[:, None]
        ballot = np.repeat(ids, k)
        person = order[mask]
        # defects: a second mark for the same person; one name more than the places
        dup = ballot[rng.random(ballot.size) < DEFECT_RATE / places]
        over = ids[(rng.random(n) < DEFECT_RATE) & (k == places)]
        ballot = np.concatenate([ballot, dup, np.repeat(over, 1)])
        person = np.concatenate([person, np.zeros(dup.size, dtype=person.dtype),
                                 np.full(over.size, pool - 1)])
        title_ids = np.full(ballot.size, title, dtype=object)
        title_ids[rng.random(ballot.size) < DEFECT_RATE / 40] = "UNKNOWN"
        columns["ballot_id"].append(ballot)
        columns["title_id"].append(title_ids)
        columns["person_id"].append(person)
    ballot = np.concatenate(columns["ballot_id"])
    return pa.table({
        "conference_id": pa.array(np.char.add("HN", np.char.zfill((ballot // per_conference).astype(str), 2))),
        "ballot_id": pa.array(np.char.add("P", ballot.astype(str))),
        "title_id": pa.array(np.concatenate(columns["title_id"]).astype(str)),
        "person_id": pa.array(np.char.add(np.concatenate(columns["title_id"]).astype(str),
                                          np.concatenate(columns["person_id"]).astype(str))),
    })


def generate(path: Path, marks: int, seed: int = 2025) -> int:
    """Write about ``marks`` marks to ``path``; return the number written."""
    _, conferences, ballots = make_tables(marks)
    per_conference = -(-ballots // CONFERENCES)
    rng = np.random.default_rng(seed)
    written = 0
    writer = None
    for first in range(0, ballots, CHUNK_BALLOTS):
        table = _chunk(rng, first, min(CHUNK_BALLOTS, ballots - first), per_conference)
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
        written += table.num_rows
    writer.close()
    return written


def _peak_mb() -> float:
    """Peak resident memory of this process (VmHWM): unlike ru_maxrss it is not inherited from
    the parent across fork + exec, so it is the tally's own."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def measure(path: Path, marks: int, memory_limit: str = "600MB") -> dict:
    """Tally ``path`` in this process: wall and CPU time, peak resident memory, the results."""
    from analysis.ballots import tally
    from analysis.tally import tally_parquet

    titles, conferences, _ = make_tables(marks)
    before = _peak_mb()
    start, cpu = time.perf_counter(), time.process_time()
    counts, invalid = tally_parquet(path, titles, conferences, memory_limit=memory_limit)
    tallied = tally(counts, conferences, titles)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3), "peak_rss_mb": round(_peak_mb()),
        "rss_before_mb": round(before), "candidates": len(tallied), "votes_counted": int(counts["votes"].sum()),
        "invalid_ballots": {r: int(n) for r, n in invalid.groupby("reason")["ballots"].sum().items()},
    }


def _child(path: Path, marks: int, memory_limit: str) -> dict:
    """:func:`measure` in a fresh interpreter; its JSON line back."""
    done = subprocess.run([sys.executable, __file__, "--measure", str(path), "--marks", str(marks),
                           "--memory-limit", memory_limit], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(marks: int = 10_000_000, runs: int = 5, memory_limit: str = "600MB", path: Path | None = None) -> dict:
    """Generate ``marks`` marks (unless ``path`` is given), tally them ``runs`` times, each in a
    fresh process; medians: ``{"seconds", "cpu_seconds", "peak_mb", "marks", "runs": [...]}``."""
    folder = None
    if path is None:
        folder = Path(tempfile.mkdtemp(prefix="bench-tally-"))
        path = folder / "marks.parquet"
        generate(path, marks)
    try:
        results = [_child(path, marks, memory_limit) for _ in range(runs)]
        written = pq.ParquetFile(path).metadata.num_rows
    finally:
        if folder is not None:
            path.unlink()
            folder.rmdir()
    return {
        "marks": written,
        "seconds": statistics.median(r["seconds"] for r in results),
        "cpu_seconds": statistics.median(r["cpu_seconds"] for r in results),
        "peak_mb": statistics.median(r["peak_rss_mb"] for r in results),
        "runs": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marks", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5, help="fresh processes; the medians are printed")
    parser.add_argument("--memory-limit", default="600MB", help="DuckDB's memory limit (it spills beyond)")
    parser.add_argument("--parquet", type=Path, help="tally this file (made by a --keep run) instead")
    parser.add_argument("--keep", action="store_true", help="keep the generated Parquet file")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.marks, args.memory_limit)))
        return
    path = args.parquet
    if path is None and args.keep:
        path = Path(tempfile.mkdtemp(prefix="bench-tally-")) / "marks.parquet"
        written = generate(path, args.marks)
        print(f"generated {written:,} marks ({path.stat().st_size / 2**20:.0f} MB Parquet): {path}")
    result = run(args.marks, args.runs, args.memory_limit, path)
    last = result["runs"][-1]
    print(f"{result['marks']:,} marks; {last['candidates']} candidates, {last['votes_counted']:,} votes "
          f"counted, invalid {last['invalid_ballots']}")
    print("runs (s): " + ", ".join(str(r["seconds"]) for r in result["runs"])
          + "; CPU (s): " + ", ".join(str(r["cpu_seconds"]) for r in result["runs"]))
    # one line for benchmarks/run.py and other harnesses: the medians
    print(json.dumps({k: result[k] for k in ("marks", "seconds", "cpu_seconds", "peak_mb")}))


if __name__ == "__main__":
    main()
