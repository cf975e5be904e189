"""The build cache: digests, keys, records, identities; slow tests build twice for real."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from rich.console import Console

from analysis import config
from analysis.build import Job, build
from analysis.cache import (
    IdentityMemo,
    ReportCache,
    dependencies,
    digest_file,
    digest_listing,
    digest_tree,
    job_key,
    memoise_result,
    memoise_results,
)
from analysis.labels import text


def _write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _touch_later(path: Path, content: str) -> None:
    """Rewrite ``path`` and move its mtime on, so a same-size rewrite is seen as a change too."""
    stat = path.stat()
    path.write_text(content, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


# Digests ------------------------------------------------------------------------------------------

def test_digest_file_is_sha256_of_the_bytes(tmp_path):
    f = _write(tmp_path / "a.csv", b"x,y\n1,2\n")
    assert digest_file(f) == hashlib.sha256(b"x,y\n1,2\n").hexdigest()
    _touch_later(f, "x,y\n1,3\n")  # same size, new content: the memo must not answer
    assert digest_file(f) == hashlib.sha256(b"x,y\n1,3\n").hexdigest()


def test_digest_tree_sees_content_and_names_not_clutter(tmp_path):
    folder = tmp_path / "ds"
    _write(folder / "dataset.yml", "id: a\n")
    _write(folder / "people.csv", "p\n1\n")
    first = digest_tree(folder)
    # clutter does not count: hidden files, caches, Excel lock files
    _write(folder / ".DS_Store", "x")
    _write(folder / "__pycache__" / "m.pyc", "x")
    _write(folder / "~$book.xlsx", "x")
    _write(folder / ".git" / "HEAD", "x")
    assert digest_tree(folder) == first
    _touch_later(folder / "people.csv", "p\n2\n")
    second = digest_tree(folder)
    assert second != first
    (folder / "people.csv").rename(folder / "persons.csv")  # same bytes, another name
    assert digest_tree(folder) not in (first, second)
    assert digest_tree(folder / "persons.csv") == digest_file(folder / "persons.csv")
    assert digest_tree(tmp_path / "nowhere") == "missing"


def test_digest_listing_changes_when_an_entry_appears(tmp_path):
    before = digest_listing(tmp_path)
    assert before == hashlib.sha256(b"").hexdigest()  # empty folder: no names
    (tmp_path / "xa-moi").mkdir()
    assert digest_listing(tmp_path) == hashlib.sha256(b"xa-moi").hexdigest()
    assert digest_listing(tmp_path / "none") == "missing"


# Keys ---------------------------------------------------------------------------------------------

@pytest.fixture
def job(tmp_path):
    notebook = _write(tmp_path / "nb" / "r.ipynb", '{"cells": []}')
    dataset = tmp_path / "data" / "ds"
    _write(dataset / "dataset.yml", "id: ds\n")
    _write(tmp_path / "data" / "before" / "dataset.yml", "id: before\n")
    return Job(dataset_path=dataset, dataset_id="ds", dataset_name="Bộ", as_of="2022-05-25", as_of_param="",
               report="r", notebook=notebook, language="vi", out_dir=tmp_path / "out",
               parameters={"before_path": "../data/before", "base": "present"})


def test_job_key_is_stable_and_changes_with_every_input(job, tmp_path):
    key = job_key(job)
    assert key == job_key(job) and re.fullmatch(r"[0-9a-f]{64}", key)
    seen = {key}

    def changed(what: str) -> None:
        new = job_key(job, options)
        assert new not in seen, what
        seen.add(new)

    options = {}
    _touch_later(job.notebook, '{"cells": [1]}')
    changed("notebook")
    _touch_later(job.dataset_path / "dataset.yml", "id: ds2\n")
    changed("dataset file")
    _write(job.dataset_path / "people.csv", "p\n")
    changed("new dataset file")
    _touch_later(tmp_path / "data" / "before" / "dataset.yml", "id: before2\n")
    changed("a dataset named by a parameter (relative to notebooks/)")
    job.parameters["base"] = "convened"
    changed("parameter")
    job.language = "en"
    changed("language")
    job.as_of_param = "2023-01-01"
    changed("as_of")
    options = {"portfolio": True}
    changed("options")


# Records ------------------------------------------------------------------------------------------

def _outcome(tmp_path: Path) -> dict:
    html = _write(tmp_path / "out" / "ds" / "r.html", "<html>trang</html>")
    tables = tmp_path / "out" / "ds" / "r"
    tables.mkdir(parents=True, exist_ok=True)
    return {"dataset_id": "ds", "dataset_name": "Bộ", "dataset_path": "/d", "report": "r", "ok": True,
            "html": str(html), "tables": str(tables), "seconds": 1.5, "finished": "2026-01-02 10:11:12"}


def test_record_round_trip_and_what_invalidates_it(tmp_path):
    cache = ReportCache(tmp_path / "out")
    outcome = _outcome(tmp_path)
    sibling = _write(tmp_path / "data" / "xa" / "dataset.yml", "id: xa\nparent: ds\n")
    extra = _write(tmp_path / "data" / "note.txt", "một")
    reads = {"files": [str(sibling), str(extra), str(tmp_path / "gone.txt")], "folders": [str(tmp_path / "data")]}
    cache.store("k1", outcome, reads)

    record = json.loads(cache.record_path("ds", "r").read_text(encoding="utf-8"))
    assert record["depends"]["trees"] == {str(sibling.parent): digest_tree(sibling.parent)}  # dataset.yml → folder
    assert set(record["depends"]["files"]) == {str(extra)}  # a file that is gone was not an input
    assert list(record["depends"]["folders"]) == [str(tmp_path / "data")]

    assert cache.lookup("ds", "r", "k1") == outcome
    assert cache.lookup("ds", "r", "k2") is None  # another key
    assert cache.lookup("ds", "other", "k1") is None  # no record

    _touch_later(extra, "hai")
    assert cache.lookup("ds", "r", "k1") is None  # a file it read changed
    cache.store("k1", outcome, reads)
    _write(sibling.parent / "people.csv", "p\n")
    assert cache.lookup("ds", "r", "k1") is None  # a table of a dataset it read appeared
    cache.store("k1", outcome, reads)
    (tmp_path / "data" / "xa-moi").mkdir()
    assert cache.lookup("ds", "r", "k1") is None  # a folder it listed has a new entry
    cache.store("k1", outcome, reads)
    _touch_later(Path(outcome["html"]), "<html>sửa tay</html>")
    assert cache.lookup("ds", "r", "k1") is None  # the page was edited since
    cache.store("k1", outcome, reads)
    Path(outcome["tables"]).rmdir()
    assert cache.lookup("ds", "r", "k1") is None  # its tables are gone
    Path(outcome["tables"]).mkdir()
    cache.store("k1", outcome, reads)
    assert cache.lookup("ds", "r", "k1") == outcome
    cache.forget("ds", "r")
    assert cache.lookup("ds", "r", "k1") is None and not cache.record_path("ds", "r").exists()


def test_dependencies_of_nothing(tmp_path):
    assert dependencies({}) == {"files": {}, "trees": {}, "folders": {}}


def test_identity_memo_reads_each_dataset_once_until_it_changes(tmp_path):
    dataset = tmp_path / "ds"
    meta = _write(dataset / "dataset.yml", "id: ds\n")
    workbook = _write(tmp_path / "book.xlsx", b"PK fake")
    calls = []

    def read(path):
        calls.append(path.name)
        return (path.stem, f"Tên {path.stem}", "2022-05-25")

    memo = IdentityMemo(tmp_path / "out")
    assert memo.get(dataset, read) == ("ds", "Tên ds", "2022-05-25")
    assert memo.get(workbook, read) == ("book", "Tên book", "2022-05-25")
    memo.save()
    again = IdentityMemo(tmp_path / "out")  # a later build
    assert again.get(dataset, read) == ("ds", "Tên ds", "2022-05-25")
    assert again.get(workbook, read)[0] == "book"
    assert calls == ["ds", "book.xlsx"]
    _touch_later(meta, "id: ds\nname: khác\n")
    again.get(dataset, read)
    assert calls == ["ds", "book.xlsx", "ds"]
    assert memo.get(tmp_path / "no-meta", read)[0] == "no-meta"  # nothing to key on: always read
    assert calls[-1] == "no-meta"


# Real builds --------------------------------------------------------------------------------------

PARAMETERS = 'dataset_path: str = ""\nas_of: str = ""\nlanguage: str = "vi"\noutput_dir: str = ""'
READER = '''
import pathlib
from IPython.display import HTML, display
note = (pathlib.Path(dataset_path).parent / "shared-note.txt").read_text(encoding="utf-8")
display(HTML(f"<p>Ghi chú: {note}</p>"))
pathlib.Path(output_dir).mkdir(parents=True, exist_ok=True)
(pathlib.Path(output_dir) / "t.csv").write_text("a\\n1\\n", encoding="utf-8")
'''


def _notebook(path: Path, source: str) -> Path:
    params = new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nbformat.write(new_notebook(cells=[params, new_code_cell(source)], metadata=kernel), str(path))
    return path


@pytest.mark.slow
def test_unchanged_reports_are_skipped_and_inputs_rebuild_them(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks / "reader.ipynb", READER)
    data = tmp_path / "data"
    _write(data / "one" / "x.csv", "a\n")
    _write(data / "two" / "x.csv", "b\n")
    note = _write(data / "shared-note.txt", "lần một")
    out = tmp_path / "out"

    def run(**options):
        console = Console(record=True, width=200)
        result = build(datasets=[data / "one", data / "two"], notebooks_dir=notebooks, out=out, jobs=1,
                       console=console, **options)
        assert result.ok, [o.error for o in result.outcomes]
        return result, console.export_text()

    first, _ = run()
    assert [o.cached for o in first.outcomes] == [False, False]
    page = out / "one" / "reader.html"
    stamp = page.stat().st_mtime_ns

    second, summary = run()
    assert [o.cached for o in second.outcomes] == [True, True]
    assert page.stat().st_mtime_ns == stamp  # not written again
    assert second.get("one", "reader").html == str(page)
    assert text("build.cache_hits", count=2) in summary
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert [item["cached"] for item in index] == [True, True]
    assert text("build.cached") in (out / "index.html").read_text(encoding="utf-8")

    _touch_later(data / "two" / "x.csv", "c\n")  # the dataset's own file
    third, _ = run()
    assert [o.cached for o in third.outcomes] == [True, False]

    _touch_later(note, "lần hai")  # a file the notebook read on its own (seen by the kernel)
    fourth, _ = run()
    assert [o.cached for o in fourth.outcomes] == [False, False]
    assert "lần hai" in page.read_text(encoding="utf-8")

    forced, _ = run(force=True)
    assert [o.cached for o in forced.outcomes] == [False, False]
    assert page.stat().st_mtime_ns != stamp


# Datasets remembered by a warm kernel -------------------------------------------------------------

PEOPLE = "person_id,full_name,gender,birth_date\n007,Nguyễn Văn An,male,06/08/1975\n008,Lò Thị Bình,female,1980\n"


@pytest.fixture
def memoised(monkeypatch):
    """`memoise_datasets` on `analysis.dataset`, counting the real reads; undone after the test."""
    from analysis import cache as cache_module
    from analysis import dataset as module

    calls = {"load": 0, "meta": 0}
    load, read_meta = module.load_dataset, module.read_meta

    def counting_load(path):
        calls["load"] += 1
        return load(path)

    def counting_meta(path):
        calls["meta"] += 1
        return read_meta(path)

    monkeypatch.setattr(module, "load_dataset", counting_load)
    monkeypatch.setattr(module, "read_meta", counting_meta)
    notes: list[str] = []
    cache_module.memoise_datasets(notes.append)
    return module, calls, notes


def test_a_dataset_is_loaded_once_while_its_files_stay_the_same(memoised, make_dataset):
    module, calls, notes = memoised
    folder = make_dataset({"people": PEOPLE})
    first = module.load_dataset(folder)
    assert calls["load"] == 1 and notes == []
    first.tables["people"].loc[first.tables["people"].index[0], "full_name"] = "ĐÃ SỬA"  # a report changes its copy
    first.meta.name = "đổi tên"
    second = module.load_dataset(str(folder))  # the same dataset, however it is named
    assert calls["load"] == 1
    assert second is not first and list(second.tables["people"]["full_name"]) == ["Nguyễn Văn An", "Lò Thị Bình"]
    assert second.meta.name == "Bộ thử"
    assert str(folder / "people.csv") in notes  # told as read: the build cache records it

    _touch_later(folder / "people.csv", PEOPLE.replace("Bình", "Binh"))
    third = module.load_dataset(folder)
    assert calls["load"] == 2 and list(third.tables["people"]["full_name"])[1] == "Lò Thị Binh"

    assert module.read_meta(folder).id == "test-ds" and module.read_meta(folder).id == "test-ds"
    assert calls["meta"] == 1
    _touch_later(folder / "dataset.yml", (folder / "dataset.yml").read_text(encoding="utf-8").replace(
        "id: test-ds", "id: test-ds2"))
    assert module.read_meta(folder).id == "test-ds2" and calls["meta"] == 2


def test_errors_are_not_remembered(memoised, make_dataset):
    from analysis.errors import DatasetError

    module, calls, _ = memoised
    folder = make_dataset({"people": "person_id,full_name,gender,birth_date\n007,An,robot,1975\n"})
    for expected in (1, 2):
        with pytest.raises(DatasetError):
            module.load_dataset(folder)
        assert calls["load"] == expected


def test_a_dataset_loaded_in_clear_never_serves_a_pseudonymised_report(memoised, make_dataset):
    from analysis.privacy import pseudonym, pseudonymise_loads

    module, calls, _ = memoised
    folder = make_dataset({"people": PEOPLE})
    key, other = b"memo-key", b"memo-other-key"
    names = ["Nguyễn Văn An", "Lò Thị Bình"]
    try:
        assert list(module.load_dataset(folder).tables["people"]["full_name"]) == names
        pseudonymise_loads(key)
        coded = list(module.load_dataset(folder).tables["people"]["full_name"])
        assert coded == [pseudonym("007", key), pseudonym("008", key)] and calls["load"] == 2
        pseudonymise_loads(None)  # and back: the clear one again, from the memo
        assert list(module.load_dataset(folder).tables["people"]["full_name"]) == names and calls["load"] == 2
        pseudonymise_loads(key)  # the same key: the coded one, from the memo
        assert list(module.load_dataset(folder).tables["people"]["full_name"]) == coded and calls["load"] == 2
        pseudonymise_loads(other)  # another key: other codes, loaded again
        assert list(module.load_dataset(folder).tables["people"]["full_name"]) == \
            [pseudonym("007", other), pseudonym("008", other)] and calls["load"] == 3
    finally:
        pseudonymise_loads(None)


# Results remembered by a warm kernel --------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_ballots():
    from analysis import ballots
    from analysis.dataset import load_dataset

    sample = config.PROJECT_ROOT / "data" / "sample" / "thuong-tin-2022"
    if not sample.is_dir():
        pytest.skip("sample datasets absent: make sample")
    t = load_dataset(sample).tables
    return ballots, (t["ballots"], t["titles"], t["conferences"], t["people"])


def _counting(function, calls: list):
    @functools.wraps(function)  # its signature: arguments are matched by name
    def counted(*args, **kwargs):
        calls.append(1)
        return function(*args, **kwargs)
    return counted


def test_the_same_tables_are_tallied_once(sample_ballots):
    """The briefing and the ballots report tally the same tables: once, by content, not identity."""
    ballots, tables = sample_ballots
    calls: list = []
    tally = memoise_result(_counting(ballots.introduction_votes, calls))
    first = tally(*tables, base=None)
    again = tally(*(t.copy(deep=True) for t in tables))  # other objects, same content; base by default
    assert len(calls) == 1
    pd.testing.assert_frame_equal(again.tally, first.tally)
    assert again.kinds == first.kinds and again.tally is not first.tally

    changed = tables[0].copy()
    row = changed.index[changed["ballot_id"].isna()][0]  # a counted row: one more vote for one person
    changed.loc[row, "votes"] += 1
    other = tally(changed, *tables[1:])
    assert len(calls) == 2
    key = ["conference_id", "title_id", "person_id"]
    person = tuple(changed.loc[row, key])
    assert other.tally.set_index(key).loc[person, "votes"] == first.tally.set_index(key).loc[person, "votes"] + 1


def test_a_report_changing_a_remembered_result_leaves_it_for_the_next(sample_ballots):
    ballots, tables = sample_ballots
    tally = memoise_result(ballots.introduction_votes)
    first = tally(*tables)
    expected = first.tally.copy(deep=True)
    first.tally["votes"] = 0
    first.tally.loc[first.tally.index[:3], "full_name"] = "X"
    first.kinds.clear()
    again = tally(*tables)
    pd.testing.assert_frame_equal(again.tally, expected)
    assert again.kinds and again.tally["votes"].sum() > 0


def test_large_unknown_or_failing_calls_are_not_remembered(monkeypatch):
    from analysis import cache as cache_module

    calls: list = []

    def total(df, factor=1, errors=False, tag=None):
        calls.append(1)
        if errors:
            raise ValueError("bad row")
        return df["x"].sum() * factor

    remembered = memoise_result(total)
    df = pd.DataFrame({"x": range(20)})
    assert remembered(df) == remembered(df, factor=1) == 190 and len(calls) == 1
    assert remembered(df, factor=2) == 380 and len(calls) == 2  # another argument: computed
    monkeypatch.setattr(cache_module, "MEMO_ROWS", 10)
    assert remembered(df) == 190 and remembered(df) == 190 and len(calls) == 4  # too large to hash
    monkeypatch.setattr(cache_module, "MEMO_ROWS", 1_000)
    assert remembered(df, tag=object()) == 190 and len(calls) == 5  # an object without a content repr
    for expected in (6, 7):
        with pytest.raises(ValueError, match="bad row"):
            remembered(df, errors=True)
        assert len(calls) == expected


def test_remembered_containers_are_copies():
    from typing import NamedTuple

    class Pair(NamedTuple):
        table: pd.DataFrame
        problems: list

    remembered = memoise_result(lambda n: Pair(pd.DataFrame({"x": range(n)}), [{"row": 2}]))
    first = remembered(3)
    first.problems[0]["row"] = 99
    first.problems.append({"row": 5})
    first.table.loc[0, "x"] = -1
    again = remembered(3)
    assert isinstance(again, Pair) and again.problems == [{"row": 2}] and again.table["x"].tolist() == [0, 1, 2]


def test_memoise_results_wraps_what_the_kernel_imported_once(monkeypatch):
    import sys
    import types

    module = types.ModuleType("quyhoach_memo_probe")
    module.f = lambda x: x + 1
    monkeypatch.setitem(sys.modules, module.__name__, module)
    memoise_results({module.__name__: ["f"], "quyhoach_not_imported": ["g"]})
    wrapped = module.f
    memoise_results({module.__name__: ["f"]})
    assert module.f is wrapped and wrapped.memoised and wrapped(1) == 2
    assert "quyhoach_not_imported" not in sys.modules
