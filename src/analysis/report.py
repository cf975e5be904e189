"""The runtime of a report notebook: ``ctx = start_report(...)`` then ``ctx.show(...)``.

See docs/notebooks.md. Everything a notebook would otherwise repeat lives here: parameter checks,
loading the dataset, the reference date, offline plotly, the title block, and writing tables.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import os
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.io as pio
from plotly.io._base_renderers import NotebookRenderer

from analysis import params, privacy
from analysis.errors import DatasetError, ParameterError
from analysis.labels import Labels, code_label, format_date, report_title, text  # noqa: F401 - re-exported
from analysis.outputs import write_csv, write_summary
from analysis.plotlyjs import PLACED_BY_BUILD as PLOTLYJS_PLACED_BY_BUILD

# Columns whose values are canonical codes shown through `labels.code_label`.
CODE_COLUMNS = ("gender", "age_band", "body", "sector", "education", "political_theory",
                "status", "base", "level", "ok", "managed_by")


class OfflineNotebookRenderer(NotebookRenderer):
    """plotly's ``notebook`` renderer without MathJax from a CDN.

    The stock renderer inlines plotly.js once per notebook (good: reports are opened offline in
    meeting rooms) but asks for MathJax from cdnjs with every figure. Reports use no LaTeX.
    """

    def activate(self) -> None:
        # A build kernel's pages get plotly.js from the build (`plotlyjs.place_plotlyjs`): 4.6 MB
        # less to send from the kernel and to strip again, for every report.
        if os.environ.get(PLOTLYJS_PLACED_BY_BUILD) != "1":
            super().activate()

    def to_mimebundle(self, fig_dict: dict) -> dict:
        from plotly.io import to_html

        markup = to_html(
            inert_figure(fig_dict),
            config=self.config,
            auto_play=self.auto_play,
            include_plotlyjs=False,
            include_mathjax=False,
            post_script=self.post_script,
            full_html=False,
            animation_opts=self.animation_opts,
            default_width="100%",
            default_height=525,
            validate=False,
        )
        return {"text/html": markup}


# whitespace between two tags: pandas indents every table cell on a line of its own
_BETWEEN_TAGS = re.compile(r">\s+<")

# Plotly draws a few HTML-like tags in its texts; any other "<" in a figure (a name, a unit typed
# in a spreadsheet) is shown as the character, never run or drawn as markup.
_PLOTLY_TAG = re.compile(
    r"</?(?:b|i|em|sup|sub|s|u|br|extra)\s*/?>|<span style=(['\"])[^'\"<>()]*\1>|</span>", re.I)


def inert_text(value: str) -> str:
    """``value`` with every ``<`` that does not open one of plotly's own tags made literal."""
    parts, start = [], 0
    for match in _PLOTLY_TAG.finditer(value):
        parts += [value[start:match.start()].replace("<", "&lt;"), match.group(0)]
        start = match.end()
    return "".join(parts) + value[start:].replace("<", "&lt;")


def inert_figure(obj: Any) -> Any:
    """A figure dict (or any part of one) with :func:`inert_text` applied to every string."""
    if isinstance(obj, str):
        return inert_text(obj) if "<" in obj else obj
    if isinstance(obj, dict):
        return {k: inert_figure(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [inert_figure(v) for v in obj]
    if isinstance(obj, np.ndarray) and obj.dtype.kind in "OUS":
        return [inert_figure(v) for v in obj.tolist()]
    return obj


def use_offline_plotly() -> None:
    """Make ``notebook`` (plotly.js inlined once, then one div per figure) the default renderer.

    Idempotent: running ``start_report`` again in the same kernel does not inline plotly.js twice.
    """
    current = pio.renderers["notebook"]
    if isinstance(current, OfflineNotebookRenderer) and pio.renderers.default == "notebook":
        return
    pio.renderers["notebook"] = OfflineNotebookRenderer()
    pio.renderers.default = "notebook"


def _rules_name(rules: Any, language: str) -> str:
    """The rule set's name in ``language`` (``RuleSet.name`` is bilingual)."""
    name = rules.get("name") if isinstance(rules, dict) else getattr(rules, "name", None)
    if name is None:
        return ""
    if hasattr(name, "get"):  # a dict or rules.Bilingual
        return str(name.get(language) or name.get("vi") or "")
    return str(name)


def _display(obj: Any) -> None:
    from IPython.display import display

    display(obj)


def _markdown(markup: str) -> None:
    from IPython.display import Markdown

    _display(Markdown(markup))


def _html(markup: str) -> None:
    from IPython.display import HTML

    _display(HTML(markup))


_MARKDOWN_SIGNS = re.compile(r"([\\`*_\[\]{}#|~$])")
_BLOCK_START = re.compile(r"(?m)^(\s*)(\d+(?=[.)])|)([-+=.)])")  # a list, a heading underline


def markdown_text(value: object) -> str:
    """``value`` as Markdown that shows exactly these characters: no HTML, links or markup.

    Headings and notes carry text from the data (unit, title and dataset names), which must never
    become markup or script in a report.
    """
    escaped = _MARKDOWN_SIGNS.sub(r"\\\1", html.escape(str(value), quote=False))
    return _BLOCK_START.sub(r"\1\2\\\3", escaped)


@dataclass
class ReportContext:
    """What a notebook works with after :func:`start_report`."""

    report: str
    dataset: Any
    dataset_path: Path
    as_of: dt.date
    language: str
    rules: Any
    output_dir: Path | None = None
    marking: str = ""  # the confidentiality marking; empty: the label report.confidential
    pseudonymised: bool = False
    min_cell: int = privacy.DEFAULT_MIN_CELL  # counts under this are hidden in small breakdowns
    L: Labels = field(init=False)

    def __post_init__(self) -> None:
        self.L = Labels(self.language)

    # -- derived data ------------------------------------------------------------------------
    @cached_property
    def people(self) -> pd.DataFrame:
        """The people table with the derived facts (age, band, tier, retirement…) on ``as_of``."""
        from analysis.people import add_person_facts

        meta = self.dataset.meta
        return add_person_facts(self.dataset.tables["people"], self.as_of, meta.terms,
                                self.rules, meta.level)

    def table_or_none(self, name: str) -> pd.DataFrame | None:
        """A canonical table of the dataset, or None when the dataset has none."""
        return self.dataset.tables.get(name)

    # -- parameters --------------------------------------------------------------------------
    def param(self, name: str, value: Any, kind: type = str, choices=None, default=None) -> Any:
        """Validate and convert a report-specific parameter (see :func:`analysis.params.convert`)."""
        return params.convert(name, value, kind=kind, choices=choices, default=default)

    # -- showing -----------------------------------------------------------------------------
    def heading(self, text_: str, level: int = 2) -> None:
        """A section heading (Markdown ``##`` by default)."""
        level = min(max(int(level), 1), 6)
        _markdown(f"{'#' * level} {markdown_text(text_)}")

    def note(self, text_: str) -> None:
        """A short explanatory paragraph (Markdown), shown as a note."""
        lines = str(text_).strip().splitlines() or [""]
        _markdown("\n".join(f"> {markdown_text(line)}" for line in lines))

    def show(self, fig: Any, table: pd.DataFrame | None = None, name: str | None = None) -> None:
        """Display a figure; write ``table`` as ``<output_dir>/<name>.csv`` when given."""
        if table is not None and name is None:
            raise ParameterError("ctx.show: cần 'name' để lưu bảng / 'name' is needed to save the table")
        meta = getattr(getattr(fig, "layout", None), "meta", None)
        if name is not None and (meta is None or isinstance(meta, dict)):
            fig.update_layout(meta={**(meta or {}), "chart": name})  # the PNG's file name (images.py)
        _display(fig)
        if table is not None:
            self.save_csv(table, name)

    # -- small cells (privacy.suppress_small_cells with this report's threshold) -------------------
    def suppress(self, df: pd.DataFrame, by: list[str] | tuple = (), count: str = "count",
                 exempt: dict | None = None) -> pd.DataFrame:
        """``df`` with small counts hidden (and their complements), for tables and CSV."""
        return privacy.suppress_small_cells(df, count=count, by=by, threshold=self.min_cell, exempt=exempt)

    def collapse(self, df: pd.DataFrame, by: list[str] | tuple = (), count: str = "count",
                 exempt: dict | None = None) -> pd.DataFrame:
        """``df`` with the hidden cells merged into one row per total, for charts."""
        label = self.L("privacy.small_cells.merged", n=self.min_cell)
        return privacy.collapse_small_cells(df, label, count=count, by=by, threshold=self.min_cell,
                                            exempt=exempt)

    def table(self, df: pd.DataFrame, name: str | None = None, labels: dict | None = None) -> None:
        """Display ``df`` as an HTML table (codes and headers in the report's language).

        ``labels`` maps column names to headers, overriding ``report.columns.<column>``. With
        ``name`` the table is also written as CSV (canonical columns and codes, for machines).
        """
        _html(self.table_html(df, labels))
        if name is not None:
            self.save_csv(df, name)

    def numbers(self, values: dict[str, Any], labels_prefix: str = "", name: str | None = None) -> None:
        """Key figures as a two-column table: the label ``<labels_prefix>.<key>`` and the value.

        With ``name`` the figures are also written as CSV ``[measure, value]`` (keys, for machines).
        """
        frame = pd.DataFrame({"measure": list(values), "value": pd.Series(list(values.values()), dtype=object)})
        shown = frame.copy()
        prefix = f"{labels_prefix.rstrip('.')}." if labels_prefix else ""
        shown["measure"] = [self._label(f"{prefix}{key}", key) for key in frame["measure"]]
        _html(self.table_html(shown, labels={"value": self.L("report.columns.figure")}))
        if name is not None:
            self.save_csv(frame, name)

    def _label(self, key: str, fallback: str) -> str:
        found = self.L(key)
        return fallback if found == key else found

    def table_html(self, df: pd.DataFrame, labels: dict | None = None) -> str:
        shown = pd.DataFrame(index=range(len(df)))
        for i, column in enumerate(df.columns):
            values = df.iloc[:, i].tolist()
            shown[i] = [self._cell(column, v) for v in values]
        shown.columns = [self._header(c, labels) for c in df.columns]
        markup = shown.to_html(index=False, classes="qh-table", border=0, escape=True, na_rep="—")
        return _BETWEEN_TAGS.sub("><", markup)  # a fifth of a long table's bytes

    def _header(self, column: Any, labels: dict | None) -> str:
        if labels and column in labels:
            return str(labels[column])
        key = f"report.columns.{column}"
        found = self.L(key)
        return str(column) if found == key else found

    def _cell(self, column: Any, value: Any) -> str:
        if isinstance(value, np.generic):
            value = value.item()
        missing = value is None or value is pd.NA or value is pd.NaT or (
            isinstance(value, float) and value != value)
        if column == "ok" or isinstance(value, bool):  # True / False / None: met, not met, display only
            return code_label("ok", "None" if missing else str(bool(value)), self.language)
        if column in CODE_COLUMNS:
            return code_label(column, None if missing else value, self.language)
        if missing:
            return "—"
        if isinstance(value, int):
            return self._number(value, 0)
        if isinstance(value, float):
            return self._number(value, 0 if value.is_integer() and abs(value) >= 100 else 2)
        if isinstance(value, dt.datetime):
            return format_date(value.date(), self.language)
        if isinstance(value, dt.date):
            return format_date(value, self.language)
        return str(value)

    def _number(self, value: float, places: int) -> str:
        shown = f"{value:,.{places}f}"
        if self.language == "vi":  # 1.234,56
            shown = shown.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return shown

    # -- saving ------------------------------------------------------------------------------
    # Both return None, so that a call ending a cell shows nothing in the report.
    def save_csv(self, df: pd.DataFrame, name: str) -> None:
        """Write ``df`` as ``<output_dir>/<name>.csv`` (UTF-8 BOM, formula-safe); nothing without output_dir."""
        name = params.check_name(name.removesuffix(".csv"), "name")
        if self.output_dir is not None:
            write_csv(df, self.output_dir / f"{name}.csv")

    def save_summary(self, summary: dict) -> None:
        """Write ``summary.json`` into ``output_dir`` (dates ISO, NaN null); nothing without output_dir."""
        if self.output_dir is not None:
            write_summary(summary, self.output_dir / "summary.json")

    # -- title -------------------------------------------------------------------------------
    def title_html(self) -> str:
        L = self.L
        meta = self.dataset.meta
        esc = html.escape
        rules = _rules_name(self.rules, self.language)
        parts = [
            '<header class="qh-title">',
            f'<div class="qh-marking-bar" aria-hidden="true">{esc(self.marking_text)}</div>',
            f'<p class="qh-confidential">{esc(self.marking_text)}</p>',
            f"<h1>{esc(report_title(self.report, self.language))}</h1>",
            f'<p class="qh-dataset">{esc(str(meta.name))}</p>',
            '<p class="qh-meta">'
            f"{esc(L('common.as_of', date=format_date(self.as_of, self.language)))}"
            + (f" · {esc(L('common.rule_set'))}: {esc(rules)}" if rules else "")
            + "</p>",
        ]
        description = getattr(meta, "description", None)
        if description:
            parts.append(f'<p class="qh-description">{esc(str(description))}</p>')
        warnings = list(getattr(self.dataset, "warnings", []) or [])
        if warnings:
            items = "".join(f"<li>{esc(self.shown_warning(w))}</li>" for w in warnings)
            summary = esc(L("report.data_warnings", count=len(warnings)))
            parts.append(f'<details class="qh-warnings"><summary>{summary}</summary><ul>{items}</ul></details>')
        parts.append("</header>")
        return "\n".join(parts)

    @property
    def marking_text(self) -> str:
        return self.marking or self.L("report.confidential")

    def metadata_html(self, built: dt.datetime | None = None) -> str:
        """The provenance footer: dataset, reference date, rule set, build time, version and the
        SHA-256 of every input file. The build moves it to the end of the report (render.py)."""
        L, esc, meta = self.L, html.escape, self.dataset.meta
        when = (built or dt.datetime.now()).strftime("%d/%m/%Y %H:%M" if self.language == "vi" else "%Y-%m-%d %H:%M")
        facts = {
            "dataset": f"{meta.name} ({meta.id})",
            "as-of": format_date(self.as_of, self.language),
            "rules": _rules_name(self.rules, self.language),
            "built": when,
            "version": _package_version(),
            "marking": self.marking_text,
        }
        shown = [L("privacy.metadata.dataset", name=facts["dataset"]),
                 L("common.as_of", date=facts["as-of"]),
                 f"{L('common.rule_set')}: {facts['rules']}",
                 L("common.generated", time=when),
                 L("privacy.metadata.version", version=facts["version"])]
        if self.pseudonymised:
            shown.append(L("privacy.metadata.pseudonymised"))
        if self.min_cell > 1:
            shown.append(L("privacy.metadata.small_cells", n=self.min_cell))
        attributes = " ".join(f'data-{k}="{esc(str(v))}"' for k, v in facts.items())
        rows = "".join(f"<tr><td>{esc(name)}</td><td><code>{digest}</code></td></tr>"
                       for name, digest in self.input_checksums())
        return "\n".join([
            f'<footer class="qh-metadata" data-qh-metadata="1" {attributes}>',
            f'<p class="qh-metadata-title">{esc(L("privacy.metadata.title"))}</p>',
            f'<p>{" · ".join(esc(x) for x in shown)}</p>',
            f'<table class="qh-table qh-checksums"><thead><tr><th>{esc(L("privacy.metadata.file"))}</th>'
            f'<th>SHA-256</th></tr></thead><tbody>{rows}</tbody></table>',
            "</footer>",
        ])

    def shown_warning(self, warning: Any) -> str:
        """A data warning as the page shows it: its file named from the dataset's folder
        ("thuong-tin-2022/ballots.csv"), not by where the computer that built the report keeps it."""
        file = getattr(warning, "file", None)
        if not file:
            return str(warning)
        home = Path(getattr(self.dataset, "root", None) or self.dataset_path).resolve().parent
        try:
            shown = Path(file).resolve().relative_to(home).as_posix()
        except ValueError:
            shown = Path(file).name
        return str(replace(warning, file=shown))

    def input_checksums(self) -> list[tuple[str, str]]:
        """``(file, sha256)`` of every input file of the dataset, the file relative to its folder."""
        root = Path(getattr(self.dataset, "root", None) or self.dataset_path)
        found = []
        for file in getattr(self.dataset, "input_files", []) or []:
            file = Path(file)
            try:
                name = file.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                name = file.name
            found.append((name, _sha256(file)))
        return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("quyhoach-analysis")
    except PackageNotFoundError:
        return "dev"


def _shared(name: str, value: Any) -> Any:
    """A parameter every report shares (marking, pseudonymise, min_cell): as passed, else as the
    build injected it into the notebook (papermill), else None."""
    if value is not None:
        return value
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return None
    shell = get_ipython()
    return None if shell is None else shell.user_ns.get(name)


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):  # pd.Timestamp included
        return value.date()
    if isinstance(value, dt.date):
        return value
    return params.parse_date("as_of", str(value), allow_empty=False)


PROBLEMS_SHOWN = 50  # a report (and the build's summary) lists this many; `validate` lists all


def _dataset_error(exc: DatasetError, path: Path) -> DatasetError:
    """The same error with the problems in its message, so a failed build can list them."""
    if not exc.problems:
        return exc
    from analysis.validate import format_problems

    listing = format_problems(exc.problems, limit=PROBLEMS_SHOWN)
    if len(exc.problems) > PROBLEMS_SHOWN:
        listing += f"\nXem tất cả / see them all: python -m analysis validate {path}"
    return DatasetError(f"{exc}\n{listing}", exc.problems)


def start_report(report: str, dataset_path: Any, as_of: Any = "", language: Any = "vi",
                 output_dir: Any = "", show_title: bool = True, marking: Any = None,
                 pseudonymise: Any = None, min_cell: Any = None) -> ReportContext:
    """Check the parameters, load the dataset and show the title block; see docs/notebooks.md.

    ``marking`` (the confidentiality line), ``pseudonymise`` (names replaced by codes, see
    `analysis.privacy`) and ``min_cell`` (small-cell threshold) default to the notebook's
    parameters of those names, which the build passes to every report.
    Raises :class:`ParameterError` for a bad parameter and :class:`DatasetError` (listing every
    problem) for a dataset that does not load or validate.
    """
    report = params.check_name(report, "report")
    language = params.check_language(language)
    path = params.check_path("dataset_path", dataset_path)
    reference = params.parse_date("as_of", as_of)
    out = params.check_output_dir(output_dir)
    marking = params.convert("marking", _shared("marking", marking), str, default="").strip()
    pseudonymise = params.convert("pseudonymise", _shared("pseudonymise", pseudonymise), bool, default=False)
    min_cell = params.convert("min_cell", _shared("min_cell", min_cell), int, default=privacy.DEFAULT_MIN_CELL)
    if min_cell < 0:
        raise ParameterError(f"Tham số 'min_cell' phải ≥ 0 / parameter 'min_cell' must be ≥ 0: {min_cell}")
    # before loading: every dataset this kernel loads is coded (or, again, not)
    privacy.pseudonymise_loads(privacy.pseudonym_key() if pseudonymise else None)

    from analysis.dataset import load_dataset
    from analysis.rules import load_rules

    try:
        dataset = load_dataset(path)
    except DatasetError as exc:
        raise _dataset_error(exc, path) from None
    rules = load_rules(dataset.meta.regime)

    use_offline_plotly()
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    ctx = ReportContext(report=report, dataset=dataset, dataset_path=path,
                        as_of=reference or _as_date(dataset.meta.as_of), language=language, rules=rules,
                        output_dir=out, marking=marking, pseudonymised=pseudonymise, min_cell=min_cell)
    if show_title:
        _html(ctx.title_html())
        _html(ctx.metadata_html())
    return ctx
