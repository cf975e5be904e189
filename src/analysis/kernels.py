"""Warm kernels: run report notebooks without paying a kernel start and the imports for each one.

A build worker owns one :class:`ReportKernel`: an ipykernel started once, with the libraries the
notebooks import already imported (``warm=True``). Between two reports the kernel's state is put
back as it was after warm-up (:func:`reset_in_kernel`): the user namespace and execution count,
the working directory, plotly's renderers and templates, pandas and numpy options, warnings
filters, ``os.environ`` and ``sys.path``. Modules stay imported: that is the point, and so do
datasets already loaded, while their files are unchanged (`cache.memoise_datasets`), and results
that several reports compute from the same tables (`cache.memoise_results`). The
objects warm-up created are frozen out of the garbage collector (``gc.freeze``): they live as
long as the kernel, and each collection that frees a report's objects then skips them. A report
that fails, times out or kills its kernel gets a new kernel for the next report. ``warm=False`` starts
a fresh kernel for every report (the old way; tests compare both).

plotly's ``notebook`` renderer inlines plotly.js only the first time it is activated in a
kernel; :func:`place_plotlyjs` therefore removes whatever the kernel emitted and puts plotly.js
(inline, or a ``<script src>`` to a shared local copy in portfolio mode) once before the first
chart, so the page never depends on the kernel's history.

This module imports only the standard library at import time: the kernel imports it too.
"""

from __future__ import annotations

import ast
import gc
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# plotly.js, once per page, lives in `analysis.plotlyjs` (stdlib-only too); kept importable from here
from analysis.plotlyjs import PLACED_BY_BUILD, PLOTLYJS_MARK, place_plotlyjs, plotlyjs_script, write_shared_plotlyjs  # noqa: F401

KERNEL_NAME = "python3"
STARTUP_TIMEOUT = 120  # seconds; two cores shared by several builds can be slow
# Always imported by warm-up, whatever the notebooks import: the report runtime's own libraries.
BASE_IMPORTS = ("numpy", "pandas", "plotly.graph_objects", "plotly.io", "IPython.display",
                "analysis.report", "analysis.dataset", "analysis.rules", "analysis.charts.theme")

_KERNEL_DIR: str | None = None


# ---------------------------------------------------------------------------------------------
# Kernel spec


def use_own_kernel() -> None:
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


def notebook_imports(notebooks: Iterable[Path]) -> list[str]:
    """Modules imported at the top level of the notebooks' code cells, plus :data:`BASE_IMPORTS`.

    Warm-up imports them once per kernel (names that are not modules fail there, silently). A
    cell that does not parse is skipped: it fails in the report itself, with its own error.
    """
    found: dict[str, None] = dict.fromkeys(BASE_IMPORTS)
    for path in notebooks:
        cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
        for cell in cells:
            if cell.get("cell_type") != "code" or "parameters" in cell.get("metadata", {}).get("tags", []):
                continue
            source = cell.get("source", "")
            try:
                tree = ast.parse("".join(source) if isinstance(source, list) else source)
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, ast.Import):
                    found.update(dict.fromkeys(alias.name for alias in node.names))
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found[node.module] = None
                    # `from analysis import composition` imports a module; warm-up tries each name
                    found.update(dict.fromkeys(f"{node.module}.{alias.name}" for alias in node.names))
    return list(found)


# ---------------------------------------------------------------------------------------------
# Inside the kernel (called by the build through silent executions)

_PRISTINE: dict[str, Any] = {}


def warm_up(modules: Iterable[str]) -> list[str]:
    """Import ``modules``, draw one throw-away figure, and record the state to reset to.

    Returns the modules that failed to import (their report will say why, not the warm-up).
    """
    import importlib

    failed = []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the report that needs it reports the error
            failed.append(name)
    if "plotly.graph_objects" in sys.modules:
        # plotly builds its validators and serialisers on first use: pay that once here
        import plotly.graph_objects as go
        import plotly.io as pio

        pio.to_html(go.Figure(go.Bar(x=["a"], y=[1])), include_plotlyjs=False, full_html=False)
    if "analysis.dataset" in sys.modules:
        from analysis.cache import memoise_datasets, memoise_results

        memoise_datasets(_note_read)
        memoise_results()
    _snapshot()
    # The imported libraries live as long as the kernel: freezing them keeps every later full
    # collection (the reset's, ~100 ms, and those during a report) to the reports' own objects.
    gc.collect()
    gc.freeze()
    return failed


def _snapshot() -> None:
    import copy
    import warnings

    _PRISTINE.clear()
    _PRISTINE.update(environ=dict(os.environ), path=list(sys.path), warnings=list(warnings.filters))
    if "plotly.io" in sys.modules:
        pio = sys.modules["plotly.io"]
        _PRISTINE["renderers"] = dict(pio.renderers._renderers)
        _PRISTINE["renderer_default"] = pio.renderers.default
        _PRISTINE["render_on_display"] = pio.renderers.render_on_display
        _PRISTINE["template_default"] = pio.templates.default
    if "pandas" in sys.modules:
        from pandas._config import config as pd_config

        _PRISTINE["pandas"] = copy.deepcopy(pd_config._global_config)
    if "numpy" in sys.modules:
        np = sys.modules["numpy"]
        _PRISTINE["numpy"] = (np.geterr(), np.get_printoptions())


_READS: dict[str, Any] = {"on": False, "files": set(), "folders": set(), "skip": ()}
_WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND


def _audit(event: str, args: tuple) -> None:
    """Audit hook: remember files opened for reading and folders listed, outside ``skip``."""
    if not _READS["on"] or event not in ("open", "os.listdir", "os.scandir"):
        return
    target = args[0] if args else None
    if target is None or isinstance(target, int):
        return
    if event == "open":
        mode, flags = args[1], args[2]
        if (mode and any(c in mode for c in "wax+")) or (not mode and flags & _WRITING):
            return
    try:
        name = os.path.abspath(os.fsdecode(target))
    except (TypeError, ValueError):
        return
    if (name + os.sep).startswith(_READS["skip"]):
        return
    if event != "open" and name == os.getcwd():
        return  # import machinery lists the working directory (on sys.path as ''): the notebooks' own
    _READS["files" if event == "open" else "folders"].add(name)


def _note_read(name: str) -> None:
    """A file a report used without opening it (the warm kernel remembered it): a read all the same."""
    if _READS["on"]:
        _READS["files"].add(name)


def record_reads(skip: Iterable[str] = ()) -> None:
    """Start recording what the report reads (the cache's dependencies), ``skip`` prefixes aside.

    The interpreter's own files, this package (hashed as a whole by the cache) and the system's
    pseudo-files never count.
    """
    if not _READS.get("hooked"):
        sys.addaudithook(_audit)  # cannot be removed: it is switched off instead
        _READS["hooked"] = True
    package = str(Path(__file__).resolve().parent)
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, package, "/proc", "/sys", "/dev", *skip}
    _READS.update(on=True, files=set(), folders=set(),
                  skip=tuple(os.path.join(os.path.abspath(p), "") for p in prefixes if p))


def recorded_reads() -> str:
    """Stop recording; the files and folders read, as JSON ``{"files": [...], "folders": [...]}``."""
    _READS["on"] = False
    return json.dumps({"files": sorted(_READS["files"]), "folders": sorted(_READS["folders"])})


def reset_in_kernel(cwd: str) -> None:
    """Put the kernel back as it was after :func:`warm_up`, then enter ``cwd``."""
    import warnings

    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=True)  # user namespace, output cache, execution count
    os.environ.clear()
    os.environ.update(_PRISTINE.get("environ", {}))
    if "path" in _PRISTINE:
        sys.path[:] = _PRISTINE["path"]
    if "warnings" in _PRISTINE:
        warnings.filters[:] = _PRISTINE["warnings"]
        warnings._filters_mutated()  # forget "already shown once" registries
    if "renderers" in _PRISTINE:
        pio = sys.modules["plotly.io"]
        pio.renderers._renderers.clear()
        pio.renderers._renderers.update(_PRISTINE["renderers"])
        pio.renderers.default = _PRISTINE["renderer_default"]  # activation is pending again
        pio.renderers.render_on_display = _PRISTINE["render_on_display"]
        if pio.templates.default != _PRISTINE["template_default"]:  # setting it deep-copies the template
            pio.templates.default = _PRISTINE["template_default"]
    if "pandas" in _PRISTINE:
        import copy

        from pandas._config import config as pd_config

        pd_config._global_config.clear()
        pd_config._global_config.update(copy.deepcopy(_PRISTINE["pandas"]))
    if "numpy" in _PRISTINE:
        np = sys.modules["numpy"]
        np.seterr(**_PRISTINE["numpy"][0])
        np.set_printoptions(**_PRISTINE["numpy"][1])
    os.chdir(cwd)
    gc.collect()  # the report's cycles: IPython's reset collects before it clears the namespace


# ---------------------------------------------------------------------------------------------
# The build's side


class ReportKernel:
    """Runs report notebooks one after another: in one warm kernel, or each in a fresh kernel."""

    def __init__(self, warm: bool = True, imports: Iterable[str] = BASE_IMPORTS,
                 startup_timeout: int = STARTUP_TIMEOUT) -> None:
        self.warm = warm
        self.imports = list(imports)
        self.startup_timeout = startup_timeout
        self.client = None  # nbclient.NotebookClient bound to the running kernel
        self.reports_run = 0  # by the running kernel
        self.last_notebook = None  # the last executed notebook, also when it failed
        self.last_reads: dict[str, list[str]] = {}  # what the last report read (see record_reads)
        self._warming = None  # msg_id of a warm-up or reset not yet waited for

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self, cwd: Path | str | None = None, wait: bool = True) -> None:
        """Start the kernel (and warm it up when ``warm``); nothing when it is running.

        ``wait=False`` returns while the kernel imports; :meth:`wait_until_ready` waits for it.
        """
        if self.alive:
            return
        import nbformat
        from nbclient import NotebookClient
        from traitlets.config import Config

        use_own_kernel()
        client = NotebookClient(
            nbformat.v4.new_notebook(), kernel_name=KERNEL_NAME, startup_timeout=self.startup_timeout,
            # CurveZMQ between nbclient and the kernel (the spec declares support)
            config=Config({"KernelManager": {"transport_encryption": "auto"}}),
        )
        client.km = client.create_kernel_manager()
        # plotly.js is put on the page by `place_plotlyjs`, not emitted by the kernel's renderer
        env = {**os.environ, PLACED_BY_BUILD: "1"}
        client.start_new_kernel(cwd=str(cwd or Path.cwd()), env=env)
        client.start_new_kernel_client()
        self.client, self.reports_run = client, 0
        if self.warm:
            code = f"__import__('analysis.kernels', fromlist=['_']).warm_up({self.imports!r})"
            self._warming = client.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
            if wait:
                self.wait_until_ready()

    def wait_until_ready(self) -> None:
        """Wait for the warm-up started by :meth:`start`, or the reset started after the last
        report (raise when it failed)."""
        msg_id, self._warming = self._warming, None
        if msg_id is not None:
            self._check(self._reply(msg_id, self.startup_timeout), "warm-up / reset")

    @property
    def alive(self) -> bool:
        if self.client is None or self.client.km is None:
            return False
        from nbclient.util import run_sync

        return bool(run_sync(self.client.km.is_alive)())

    def shutdown(self) -> None:
        """Stop the kernel; the next report starts a new one."""
        if self.client is None:
            return
        if self._warming is not None and self.alive:  # let a reset finish: its reply has a socket to go to
            try:
                self.wait_until_ready()
            except Exception:  # noqa: BLE001 - the kernel is stopped anyway
                pass
        self._warming = None
        client, self.client = self.client, None
        try:
            if client.km is not None:
                client._cleanup_kernel()
        except Exception:  # noqa: BLE001 - a kernel that is already gone is fine
            pass

    @staticmethod
    def save(nb: Any, path: Path) -> None:
        """Write a notebook (e.g. a failed report's, for the analyst to open)."""
        import nbformat

        nbformat.write(nb, str(path))

    def __enter__(self) -> ReportKernel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    def _silently(self, code: str, timeout: int | None = None, expression: str | None = None) -> Any:
        """Run ``code`` in the kernel without history or output; raise when it fails.

        Returns the value of ``expression`` (a Python literal's repr, evaluated after ``code``).
        """
        import ast

        from nbclient.exceptions import CellExecutionError

        expressions = {"value": expression} if expression else {}
        msg_id = self.client.kc.execute(code, silent=True, store_history=False, allow_stdin=False,
                                        user_expressions=expressions)
        content = self._check(self._reply(msg_id, timeout or self.startup_timeout), code)
        if not expression:
            return None
        value = content.get("user_expressions", {}).get("value", {})
        if value.get("status") != "ok":
            raise CellExecutionError("", value.get("ename", "KernelError"), value.get("evalue", expression))
        return ast.literal_eval(value["data"]["text/plain"])

    def _reply(self, msg_id: str, timeout: int) -> dict:
        self.client.timeout = timeout
        return self.client.wait_for_reply(msg_id) or {}

    @staticmethod
    def _check(reply: dict, what: str) -> dict:
        from nbclient.exceptions import CellExecutionError

        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise CellExecutionError("\n".join(content.get("traceback") or []),
                                     content.get("ename", "KernelError"), content.get("evalue", what))
        return content

    # -- running a report --------------------------------------------------------------------
    def run(self, notebook: Path, parameters: dict[str, Any], cwd: Path, timeout: int,
            skip_reads: Iterable[str] = ()):
        """Execute ``notebook`` with ``parameters`` injected (as papermill does); return it.

        Raises nbclient's CellExecutionError (``ename``, ``evalue``) when a cell fails, and
        CellTimeoutError or DeadKernelError; :attr:`last_notebook` then holds the notebook as far
        as it ran. Never leaves a used or broken kernel behind for the next report. What the
        report read (outside ``skip_reads``) is in :attr:`last_reads` afterwards.
        """
        from papermill.iorw import load_notebook_node
        from papermill.parameterize import parameterize_notebook

        nb = parameterize_notebook(load_notebook_node(str(notebook)), parameters, kernel_name=KERNEL_NAME)
        self.last_notebook, self.last_reads = nb, {}
        if not self.warm or not self.alive:
            self.shutdown()
            self.start(cwd)
        self.wait_until_ready()
        module = "__import__('analysis.kernels', fromlist=['_'])"
        self._silently(f"__import__('os').chdir({str(cwd)!r})\n"
                       f"{module}.record_reads({[str(p) for p in skip_reads]!r})")
        client = self.client
        client.nb, client.timeout = nb, timeout
        client.resources = {"metadata": {"path": str(cwd)}}
        ok = False
        try:
            client.execute(cleanup_kc=False)
            self.last_reads = json.loads(self._silently("", expression=f"{module}.recorded_reads()"))
            ok = True
        finally:
            self.reports_run += 1
            if not ok or not self.warm:
                self.shutdown()  # a failed report may leave anything behind: next one gets a new kernel
            else:  # reset now, while the caller renders this page (the reset's gc.collect takes ~60 ms)
                self._warming = client.kc.execute(f"{module}.reset_in_kernel({str(cwd)!r})", silent=True,
                                                  store_history=False, allow_stdin=False)
        return nb


def error_lines(exc: BaseException) -> tuple[str, list[str]]:
    """(one-line error, problem lines) from a failed cell or any exception."""
    name = getattr(exc, "ename", None)
    value = str(getattr(exc, "evalue", "")) if name else str(exc)
    name = name or type(exc).__name__
    lines = [line for line in value.splitlines() if line.strip()]
    head = f"{name}: {lines[0] if lines else ''}".strip()
    return head, lines[1:]
