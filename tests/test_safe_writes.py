"""Writing into an output folder safely (analysis.safe_writes): one build at a time, files whole."""

from __future__ import annotations

import errno
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from rich.console import Console

from analysis.build import build
from analysis.config import PROJECT_ROOT
from analysis.errors import BuildError
from analysis.safe_writes import LOCK_NAME, build_lock, write_text_atomic

HOLD = """
import sys
from analysis.safe_writes import build_lock
with build_lock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.read()  # until the test closes it
"""


@pytest.fixture
def holder(tmp_path):
    """A second process holding the lock on tmp_path/"out" until the test ends."""
    out = tmp_path / "out"
    out.mkdir()
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, cwd=PROJECT_ROOT)
    assert process.stdout.readline().strip() == "held"
    yield out, process
    process.stdin.close()
    process.wait(timeout=30)


def test_a_lock_held_by_another_process_is_refused_with_its_name(holder):
    out, process = holder
    with pytest.raises(BuildError) as caught:
        with build_lock(out):
            pass
    message = str(caught.value)
    assert f"process {process.pid}" in message and "another build is writing to" in message
    assert "Một lần dựng báo cáo khác đang ghi vào thư mục" in message


def test_the_lock_goes_with_its_process_however_it_ends(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    killed = "import os, sys\nfrom analysis.safe_writes import build_lock\nwith build_lock(sys.argv[1]):\n    os._exit(3)"
    assert subprocess.run([sys.executable, "-c", killed, str(out)], cwd=PROJECT_ROOT).returncode == 3
    with build_lock(out) as path:  # no stale lock
        assert path == out / LOCK_NAME
    with build_lock(out):  # and released again after the block
        pass


def test_a_file_system_that_cannot_lock_does_not_stop_every_build(tmp_path, monkeypatch):
    import fcntl

    def no_locks(fd, operation):  # what some network shares answer
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    with build_lock(tmp_path) as path:  # goes on, unguarded
        assert "process" in path.read_text(encoding="utf-8")

    def held(fd, operation):
        raise BlockingIOError(errno.EWOULDBLOCK, "Resource temporarily unavailable")

    monkeypatch.setattr(fcntl, "flock", held)
    with pytest.raises(BuildError, match="another build is writing"):
        with build_lock(tmp_path):
            pass


def _tiny(tmp_path: Path) -> tuple[Path, Path]:
    notebooks, dataset = tmp_path / "notebooks", tmp_path / "data" / "tiny"
    notebooks.mkdir()
    dataset.mkdir(parents=True)
    params = new_code_cell('dataset_path: str = ""  # help: d\nas_of: str = ""  # help: a\n'
                           'language: str = "vi"  # help: l\noutput_dir: str = ""  # help: o')
    params.metadata["tags"] = ["parameters"]
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nbformat.write(new_notebook(cells=[params, new_code_cell('print("built")')], metadata=kernel),
                   str(notebooks / "page.ipynb"))
    return notebooks, dataset


@pytest.mark.slow
def test_a_second_build_into_the_same_folder_stops_before_deleting_anything(holder, tmp_path):
    out, process = holder
    notebooks, dataset = _tiny(tmp_path)
    previous = out / "tiny" / "page.html"
    previous.parent.mkdir()
    previous.write_text("the page of the build before", encoding="utf-8")
    with pytest.raises(BuildError, match=f"process {process.pid}"):
        build(datasets=[dataset], notebooks_dir=notebooks, out=out, jobs=1, console=Console(record=True))
    assert previous.read_text(encoding="utf-8") == "the page of the build before"
    assert not (out / "index.html").exists()
    # from the command line: exit code 2 and the message, for a schedule's log
    done = subprocess.run([sys.executable, "-m", "analysis", "build", "-d", str(dataset), "-o", str(out)],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "another build is writing to" in done.stdout + done.stderr
    # once the first build is over, the next one runs
    process.stdin.close()
    process.wait(timeout=30)
    result = build(datasets=[dataset], notebooks_dir=notebooks, out=out, jobs=1, console=Console(record=True))
    assert result.ok and "the page of the build before" not in previous.read_text(encoding="utf-8")
    assert (out / "index.html").exists() and "tiny/page.html" in (out / "index.html").read_text(encoding="utf-8")


def test_a_file_is_replaced_whole_or_left_as_it_was(tmp_path):
    page = tmp_path / "page.html"
    write_text_atomic(page, "cũ")
    assert page.read_text(encoding="utf-8") == "cũ"
    with pytest.raises(UnicodeEncodeError):
        write_text_atomic(page, "mới" + "\udcff")  # fails while writing
    assert page.read_text(encoding="utf-8") == "cũ"
    write_text_atomic(page, "mới")
    assert page.read_text(encoding="utf-8") == "mới"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]  # no temporary file left
