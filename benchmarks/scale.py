"""Large inputs (part of `run.py`): ballot tallies of 1 M and 10 M marks, composition of 1 M people.

Each measurement runs in a FRESH process that reads its input from Parquet, so the time and the
peak resident memory (VmHWM) are those of the analysis alone, not of the generator. Tallies use
`benchmarks/bench_tally.py` (the ballots engineer's: generator and measuring child);
composition generates a province-sized people table here and runs the composition report's
analyses on it (`people.add_person_facts`, then every table of the report and its summary).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
AS_OF = "2025-10-15"
TERMS = [{"label": "2025-2030", "kind": "party", "start": "2025-10-01"},
         {"label": "2026-2031", "kind": "government", "start": "2026-03-01"}]


def _child(args: list[str], env: dict[str, str]) -> dict:
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(args[:3])} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def tally(marks: int, work: Path, runs: int, env: dict[str, str], log) -> dict:
    """Generate ``marks`` marks once, then tally them ``runs`` times, each in a fresh process."""
    sys.path.insert(0, str(HERE))
    import bench_tally

    path = work / f"marks-{marks}.parquet"
    start = time.perf_counter()
    written = bench_tally.generate(path, marks)
    log(f"tally: {written:,} marks generated in {time.perf_counter() - start:.1f} s "
        f"({path.stat().st_size / 2**20:.0f} MB Parquet)")
    results = [_child([str(HERE / "bench_tally.py"), "--measure", str(path), "--marks", str(marks)], env)
               for _ in range(runs)]
    path.unlink()
    log(f"tally {marks:,}: " + ", ".join(f"{r['seconds']} s / {r['peak_rss_mb']} MB" for r in results))
    return {"marks": written, "parquet_mb": None, "runs": results}


# Composition of a million people ---------------------------------------------------------------


def make_people(path: Path, n: int, seed: int = 2025) -> None:
    """``n`` invented people in the canonical people table, written as Parquet."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    birth = pd.Timestamp("1960-01-01") + pd.to_timedelta(rng.integers(0, 365 * 40, n), unit="D")
    choose = lambda values, p=None: np.asarray(values, dtype=object)[rng.choice(len(values), n, p=p)]  # noqa: E731
    people = pd.DataFrame({
        "person_id": pd.array([f"P{i:07d}" for i in range(n)], dtype="str"),
        "full_name": pd.array([f"Người {i}" for i in range(n)], dtype="str"),
        "gender": pd.array(choose(["male", "female"], [0.7, 0.3]), dtype="str"),
        "birth_date": birth.astype("datetime64[ns]"),
        "birth_date_precision": pd.array(choose(["day", "year"], [0.98, 0.02]), dtype="str"),
        "ethnicity": pd.array(choose(["Kinh", "Tày", "Thái", "Mường", "Mông"], [0.8, 0.05, 0.05, 0.05, 0.05]),
                              dtype="str"),
        "unit": pd.array(choose([f"Đơn vị {i}" for i in range(3300)]), dtype="str"),
        "sector": pd.array(choose(["party", "government", "front", "commune", "armed_forces", "other"]), dtype="str"),
        "education": pd.array(choose(["doctorate", "master", "bachelor", "college", "vocational", "none"]),
                              dtype="str"),
        "political_theory": pd.array(choose(["advanced", "intermediate", "elementary", "none"]), dtype="str"),
    })
    people.to_parquet(path, index=False)


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure_composition(path: Path) -> dict:
    """In this (fresh) process: read the people, add the facts, build every composition table."""
    import pandas as pd

    from analysis import composition as comp
    from analysis.people import add_person_facts
    from analysis.rules import load_rules

    rules = load_rules("qd50")
    before = _peak_mb()
    start = time.perf_counter()
    people = pd.read_parquet(path)
    facts = add_person_facts(people, AS_OF, TERMS, rules, "province")
    tables = [comp.age_pyramid_table(facts, rules), comp.age_band_table(facts, rules),
              comp.category_table(facts, "ethnicity"), comp.category_table(facts, "education"),
              comp.category_table(facts, "political_theory"), comp.sector_table(facts),
              comp.eligibility_table(facts, TERMS)]
    summary = comp.summary(facts, rules, level="province", terms=TERMS, as_of=AS_OF)
    seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 3), "peak_rss_mb": round(_peak_mb()), "rss_before_mb": round(before),
            "people": int(summary["people"]), "tables": len(tables)}


def composition(n: int, work: Path, runs: int, env: dict[str, str], log) -> dict:
    path = work / f"people-{n}.parquet"
    make_people(path, n)
    results = [_child([__file__, "--measure", str(path)], env) for _ in range(runs)]
    path.unlink()
    log(f"composition {n:,}: " + ", ".join(f"{r['seconds']} s / {r['peak_rss_mb']} MB" for r in results))
    return {"people": n, "runs": results}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(measure_composition(Path(sys.argv[2]))))
