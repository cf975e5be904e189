"""The system's headless Chromium (through playwright) for PDFs, PNGs and browser tests, offline.

Debian's ``/usr/bin/chromium`` (``make browser``; ``QUYHOACH_CHROMIUM`` names another), never a
browser downloaded by playwright. Every page is opened with the network blocked: a request for
anything but ``file:``, ``data:``, ``blob:`` or ``about:`` is aborted and recorded, so a report that
would need the internet is caught instead of silently waiting for it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from analysis.errors import BuildError

CHROMIUM = Path(os.environ.get("QUYHOACH_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
VIEWPORT = {"width": 1280, "height": 900}
CHARTS_DRAWN = """() => Array.from(document.querySelectorAll('.plotly-graph-div'))
    .every(gd => gd.querySelector('.main-svg') !== null)"""


def outside_event_loop(function: Callable) -> Callable:
    """Run ``function`` in a thread when this thread runs an asyncio loop (a Jupyter kernel):
    playwright's synchronous API refuses to run inside one."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return function(*args, **kwargs)
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(function, *args, **kwargs).result()

    return wrapper


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium browser (playwright ``Browser``), closed afterwards."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise BuildError("Chưa cài playwright (pip install playwright) / playwright is not installed "
                         "(pip install playwright); it drives the system Chromium") from None
    if not CHROMIUM.exists():
        raise BuildError(f"Không tìm thấy Chromium tại {CHROMIUM}: chạy `make browser` / "
                         f"Chromium not found at {CHROMIUM}: run `make browser` (or set QUYHOACH_CHROMIUM)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def offline_page(browser: Any, blocked: list[str] | None = None, viewport: dict | None = None,
                 **context_options: Any) -> Iterator[Any]:
    """A page whose every non-local request is aborted and appended to ``blocked``."""
    seen = blocked if blocked is not None else []
    context = browser.new_context(viewport=viewport or VIEWPORT, **context_options)

    def route(route: Any) -> None:
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            seen.append(url)
            route.abort()

    context.route("**/*", route)
    try:
        yield context.new_page()
    finally:
        context.close()


def wait_for_charts(page: Any, timeout_ms: int = 60_000) -> None:
    """Wait until every plotly chart of ``page`` has drawn its SVG."""
    page.wait_for_function(CHARTS_DRAWN, timeout=timeout_ms)


def is_deck_page(path: Path) -> bool:
    """Whether a built page is a reveal.js deck (`slides.py`) rather than a report."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        head = handle.read(20_000)
    return "qh-slides" in head


def open_report(page: Any, path: Path, print_view: bool = False, timeout_ms: int = 120_000) -> bool:
    """Open a built page and wait until it is drawn; returns whether it is a deck.

    A deck waits for reveal.js to be ready; ``print_view`` opens it in reveal.js's print layout
    (one slide per page).
    """
    deck = is_deck_page(path)
    url = Path(path).resolve().as_uri() + ("?print-pdf" if deck and print_view else "")
    page.goto(url, wait_until="load", timeout=timeout_ms)
    if deck:
        page.wait_for_function("() => document.documentElement.classList.contains('qh-deck-ready')",
                               timeout=timeout_ms)
    wait_for_charts(page, timeout_ms)
    return deck
