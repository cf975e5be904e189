"""Command line: ``python -m analysis build|validate|sample|list-reports`` (also ``analysis ...``).

These commands and their options are stable: scheduled jobs call them. Exit codes: 0 success,
1 a report failed or a dataset has errors, 2 bad usage or configuration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from analysis.errors import AnalysisError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Phân tích và báo cáo quy hoạch cán bộ / cadre-planning analytics and reports.",
)
console = Console()
err_console = Console(stderr=True)


def _say(message: str, to=None) -> None:
    (to or console).print(message, highlight=False, markup=False, soft_wrap=True)


def _fail(exc: Exception, code: int = 2) -> typer.Exit:
    _say(str(exc), err_console)
    return typer.Exit(code)


@app.command()
def build(
    config: Annotated[Optional[Path], typer.Argument(
        help="Build config (YAML); default reports.yml at the project root.")] = None,
    dataset: Annotated[Optional[list[Path]], typer.Option(
        "--dataset", "-d", help="Dataset folder or .xlsx workbook; repeat for several. Replaces the config's datasets.")] = None,
    report: Annotated[Optional[list[str]], typer.Option(
        "--report", "-r", help="Report name (a notebook in notebooks/); repeat for several. Replaces the config's reports.")] = None,
    out: Annotated[Optional[Path], typer.Option(
        "--out", "-o", help="Output folder; default from the config, else reports/.")] = None,
    jobs: Annotated[Optional[int], typer.Option(
        "--jobs", "-j", min=1, help="Reports built in parallel (default 2).")] = None,
    language: Annotated[Optional[str], typer.Option(
        "--language", "-l", help="Language of the reports: vi or en (default vi).")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Rebuild every report, also those whose inputs have not changed.")] = False,
    portfolio: Annotated[bool, typer.Option(
        "--portfolio", help="Write plotly.js once as <out>/assets/plotly.min.js; every report loads it "
                            "from there (smaller pages, still offline; keep the folder together).")] = False,
    marking: Annotated[Optional[str], typer.Option(
        "--marking", help="Confidentiality marking on every page and slide, e.g. \"MẬT\" "
                          "(default: the config's `marking`, else the label report.confidential).")] = None,
    pseudonymise: Annotated[Optional[bool], typer.Option(
        "--pseudonymise/--no-pseudonymise", help="Replace every name and person id by a stable code in "
        "every output; key from QUYHOACH_PSEUDONYM_KEY or ~/.config/quyhoach/pseudonym.key.")] = None,
    min_cell: Annotated[Optional[int], typer.Option(
        "--min-cell", min=0, help="Hide counts under N in breakdowns by unit and other small groups "
                                  "(default 3; 0 or 1: hide nothing).")] = None,
    pdf: Annotated[Optional[bool], typer.Option(
        "--pdf/--no-pdf", help="Also print every report to <report>.pdf (A4; system Chromium, offline).")] = None,
    png: Annotated[Optional[bool], typer.Option(
        "--png/--no-png", help="Also save every chart as <report>/<chart>.png at print resolution.")] = None,
    prerender: Annotated[Optional[bool], typer.Option(
        "--prerender/--no-prerender", help="Draw every chart into its page at build time (system Chromium): "
        "the page shows all its charts at once, and each turns live (hover, zoom) moments later. "
        "For pages opened in a meeting; a few seconds more per page.")] = None,
) -> None:
    """Build reports (HTML, CSV tables, summary.json) and reports/index.html.

    Reports whose notebook, parameters, dataset, rule sets and package are unchanged since the
    last build into the same folder are skipped (--force rebuilds them).
    """
    from analysis.build import build as run_build

    try:
        result = run_build(config, datasets=dataset or None, reports=report or None, out=out,
                           jobs=jobs, language=language, console=console, force=force,
                           portfolio=portfolio,
                           options={"marking": marking, "pseudonymise": pseudonymise, "min_cell": min_cell,
                                    "pdf": pdf, "png": png, "prerender": prerender})
    except AnalysisError as exc:
        raise _fail(exc) from None
    _say(f"→ {result.index}")
    raise typer.Exit(result.exit_code)


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="Dataset folder or .xlsx workbook.")],
) -> None:
    """Check a dataset and print every problem; exit 1 when there is any error."""
    from analysis.validate import format_problems, validate_path

    try:
        problems = validate_path(path)
    except AnalysisError as exc:
        raise _fail(exc, 1) from None
    errors = [p for p in problems if getattr(p, "severity", "error") == "error"]
    if problems:
        _say(format_problems(problems))
    warnings = len(problems) - len(errors)
    if errors:
        _say(f"✗ {path}: {len(errors)} lỗi, {warnings} cảnh báo / {len(errors)} errors, {warnings} warnings")
        raise typer.Exit(1)
    _say(f"✓ {path}: không có lỗi, {warnings} cảnh báo / no errors, {warnings} warnings")


@app.command()
def sample(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the sample datasets into.")],
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = 2025,
) -> None:
    """Write the synthetic sample datasets (not real people)."""
    from analysis.sample import write_samples

    try:
        written = write_samples(out, seed=seed)
    except AnalysisError as exc:
        raise _fail(exc, 1) from None
    for path in written:
        _say(str(path))


@app.command("list-reports")
def list_reports() -> None:
    """List the reports (notebooks in notebooks/) with their titles."""
    from analysis.build import available_reports
    from analysis.report import report_title

    for name in available_reports():
        typer.echo(f"{name}\t{report_title(name)}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
